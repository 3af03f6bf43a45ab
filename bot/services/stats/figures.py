"""The coordinators' figures for a period and regions: counts read in a few grouped queries
(:mod:`.sources`), then cut into tables and suppressed together (:mod:`.suppression`).

Sources: live ``handoffs`` (entered in error left out) plus what purges folded into
``stats_handoff_months`` / ``stats_handoff_times``, and ``stats_searches``. A handoff counts for
regions R when the service's region or the requester's region is in R; a search when its region
is in R.

Times (to the first response, to acceptance) are exact: the database gives the histogram of
minutes, and the percentiles are taken on it (:func:`percentile_of`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import NotAllowed
from bot.i18n import N_
from bot.models.core import Worker
from bot.services.handoffs.lifecycle import DECLINE_REASONS, OUTCOMES
from bot.services.handoffs.outcomes import UNRECORDED
from bot.services.stats.codes import need_order, region_order, region_rows
from bot.services.stats.health import Health, compute_health
from bot.services.stats.periods import Period
from bot.services.stats.sources import Counts, read_counts
from bot.services.stats.states import STATES
from bot.services.stats.suppression import TOTAL, Count, Grid, Table, suppress, suppress_linked

PRIORITIES = ("urgent", "routine")
OUTCOME_ROWS = (*OUTCOMES, UNRECORDED)
SEARCH_ROWS = ("all", "can_take_now", "place_free")
EVERY_NEED = "*"
#: Tables whose columns are the states, and whose column totals are the states table's counts.
BY_STATE = ("by_month", "by_service_region", "by_requester_region", "by_priority", "by_need")


@dataclass(frozen=True)
class Timing:
    """Minutes to an answer: how many handoffs, their median and 90th percentile (None when
    fewer than the threshold)."""

    n: int
    median: float | None  # minutes
    p90: float | None


@dataclass
class Figures:
    """Every figure of a period and regions, suppressed, ready for text, charts, CSV and JSON."""

    period: Period
    regions: tuple[str, ...] | None  # None = every region (admins)
    min_cell: int
    states: Table  # rows STATES, one column "count"; total = handoffs asked
    by_month: Table  # rows period.months, columns STATES
    declined: Table  # rows decline reason codes, column "count"
    by_service_region: Table  # rows regions, columns STATES
    by_requester_region: Table  # rows regions, columns STATES
    by_priority: Table  # rows "urgent", "routine", columns STATES
    by_need: Table  # rows need codes ("" when none), columns STATES
    flows: Table  # rows requester region, columns service region, cross-region handoffs only
    outcomes: Table  # rows OUTCOMES codes + "unrecorded", column "count" (accepted handoffs)
    accepted: Count  # handoffs ever accepted (the outcomes table's total)
    closed_7d: Count  # loops closed within 7 days
    accept_time: Timing
    response_time: Timing
    accept_by_month: dict[str, Timing]  # month -> timing
    searches: Table  # rows "all", "can_take_now", "place_free", column "count"
    unmet: Table  # rows regions, columns need codes: searches where nothing could take now
    searched: Table  # the same shape: every search
    health: Health


def regions_for(worker: Worker) -> tuple[str, ...] | None:
    """Whose figures a worker may see: every region for admins (None), their regions for
    coordinators; plain workers are refused."""
    if worker.is_admin:
        return None
    if not worker.is_coordinator:
        raise NotAllowed(N_("This command is for coordinators."))
    if not worker.regions:
        raise NotAllowed(N_("No region is assigned to you yet: an administrator can add one."))
    return tuple(worker.regions)


# --- percentiles --------------------------------------------------------------------------------

def percentile_of(histogram: Mapping[int, int], share: float) -> float | None:
    """The nearest-rank percentile of a histogram (value -> count): the smallest value with at
    least ``share`` of the values at or below it (rank ceil(share * n)). None when empty."""
    n = sum(histogram.values())
    if n <= 0:
        return None
    rank = max(1, math.ceil(share * n))
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return float(value)
    return float(max(histogram))  # pragma: no cover - rank <= n


def median_of(histogram: Mapping[int, int]) -> float | None:
    """The median of the values a histogram counts: the middle one, or the mean of the two
    middle ones when there is an even number of them. None when empty."""
    n = sum(histogram.values())
    if n <= 0:
        return None
    low, high = (n + 1) // 2, n // 2 + 1  # 1-based ranks of the middle value(s)
    values, seen = [], 0
    for value in sorted(histogram):
        before, seen = seen, seen + histogram[value]
        values += [value] * sum(1 for rank in (low, high) if before < rank <= seen)
        if seen >= high:
            break
    return (values[0] + values[-1]) / 2


def timing_of(histogram: Mapping[int, int], min_cell: int) -> Timing:
    """n, median and 90th percentile (nearest rank); no median or p90 below ``min_cell``."""
    n = sum(histogram.values())
    if n < min_cell:
        return Timing(n, None, None)
    return Timing(n, median_of(histogram), percentile_of(histogram, 0.9))


# --- tables -------------------------------------------------------------------------------------

def _one_column(values: Mapping[str, int]) -> dict[tuple[str, str], int]:
    return {(row, "count"): number for row, number in values.items()}


def _by_state(counts: Counts, position: int) -> Counter[tuple[str, str]]:
    """(one key of ``by_state``, state) -> handoffs."""
    raw: Counter[tuple[str, str]] = Counter()
    for key, number in counts.by_state.items():
        raw[(key[position], key[3])] += number
    return raw


def _handoff_tables(counts: Counts, period: Period, regions: Sequence[str] | None,
                    min_cell: int) -> dict[str, Table]:
    """Every table of handoffs, suppressed together (they share totals)."""
    states = list(STATES)
    by_state: Counter[str] = Counter()
    declined: Counter[str] = Counter()
    for (_month, _priority, _need, state, reason), number in counts.by_state.items():
        by_state[state] += number
        if state == "declined":
            declined[reason if reason in DECLINE_REASONS else "other"] += number
    by_region: Counter[tuple[str, str]] = Counter()
    by_requester: Counter[tuple[str, str]] = Counter()
    flows: Counter[tuple[str, str]] = Counter()
    for (from_region, region, state), number in counts.by_place.items():
        by_region[(region, state)] += number
        by_requester[(from_region, state)] += number
        if from_region and region and from_region != region:
            flows[(from_region, region)] += number
    outcomes: Counter[str] = Counter()
    closed = 0
    for (outcome, closed_7d), number in counts.loops.items():
        if outcome:
            outcomes[outcome if outcome in OUTCOME_ROWS else UNRECORDED] += number
        closed += number if closed_7d else 0
    total, accepted, cross = sum(by_state.values()), sum(outcomes.values()), sum(flows.values())
    priorities = {key[1] for key in counts.by_state}
    grids = [
        Grid("states", _one_column(by_state), states, ["count"]),
        Grid("by_month", _by_state(counts, 0), period.months, states),
        Grid("by_service_region", dict(by_region),
             region_rows({region for region, _ in by_region}, regions), states),
        Grid("by_requester_region", dict(by_requester),
             region_rows({region for region, _ in by_requester}, regions), states),
        Grid("by_priority", _by_state(counts, 1),
             [*PRIORITIES, *sorted(priorities - set(PRIORITIES))], states),
        Grid("by_need", _by_state(counts, 2), need_order({key[2] for key in counts.by_state}),
             states),
        Grid("declined", _one_column(declined), list(DECLINE_REASONS), ["count"]),
        Grid("outcomes", _one_column(outcomes), list(OUTCOME_ROWS), ["count"]),
        Grid("flows", dict(flows), region_order({f for f, _ in flows}),
             region_order({s for _, s in flows})),
        # What a reader can subtract from the total: never accepted, not closed, same region.
        Grid("accepted", _one_column({"accepted": accepted, "never": total - accepted}),
             ["accepted", "never"], ["count"]),
        Grid("closed", _one_column({"closed_7d": closed, "open": total - closed}),
             ["closed_7d", "open"], ["count"]),
        Grid("cross", _one_column({"cross": cross, "same": total - cross}),
             ["cross", "same"], ["count"]),
    ]
    everything = ("states", TOTAL, TOTAL)
    links: list[tuple[Any, Any]] = [(("states", TOTAL, "count"), everything)]
    for key in BY_STATE:
        links += [(("states", state, "count"), (key, TOTAL, state)) for state in states]
        links.append(((key, TOTAL, TOTAL), everything))
    links += [
        (("declined", TOTAL, TOTAL), ("states", "declined", "count")),
        (("accepted", TOTAL, TOTAL), everything),
        (("closed", TOTAL, TOTAL), everything),
        (("cross", TOTAL, TOTAL), everything),
        (("outcomes", TOTAL, TOTAL), ("accepted", "accepted", "count")),
        (("flows", TOTAL, TOTAL), ("cross", "cross", "count")),
    ]
    return suppress_linked(grids, links, min_cell)


def _search_tables(cells: Counter[tuple[str, str, bool, bool]], regions: Sequence[str] | None,
                   min_cell: int) -> dict[str, Table]:
    """The searches table (all, could take now, a place free), and the region x need grids."""
    every = takes = free = 0
    unmet: Counter[tuple[str, str]] = Counter()
    searched: Counter[tuple[str, str]] = Counter()
    for (region, need, can_take_now, place_free), number in cells.items():
        if need == EVERY_NEED:
            every += number
            takes += number if can_take_now else 0
            free += number if place_free else 0
            continue
        searched[(region, need)] += number
        if not can_take_now:
            unmet[(region, need)] += number
    linked = suppress_linked([
        Grid("now", _one_column({"can_take_now": takes, "cannot": every - takes}),
             ["can_take_now", "cannot"], ["count"]),
        Grid("free", _one_column({"place_free": free, "none": every - free}),
             ["place_free", "none"], ["count"]),
    ], [(("now", TOTAL, TOTAL), ("free", TOTAL, TOTAL))], min_cell)
    counts = {"all": linked["now"].total, "can_take_now": linked["now"].cells[
        ("can_take_now", "count")], "place_free": linked["free"].cells[("place_free", "count")]}
    searches = Table("searches", list(SEARCH_ROWS), ["count"],
                     {(row, "count"): counts[row] for row in SEARCH_ROWS}, dict(counts),
                     {"count": counts["all"]}, counts["all"])
    rows = region_rows({region for region, _ in searched}, regions)
    cols = need_order({need for _, need in searched})
    return {"searches": searches, "unmet": suppress("unmet", dict(unmet), rows, cols, min_cell),
            "searched": suppress("searched", dict(searched), rows, cols, min_cell)}


async def compute(session: AsyncSession, period: Period, regions: Sequence[str] | None, *,
                  now: datetime, min_cell: int, zone: ZoneInfo, keep: bool = True) -> Figures:
    """The figures of ``period`` for ``regions`` (None: every region), suppressed with
    ``min_cell``; directory health as of ``now``. ``keep``: store the months counted afresh
    in the session's transaction (False for a reader that must not write)."""
    scope = None if regions is None else tuple(sorted(set(regions)))
    counts = await read_counts(session, period, scope, keep=keep)
    tables = _handoff_tables(counts, period, scope, min_cell)
    searches = _search_tables(counts.searches, scope, min_cell)
    accept: Counter[int] = Counter()
    monthly: dict[str, Counter[int]] = {month: Counter() for month in period.months}
    for (month, minutes), number in counts.accept.items():
        accept[minutes] += number
        monthly[month][minutes] += number
    health = await compute_health(session, period, scope, now=now, zone=zone,
                                  min_cell=min_cell)
    return Figures(
        period=period, regions=scope, min_cell=min_cell, states=tables["states"],
        by_month=tables["by_month"], declined=tables["declined"],
        by_service_region=tables["by_service_region"],
        by_requester_region=tables["by_requester_region"], by_priority=tables["by_priority"],
        by_need=tables["by_need"], flows=tables["flows"], outcomes=tables["outcomes"],
        accepted=tables["accepted"].cells[("accepted", "count")],
        closed_7d=tables["closed"].cells[("closed_7d", "count")],
        accept_time=timing_of(accept, min_cell),
        response_time=timing_of(counts.response, min_cell),
        accept_by_month={month: timing_of(h, min_cell) for month, h in monthly.items()},
        searches=searches["searches"], unmet=searches["unmet"], searched=searches["searched"],
        health=health,
    )
