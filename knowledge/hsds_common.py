"""What the HSDS import and export share: the tables we keep, their fields and types, problems.

HSDS 3.0 tabular form is the common shape: a nested JSON document is flattened into the same
rows as the CSV package (one dict per object, foreign keys filled from the nesting), so that
one loader validates and stores both. HSDS 3.1 ``service_capacity`` and ``unit`` are added, and
our ``x_`` extension columns (documented in ``knowledge/data/README.md``) ride on the rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

PROVINCE_CODE = "*"
PROVINCE_CODES = frozenset({"*", "QC", "ALL"})
"""Codes in ``x_regions`` for a service that serves the whole province (every region)."""


@dataclass(frozen=True)
class Ref:
    """A foreign key: the table it points to; ``hard`` ones must resolve, soft ones are
    dropped with a note (the official example has dangling optional references)."""

    table: str
    hard: bool = True


@dataclass(frozen=True)
class TableSpec:
    name: str  # HSDS object name ("service")
    path: str  # CSV file name in the package ("services.csv")
    fields: dict[str, str]  # column -> type (string, number, integer, date, datetime, time, boolean, list)
    required: tuple[str, ...] = ("id",)
    refs: dict[str, Ref] = field(default_factory=dict)


S = "string"
TABLES: tuple[TableSpec, ...] = (
    TableSpec("organization", "organizations.csv", {
        "id": S, "name": S, "alternate_name": S, "description": S, "email": S, "website": S,
        "tax_status": S, "tax_id": S, "year_incorporated": "number", "legal_status": S,
        "logo": S, "uri": S, "parent_organization_id": S,
        "x_name_en": S, "x_description_en": S,
    }, ("id", "name"), {"parent_organization_id": Ref("organization", hard=False)}),
    TableSpec("taxonomy", "taxonomies.csv", {
        "id": S, "name": S, "description": S, "uri": S, "version": S,
    }, ("id", "name")),
    TableSpec("taxonomy_term", "taxonomy_terms.csv", {
        "id": S, "code": S, "name": S, "description": S, "parent_id": S, "taxonomy": S,
        "language": S, "taxonomy_id": S, "term_uri": S,
    }, ("id", "name"), {"parent_id": Ref("taxonomy_term", hard=False),
                        "taxonomy_id": Ref("taxonomy", hard=False)}),
    TableSpec("unit", "units.csv", {
        "id": S, "name": S, "scheme": S, "identifier": S, "uri": S,
    }, ("id", "name")),
    TableSpec("location", "locations.csv", {
        "id": S, "location_type": S, "url": S, "organization_id": S, "name": S,
        "alternate_name": S, "description": S, "transportation": S, "latitude": "number",
        "longitude": "number", "external_identifier": S, "external_identifier_type": S,
        "x_confidential_address": "boolean",
    }, ("id",), {"organization_id": Ref("organization", hard=False)}),
    TableSpec("address", "addresses.csv", {
        "id": S, "location_id": S, "attention": S, "address_1": S, "address_2": S, "city": S,
        "region": S, "state_province": S, "postal_code": S, "country": S, "address_type": S,
    }, ("id", "location_id"), {"location_id": Ref("location")}),
    TableSpec("service", "services.csv", {
        "id": S, "organization_id": S, "program_id": S, "name": S, "alternate_name": S,
        "description": S, "url": S, "email": S, "status": S, "interpretation_services": S,
        "application_process": S, "fees_description": S, "wait_time": S, "fees": S,
        "accreditations": S, "eligibility_description": S, "minimum_age": "number",
        "maximum_age": "number", "assured_date": "date", "assurer_email": S, "licenses": S,
        "alert": S, "last_modified": "datetime",
        "x_name_en": S, "x_description_en": S, "x_eligibility_en": S, "x_regions": "list",
        "x_open_24_7": "boolean", "x_timezone": S, "x_confidential_address": "boolean",
        "x_updated_hours_ago": "number", "x_verified_days_ago": "number",
    }, ("id", "organization_id", "name"), {"organization_id": Ref("organization")}),
    TableSpec("service_at_location", "service_at_location.csv", {
        "id": S, "service_id": S, "location_id": S, "description": S,
    }, ("id", "service_id", "location_id"),
        {"service_id": Ref("service"), "location_id": Ref("location")}),
    TableSpec("service_area", "service_areas.csv", {
        "id": S, "service_id": S, "name": S, "description": S, "extent": S, "extent_type": S,
        "uri": S,
    }, ("id", "service_id"), {"service_id": Ref("service")}),
    TableSpec("contact", "contacts.csv", {
        "id": S, "organization_id": S, "service_id": S, "service_at_location_id": S,
        "location_id": S, "name": S, "title": S, "department": S, "email": S,
    }, ("id",), {"organization_id": Ref("organization", hard=False),
                 "service_id": Ref("service"),
                 "service_at_location_id": Ref("service_at_location", hard=False),
                 "location_id": Ref("location", hard=False)}),
    TableSpec("phone", "phones.csv", {
        "id": S, "location_id": S, "service_id": S, "organization_id": S, "contact_id": S,
        "service_at_location_id": S, "number": S, "extension": "number", "type": S,
        "description": S,
    }, ("id", "number"), {"location_id": Ref("location", hard=False),
                          "service_id": Ref("service"),
                          "organization_id": Ref("organization", hard=False),
                          "contact_id": Ref("contact", hard=False),
                          "service_at_location_id": Ref("service_at_location", hard=False)}),
    TableSpec("language", "languages.csv", {
        "id": S, "service_id": S, "location_id": S, "phone_id": S, "name": S, "code": S,
        "note": S,
    }, ("id",), {"service_id": Ref("service"), "location_id": Ref("location", hard=False),
                 "phone_id": Ref("phone", hard=False)}),
    TableSpec("schedule", "schedules.csv", {
        "id": S, "service_id": S, "location_id": S, "service_at_location_id": S,
        "valid_from": "date", "valid_to": "date", "dtstart": "date", "timezone": "number",
        "until": "date", "count": "integer", "wkst": S, "freq": S, "interval": "integer",
        "byday": S, "byweekno": S, "bymonthday": S, "byyearday": S, "description": S,
        "opens_at": "time", "closes_at": "time", "schedule_link": S, "attending_type": S,
        "notes": S,
    }, ("id",), {"service_id": Ref("service"), "location_id": Ref("location", hard=False),
                 "service_at_location_id": Ref("service_at_location", hard=False)}),
    TableSpec("attribute", "attributes.csv", {
        "id": S, "link_id": S, "taxonomy_term_id": S, "link_type": S, "link_entity": S,
        "value": S,
    }, ("id", "link_id", "taxonomy_term_id"), {"taxonomy_term_id": Ref("taxonomy_term")}),
    TableSpec("service_capacity", "service_capacities.csv", {
        "id": S, "service_id": S, "unit_id": S, "available": "number", "maximum": "number",
        "description": S, "updated": "datetime", "x_updated_hours_ago": "number",
    }, ("id", "service_id", "unit_id", "available"),
        {"service_id": Ref("service"), "unit_id": Ref("unit")}),
)
SPECS: dict[str, TableSpec] = {spec.name: spec for spec in TABLES}

IGNORED_TABLES: dict[str, str] = {
    "program": "programs.csv",
    "funding": "funding.csv",
    "required_document": "required_documents.csv",
    "accessibility": "accessibility.csv",
    "metadata": "metadata.csv",
    "meta_table_description": "meta_table_descriptions.csv",
    "cost_option": "cost_options.csv",
    "organization_identifier": "organization_identifiers.csv",
}
"""HSDS tables Relais does not keep: reported as skipped, never an error."""

SERVICE_EXTRA = ("program_id", "fees_description", "wait_time", "fees", "accreditations",
                 "assurer_email", "licenses")
ORGANIZATION_EXTRA = ("tax_status", "tax_id", "year_incorporated", "legal_status", "logo", "uri")
STATUSES = ("active", "inactive", "defunct", "temporarily closed")


@dataclass(frozen=True)
class Problem:
    """Something wrong in an input file, located precisely enough to be fixed."""

    file: str
    row: str | int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts) + ": " + self.message


class ImportFailed(Exception):
    """The input cannot be imported; nothing was changed."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass
