"""Check a read bundle before anything is written: type every cell, resolve every reference.

All problems are gathered and raised together as :class:`ImportFailed`, so a partner fixes its
file in one pass; a refused cell never reaches the database, not even in a lookup. References to
ids absent from the input are looked up in the database; a soft reference that resolves nowhere
is dropped with a note instead of failing the import.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.hsds_common import (
    PROVINCE_CODES,
    SPECS,
    STATUSES,
    Bundle,
    ImportFailed,
    Problem,
    Row,
    blank,
    cell_problem,
    coerce,
)
from knowledge.hsds_import.tables import MODELS
from knowledge.regions import load_regions


@dataclass
class Checked:
    """Typed values per table and id, and notes about what was dropped."""

    values: dict[str, dict[str, dict[str, Any]]]
    notes: list[str]


async def _existing_ids(session: AsyncSession, table: str, ids: set[str]) -> set[str]:
    """Which of ``ids`` the database already holds for ``table`` (in chunks of 500)."""
    model = MODELS[table]
    found: set[str] = set()
    id_list = sorted(ids)
    for start in range(0, len(id_list), 500):
        chunk = id_list[start : start + 500]
        found.update((await session.scalars(select(model.hsds_id).where(model.hsds_id.in_(chunk)))).all())
    return found


async def check(
    session: AsyncSession, bundle: Bundle, *, allow_formula_cells: bool = False
) -> Checked:
    """Type every value and resolve every reference; raise ImportFailed listing all problems.

    Every cell is screened first (:func:`knowledge.hsds_common.cell_problem`): a NUL character
    is always a problem, a formula-like text cell unless ``allow_formula_cells``. A refused cell
    is left out of the typed values, so it never reaches the database, not even in a lookup."""
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
    return Checked(values, notes)


def _check_row(table: str, typed: dict[str, Any], row: Row, problems: list[Problem],
               region_codes: set[str]) -> None:
    """The checks one table's typed row needs beyond its cell types (ages, statuses, zones...)."""
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

