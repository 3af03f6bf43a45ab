"""Adding to anonymous counts: one ``INSERT .. ON CONFLICT DO UPDATE`` per batch of cells.

A count table has a unique key over its cell columns and a ``count`` column; adding to a cell
that exists and creating one that does not are the same statement, so that two processes
counting the same cell at once never lose one (no read-then-write).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.late_writes import write_late
from bot.db.short_statements import short

#: Parameters per execution: under SQLite's oldest bound-parameter limit (999).
PARAMETERS = 900


@functools.lru_cache(maxsize=256)
def _upsert(table: str, columns: tuple[str, ...], cells: int) -> Any:
    """The upsert of ``cells`` distinct cells in one statement (parameters ``<column>_<row>``),
    built once per size: a search counts two or three cells, and one execution of a statement
    cost less than one per cell. Written as text because SQLAlchemy does not cache
    ``ON CONFLICT DO UPDATE`` statements, and compiling them at every search cost more than
    running them; the same SQL serves SQLite and PostgreSQL. Short: a few cells by their key."""
    names = (*columns, "count")
    rows = ", ".join("(" + ", ".join(f":{name}_{i}" for name in names) + ")"
                     for i in range(cells))
    return short(text(
        f"INSERT INTO {table} ({', '.join(names)}) VALUES {rows} "
        f"ON CONFLICT ({', '.join(columns)}) DO UPDATE SET count = {table}.count + excluded.count"))


async def add_counts(session: AsyncSession, model: type, columns: Sequence[str],
                     counts: Mapping[tuple[Any, ...], int]) -> None:
    """Add ``counts`` (cell key, in ``columns`` order -> number) to ``model``'s rows."""
    for statement, parameters in upserts(model, columns, counts):
        await session.execute(statement, parameters)


def add_counts_late(session: AsyncSession, model: type, columns: Sequence[str],
                    counts: Mapping[tuple[Any, ...], int]) -> None:
    """:func:`add_counts`, sent with the transaction's last statement
    (:mod:`bot.db.late_writes`): an update's counts and its handled mark in one round trip."""
    table = model.__tablename__  # type: ignore[attr-defined]
    for statement, parameters in upserts(model, columns, counts):
        write_late(session, table, statement, parameters)


def upserts(model: type, columns: Sequence[str], counts: Mapping[tuple[Any, ...], int]
            ) -> Iterator[tuple[Any, dict[str, Any]]]:
    """The statements adding ``counts`` (cell key, in ``columns`` order -> number), with their
    parameters. Cells go in key order, so that concurrent writers lock rows in the same order."""
    rows = [(*key, n) for key, n in sorted(counts.items()) if n]
    names = (*columns, "count")
    table = model.__tablename__  # type: ignore[attr-defined]
    per_batch = PARAMETERS // len(names)
    for start in range(0, len(rows), per_batch):
        batch = rows[start:start + per_batch]
        yield (_upsert(table, tuple(columns), len(batch)),
               {f"{name}_{i}": value for i, row in enumerate(batch)
                for name, value in zip(names, row, strict=True)})
