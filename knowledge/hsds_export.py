"""Export the directory as HSDS: a tabular package (``datapackage.json`` + CSV) or nested JSON.

Ids are the HSDS ids that came in. Regions, categories and capacities survive a round trip:
regions as ``x_regions`` (``["*"]`` for province-wide), categories as attributes linking our
taxonomy terms, capacities as HSDS 3.1 ``service_capacity`` rows with their ``unit``.
"""

from __future__ import annotations

import asyncio
import copy
import csv
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models.directory import (
    DirectoryAddress,
    DirectoryAttribute,
    DirectoryContact,
    DirectoryLanguage,
    DirectoryLocation,
    DirectoryOrganization,
    DirectoryPhone,
    DirectorySchedule,
    DirectoryService,
    DirectoryTaxonomy,
    DirectoryTaxonomyTerm,
    DirectoryUnit,
    ServiceArea,
    ServiceAtLocation,
    ServiceCapacity,
)
from knowledge.hsds_common import PROVINCE_CODE, SPECS, format_value

OFFICIAL_DESCRIPTOR = Path(__file__).parent / "hsds_datapackage.json"

EXTENSION_FIELDS: dict[str, list[dict[str, Any]]] = {
    "organization": [
        {"name": "x_name_en", "type": "string", "title": "Name (English)",
         "description": "Relais extension: the organization's name in English."},
        {"name": "x_description_en", "type": "string", "title": "Description (English)",
         "description": "Relais extension: the description in English."},
    ],
    "service": [
        {"name": "x_name_en", "type": "string", "title": "Name (English)",
         "description": "Relais extension: the service's name in English."},
        {"name": "x_description_en", "type": "string", "title": "Description (English)",
         "description": "Relais extension: the description in English."},
        {"name": "x_eligibility_en", "type": "string", "title": "Eligibility (English)",
         "description": "Relais extension: the eligibility description in English."},
        {"name": "x_regions", "type": "string", "title": "Regions served",
         "description": "Relais extension: Québec administrative region codes served, separated "
                        "by spaces; '*' means the whole province."},
        {"name": "x_open_24_7", "type": "boolean", "title": "Open 24/7",
         "description": "Relais extension: open around the clock."},
        {"name": "x_timezone", "type": "string", "title": "Time zone",
         "description": "Relais extension: IANA time zone of the schedules (e.g. America/Toronto)."},
        {"name": "x_confidential_address", "type": "boolean", "title": "Confidential address",
         "description": "Relais extension: the street address must never be shown in chat."},
    ],
    "location": [
        {"name": "x_confidential_address", "type": "boolean", "title": "Confidential address",
         "description": "Relais extension: this location's address must never be shown."},
    ],
}

HSDS31_RESOURCES: list[dict[str, Any]] = [
    {
        "name": "unit", "path": "units.csv", "format": "csv", "mediatype": "text/csv",
        "profile": "tabular-data-resource",
        "description": "HSDS 3.1: units in which a service's capacity is counted (beds, places).",
        "schema": {"primaryKey": "id", "fields": [
            {"name": "id", "type": "string", "title": "Identifier", "description": "The identifier of the unit.", "constraints": {"required": True, "unique": True}},
            {"name": "name", "type": "string", "title": "Name", "description": "The human-readable name of the unit.", "constraints": {"required": True, "unique": False}},
            {"name": "scheme", "type": "string", "title": "Scheme", "description": "The scheme of the unit's identifier.", "constraints": {"required": False, "unique": False}},
            {"name": "identifier", "type": "string", "title": "Identifier", "description": "The identifier of the unit in its scheme.", "constraints": {"required": False, "unique": False}},
            {"name": "uri", "type": "string", "format": "uri", "title": "URI", "description": "A URI for the unit's definition.", "constraints": {"required": False, "unique": False}},
        ]},
    },
    {
        "name": "service_capacity", "path": "service_capacities.csv", "format": "csv",
        "mediatype": "text/csv", "profile": "tabular-data-resource",
        "description": "HSDS 3.1: the capacity of a service (e.g. beds available tonight) and when it was updated.",
        "schema": {"primaryKey": "id", "fields": [
            {"name": "id", "type": "string", "title": "Identifier", "description": "The identifier of the service capacity.", "constraints": {"required": True, "unique": True}},
            {"name": "service_id", "type": "string", "title": "Service Identifier", "description": "The service this capacity is for.", "constraints": {"required": True, "unique": False}},
            {"name": "unit_id", "type": "string", "title": "Unit Identifier", "description": "The unit of the capacity.", "constraints": {"required": True, "unique": False}},
            {"name": "available", "type": "number", "title": "Available", "description": "How many units are available.", "constraints": {"required": True, "unique": False}},
            {"name": "maximum", "type": "number", "title": "Maximum", "description": "The maximum number of units.", "constraints": {"required": False, "unique": False}},
            {"name": "description", "type": "string", "title": "Description", "description": "A description of the capacity.", "constraints": {"required": False, "unique": False}},
            {"name": "updated", "type": "datetime", "title": "Updated", "description": "When the capacity was last updated.", "constraints": {"required": True, "unique": False}},
        ],
            "foreignKeys": [
                {"fields": "service_id", "reference": {"resource": "service", "fields": "id"}},
                {"fields": "unit_id", "reference": {"resource": "unit", "fields": "id"}},
            ]},
    },
]

