"""The "transition services (18+)" button of a turning-18 reminder: listings of its region."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.models.reminders import ScheduledJob

NEED = "transition-18"


def region_of(job: ScheduledJob) -> str | None:
    """The region of the youth the reminder is about, when the case has one."""
    return (job.payload or {}).get("region")


def find_query(job: ScheduledJob) -> str:
    """What to type after ``/find`` for the same search."""
    region = region_of(job)
    return f"{NEED} {region}" if region else NEED


async def transition_listings(session: AsyncSession, job: ScheduledJob, now: datetime,
                              limit: int = 5) -> list[Any]:
    """Directory entries offering the transition to adulthood in the job's region (none when
    the directory is not there, or has no index yet: the reminder then gives the hint only)."""
    region = region_of(job)
    try:
        from bot.services.directory.criteria import Criteria
        from bot.services.directory.search import search

        outcome = await search(
            session, Criteria(regions=(region,) if region else (), needs=(NEED,)),
            now=now, limit=limit,
        )
        results = list(getattr(outcome, "results", []) or [])
    except Exception:  # the directory is not there (yet) or has no index: give the hint
        results = []
    return [result.entry for result in results]
