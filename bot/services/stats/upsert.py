"""Adding to anonymous counts: one ``INSERT .. ON CONFLICT DO UPDATE`` per batch of cells.

A count table has a unique key over its cell columns and a ``count`` column; adding to a cell
that exists and creating one that does not are the same statement, so that two processes
counting the same cell at once never lose one (no read-then-write).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

#: Cells per execution: well under SQLite's and PostgreSQL's bound-parameter limits.
BATCH = 200


@functools.cache
def _upsert(table: str, columns: tuple[str, ...]) -> Any:
    """The upsert of one cell, built once: executed with a list of cells, it runs once per
    cell. Written as text because SQLAlchemy does not cache ``ON CONFLICT DO UPDATE``
    statements, and compiling them at every search cost more than running them; the same SQL
    serves SQLite and PostgreSQL."""
    names = (*columns, "count")
    return text(
        f"INSERT INTO {table} ({', '.join(names)}) "
        f"VALUES ({', '.join(':' + name for name in names)}) "
        f"ON CONFLICT ({', '.join(columns)}) DO UPDATE SET count = {table}.count + excluded.count")


async def add_counts(session: AsyncSession, model: type, columns: Sequence[str],
                     counts: Mapping[tuple[Any, ...], int]) -> None:
    """Add ``counts`` (cell key, in ``columns`` order -> number) to ``model``'s rows.

    Cells go in key order, so that concurrent writers lock rows in the same order."""
    rows = [{**dict(zip(columns, key, strict=True)), "count": n}
            for key, n in sorted(counts.items()) if n]
    statement = _upsert(model.__tablename__, tuple(columns))  # type: ignore[attr-defined]
    for start in range(0, len(rows), BATCH):
        await session.execute(statement, rows[start:start + BATCH])