TABLE_ORDER = ("organization", "service", "location", "address", "service_at_location",
               "service_area", "contact", "phone", "language", "schedule", "taxonomy",
               "taxonomy_term", "attribute", "unit", "service_capacity")


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if v is not None and v != ""}


async def collect_rows(session: AsyncSession) -> dict[str, list[dict[str, Any]]]:
    """Every stored object as an HSDS tabular row (typed values, HSDS ids)."""
    orgs = {o.id: o for o in (await session.scalars(select(DirectoryOrganization).order_by(DirectoryOrganization.id))).all()}
    services = {s.id: s for s in (await session.scalars(select(DirectoryService).order_by(DirectoryService.id))).all()}
    locations = {loc.id: loc for loc in (await session.scalars(select(DirectoryLocation).order_by(DirectoryLocation.id))).all()}
    sals = {x.id: x for x in (await session.scalars(select(ServiceAtLocation).order_by(ServiceAtLocation.id))).all()}
    contacts = {c.id: c for c in (await session.scalars(select(DirectoryContact).order_by(DirectoryContact.id))).all()}
    phones = {p.id: p for p in (await session.scalars(select(DirectoryPhone).order_by(DirectoryPhone.id))).all()}
    terms = {t.id: t for t in (await session.scalars(select(DirectoryTaxonomyTerm).order_by(DirectoryTaxonomyTerm.id))).all()}
    units = {u.id: u for u in (await session.scalars(select(DirectoryUnit).order_by(DirectoryUnit.id))).all()}

    def hid(table: dict[int, Any], pk: int | None) -> str | None:
        return table[pk].hsds_id if pk is not None and pk in table else None

    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for o in orgs.values():
        rows["organization"].append({
            "id": o.hsds_id, "name": o.name, "alternate_name": o.alternate_name,
            "description": o.description or o.name, "email": o.email, "website": o.website,
            "parent_organization_id": o.parent_hsds_id, **(o.extra or {}),
            "x_name_en": o.name_en, "x_description_en": o.description_en,
        })
    for s in services.values():
        regions = [PROVINCE_CODE] if s.province_wide else s.regions
        rows["service"].append({
            "id": s.hsds_id, "organization_id": hid(orgs, s.organization_id), "name": s.name,
            "alternate_name": s.alternate_name, "description": s.description, "url": s.url,
            "email": s.email, "status": s.status,
            "interpretation_services": s.interpretation_services,
            "application_process": s.application_process,
            "eligibility_description": s.eligibility_description,
            "minimum_age": s.minimum_age, "maximum_age": s.maximum_age,
            "assured_date": s.assured_date, "alert": s.alert, "last_modified": s.last_modified,
            **(s.extra or {}),
            "x_name_en": s.name_en, "x_description_en": s.description_en,
            "x_eligibility_en": s.eligibility_en, "x_regions": regions or None,
            "x_open_24_7": s.open_24_7, "x_timezone": s.timezone,
            "x_confidential_address": s.confidential_address,
        })
    for loc in locations.values():
        rows["location"].append({
            "id": loc.hsds_id, "location_type": loc.location_type,
            "organization_id": hid(orgs, loc.organization_id), "name": loc.name,
            "alternate_name": loc.alternate_name, "description": loc.description,
            "transportation": loc.transportation, "latitude": loc.latitude,
            "longitude": loc.longitude, "x_confidential_address": loc.confidential or None,
        })
    for a in (await session.scalars(select(DirectoryAddress).order_by(DirectoryAddress.id))).all():
        rows["address"].append({
            "id": a.hsds_id, "location_id": hid(locations, a.location_id), "attention": a.attention,
            "address_1": a.address_1, "address_2": a.address_2, "city": a.city, "region": a.region,
            "state_province": a.state_province, "postal_code": a.postal_code,
            "country": a.country, "address_type": a.address_type,
        })
    for x in sals.values():
        rows["service_at_location"].append({
            "id": x.hsds_id, "service_id": hid(services, x.service_id),
            "location_id": hid(locations, x.location_id), "description": x.description,
        })
    for a in (await session.scalars(select(ServiceArea).order_by(ServiceArea.id))).all():
        rows["service_area"].append({
            "id": a.hsds_id, "service_id": hid(services, a.service_id), "name": a.name,
            "description": a.description, "extent": a.extent, "extent_type": a.extent_type,
            "uri": a.uri,
        })
    for c in contacts.values():
        rows["contact"].append({
            "id": c.hsds_id, "organization_id": hid(orgs, c.organization_id),
            "service_id": hid(services, c.service_id),
            "service_at_location_id": hid(sals, c.service_at_location_id),
            "location_id": hid(locations, c.location_id), "name": c.name, "title": c.title,
            "department": c.department, "email": c.email,
        })
    for p in phones.values():
        extension: Any = p.extension
        if extension is not None:
            try:
                extension = int(extension)
            except ValueError:
                extension = None
        rows["phone"].append({
            "id": p.hsds_id, "location_id": hid(locations, p.location_id),
            "service_id": hid(services, p.service_id), "organization_id": hid(orgs, p.organization_id),
            "contact_id": hid(contacts, p.contact_id),
            "service_at_location_id": hid(sals, p.service_at_location_id),
            "number": p.number, "extension": extension, "type": p.type,
            "description": p.description,
        })
    for lang in (await session.scalars(select(DirectoryLanguage).order_by(DirectoryLanguage.id))).all():
        rows["language"].append({
            "id": lang.hsds_id, "service_id": hid(services, lang.service_id),
            "location_id": hid(locations, lang.location_id), "phone_id": hid(phones, lang.phone_id),
            "name": lang.name, "code": lang.code, "note": lang.note,
        })
    for sc in (await session.scalars(select(DirectorySchedule).order_by(DirectorySchedule.id))).all():
        rows["schedule"].append({
            "id": sc.hsds_id, "service_id": hid(services, sc.service_id),
            "location_id": hid(locations, sc.location_id),
            "service_at_location_id": hid(sals, sc.service_at_location_id),
            "valid_from": sc.valid_from, "valid_to": sc.valid_to, "dtstart": sc.dtstart,
            "timezone": sc.timezone, "until": sc.until, "count": sc.count, "wkst": sc.wkst,
            "freq": sc.freq, "interval": sc.interval, "byday": sc.byday,
            "byweekno": sc.byweekno, "bymonthday": sc.bymonthday, "byyearday": sc.byyearday,
            "description": sc.description,
            "opens_at": _time(sc.opens_at), "closes_at": _time(sc.closes_at),
            "schedule_link": sc.schedule_link, "attending_type": sc.attending_type,
            "notes": sc.notes,
        })
    for tx in (await session.scalars(select(DirectoryTaxonomy).order_by(DirectoryTaxonomy.id))).all():
        rows["taxonomy"].append({"id": tx.hsds_id, "name": tx.name,
                                 "description": tx.description or tx.name, "uri": tx.uri,
                                 "version": tx.version})
    for t in terms.values():
        rows["taxonomy_term"].append({
            "id": t.hsds_id, "code": t.code, "name": t.name, "description": t.description or t.name,
            "parent_id": t.parent_hsds_id, "taxonomy": t.taxonomy, "language": t.language,
            "taxonomy_id": t.taxonomy_hsds_id, "term_uri": t.term_uri,
        })
    for at in (await session.scalars(select(DirectoryAttribute).order_by(DirectoryAttribute.id))).all():
        rows["attribute"].append({
            "id": at.hsds_id, "link_id": at.link_id, "taxonomy_term_id": hid(terms, at.taxonomy_term_id),
            "link_type": at.link_type, "link_entity": at.link_entity or "service", "value": at.value,
        })
    for u in units.values():
        rows["unit"].append({"id": u.hsds_id, "name": u.name, "scheme": u.scheme,
                             "identifier": u.identifier, "uri": u.uri})
    for cap in (await session.scalars(select(ServiceCapacity).order_by(ServiceCapacity.id))).all():
        rows["service_capacity"].append({
            "id": cap.hsds_id, "service_id": hid(services, cap.service_id),
            "unit_id": hid(units, cap.unit_id), "available": cap.available,
            "maximum": cap.maximum, "description": cap.description, "updated": cap.updated,
        })
    return rows


