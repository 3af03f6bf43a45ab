"""Marginal counts in one query (GROUPING SETS on PostgreSQL, one GROUP BY per set elsewhere),
and queries run in two lanes on two connections."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import and_, func, or_, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession


def scoped(region: Any, from_region: Any, regions: Sequence[str] | None) -> Any:
    """Service's region or requester's region in ``regions`` (True for every region)."""
    if regions is None:
        return and_(True)
    return or_(region.in_(list(regions)), from_region.in_(list(regions)))


def grouped(dims: Mapping[str, Any], sets: Mapping[str, tuple[str, ...]], value: Any,
             where: Sequence[Any], grouping_sets: bool) -> list[tuple[Any, Any]]:
    """Queries giving each set's counts, with how to read their rows: one query with
    GROUPING SETS (PostgreSQL), else one GROUP BY per set."""
    if not grouping_sets:
        return [(select(*[dims[d] for d in names], value).where(*where)
                 .group_by(*[dims[d] for d in names]), name)
                for name, names in sets.items()]
    used = [d for d in dims if any(d in names for names in sets.values())]
    exprs = [dims[d] for d in used]
    masks = {sum(1 << (len(used) - 1 - i) for i, d in enumerate(used) if d not in names): name
             for name, names in sets.items()}
    query = (select(func.grouping(*exprs), *exprs, value).where(*where)
             .group_by(func.grouping_sets(*[tuple_(*[dims[d] for d in names])
                                            for names in sets.values()])))
    return [(query, (masks, used))]


def read_rows(rows: Sequence[Any], how: Any, sets: Mapping[str, tuple[str, ...]],
          found: dict[str, Counter]) -> None:
    """Add query rows to ``found[set name][key in the set's order]``."""
    if isinstance(how, str):
        for *key, number in rows:
            found.setdefault(how, Counter())[tuple(key)] += int(number or 0)
        return
    masks, used = how
    for mask, *values, number in rows:
        name = masks[mask]
        by_dim = dict(zip(used, values, strict=True))
        found.setdefault(name, Counter())[tuple(by_dim[d] for d in sets[name])] += int(
            number or 0)


#: PostgreSQL memory for the figures' grouping (per lane, for the transaction): with the
#: default 4 MB, GROUPING SETS over a few months of handoffs sorted on disk, four times slower
#: than hashing in memory.
WORK_MEM = "SET LOCAL work_mem = '64MB'"


async def execute_all(session: AsyncSession, queries: Sequence[Any]) -> list[Sequence[Any]]:
    """Run queries in two lanes: every other one on a connection of its own, the rest on the
    session, so that two cores share the scans (PostgreSQL, and SQLite files in WAL mode, read
    side by side; the figures are read before anything is written in the session)."""
    engine = session.bind
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres and queries:
        await session.execute(text(WORK_MEM))
    if not isinstance(engine, AsyncEngine) or len(queries) < 2 or in_memory(engine):
        return [(await session.execute(query)).all() for query in queries]

    async def apart(batch: Sequence[Any]) -> list[Sequence[Any]]:
        async with engine.connect() as connection:
            if postgres:
                await connection.execute(text(WORK_MEM))
            return [(await connection.execute(query)).all() for query in batch]

    theirs = asyncio.ensure_future(apart(queries[0::2]))
    try:
        mine = [(await session.execute(query)).all() for query in queries[1::2]]
    except BaseException:
        theirs.cancel()
        raise
    lanes = await theirs
    return [lanes[i // 2] if i % 2 == 0 else mine[i // 2] for i in range(len(queries))]


def in_memory(engine: AsyncEngine) -> bool:
    """An in-memory SQLite database is one per connection: no second lane there."""
    return engine.dialect.name == "sqlite" and engine.url.database in (None, "", ":memory:")
