"""What the figures record as things happen: a handoff's stats columns, and each search's cell.

A handoff carries its own anonymous facts (``handoffs.month``, ``from_region``,
``service_region``, ``need``, ``response_min``, ``accept_min``, ``closed_min``), set by the
handoff services at the moment they become true, so that figures are sums over indexed columns rather than replays of the
history. A search leaves only a count in one cell of ``stats_searches`` (its month, region,
need categories, age band, hour band, whether anything could take the youth now and whether a
place was free): never its words, never who searched.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import func

from bot.models.handoffs import Handoff
from bot.models.stats import SearchCount, SearchNeedCount
from bot.services.handoffs.lifecycle import Status
from bot.services.stats.upsert import add_counts, add_counts_late

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.services.directory.criteria import Criteria
    from bot.services.directory.search import SearchOutcome

#: ``stats_searches.need`` of the row that counts each search once.
EVERY_NEED = "*"
#: Local hours (first hour of each band) -> band.
HOUR_BANDS: tuple[tuple[int, str], ...] = (
    (0, "night"), (6, "morning"), (12, "afternoon"), (18, "evening"))
#: Statuses that close the loop (an expiry is stored as rejected); entered-in-error does not.
CLOSING = frozenset({Status.REJECTED, Status.CANCELLED, Status.COMPLETED, Status.FAILED})
#: Statuses a receiving worker answers a request with.
ANSWERS = frozenset({Status.ACCEPTED, Status.REJECTED})
SEARCH_CELL = ("month", "region", "need", "age_band", "hour_band", "can_take_now",
               "place_free")
#: The unmet-need map's cell: :data:`SEARCH_CELL` without the age and hour bands.
NEED_CELL = ("month", "region", "need", "can_take_now", "place_free")


# ---- pure computations ---------------------------------------------------------------------


def minutes_between(start: datetime, end: datetime) -> int:
    """Whole minutes from ``start`` to ``end`` (rounded; never negative)."""
    return max(0, round((end - start).total_seconds() / 60))


def month_of(moment: datetime, zone: ZoneInfo) -> str:
    """The local month ("YYYY-MM") of an aware moment."""
    return moment.astimezone(zone).strftime("%Y-%m")


def hour_band(moment: datetime, zone: ZoneInfo) -> str:
    """night (0-5 h), morning (6-11 h), afternoon (12-17 h) or evening (18-23 h), local time."""
    hour = moment.astimezone(zone).hour
    return next(band for first, band in reversed(HOUR_BANDS) if hour >= first)


def requester_region(requester_regions: Sequence[str], case_region: str | None) -> str | None:
    """Where the request came from: the case's current region when the requester works there,
    else the requester's first region (None for a requester without regions)."""
    if case_region and case_region in requester_regions:
        return case_region
    return min(requester_regions) if requester_regions else None


def service_region(service_regions: Sequence[str], case_region: str | None) -> str | None:
    """Where the service is: the youth's region when the service serves it, else its first
    region (the youth's for a service without regions)."""
    if not service_regions or case_region in service_regions:
        return case_region
    return min(service_regions)


def handoff_created_fields(*, created_at: datetime, zone: ZoneInfo,
                           requester_regions: Sequence[str], case_region: str | None,
                           service_regions: Sequence[str], needs: Sequence[str]
                           ) -> dict[str, Any]:
    """The stats columns of a new handoff: its local month, the requester's and the service's
    regions and its first need category (None when it names none)."""
    return {"month": month_of(created_at, zone),
            "from_region": requester_region(requester_regions, case_region),
            "service_region": service_region(service_regions, case_region),
            "need": needs[0] if needs else None}


def status_fields(handoff: Handoff, target: Status, *, by_worker: bool,
                  now: datetime) -> dict[str, Any]:
    """The stats columns a move to ``target`` sets, as UPDATE values: minutes since the request
    to the first answer by a receiving worker (accept or decline; an expiry is no answer), to
    acceptance, and to the loop's closing. ``COALESCE`` keeps a value already there, so the
    first moment wins even against a concurrent outcome."""
    minutes = minutes_between(handoff.created_at, now)
    values: dict[str, Any] = {}
    if target in ANSWERS and by_worker:
        values["response_min"] = func.coalesce(Handoff.response_min, minutes)
    if target is Status.ACCEPTED:
        values["accept_min"] = func.coalesce(Handoff.accept_min, minutes)
    if target in CLOSING:
        values["closed_min"] = func.coalesce(Handoff.closed_min, minutes)
    return values


def close_on_outcome(handoff: Handoff, code: str | None, now: datetime) -> None:
    """An outcome (``outcomes.outcome_code``: not None, so not "not yet") closes the loop
    unless it was closed already."""
    if code is not None and handoff.closed_min is None:
        handoff.closed_min = minutes_between(handoff.created_at, now)


# ---- searches ------------------------------------------------------------------------------


def search_cells(criteria: Criteria, outcome: SearchOutcome, *, now: datetime,
                 zone: ZoneInfo) -> list[tuple[Any, ...]]:
    """The cells (in :data:`SEARCH_CELL` order) one search counts in: the "every need" row and
    one per need category it named. Only codes: the first region searched ("" for none or an
    unknown code), taxonomy categories, the age band; never the words typed."""
    from bot.services.cases import age_band_for
    from knowledge.regions import load_regions
    from knowledge.taxonomy import load_taxonomy

    region = next(iter(criteria.regions), "")
    if region not in load_regions():
        region = ""
    known = load_taxonomy().categories
    needs = [n for n in dict.fromkeys(criteria.needs) if n in known]
    rest = (age_band_for(criteria.age), hour_band(now, zone), bool(outcome.can_take_now),
            bool(outcome.place_free))
    return [(month_of(now, zone), region, need, *rest) for need in (EVERY_NEED, *needs)]


def record_search(session: AsyncSession, criteria: Criteria, outcome: SearchOutcome, *,
                  now: datetime, zone: ZoneInfo) -> None:
    """Count one search (a question's first answer) in ``stats_searches``, in the caller's
    transaction: one upsert adding 1 to each of its cells, and one to its cells of the
    unmet-need map (``stats_search_needs``). Both go with the update's handled mark
    (:func:`~bot.services.stats.upsert.add_counts_late`)."""
    cells = dict.fromkeys(search_cells(criteria, outcome, now=now, zone=zone), 1)
    add_counts_late(session, SearchCount, SEARCH_CELL, cells)
    add_counts_late(session, SearchNeedCount, NEED_CELL, need_cells(cells))


async def add_searches(session: AsyncSession, cells: Mapping[tuple[Any, ...], int]) -> None:
    """Add searches (:data:`SEARCH_CELL` key -> number) to ``stats_searches`` and to the
    unmet-need map, in the caller's transaction."""
    await add_counts(session, SearchCount, SEARCH_CELL, cells)
    await add_counts(session, SearchNeedCount, NEED_CELL, need_cells(cells))


def need_cells(cells: Mapping[tuple[Any, ...], int]) -> Counter[tuple[Any, ...]]:
    """Search cells added up as the unmet-need map's cells."""
    needs: Counter[tuple[Any, ...]] = Counter()
    for cell, number in cells.items():
        needs[need_cell(cell)] += number
    return needs


def need_cell(cell: tuple[Any, ...]) -> tuple[Any, ...]:
    """A :data:`SEARCH_CELL` key as the unmet-need map's :data:`NEED_CELL` key."""
    month, region, need, _age, _hour, takes, free = cell
    return (month, region, need, takes, free)