class Row:
    """One HSDS object in tabular form, with where it came from."""

    table: str
    data: dict[str, Any]
    file: str
    row: str | int


@dataclass
class Bundle:
    """Rows per table, keyed by HSDS id, in input order; skipped tables counted."""

    rows: dict[str, dict[str, Row]] = field(default_factory=lambda: {s.name: {} for s in TABLES})
    skipped: dict[str, int] = field(default_factory=dict)

    def add(self, row: Row, problems: list[Problem]) -> None:
        """Add a row; the same id met again (nested JSON repeats objects) fills blanks."""
        ident = row.data.get("id")
        if ident in (None, ""):
            problems.append(Problem(row.file, row.row, "id", "missing id"))
            return
        ident = str(ident)
        row.data["id"] = ident
        table = self.rows[row.table]
        existing = table.get(ident)
        if existing is None:
            table[ident] = row
            return
        if existing.file == row.file and not row.file.endswith(".json"):
            problems.append(Problem(row.file, row.row, "id", f"duplicate id {ident!r}"))
            return
        for key, value in row.data.items():
            if existing.data.get(key) in (None, "") and value not in (None, ""):
                existing.data[key] = value


# ------------------------------------------------------------------------------ coercion
_TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?")
_TRUE = {"true", "yes", "1", "oui", "y", "t"}
_FALSE = {"false", "no", "0", "non", "n", "f"}


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def coerce(kind: str, value: Any) -> Any:
    """Turn a CSV string or JSON value into the column's type; ValueError says why not."""
    if blank(value):
        return None
    if kind == "string":
        if isinstance(value, (dict, list)):
            raise ValueError("expected text")
        return str(value).strip()
    if kind in ("number", "integer"):
        if isinstance(value, bool):
            raise ValueError(f"not a number ({value!r})")
        try:
            number = float(str(value).strip().strip('"'))
        except ValueError:
            raise ValueError(f"not a number ({value!r})") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise ValueError(f"not a number ({value!r})")
        if kind == "integer":
            if number != int(number):
                raise ValueError(f"not a whole number ({value!r})")
            return int(number)
        return int(number) if number == int(number) else number
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError(f"not true or false ({value!r})")
    if kind == "date":
        try:
            return date.fromisoformat(str(value).strip()[:10])
        except ValueError:
            raise ValueError(f"not a date YYYY-MM-DD ({value!r})") from None
    if kind == "datetime":
        text = str(value).strip().replace("Z", "+00:00")
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"not a date and time ({value!r})") from None
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    if kind == "time":
        match = _TIME_RE.match(str(value).strip())
        if not match or int(match[1]) > 24 or int(match[2]) > 59:
            raise ValueError(f"not a time HH:MM ({value!r})")
        hours = int(match[1])
        return "24:00" if hours == 24 else time(hours, int(match[2])).strftime("%H:%M")
    if kind == "list":
        if isinstance(value, (list, tuple)):
            return [str(v).strip() for v in value if not blank(v)]
        return [v for v in re.split(r"[\s,;|]+", str(value).strip()) if v]
    raise ValueError(f"unknown type {kind}")


