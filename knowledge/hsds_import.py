"""Import an HSDS 3.0 directory: a tabular package (``datapackage.json`` + CSV files) or JSON.

JSON may be a service, a list of services, an organization with its services, a
service_at_location document, or ``{"organizations": [...]}`` (our sample). Everything is read
and checked first; any problem (bad JSON, missing required column, bad number or date, unknown
id reference, a NUL character, a text cell that a spreadsheet would run as a formula unless
``allow_formula_cells``) raises :class:`ImportFailed` with the file, row and column of each,
before anything is written (and a refused cell is never sent to the database). Then objects are
upserted by HSDS id in the caller's transaction, and each service's categories and regions are
derived; what could not be mapped is reported.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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
    ServiceCategory,
    ServiceRegion,
)
from knowledge.hsds_common import (
    IGNORED_TABLES,
    ORGANIZATION_EXTRA,
    PROVINCE_CODES,
    SERVICE_EXTRA,
    SPECS,
    STATUSES,
    TABLES,
    Bundle,
    ImportFailed,
    Problem,
    Row,
    blank,
    cell_problem,
    coerce,
)
from knowledge.text import normalise

DEFAULT_ZONE = "America/Toronto"
PROVINCE_WORDS = frozenset({
    "qc", "quebec", "province de quebec", "province of quebec", "tout le quebec",
    "ensemble du quebec", "partout au quebec", "all of quebec", "whole province", "province",
    "province wide", "provincial", "quebec province", "le quebec", "across quebec",
})
QUEBEC_PROVINCE = frozenset({"qc", "quebec", "pq", "que"})

MODELS: dict[str, type] = {
    "organization": DirectoryOrganization,
    "taxonomy": DirectoryTaxonomy,
    "taxonomy_term": DirectoryTaxonomyTerm,
    "unit": DirectoryUnit,
    "location": DirectoryLocation,
    "address": DirectoryAddress,
    "service": DirectoryService,
    "service_at_location": ServiceAtLocation,
    "service_area": ServiceArea,
    "contact": DirectoryContact,
    "phone": DirectoryPhone,
    "language": DirectoryLanguage,
    "schedule": DirectorySchedule,
    "attribute": DirectoryAttribute,
    "service_capacity": ServiceCapacity,
}


@dataclass
class ImportReport:
    """What an import did and what it could not map (never an error)."""

    organizations: int = 0
    services: int = 0
    created: int = 0
    updated: int = 0
    service_ids: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        out = [f"{self.services} service(s) of {self.organizations} organization(s) imported "
               f"({self.created} new, {self.updated} updated)"]
        for name, count in sorted(self.skipped.items()):
            out.append(f"not kept: {name} ({count} row(s); Relais does not use this table)")
        out += [f"not mapped: {note}" for note in self.unmapped]
        return out


# ================================================================================ reading
def read_source(path: Path) -> Bundle:
    """Read a package folder, a ``datapackage.json``, or a JSON document into rows."""
    path = Path(path)
    if path.is_dir():
        return read_package(path)
    if path.name == "datapackage.json":
        return read_package(path.parent)
    if not path.exists():
        raise ImportFailed([Problem(str(path), None, None, "no such file or folder")])
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        raise ImportFailed(
            [Problem(path.name, exc.lineno, None, f"not valid JSON: {exc.msg} (column {exc.colno})")]
        ) from None
    except UnicodeDecodeError:
        raise ImportFailed([Problem(path.name, None, None, "not UTF-8 text")]) from None
    return bundle_from_json(document, path.name)


def read_package(folder: Path) -> Bundle:
    """Rows of every CSV file of an HSDS tabular package."""
    problems: list[Problem] = []
    paths = {spec.name: spec.path for spec in TABLES} | dict(IGNORED_TABLES)
    descriptor = folder / "datapackage.json"
    if descriptor.exists():
        try:
            package = json.loads(descriptor.read_text(encoding="utf-8-sig"))
            for resource in package.get("resources", []):
                if isinstance(resource, dict) and resource.get("name") and resource.get("path"):
                    if "\x00" in str(resource["path"]):
                        problems.append(Problem("datapackage.json", None, "path",
                                                "contains a NUL character (U+0000); remove it"))
                        continue
                    paths[str(resource["name"])] = str(resource["path"])
        except (json.JSONDecodeError, AttributeError) as exc:
            raise ImportFailed(
                [Problem("datapackage.json", None, None, f"not a valid data package: {exc}")]
            ) from None
    if problems:
        raise ImportFailed(problems)
    if not descriptor.exists() and not any((folder / p).exists() for p in paths.values()):
        raise ImportFailed([Problem(str(folder), None, None, "no datapackage.json or HSDS CSV file")])
    bundle = Bundle()
    for name, relative in paths.items():
        file = folder / relative
        if not file.exists():
            continue
        try:
            text = file.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            problems.append(Problem(relative, None, None, "not UTF-8 text"))
            continue
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = reader.fieldnames or []
        if name not in SPECS:
            bundle.skipped[relative] = sum(1 for _ in reader)
            continue
        spec = SPECS[name]
        missing = [c for c in spec.required if c not in header]
        for column in missing:
            problems.append(Problem(relative, 1, column, "required column is missing"))
        if missing:
            continue
        try:
            for record in reader:
                if None in record:
                    problems.append(Problem(relative, reader.line_num, None,
                                            "more cells than columns"))
                    continue
                if all(blank(v) for v in record.values()):
                    continue
                data = {k: v for k, v in record.items() if k in spec.fields}
                bundle.add(Row(name, data, relative, reader.line_num), problems)
        except csv.Error as exc:
            problems.append(Problem(relative, reader.line_num, None, f"not valid CSV: {exc}"))
    if problems:
        raise ImportFailed(problems)
    return bundle


def bundle_from_json(document: Any, file: str) -> Bundle:
    """Flatten nested HSDS JSON into tabular rows (foreign keys from the nesting)."""
    bundle = Bundle()
    problems: list[Problem] = []
    flattener = _Flattener(bundle, problems, file)
    if isinstance(document, dict) and isinstance(document.get("organizations"), list):
        for i, org in enumerate(document["organizations"]):
            flattener.organization(org, f"organizations[{i}]")
        for i, service in enumerate(document.get("services") or []):
            flattener.service(service, f"services[{i}]")
    elif isinstance(document, dict) and isinstance(document.get("contents"), list):
        for i, item in enumerate(document["contents"]):
            flattener.any(item, f"contents[{i}]")
    elif isinstance(document, list):
        for i, item in enumerate(document):
            flattener.any(item, f"[{i}]")
    elif isinstance(document, dict):
        flattener.any(document, "$")
    else:
        problems.append(Problem(file, None, None, "expected an HSDS object or a list of them"))
    if problems:
        raise ImportFailed(problems)
    return bundle


class _Flattener:
    def __init__(self, bundle: Bundle, problems: list[Problem], file: str) -> None:
        self.bundle = bundle
        self.problems = problems
        self.file = file

    def _row(self, table: str, obj: Any, where: str, **links: Any) -> str | None:
        if not isinstance(obj, dict):
            self.problems.append(Problem(self.file, where, None, f"expected a {table} object"))
            return None
        spec = SPECS[table]
        data = {k: v for k, v in obj.items() if k in spec.fields}
        for key, value in links.items():
            if value is not None and blank(data.get(key)):
                data[key] = value
        self.bundle.add(Row(table, data, self.file, where), self.problems)
        ident = data.get("id")
        return str(ident) if not blank(ident) else None

    def _list(self, obj: dict, key: str, where: str) -> list[tuple[Any, str]]:
        value = obj.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problems.append(Problem(self.file, where, key, "expected a list"))
            return []
        return [(item, f"{where}.{key}[{i}]") for i, item in enumerate(value)]

    def _skip(self, obj: dict, *keys: str) -> None:
        for key in keys:
            label = {"program": "programs"}.get(key, key)
            value = obj.get(key)
            if isinstance(value, list) and value:
                self.bundle.skipped[label] = self.bundle.skipped.get(label, 0) + len(value)
            elif isinstance(value, dict):
                self.bundle.skipped[label] = self.bundle.skipped.get(label, 0) + 1

    def any(self, obj: Any, where: str) -> None:
        if not isinstance(obj, dict):
            self.problems.append(Problem(self.file, where, None, "expected an HSDS object"))
        elif "service" in obj and "location" in obj:
            self.service_at_location(obj, where, None)
        elif "services" in obj or ("status" not in obj and "locations" in obj):
            self.organization(obj, where)
        else:
            self.service(obj, where)

    def organization(self, obj: Any, where: str) -> str | None:
        org_id = self._row("organization", obj, where)
        if org_id is None:
            return None
        for item, w in self._list(obj, "contacts", where):
            self.contact(item, w, organization_id=org_id)
        for item, w in self._list(obj, "phones", where):
            self.phone(item, w, organization_id=org_id)
        for item, w in self._list(obj, "locations", where):
            self.location(item, w, organization_id=org_id)
        for item, w in self._list(obj, "services", where):
            self.service(item, w, organization_id=org_id)
        self._skip(obj, "funding", "programs", "organization_identifiers", "metadata")
        return org_id

    def service(self, obj: Any, where: str, organization_id: str | None = None) -> str | None:
        if isinstance(obj, dict) and isinstance(obj.get("organization"), dict):
            organization_id = self.organization(obj["organization"], where + ".organization")
        service_id = self._row("service", obj, where, organization_id=organization_id)
        if service_id is None:
            return None
        for item, w in self._list(obj, "phones", where):
            self.phone(item, w, service_id=service_id)
        for item, w in self._list(obj, "schedules", where):
            self._row("schedule", item, w, service_id=service_id)
        for item, w in self._list(obj, "service_areas", where):
            self._row("service_area", item, w, service_id=service_id)
        for item, w in self._list(obj, "languages", where):
            self._row("language", item, w, service_id=service_id)
        for item, w in self._list(obj, "contacts", where):
            self.contact(item, w, service_id=service_id)
        for item, w in self._list(obj, "attributes", where):
            self.attribute(item, w, service_id, "service")
        for item, w in self._list(obj, "capacities", where):
            self.capacity(item, w, service_id)
        for item, w in self._list(obj, "service_at_locations", where):
            self.service_at_location(item, w, service_id)
        self._skip(obj, "funding", "cost_options", "program", "required_documents", "metadata")
        return service_id

    def service_at_location(self, obj: Any, where: str, service_id: str | None) -> None:
        if not isinstance(obj, dict):
            self._row("service_at_location", obj, where)
            return
        if isinstance(obj.get("service"), dict):
            service_id = self.service(obj["service"], where + ".service")
        location_id = None
        if isinstance(obj.get("location"), dict):
            location_id = self.location(obj["location"], where + ".location")
        sal_id = self._row("service_at_location", obj, where,
                           service_id=service_id, location_id=location_id)
        if sal_id is None:
            return
        for item, w in self._list(obj, "contacts", where):
            self.contact(item, w, service_at_location_id=sal_id, service_id=service_id)
        for item, w in self._list(obj, "phones", where):
            self.phone(item, w, service_at_location_id=sal_id, service_id=service_id)
        for item, w in self._list(obj, "schedules", where):
            self._row("schedule", item, w, service_at_location_id=sal_id, service_id=service_id)

    def location(self, obj: Any, where: str, organization_id: str | None = None) -> str | None:
        location_id = self._row("location", obj, where, organization_id=organization_id)
        if location_id is None:
            return None
        for item, w in self._list(obj, "addresses", where):
            self._row("address", item, w, location_id=location_id)
        for item, w in self._list(obj, "languages", where):
            self._row("language", item, w, location_id=location_id)
        for item, w in self._list(obj, "phones", where):
            self.phone(item, w, location_id=location_id)
        for item, w in self._list(obj, "contacts", where):
            self.contact(item, w, location_id=location_id)
        for item, w in self._list(obj, "schedules", where):
            self._row("schedule", item, w, location_id=location_id)
        self._skip(obj, "accessibility", "metadata")
        return location_id

    def contact(self, obj: Any, where: str, **links: Any) -> None:
        contact_id = self._row("contact", obj, where, **links)
        if contact_id is None:
            return
        for item, w in self._list(obj, "phones", where):
            self.phone(item, w, contact_id=contact_id)

    def phone(self, obj: Any, where: str, **links: Any) -> None:
        if isinstance(obj, dict) and isinstance(obj.get("number"), (int, float)):
            obj = {**obj, "number": str(obj["number"])}
        phone_id = self._row("phone", obj, where, **links)
        if phone_id is None:
            return
        for item, w in self._list(obj, "languages", where):
            self._row("language", item, w, phone_id=phone_id)

    def attribute(self, obj: Any, where: str, link_id: str, entity: str) -> None:
        term_id = None
        if isinstance(obj, dict) and isinstance(obj.get("taxonomy_term"), dict):
            term = obj["taxonomy_term"]
            taxonomy_id = None
            if isinstance(term.get("taxonomy_detail"), dict):
                taxonomy_id = self._row("taxonomy", term["taxonomy_detail"],
                                        where + ".taxonomy_term.taxonomy_detail")
            term_id = self._row("taxonomy_term", term, where + ".taxonomy_term",
                                taxonomy_id=taxonomy_id)
        self._row("attribute", obj, where, link_id=link_id, taxonomy_term_id=term_id,
                  link_entity=entity)

    def capacity(self, obj: Any, where: str, service_id: str) -> None:
        unit_id = None
        if isinstance(obj, dict):
            unit = obj.get("unit")
            if isinstance(unit, dict):
                unit_id = self._row("unit", unit, where + ".unit")
            elif isinstance(unit, str) and unit.strip():
                unit_id = "unit-" + normalise(unit).replace(" ", "-")
                self._row("unit", {"id": unit_id, "name": unit.strip()}, where + ".unit")
        self._row("service_capacity", obj, where, service_id=service_id, unit_id=unit_id)


# ============================================================================= checking
@dataclass
class _Checked:
    """Typed values per table and id, and notes about what was dropped."""

    values: dict[str, dict[str, dict[str, Any]]]
    notes: list[str]


async def _existing_ids(session: AsyncSession, table: str, ids: set[str]) -> set[str]:
    model = MODELS[table]
    found: set[str] = set()
    id_list = sorted(ids)
    for start in range(0, len(id_list), 500):
        chunk = id_list[start : start + 500]
        found.update((await session.scalars(select(model.hsds_id).where(model.hsds_id.in_(chunk)))).all())
    return found


async def check(
    session: AsyncSession, bundle: Bundle, *, allow_formula_cells: bool = False
) -> _Checked:
    """Type every value and resolve every reference; raise ImportFailed listing all problems.

    Every cell is screened first (:func:`knowledge.hsds_common.cell_problem`): a NUL character
    is always a problem, a formula-like text cell unless ``allow_formula_cells``. A refused cell
    is left out of the typed values, so it never reaches the database, not even in a lookup."""
    from knowledge.regions import load_regions

    problems: list[Problem] = []
    notes: list[str] = []
    values: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in SPECS}
    region_codes = set(load_regions())
    for table, rows in bundle.rows.items():
        spec = SPECS[table]
        for ident, row in rows.items():
            typed: dict[str, Any] = {}
            for column, raw in row.data.items():
                refused = cell_problem(spec.fields[column], raw,
                                       allow_formula_cells=allow_formula_cells)
                if refused:
                    problems.append(Problem(row.file, row.row, column, refused))
                    continue
                try:
                    typed[column] = coerce(spec.fields[column], raw)
                except ValueError as exc:
                    problems.append(Problem(row.file, row.row, column, str(exc)))
            for column in spec.required:
                if column != "id" and blank(row.data.get(column)):
                    problems.append(Problem(row.file, row.row, column, "missing value"))
            _check_row(table, typed, row, problems, region_codes)
            values[table][ident] = typed

    # references: within the input, else already in the database
    wanted: dict[str, set[str]] = defaultdict(set)
    for table, rows in values.items():
        for column, ref in SPECS[table].refs.items():
            for typed in rows.values():
                target = typed.get(column)
                if target is not None and target not in values[ref.table]:
                    wanted[ref.table].add(target)
    known: dict[str, set[str]] = {t: await _existing_ids(session, t, ids) for t, ids in wanted.items()}
    for table, rows in values.items():
        spec = SPECS[table]
        for ident, typed in rows.items():
            row = bundle.rows[table][ident]
            for column, ref in spec.refs.items():
                target = typed.get(column)
                if target is None or target in values[ref.table] or target in known.get(ref.table, ()):
                    continue
                if ref.hard:
                    problems.append(Problem(row.file, row.row, column,
                                            f"unknown {ref.table} id {target!r}"))
                else:
                    typed[column] = None
                    notes.append(f"{row.file} row {row.row}: {table} {ident} refers to unknown "
                                 f"{ref.table} {target!r} in {column}; link dropped")
    if problems:
        raise ImportFailed(problems)
    return _Checked(values, notes)


def _check_row(table: str, typed: dict[str, Any], row: Row, problems: list[Problem],
               region_codes: set[str]) -> None:
    def bad(column: str, message: str) -> None:
        problems.append(Problem(row.file, row.row, column, message))

    if table == "service":
        status = (typed.get("status") or "active").lower()
        if status not in STATUSES:
            bad("status", f"must be one of {', '.join(STATUSES)} (got {typed.get('status')!r})")
        low, high = typed.get("minimum_age"), typed.get("maximum_age")
        for column, age in (("minimum_age", low), ("maximum_age", high)):
            if age is not None and not 0 <= age <= 125:
                bad(column, f"not a plausible age ({age})")
        if low is not None and high is not None and low > high:
            bad("maximum_age", f"smaller than minimum_age ({high} < {low})")
        zone = typed.get("x_timezone")
        if zone:
            try:
                ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError):
                bad("x_timezone", f"unknown IANA time zone {zone!r}")
        for code in typed.get("x_regions") or []:
            if code.upper() not in PROVINCE_CODES and code.zfill(2) not in region_codes:
                bad("x_regions", f"unknown region code {code!r}")
    elif table == "service_capacity":
        available, maximum = typed.get("available"), typed.get("maximum")
        if available is not None and available < 0:
            bad("available", "cannot be negative")
        if maximum is not None and maximum < 0:
            bad("maximum", "cannot be negative")
        if typed.get("updated") is None and typed.get("x_updated_hours_ago") is None:
            bad("updated", "missing value")
    elif table == "location":
        kind = typed.get("location_type") or "physical"
        if kind not in ("physical", "postal", "virtual"):
            bad("location_type", f"must be physical, postal or virtual (got {kind!r})")


# ============================================================================== loading
async def import_bundle(
    session: AsyncSession, bundle: Bundle, *, now: datetime, gazetteer: Any, taxonomy: Any,
    allow_formula_cells: bool = False,
) -> ImportReport:
    """Check then upsert every row; the caller owns the transaction."""
    checked = await check(session, bundle, allow_formula_cells=allow_formula_cells)
    loader = _Loader(session, checked.values, now, gazetteer, taxonomy)
    report = await loader.run()
    report.unmapped[:0] = checked.notes
    report.skipped = dict(bundle.skipped)
    from bot.services.directory.state import bump_version

    await bump_version(session, now)
    return report


async def import_path(
    session: AsyncSession, path: Path | str, *, now: datetime, gazetteer: Any = None,
    taxonomy: Any = None, allow_formula_cells: bool = False,
) -> ImportReport:
    """Read ``path`` and import it (see the module docstring). Text cells that a spreadsheet
    would run as formulas are problems unless ``allow_formula_cells``; NUL characters always."""
    if gazetteer is None:
        from knowledge.places import load_gazetteer

        gazetteer = load_gazetteer()
    if taxonomy is None:
        from knowledge.taxonomy import load_taxonomy

        taxonomy = load_taxonomy()
    return await import_bundle(session, read_source(Path(path)), now=now, gazetteer=gazetteer,
                               taxonomy=taxonomy, allow_formula_cells=allow_formula_cells)


class _Loader:
    def __init__(self, session: AsyncSession, values: dict[str, dict[str, dict[str, Any]]],
                 now: datetime, gazetteer: Any, taxonomy: Any) -> None:
        self.session = session
        self.values = values
        self.now = now
        self.gazetteer = gazetteer
        self.taxonomy = taxonomy
        self.objects: dict[str, dict[str, Any]] = {name: {} for name in SPECS}
        self.report = ImportReport()

    async def _lookup(self, table: str, hsds_id: str | None) -> Any:
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
        obj = await self._lookup(table, hsds_id)
        return obj.id if obj is not None else None

    async def _upsert(self, table: str, fields: dict[str, dict[str, Any]]) -> None:
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
        attributes = {}
        for i, r in v["attribute"].items():
            attributes[i] = _pick(r, "link_id", "link_type", "value") | {
                "link_entity": r.get("link_entity") or ("service" if r["link_id"] in self.objects["service"] else None),
                "taxonomy_term_id": await self._pk("taxonomy_term", r["taxonomy_term_id"]),
            }
        await self._upsert("attribute", attributes)
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
        await self._derive(services)
        return self.report

    async def _links(self, r: dict[str, Any]) -> dict[str, Any]:
        return {
            "organization_id": await self._pk("organization", r.get("organization_id")),
            "service_id": await self._pk("service", r.get("service_id")),
            "service_at_location_id": await self._pk("service_at_location",
                                                     r.get("service_at_location_id")),
            "location_id": await self._pk("location", r.get("location_id")),
        }

    # --------------------------------------------------------------- categories and regions
    async def _derive(self, services: dict[str, dict[str, Any]]) -> None:
        service_objs = {i: self.objects["service"][i] for i in services}
        by_pk = {obj.id: hsds for hsds, obj in service_objs.items()}
        pks = list(by_pk)
        categories: dict[str, set[str]] = defaultdict(set)
        unmapped_terms: dict[str, str] = {}
        for start in range(0, len(pks), 500):
            chunk = [by_pk[pk] for pk in pks[start : start + 500]]
            rows = await self.session.execute(
                select(DirectoryAttribute.link_id, DirectoryTaxonomyTerm)
                .join(DirectoryTaxonomyTerm, DirectoryAttribute.taxonomy_term_id == DirectoryTaxonomyTerm.id)
                .where(DirectoryAttribute.link_id.in_(chunk))
            )
            for link_id, term in rows.all():
                if term.category:
                    categories[link_id].add(term.category)
        for hsds_id in self.values["taxonomy_term"]:
            term = self.objects["taxonomy_term"][hsds_id]
            if not term.category:
                unmapped_terms[hsds_id] = (
                    f"taxonomy term {term.name!r}"
                    + (f" (code {term.code!r})" if term.code else "")
                    + " matches no Relais category; kept as search text"
                )
        self.report.unmapped.extend(unmapped_terms.values())
        for hsds, r in self.values["attribute"].items():
            if (r["link_id"] not in service_objs and r["link_id"] not in self.objects["organization"]
                    and r["link_id"] not in self.objects["location"]):
                known = await self._lookup("service", r["link_id"])
                if known is None:
                    self.report.unmapped.append(
                        f"attribute {hsds} links to {r['link_id']!r}, which is no service, "
                        "organization or location here; it was kept but applies to nothing"
                    )
        areas = defaultdict(list)
        for r in self.values["service_area"].values():
            areas[r["service_id"]].append(r)
        addresses = await self._service_addresses(service_objs)
        for hsds, obj in service_objs.items():
            wanted = categories.get(hsds, set())
            for link in [c for c in obj.category_links if c.category not in wanted]:
                obj.category_links.remove(link)
            have = {c.category for c in obj.category_links}
            obj.category_links.extend(ServiceCategory(category=c) for c in sorted(wanted - have))
            regions, province, notes = self._regions(hsds, self.values["service"][hsds],
                                                     areas.get(hsds, []), addresses.get(hsds, []))
            obj.province_wide = province
            for link in [r for r in obj.region_links if r.region not in regions]:
                obj.region_links.remove(link)
            have = {r.region for r in obj.region_links}
            obj.region_links.extend(ServiceRegion(region=c) for c in sorted(regions - have))
            self.report.unmapped.extend(notes)
        await self.session.flush()

    async def _service_addresses(self, service_objs: dict[str, Any]) -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = defaultdict(list)
        by_pk = {obj.id: hsds for hsds, obj in service_objs.items()}
        pks = list(by_pk)
        for start in range(0, len(pks), 500):
            rows = await self.session.execute(
                select(ServiceAtLocation.service_id, DirectoryAddress)
                .join(DirectoryAddress, DirectoryAddress.location_id == ServiceAtLocation.location_id)
                .where(ServiceAtLocation.service_id.in_(pks[start : start + 500]))
            )
            for service_pk, address in rows.all():
                out[by_pk[service_pk]].append(address)
        return out

    def _regions(self, hsds: str, row: dict[str, Any], areas: list[dict[str, Any]],
                 addresses: list[Any]) -> tuple[set[str], bool, list[str]]:
        from knowledge.regions import load_regions

        every = set(load_regions())
        label = f"service {hsds} ({row.get('name')})"
        codes = row.get("x_regions")
        if codes:
            if any(c.upper() in PROVINCE_CODES for c in codes):
                return every, True, []
            return {c.zfill(2) for c in codes}, False, []
        notes: list[str] = []
        found: set[str] = set()
        for area in areas:
            texts = [t for t in (area.get("name"), area.get("description")) if t]
            if any(normalise(t) in PROVINCE_WORDS for t in texts):
                return every, True, []
            regions = set()
            if area.get("name"):
                regions = self._place_regions(area["name"])
            if not regions:
                for text in texts:
                    for match in self.gazetteer.find_in_text(text):
                        regions.update(match.region_codes)
            if regions:
                found |= regions
            else:
                notes.append(f"{label}: service area {_short(area.get('name') or area.get('description') or area['id'])!r} "
                             "is no Québec place")
        if found:
            return found, found == every, []
        for address in addresses:
            regions = self._address_regions(address)
            where = ", ".join(p for p in (address.city, address.state_province, address.postal_code,
                                          address.country) if p)
            if regions:
                found |= regions
            else:
                notes.append(f"{label}: address in {where!r} is not a Québec place")
        if found:
            return found, found == every, []
        notes.append(f"{label}: no region (set x_regions, a Québec service area or address); "
                     "it will not appear in searches")
        return set(), False, notes

    def _place_regions(self, name: str) -> set[str]:
        matches = [m for m in self.gazetteer.resolve(name) if m.score >= 100]
        if not matches:
            return set()
        if len(matches) == 1:
            return set(matches[0].region_codes)
        return set(matches[0].region_codes)

    def _address_regions(self, address: Any) -> set[str]:
        province = normalise(address.state_province or "")
        country = normalise(address.country or "")
        if province and province not in QUEBEC_PROVINCE:
            return set()
        if country and country not in ("ca", "can", "canada"):
            return set()
        fsa = set(self.gazetteer.fsa_regions(address.postal_code)) if address.postal_code else set()
        city = set()
        if address.city:
            for match in self.gazetteer.resolve(address.city):
                if match.score >= 100:
                    city.update(match.region_codes)
        if city and fsa and city & fsa:
            return city & fsa
        if city:
            matches = [m for m in self.gazetteer.resolve(address.city) if m.score >= 100]
            return set(matches[0].region_codes) if len(matches) == 1 else city
        if len(fsa) == 1:
            return fsa
        return set()


def _pick(row: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: row.get(k) for k in keys}


def _extra(row: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: row[k] for k in keys if row.get(k) is not None}


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
