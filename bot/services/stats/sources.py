"""Reading what figures are made of: counts grouped in the database, never rows one by one.

Live handoffs (entered in error left out) and the rollups of purged ones are read as a few
*marginal* tables (by month, priority, need and state; by requester's and service's region and
state; by outcome and closing; minutes to acceptance and to first response), not as one wide
cross-product whose number of cells would grow with the data. On PostgreSQL each table is a
``GROUPING SETS`` set, so one scan of the period's handoffs gives several of them, and the two
scans run side by side on two connections; SQLite (no grouping sets) runs one ``GROUP BY`` per
set, in two lanes too. The cost is one index range scan of the period's handoffs, plus the number of distinct
cells (a few thousand), whatever the number of handoffs.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, literal_column, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.models.handoffs import Handoff
from bot.models.stats import HandoffMonthCount, HandoffTimeCount, SearchCount
from bot.services.handoffs.lifecycle import Status
from bot.services.handoffs.outcomes import UNRECORDED, outcome_code
from bot.services.stats.periods import Period
from bot.services.stats.states import STATES, state_of

#: A loop closed within this many minutes counts as closed within 7 days.
WEEK_MINUTES = 7 * 24 * 60

_LIVE: dict[str, Any] = {
    "month": Handoff.month, "priority": Handoff.priority, "need": Handoff.need,
    "status": Handoff.status, "reason": Handoff.status_reason,
    "from_region": Handoff.from_region, "region": Handoff.service_region, "outcome": Handoff.outcome,
    "accepted": Handoff.accepted_at.is_not(None),
    "closed": Handoff.closed_min <= literal_column(str(WEEK_MINUTES)),
    "accept_min": Handoff.accept_min, "response_min": Handoff.response_min,
}
#: The live sets, in two groups (one scan each, side by side on PostgreSQL).
_LIVE_GROUPS: tuple[dict[str, tuple[str, ...]], ...] = (
    {"by_state": ("month", "priority", "need", "status", "reason"),
     "loops": ("outcome", "accepted", "closed"),
     "response": ("response_min",)},
    {"by_place": ("from_region", "region", "status", "reason"),
     "accept": ("month", "accept_min")},
)
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


def _scoped(region: Any, from_region: Any, regions: Sequence[str] | None) -> Any:
    """Service's region or requester's region in ``regions`` (True for every region)."""
    if regions is None:
        return and_(True)
    return or_(region.in_(list(regions)), from_region.in_(list(regions)))


def _grouped(dims: Mapping[str, Any], sets: Mapping[str, tuple[str, ...]], value: Any,
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


def _read(rows: Sequence[Any], how: Any, sets: Mapping[str, tuple[str, ...]],
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


async def _execute_all(session: AsyncSession, queries: Sequence[Any]) -> list[Sequence[Any]]:
    """Run queries in two lanes: every other one on a connection of its own, the rest on the
    session, so that two cores share the scans (PostgreSQL, and SQLite files in WAL mode, read
    side by side; the figures are read before anything is written in the session)."""
    engine = session.bind
    if not isinstance(engine, AsyncEngine) or len(queries) < 2 or _in_memory(engine):
        return [(await session.execute(query)).all() for query in queries]

    async def apart(batch: Sequence[Any]) -> list[Sequence[Any]]:
        async with engine.connect() as connection:
            return [(await connection.execute(query)).all() for query in batch]

    theirs = asyncio.ensure_future(apart(queries[0::2]))
    try:
        mine = [(await session.execute(query)).all() for query in queries[1::2]]
    except BaseException:
        theirs.cancel()
        raise
    lanes = await theirs
    return [lanes[i // 2] if i % 2 == 0 else mine[i // 2] for i in range(len(queries))]


def _in_memory(engine: AsyncEngine) -> bool:
    """An in-memory SQLite database is one per connection: no second lane there."""
    return engine.dialect.name == "sqlite" and engine.url.database in (None, "", ":memory:")


async def read_counts(session: AsyncSession, period: Period,
                      regions: Sequence[str] | None) -> Counts:
    """Every count of handoffs and searches the figures of ``period`` and ``regions`` need."""
    postgres = session.get_bind().dialect.name == "postgresql"
    live_where = (Handoff.month.between(period.first, period.last),
                  Handoff.status != Status.ENTERED_IN_ERROR.value,
                  _scoped(Handoff.service_region, Handoff.from_region, regions))
    folded_where = (HandoffMonthCount.month.between(period.first, period.last),
                    _scoped(HandoffMonthCount.region, HandoffMonthCount.from_region, regions))
    plans: list[tuple[Any, Any, Mapping[str, tuple[str, ...]], str]] = []
    for sets in _LIVE_GROUPS:
        plans += [(q, how, sets, "live")
                  for q, how in _grouped(_LIVE, sets, func.count(), live_where, postgres)]
    plans += [(q, how, _FOLDED_SETS, "folded") for q, how in _grouped(
        _FOLDED, _FOLDED_SETS, func.sum(HandoffMonthCount.count), folded_where, postgres)]
    times, searches = _times_query(period, regions), _search_query(period, regions)
    results = await _execute_all(session, [plan[0] for plan in plans] + [times, searches])
    live: dict[str, Counter] = {}
    folded: dict[str, Counter] = {}
    for (_query, how, sets, source), rows in zip(plans, results, strict=False):
        _read(rows, how, sets, live if source == "live" else folded)
    counts = Counts()
    _add_live(counts, live, set(period.months))
    _add_folded(counts, folded, set(period.months))
    for measure, month, minutes, number in results[-2]:
        if measure == "accept" and month in period.months:
            counts.accept[(month, int(minutes))] += int(number or 0)
        elif measure == "response":
            counts.response[int(minutes)] += int(number or 0)
    for region, need, takes, free, number in results[-1]:
        counts.searches[(region, need, bool(takes), bool(free))] += int(number or 0)
    return counts


def _declined_reason(state: str, reason: str | None) -> str:
    return (reason or "") if state == "declined" else ""


def _add_live(counts: Counts, found: dict[str, Counter], months: set[str]) -> None:
    for (month, priority, need, status, reason), n in found.get("by_state", {}).items():
        if month in months:
            state = state_of(status, reason)
            counts.by_state[(month, priority or "", need or "", state,
                             _declined_reason(state, reason))] += n
    for (from_region, region, status, reason), n in found.get("by_place", {}).items():
        counts.by_place[(from_region or "", region or "", state_of(status, reason))] += n
    for (stored, accepted, closed), n in found.get("loops", {}).items():
        outcome = (outcome_code(stored) or UNRECORDED) if accepted else ""
        counts.loops[(outcome, bool(closed))] += n
    for (month, minutes), n in found.get("accept", {}).items():
        if minutes is not None and month in months:
            counts.accept[(month, int(minutes))] += n
    for (minutes,), n in found.get("response", {}).items():
        if minutes is not None:
            counts.response[int(minutes)] += n


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
                   _scoped(rollup.region, rollup.from_region, regions))
            .group_by(rollup.measure, rollup.month, rollup.minutes))


def _search_query(period: Period, regions: Sequence[str] | None) -> Any:
    """(region, need, can_take_now, place_free, searches)."""
    keys = (SearchCount.region, SearchCount.need, SearchCount.can_take_now,
            SearchCount.place_free)
    query = (select(*keys, func.sum(SearchCount.count))
             .where(SearchCount.month.between(period.first, period.last)).group_by(*keys))
    if regions is not None:
        query = query.where(SearchCount.region.in_(list(regions)))
    return query