# ------------------------------------------------------------------------- cell screening
FORMULA_FLAG = "--allow-formula-cells"
_NUMBER_OR_PHONE = re.compile(
    r"^[+-]?\(?\d[\d\s().\-/]*(?:\s*(?:ext\.?|x|poste|p\.|#)\s*\d+)?$", re.IGNORECASE
)


def cell_problem(kind: str, value: Any, *, allow_formula_cells: bool = False) -> str | None:
    """Why a cell cannot be imported as it is, or None.

    - A NUL character is refused in every cell (PostgreSQL cannot store it in text).
    - A text cell that a spreadsheet would run as a formula is refused unless the operator
      allows it: one starting with a tab or a carriage return, or (spaces aside) with ``=`` or
      ``@``, or with ``+`` or ``-`` unless it is a number or a phone number (``-73.5``,
      ``+1 514 555-0100``). Numeric, date and time columns are typed, never formulas.
    """
    texts = value if isinstance(value, (list, tuple)) else [value]
    if any(isinstance(text, str) and "\x00" in text for text in texts):
        return "contains a NUL character (U+0000); remove it"
    if kind != "string" or allow_formula_cells or not isinstance(value, str):
        return None
    stripped = value.strip()
    if value[:1] in ("\t", "\r"):
        lead = value[0]
    elif stripped[:1] in ("=", "@", "+", "-"):
        lead = stripped[0]
        if lead in ("+", "-") and _NUMBER_OR_PHONE.match(stripped):
            return None
    else:
        return None
    return (f"starts with {lead!r}, which a spreadsheet runs as a formula; fix the cell or "
            f"import with {FORMULA_FLAG}")


def format_value(kind: str, value: Any) -> str:
    """A typed value back to its CSV text."""
    if value is None:
        return ""
    if kind == "boolean":
        return "true" if value else "false"
    if kind in ("date", "datetime"):
        if isinstance(value, datetime):
            return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
        return value.isoformat()
    if kind == "time":
        return value if len(value) > 5 else value + ":00"
    if kind == "list":
        return " ".join(value)
    if kind in ("number", "integer") and isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)
