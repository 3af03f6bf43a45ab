"""Write checked HSDS values into the directory tables: upsert by HSDS id, parents first.

Rows are inserted or updated in the caller's transaction (flushed, never committed), in an order
where every foreign key can be resolved from an HSDS id to a primary key: taxonomies, then
organizations and places, services, their contacts and schedules, attributes, capacities.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.hsds_common import ORGANIZATION_EXTRA, SERVICE_EXTRA, SPECS
from knowledge.hsds_import.derive import derive
from knowledge.hsds_import.report import ImportReport
from knowledge.hsds_import.tables import MODELS

DEFAULT_ZONE = "America/Toronto"


class Loader:
    """Upserts one import's values and remembers each object by table and HSDS id."""

    def __init__(self, session: AsyncSession, values: dict[str, dict[str, dict[str, Any]]],
                 now: datetime, gazetteer: Any, taxonomy: Any) -> None:
        self.session = session
        self.values = values
        self.now = now
        self.gazetteer = gazetteer
        self.taxonomy = taxonomy
        self.objects: dict[str, dict[str, Any]] = {name: {} for name in SPECS}
        self.report = ImportReport()

    async def lookup(self, table: str, hsds_id: str | None) -> Any:
        """The object with this HSDS id, from this import or else from the database."""
        if hsds_id is None:
            return None
        obj = self.objects[table].get(hsds_id)
        if obj is None:
            model = MODELS[table]
            obj = await self.session.scalar(select(model).where(model.hsds_id == hsds_id))
            if obj is not None:
                self.objects[table][hsds_id] = obj
        return obj

    async def _pk(self, table: str, hsds_id: str | None) -> int | None:
        """The primary key behind an HSDS id (``None`` when unknown), for foreign keys."""
        obj = await self.lookup(table, hsds_id)
        return obj.id if obj is not None else None

    async def _upsert(self, table: str, fields: dict[str, dict[str, Any]]) -> None:
        """Insert or update each row by HSDS id; count new and updated services."""
        model = MODELS[table]
        existing: dict[str, Any] = {}
        ids = sorted(fields)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for obj in (await self.session.scalars(select(model).where(model.hsds_id.in_(chunk)))).all():
                existing[obj.hsds_id] = obj
        for hsds_id, columns in fields.items():
            obj = existing.get(hsds_id)
            if obj is None:
                if table == "service":
                    columns = {**columns, "category_links": [], "region_links": []}
                obj = model(hsds_id=hsds_id, **columns)
                self.session.add(obj)
                if table == "service":
                    self.report.created += 1
            else:
                for key, value in columns.items():
                    setattr(obj, key, value)
                if table == "service":
                    self.report.updated += 1
            self.objects[table][hsds_id] = obj
        await self.session.flush()

    async def run(self) -> ImportReport:
        """Upsert every table in dependency order, then derive categories and regions."""
        await self._taxonomies()
        await self._organizations()
        services = await self._services()
        await self._contacts()
        await self._attributes()
        await self._capacities()
        await derive(self, services)
        return self.report

    async def _taxonomies(self) -> None:
        """Taxonomies and their terms, each term mapped to a Relais category when one matches."""
        v = self.values
        await self._upsert("taxonomy", {i: _pick(r, "name", "description", "uri", "version")
                                        for i, r in v["taxonomy"].items()})
        terms: dict[str, dict[str, Any]] = {}
        for i, r in v["taxonomy_term"].items():
            category = None
            for key in ("code", "name"):
                if r.get(key):
                    category = self.taxonomy.resolve_term(r[key])
                    if category:
                        break
            terms[i] = _pick(r, "code", "name", "description", "taxonomy", "language",
                             "term_uri") | {"parent_hsds_id": r.get("parent_id"),
                                            "taxonomy_hsds_id": r.get("taxonomy_id"),
                                            "category": category}
        await self._upsert("taxonomy_term", terms)

    async def _organizations(self) -> None:
        """Organizations, capacity units, locations and their addresses."""
        v = self.values
        await self._upsert("organization", {
            i: _pick(r, "name", "alternate_name", "description", "email", "website")
            | {"name_en": r.get("x_name_en"), "description_en": r.get("x_description_en"),
               "parent_hsds_id": r.get("parent_organization_id"),
               "extra": _extra(r, ORGANIZATION_EXTRA)}
            for i, r in v["organization"].items()})
        self.report.organizations = len(v["organization"])
        await self._upsert("unit", {i: _pick(r, "name", "scheme", "identifier", "uri")
                                    for i, r in v["unit"].items()})
        await self._upsert("location", {
            i: _pick(r, "name", "alternate_name", "description", "transportation", "latitude",
                     "longitude")
            | {"location_type": r.get("location_type") or "physical",
               "confidential": bool(r.get("x_confidential_address")),
               "organization_id": await self._pk("organization", r.get("organization_id"))}
            for i, r in v["location"].items()})
        await self._upsert("address", {
            i: _pick(r, "attention", "address_1", "address_2", "city", "region",
                     "state_province", "postal_code", "country", "address_type")
            | {"location_id": await self._pk("location", r["location_id"])}
            for i, r in v["address"].items()})

    async def _services(self) -> dict[str, dict[str, Any]]:
        """Services (with Relais defaults and relative dates), where they are, and their areas."""
        v = self.values
        services: dict[str, dict[str, Any]] = {}
        for i, r in v["service"].items():
            verified = r.get("assured_date")
            if r.get("x_verified_days_ago") is not None:
                verified = (self.now - timedelta(days=r["x_verified_days_ago"])).date()
            services[i] = _pick(r, "name", "alternate_name", "description", "url", "email",
                                "interpretation_services", "application_process",
                                "eligibility_description", "minimum_age", "maximum_age",
                                "alert", "last_modified") | {
                "organization_id": await self._pk("organization", r["organization_id"]),
                "name_en": r.get("x_name_en"),
                "description_en": r.get("x_description_en"),
                "eligibility_en": r.get("x_eligibility_en"),
                "status": (r.get("status") or "active").lower(),
                "assured_date": verified,
                "open_24_7": bool(r.get("x_open_24_7")),
                "timezone": r.get("x_timezone") or DEFAULT_ZONE,
                "confidential_address": bool(r.get("x_confidential_address")),
                "extra": _extra(r, SERVICE_EXTRA),
            }
        await self._upsert("service", services)
        self.report.services = len(services)
        self.report.service_ids = list(services)
        await self._upsert("service_at_location", {
            i: {"description": r.get("description"),
                "service_id": await self._pk("service", r["service_id"]),
                "location_id": await self._pk("location", r["location_id"])}
            for i, r in v["service_at_location"].items()})
        await self._upsert("service_area", {
            i: _pick(r, "name", "description", "extent", "extent_type", "uri")
            | {"service_id": await self._pk("service", r["service_id"])}
            for i, r in v["service_area"].items()})
        return services

    async def _contacts(self) -> None:
        """Contacts, phones, languages and schedules, linked to whatever they belong to."""
        v = self.values
        await self._upsert("contact", {
            i: _pick(r, "name", "title", "department", "email") | await self._links(r)
            for i, r in v["contact"].items()})
        await self._upsert("phone", {
            i: _pick(r, "number", "type", "description")
            | {"extension": None if r.get("extension") is None else str(r["extension"]),
               "contact_id": await self._pk("contact", r.get("contact_id"))}
            | await self._links(r)
            for i, r in v["phone"].items()})
        await self._upsert("language", {
            i: _pick(r, "name", "code", "note")
            | {"service_id": await self._pk("service", r.get("service_id")),
               "location_id": await self._pk("location", r.get("location_id")),
               "phone_id": await self._pk("phone", r.get("phone_id"))}
            for i, r in v["language"].items()})
        await self._upsert("schedule", {
            i: _pick(r, "valid_from", "valid_to", "dtstart", "timezone", "until", "count", "wkst",
                     "freq", "interval", "byday", "byweekno", "bymonthday", "byyearday",
                     "description", "opens_at", "closes_at", "schedule_link", "attending_type",
                     "notes")
            | {"service_id": await self._pk("service", r.get("service_id")),
               "location_id": await self._pk("location", r.get("location_id")),
               "service_at_location_id": await self._pk("service_at_location",
                                                        r.get("service_at_location_id"))}
            for i, r in v["schedule"].items()})

    async def _attributes(self) -> None:
        """Attributes: the taxonomy terms attached to services (and other objects)."""
        v = self.values
        attributes = {}
        for i, r in v["attribute"].items():
            attributes[i] = _pick(r, "link_id", "link_type", "value") | {
                "link_entity": r.get("link_entity") or ("service" if r["link_id"] in self.objects["service"] else None),
                "taxonomy_term_id": await self._pk("taxonomy_term", r["taxonomy_term_id"]),
            }
        await self._upsert("attribute", attributes)

    async def _capacities(self) -> None:
        """Capacities, dated by their own date, a relative age, or their service's relative age."""
        v = self.values
        capacities = {}
        for i, r in v["service_capacity"].items():
            updated = r.get("updated")
            if r.get("x_updated_hours_ago") is not None:
                updated = self.now - timedelta(hours=r["x_updated_hours_ago"])
            elif updated is None:
                updated = self.now
            capacities[i] = _pick(r, "available", "maximum", "description") | {
                "updated": updated,
                "service_id": await self._pk("service", r["service_id"]),
                "unit_id": await self._pk("unit", r["unit_id"]),
            }
        # a service-level x_updated_hours_ago dates its capacities that carry no date of their own
        for i, r in v["service_capacity"].items():
            service_row = v["service"].get(r["service_id"])
            if (service_row and service_row.get("x_updated_hours_ago") is not None
                    and r.get("updated") is None and r.get("x_updated_hours_ago") is None):
                capacities[i]["updated"] = self.now - timedelta(
                    hours=service_row["x_updated_hours_ago"])
        await self._upsert("service_capacity", capacities)

    async def _links(self, r: dict[str, Any]) -> dict[str, Any]:
        """The primary keys of the objects a contact or phone row belongs to."""
        return {
            "organization_id": await self._pk("organization", r.get("organization_id")),
            "service_id": await self._pk("service", r.get("service_id")),
            "service_at_location_id": await self._pk("service_at_location",
                                                     r.get("service_at_location_id")),
            "location_id": await self._pk("location", r.get("location_id")),
        }

    # --------------------------------------------------------------- categories and regions


def _pick(row: dict[str, Any], *keys: str) -> dict[str, Any]:
    """The named columns of a row, ``None`` for those it lacks."""
    return {k: row.get(k) for k in keys}


def _extra(row: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """The HSDS columns Relais has no column for but keeps (and exports) in ``extra``."""
    return {k: row[k] for k in keys if row.get(k) is not None}