def _time(value: str | None) -> str | None:
    if not value:
        return None
    return "23:59:59" if value == "24:00" else (value + ":00" if len(value) == 5 else value)


def _number(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def descriptor(tables: list[str]) -> dict[str, Any]:
    """The datapackage.json describing the CSV files written for ``tables``."""
    official = json.loads(OFFICIAL_DESCRIPTOR.read_text(encoding="utf-8"))
    package = {k: v for k, v in official.items() if k not in ("resources", "_about")}
    package["name"] = "relais_directory"
    package["title"] = "Relais partner directory (HSDS 3.0 + 3.1 capacity + Relais extensions)"
    resources = {r["name"]: r for r in official["resources"]} | {r["name"]: r for r in HSDS31_RESOURCES}
    out = []
    for name in tables:
        resource = copy.deepcopy(resources[name])
        resource["path"] = SPECS[name].path
        resource["schema"]["fields"].extend(copy.deepcopy(EXTENSION_FIELDS.get(name, [])))
        keys = [fk for fk in resource["schema"].get("foreignKeys", [])
                if fk["reference"]["resource"] in tables or fk["reference"]["resource"] == ""]
        if keys:
            resource["schema"]["foreignKeys"] = keys
        else:
            resource["schema"].pop("foreignKeys", None)
        out.append(resource)
    package["resources"] = out
    return package


async def export_csv(session: AsyncSession, folder: Path) -> dict[str, int]:
    """Write the tabular package into ``folder``; returns rows written per file."""
    rows = await collect_rows(session)
    return await asyncio.to_thread(write_csv_package, rows, Path(folder))


def write_csv_package(rows: dict[str, list[dict[str, Any]]], folder: Path) -> dict[str, int]:
    folder.mkdir(parents=True, exist_ok=True)
    package = descriptor(list(TABLE_ORDER))
    counts: dict[str, int] = {}
    for resource in package["resources"]:
        name = resource["name"]
        spec = SPECS[name]
        columns = [f["name"] for f in resource["schema"]["fields"]]
        with (folder / resource["path"]).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            for row in rows.get(name, []):
                writer.writerow([format_value(spec.fields.get(c, "string"), row.get(c)) for c in columns])
        counts[resource["path"]] = len(rows.get(name, []))
    (folder / "datapackage.json").write_text(
        json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return counts


def _typed(table: str, row: dict[str, Any]) -> dict[str, Any]:
    spec = SPECS[table]
    out: dict[str, Any] = {}
    for key, value in _clean(row).items():
        kind = spec.fields.get(key, "string")
        if kind in ("date", "datetime"):
            out[key] = format_value(kind, value)
        elif kind in ("number", "integer"):
            out[key] = _number(value)
        else:
            out[key] = value
    return out


async def export_json(session: AsyncSession, path: Path) -> int:
    """Write ``{"organizations": [...]}`` with services and their objects nested; returns the
    number of services."""
    rows = await collect_rows(session)
    typed = {name: [_typed(name, r) for r in table] for name, table in rows.items()}
    by = defaultdict(lambda: defaultdict(list))  # type: ignore[var-annotated]

    def group(table: str, key: str) -> None:
        for row in typed.get(table, []):
            if row.get(key):
                by[(table, key)][row[key]].append(row)

    for table, key in (("service", "organization_id"), ("location", "organization_id"),
                       ("address", "location_id"), ("service_at_location", "service_id"),
                       ("service_area", "service_id"), ("contact", "service_id"),
                       ("contact", "organization_id"), ("phone", "service_id"),
                       ("phone", "organization_id"), ("phone", "location_id"),
                       ("language", "service_id"), ("language", "location_id"),
                       ("schedule", "service_id"), ("attribute", "link_id"),
                       ("service_capacity", "service_id")):
        group(table, key)
    terms = {t["id"]: t for t in typed.get("taxonomy_term", [])}
    taxonomies = {t["id"]: t for t in typed.get("taxonomy", [])}
    units = {u["id"]: u for u in typed.get("unit", [])}
    locations = {loc["id"]: loc for loc in typed.get("location", [])}

    def location_obj(loc: dict[str, Any]) -> dict[str, Any]:
        return {**loc,
                "addresses": by[("address", "location_id")].get(loc["id"], []),
                "languages": by[("language", "location_id")].get(loc["id"], []),
                "phones": [p for p in by[("phone", "location_id")].get(loc["id"], [])]}

    def attribute_obj(attr: dict[str, Any]) -> dict[str, Any]:
        term = dict(terms.get(attr.get("taxonomy_term_id"), {}))
        if term.get("taxonomy_id") in taxonomies:
            term["taxonomy_detail"] = taxonomies[term["taxonomy_id"]]
        return {**attr, "taxonomy_term": term} if term else attr

    def capacity_obj(cap: dict[str, Any]) -> dict[str, Any]:
        return {**cap, "unit": units.get(cap.get("unit_id"), {"id": cap.get("unit_id"), "name": "?"})}

    def service_obj(service: dict[str, Any]) -> dict[str, Any]:
        sid = service["id"]
        obj = dict(service)
        if "x_regions" in obj:
            obj["x_regions"] = list(obj["x_regions"])
        obj.update({
            "phones": by[("phone", "service_id")].get(sid, []),
            "schedules": by[("schedule", "service_id")].get(sid, []),
            "service_areas": by[("service_area", "service_id")].get(sid, []),
            "languages": by[("language", "service_id")].get(sid, []),
            "contacts": by[("contact", "service_id")].get(sid, []),
            "attributes": [attribute_obj(a) for a in by[("attribute", "link_id")].get(sid, [])],
            "capacities": [capacity_obj(c) for c in by[("service_capacity", "service_id")].get(sid, [])],
            "service_at_locations": [
                {**sal, "location": location_obj(locations[sal["location_id"]])}
                for sal in by[("service_at_location", "service_id")].get(sid, [])
                if sal.get("location_id") in locations
            ],
        })
        return obj

    organizations = []
    for org in typed.get("organization", []):
        oid = org["id"]
        organizations.append({
            **org,
            "contacts": by[("contact", "organization_id")].get(oid, []),
            "phones": by[("phone", "organization_id")].get(oid, []),
            "locations": [location_obj(loc) for loc in by[("location", "organization_id")].get(oid, [])],
            "services": [service_obj(s) for s in by[("service", "organization_id")].get(oid, [])],
        })
    document = {"_format": "HSDS 3.0 JSON (organizations with nested services), HSDS 3.1 "
                           "capacities, Relais x_ extensions",
                "organizations": organizations}
    text = json.dumps(document, indent=1, ensure_ascii=False) + "\n"
    await asyncio.to_thread(Path(path).write_text, text, encoding="utf-8")
    return len(typed.get("service", []))
