"""Reading what figures are made of: counts grouped in the database, never rows one by one.

Live handoffs (entered in error left out) and the rollups of purged ones are read as a few
*marginal* tables (by month, priority, need and state; by requester's and service's region and
state; by outcome and closing; minutes to acceptance and to first response), not as one wide
cross-product whose number of cells would grow with the data. Live months already counted and
unchanged since are read as stored (:mod:`bot.services.stats.live_months`); the others are
counted: on PostgreSQL each table is a ``GROUPING SETS`` set, so one scan gives several of
them; SQLite (no grouping sets) runs one ``GROUP BY`` per set. The queries run in two lanes on
two connections. Searches are read from the unmet-need map (``stats_search_needs``), a few
thousand cells a year whatever the number of searches.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models.stats import HandoffMonthCount, HandoffTimeCount, SearchNeedCount
from bot.services.handoffs.outcomes import UNRECORDED, outcome_code
from bot.services.stats import live_months
from bot.services.stats.grouping import execute_all, grouped, read_rows, scoped
from bot.services.stats.periods import Period
from bot.services.stats.states import STATES, state_of

_FOLDED: dict[str, Any] = {
    "month": HandoffMonthCount.month, "priority": HandoffMonthCount.priority,
    "need": HandoffMonthCount.need, "state": HandoffMonthCount.state,
    "reason": HandoffMonthCount.reason, "from_region": HandoffMonthCount.from_region,
    "region": HandoffMonthCount.region, "outcome": HandoffMonthCount.outcome,
    "closed": HandoffMonthCount.closed_7d,
}
_FOLDED_SETS: dict[str, tuple[str, ...]] = {
    "by_state": ("month", "priority", "need", "state", "reason"),
    "by_place": ("from_region", "region", "state"),
    "loops": ("outcome", "closed"),
}


@dataclass
class Counts:
    """The marginal counts of a period and regions, live and purged handoffs together."""

    #: (month, priority, need, state, decline reason or "") -> handoffs
    by_state: Counter[tuple[str, str, str, str, str]] = field(default_factory=Counter)
    #: (requester's region, service's region, state) -> handoffs ("" when unknown)
    by_place: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    #: (outcome code, "unrecorded" or "" when never accepted, closed within 7 days) -> handoffs
    loops: Counter[tuple[str, bool]] = field(default_factory=Counter)
    accept: Counter[tuple[str, int]] = field(default_factory=Counter)  # (month, minutes) -> n
    response: Counter[int] = field(default_factory=Counter)  # minutes -> n
    #: (region, need or "*", can take now, place free) -> searches
    searches: Counter[tuple[str, str, bool, bool]] = field(default_factory=Counter)


async def read_counts(session: AsyncSession, period: Period, regions: Sequence[str] | None,
                      *, keep: bool = True) -> Counts:
    """Every count of handoffs and searches the figures of ``period`` and ``regions`` need:
    live months kept and unchanged are read as stored, the others counted (and stored when
    ``keep``)."""
    postgres = session.get_bind().dialect.name == "postgresql"
    months = period.months
    live = await live_months.live_by_month(session, months, regions, keep=keep)
    folded_where = (HandoffMonthCount.month.between(period.first, period.last),
                    scoped(HandoffMonthCount.region, HandoffMonthCount.from_region, regions))
    plans = grouped(_FOLDED, _FOLDED_SETS, func.sum(HandoffMonthCount.count), folded_where,
                    postgres)
    times, searches = _times_query(period, regions), _search_query(period, regions)
    results = await execute_all(session, [query for query, _how in plans] + [times, searches])
    folded: dict[str, Counter] = {}
    for (_query, how), rows in zip(plans, results, strict=False):
        read_rows(rows, how, _FOLDED_SETS, folded)
    counts = Counts()
    for month in months:
        _add_live(counts, month, live[month])
    _add_folded(counts, folded, set(months))
    for measure, month, minutes, number in results[-2]:
        if measure == "accept" and month in months:
            counts.accept[(month, int(minutes))] += int(number or 0)
        elif measure == "response":
            counts.response[int(minutes)] += int(number or 0)
    for region, need, takes, free, number in results[-1]:
        counts.searches[(region, need, bool(takes), bool(free))] += int(number or 0)
    return counts


def _declined_reason(state: str, reason: str | None) -> str:
    return (reason or "") if state == "declined" else ""


def _add_live(counts: Counts, month: str, live: live_months.LiveMonth) -> None:
    """Add one month's live handoffs, their stored statuses read as the figures' states."""
    tables = live.tables
    for (priority, need, status, reason), n in tables["by_state"].items():
        state = state_of(status, reason)
        counts.by_state[(month, priority or "", need or "", state,
                         _declined_reason(state, reason))] += n
    for (from_region, region, status, reason), n in tables["by_place"].items():
        counts.by_place[(from_region or "", region or "", state_of(status, reason))] += n
    for (stored, accepted, closed), n in tables["loops"].items():
        outcome = (outcome_code(stored) or UNRECORDED) if accepted else ""
        counts.loops[(outcome, bool(closed))] += n
    counts.accept.update({(month, minutes): n for (minutes,), n in tables["accept"].items()
                          if minutes is not None})
    counts.response.update({minutes: n for (minutes,), n in tables["response"].items()
                            if minutes is not None})


def _add_folded(counts: Counts, found: dict[str, Counter], months: set[str]) -> None:
    for (month, priority, need, state, reason), n in found.get("by_state", {}).items():
        if month in months and state in STATES:
            counts.by_state[(month, priority, need, state, _declined_reason(state, reason))] += n
    for (from_region, region, state), n in found.get("by_place", {}).items():
        if state in STATES:
            counts.by_place[(from_region, region, state)] += n
    for (outcome, closed), n in found.get("loops", {}).items():
        counts.loops[(outcome, bool(closed))] += n


def _times_query(period: Period, regions: Sequence[str] | None) -> Any:
    """Purged handoffs' minutes: (measure, month, minutes, count)."""
    rollup = HandoffTimeCount
    return (select(rollup.measure, rollup.month, rollup.minutes, func.sum(rollup.count))
            .where(rollup.month.between(period.first, period.last),
                   scoped(rollup.region, rollup.from_region, regions))
            .group_by(rollup.measure, rollup.month, rollup.minutes))


def _search_query(period: Period, regions: Sequence[str] | None) -> Any:
    """(region, need, can_take_now, place_free, searches)."""
    table = SearchNeedCount
    keys = (table.region, table.need, table.can_take_now, table.place_free)
    query = (select(*keys, func.sum(table.count))
             .where(table.month.between(period.first, period.last)).group_by(*keys))
    if regions is not None:
        query = query.where(table.region.in_(list(regions)))
    return query
