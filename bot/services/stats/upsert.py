"""Adding to anonymous counts: one ``INSERT .. ON CONFLICT DO UPDATE`` per batch of cells.

A count table has a unique key over its cell columns and a ``count`` column; adding to a cell
that exists and creating one that does not are the same statement, so that two processes
counting the same cell at once never lose one (no read-then-write).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

#: Cells per statement: well under SQLite's and PostgreSQL's bound-parameter limits.
BATCH = 200


def _dialect(session: AsyncSession) -> Any:
    return postgresql if session.get_bind().dialect.name == "postgresql" else sqlite


async def add_counts(session: AsyncSession, model: type, columns: Sequence[str],
                     counts: Mapping[tuple[Any, ...], int]) -> None:
    """Add ``counts`` (cell key, in ``columns`` order -> number) to ``model``'s rows.

    Cells go in key order, so that concurrent writers lock rows in the same order."""
    rows = [{**dict(zip(columns, key, strict=True)), "count": n}
            for key, n in sorted(counts.items()) if n]
    dialect = _dialect(session)
    for start in range(0, len(rows), BATCH):
        statement = dialect.insert(model).values(rows[start:start + BATCH])
        statement = statement.on_conflict_do_update(
            index_elements=list(columns),
            set_={"count": model.count + statement.excluded["count"]})
        await session.execute(statement)
