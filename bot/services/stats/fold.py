"""What remains of a purged case's handoffs: counts in monthly cells, nothing that ties back.

Before the retention purge deletes closed cases, their handoffs are tallied into
``stats_handoff_months`` (month, requester's region, service's region, priority, need, state,
reason, outcome, closed within 7 days) and ``stats_handoff_times`` (the same cell, the measure
"response" or "accept" and its minutes), added to what earlier purges left, in the purge's
transaction. Figures add these rows to the live handoffs, so a purge changes no figure.
Handoffs entered in error are left out, as figures leave them out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models.handoffs import Handoff
from bot.models.stats import HandoffMonthCount, HandoffTimeCount
from bot.services.handoffs.outcomes import UNRECORDED, outcome_code
from bot.services.stats.recording import month_of
from bot.services.stats.states import ERROR, state_of
from bot.services.stats.upsert import add_counts

#: A loop closed within this many minutes counts as closed within 7 days.
WEEK_MINUTES = 7 * 24 * 60
CELL = ("month", "from_region", "region", "priority", "need")
MONTH_CELL = (*CELL, "state", "reason", "outcome", "closed_7d")
TIME_CELL = (*CELL, "measure", "minutes")
#: What is read of each handoff: codes, times in minutes, and the month's fallback.
COLUMNS = (Handoff.month, Handoff.created_at, Handoff.from_region, Handoff.service_region,
           Handoff.priority, Handoff.need, Handoff.status, Handoff.status_reason,
           Handoff.outcome, Handoff.accepted_at, Handoff.response_min, Handoff.accept_min,
           Handoff.closed_min)
BATCH = 500


@dataclass
class Tally:
    """The counts a set of handoffs adds to the rollup tables."""

    handoffs: int = 0  # folded (entered-in-error ones left out)
    months: Counter[tuple[Any, ...]] = field(default_factory=Counter)
    times: Counter[tuple[Any, ...]] = field(default_factory=Counter)


def outcome_of(accepted: bool, stored: str | None) -> str:
    """The outcome cell: its code for an accepted handoff, "unrecorded" without one, "" when
    it was never accepted."""
    if not accepted:
        return ""
    return outcome_code(stored) or UNRECORDED


def add_row(tally: Tally, row: Any, zone: ZoneInfo) -> None:
    """Count one handoff (a row of :data:`COLUMNS`) in ``tally``; entered in error: nothing."""
    state = state_of(row.status, row.status_reason)
    if state == ERROR:
        return
    # Read as the live figures read them; a handoff without a month (none made by the
    # services or the 0011 migration lacks one) is dated by its creation, not lost.
    cell = (row.month or month_of(row.created_at, zone), row.from_region or "",
            row.service_region or "", row.priority or "", row.need or "")
    closed_7d = row.closed_min is not None and row.closed_min <= WEEK_MINUTES
    tally.handoffs += 1
    tally.months[(*cell, state, (row.status_reason or "")[:32],
                  outcome_of(row.accepted_at is not None, row.outcome), closed_7d)] += 1
    for measure, minutes in (("response", row.response_min), ("accept", row.accept_min)):
        if minutes is not None:
            tally.times[(*cell, measure, minutes)] += 1


async def tally_cases(session: AsyncSession, case_ids: Sequence[int], zone: ZoneInfo) -> Tally:
    """The counts the handoffs of ``case_ids`` would add (reads only)."""
    tally = Tally()
    for start in range(0, len(case_ids), BATCH):
        batch = list(case_ids[start:start + BATCH])
        for row in (await session.execute(
                select(*COLUMNS).where(Handoff.case_id.in_(batch)))).all():
            add_row(tally, row, zone)
    return tally


async def add_tally(session: AsyncSession, tally: Tally) -> None:
    """Add ``tally`` to the rollup tables (upserts), in the caller's transaction."""
    await add_counts(session, HandoffMonthCount, MONTH_CELL, tally.months)
    await add_counts(session, HandoffTimeCount, TIME_CELL, tally.times)
