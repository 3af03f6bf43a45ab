"""Flatten nested HSDS JSON into the tabular rows a CSV package would hold.

Nesting stands for foreign keys: a service inside an organization gets its ``organization_id``,
a phone inside a contact its ``contact_id``, and so on. Nested parts Relais does not keep
(funding, programs, metadata...) are only counted, for the report.
"""

from __future__ import annotations

from typing import Any

from knowledge.hsds_common import SPECS, Bundle, ImportFailed, Problem, Row, blank
from knowledge.text import normalise


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
    """Walks one JSON document, adding a row per HSDS object and collecting its problems."""

    def __init__(self, bundle: Bundle, problems: list[Problem], file: str) -> None:
        self.bundle = bundle
        self.problems = problems
        self.file = file

    def _row(self, table: str, obj: Any, where: str, **links: Any) -> str | None:
        """Add ``obj`` as a row of ``table``, filling the links its nesting implies; its id."""
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
