"""Counting the figures' months ahead of views, so that a coordinator's first ``/stats`` of the
day reads kept months rather than counting a year of handoffs.

Every scope a view can ask for (every region, each region, each coordinator's regions) has its
last :data:`MONTHS` months counted where they changed since they were kept
(:func:`bot.services.stats.live_months.live_by_month`), one scope per transaction. Months
unchanged cost one index read; the job is safe to run in several processes at once (the last
upsert of a month wins, and each holds for the stamp it was counted at).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from bot.models.core import Role, Worker
from bot.services.stats.live_months import live_by_month
from bot.services.stats.periods import month_code, month_index
from bot.services.stats.recording import month_of
from knowledge.regions import load_regions

#: Months kept counted: this year and last year, whatever month it is.
MONTHS = 24


async def scopes(session: AsyncSession) -> list[tuple[str, ...] | None]:
    """Every region (None), each region alone, then each active coordinator's regions."""
    found: list[tuple[str, ...] | None] = [None]
    found += [(code,) for code in sorted(load_regions())]
    coordinators = await session.scalars(
        select(Worker).where(Worker.role == Role.COORDINATOR.value, Worker.active.is_(True))
        .options(selectinload(Worker.region_links)))
    for regions in sorted({tuple(worker.regions) for worker in coordinators}):
        if len(regions) > 1:
            found.append(regions)
    return found


def recent_months(now: datetime, zone: ZoneInfo, count: int = MONTHS) -> list[str]:
    """The ``count`` months ending with ``now``'s (local), oldest first."""
    last = month_index(month_of(now, zone))
    return [month_code(index) for index in range(last - count + 1, last + 1)]


async def warm(sessionmaker: async_sessionmaker[AsyncSession], *, now: datetime,
               zone: ZoneInfo, scopes_to_warm: Sequence[tuple[str, ...] | None] | None = None
               ) -> int:
    """Count and keep the recent months of every scope (or of ``scopes_to_warm``); returns how
    many scopes were gone through."""
    months = recent_months(now, zone)
    if scopes_to_warm is None:
        async with sessionmaker() as session:
            scopes_to_warm = await scopes(session)
    for regions in scopes_to_warm:
        async with sessionmaker() as session:
            await live_by_month(session, months, regions, keep=True)
            await session.commit()
    return len(scopes_to_warm)
