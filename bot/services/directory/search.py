"""Who can take this youth in region X: filter the index, rank, and never dead-end.

When fewer than :data:`ENOUGH` services of the region can take the youth now (open, not known
to be full), or when the worker asks for them, the answer adds the services of the neighbouring
regions (each labelled with its region, nearest first) and the province-wide services and 24/7
lines last. Nothing is ever invented: every result is a directory entry.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.directory.criteria import Criteria
from bot.services.directory.hours import is_open, next_change
from bot.services.directory.index import (
    ALL,
    PROVINCE_SCOPE,
    Bucket,
    DirectoryIndex,
    Entry,
    get_index,
)
from bot.services.directory.ranking import Scored, can_take_now, eligible, score
from bot.services.directory.weights import W_OPEN
from knowledge.regions import neighbours

LOCAL, PROVINCE, NEIGHBOUR, LINE = "local", "province", "neighbour", "province_line"


@dataclass(frozen=True)
class Result:
    """One ranked service; ``kind`` says why it is shown (local, province-wide, a neighbouring
    region's, or a province-wide 24/7 line offered because nothing local fits)."""

    entry: Entry
    score: float
    open_now: bool | None
    capacity_fresh: bool
    kind: str = LOCAL
    via_region: str | None = None

    @property
    def service_id(self) -> int:
        return self.entry.id


@dataclass
class SearchOutcome:
    criteria: Criteria
    results: list[Result] = field(default_factory=list)
    total: int = 0  # -1 when not counted (the scan stopped once the page was certain)
    offset: int = 0
    local_total: int = 0
    more: bool = False
    widened: bool = False  # neighbouring regions and province-wide lines were added
    # Of the region's services the search looked at (its own ranking, before widening): one
    # could take the youth now; one shows a free place (capacity fresh and above zero).
    can_take_now: bool = False
    place_free: bool = False

    @property
    def nothing_local(self) -> bool:
        return self.local_total == 0

    @property
    def has_more(self) -> bool:
        return self.more


@dataclass
class _Query:
    """Per-search caches: local times per zone, the criteria's keywords."""

    criteria: Criteria
    now: datetime
    terms: frozenset[str]
    local_cache: dict[str, datetime] = field(default_factory=dict)


def _open_now(index: DirectoryIndex, pos: int, q: _Query) -> bool:
    """Cached open status of an entry with weekly hours, valid until its next change."""
    stamp = q.now.timestamp()
    if index.open_since[pos] <= stamp < index.open_until[pos]:
        return bool(index.open_value[pos])
    entry = index.entries[pos]
    value = bool(is_open(entry.openings, False, entry.timezone, q.now, q.local_cache))
    index.open_value[pos] = value
    index.open_since[pos] = stamp
    index.open_until[pos] = next_change(entry.openings, entry.timezone, q.now).timestamp()
    return value


def _buckets(index: DirectoryIndex, scopes: tuple[str, ...], needs: tuple[str, ...]) -> list[Bucket]:
    cats = needs or (ALL,)
    return [b for scope in scopes for cat in cats if (b := index.buckets.get((scope, cat))) is not None]


def _merged(lists: list[list[int]], index: DirectoryIndex) -> Iterator[int]:
    """Positions of several bound-sorted lists, best bound first, each position once."""
    lists = [x for x in lists if x]
    if len(lists) == 1:
        yield from lists[0]
        return
    seen: set[int] = set()
    for pos in heapq.merge(*lists, key=index._order):
        if pos not in seen:
            seen.add(pos)
            yield pos


def _scan(index: DirectoryIndex, q: _Query, scopes: tuple[str, ...], needs: tuple[str, ...],
          k: int, keep: Callable[[Entry], bool] | None = None) -> tuple[list[Scored], int | None]:
    """The ``k`` best eligible entries of the buckets, and how many are eligible in all (None
    when the scan stopped early because nothing further down could enter the top ``k``).

    Tiers by opening status (24/7 or open now, then unknown hours, then closed) are visited
    in order; within a tier entries come best bound first, so the scan stops as soon as the
    k-th score found beats the bound of everything left."""
    buckets = _buckets(index, scopes, needs)
    criteria = q.criteria
    open_lists: list[list[int]] = [b.always for b in buckets]
    closed: list[int] = []
    stamp = q.now.timestamp()
    for bucket in buckets:
        if bucket.scheduled:
            if not bucket.split_since <= stamp < bucket.split_until:
                opened: list[int] = []
                shut: list[int] = []
                for pos in bucket.scheduled:
                    (opened if _open_now(index, pos, q) else shut).append(pos)
                bucket.opened, bucket.closed = opened, shut
                bucket.split_since = max(index.open_since[p] for p in bucket.scheduled)
                bucket.split_until = min(index.open_until[p] for p in bucket.scheduled)
            open_lists.append(bucket.opened)
            closed.extend(bucket.closed)
    tiers: list[tuple[float, list[list[int]]]] = [
        (W_OPEN, open_lists),
        (W_OPEN * 0.5, [b.unknown for b in buckets]),
    ]
    if not criteria.now and closed:
        tiers.append((0.0, [closed] if len(buckets) == 1 else []))
    best: list[tuple[tuple[float, str, int], Scored]] = []  # max-heap by sort key (negated)
    count = 0
    exhaustive = True
    for tier_value, lists in tiers:
        if tier_value == 0.0 and not lists:  # closed ones of several buckets: merge them now
            lists = [sorted(set(closed), key=index._order)]
        for pos in _merged(lists, index):
            if len(best) >= k and best[0][0][0] > tier_value + index.bound[pos]:
                exhaustive = False
                break
            entry = index.entries[pos]
            if not eligible(entry, criteria) or (keep is not None and not keep(entry)):
                continue
            scored = score(entry, criteria, q.now, q.local_cache, q.terms)
            count += 1
            key = _sort_key(scored)
            item = ((-key[0], _Reverse(key[1]), -key[2]), scored)
            if len(best) < k:
                heapq.heappush(best, item)
            elif item[0] > best[0][0]:
                heapq.heapreplace(best, item)
        if not exhaustive:
            break
    ordered = sorted((s for _, s in best), key=_sort_key)
    return ordered, (count if exhaustive else None)


class _Reverse:
    """Reverses string order inside a heap key (names sort ascending among equal scores)."""

    __slots__ = ("value",)

    def __init__(self, value: str) -> None:
        self.value = value

    def __lt__(self, other: _Reverse) -> bool:
        return self.value > other.value

    def __gt__(self, other: _Reverse) -> bool:
        return self.value < other.value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reverse) and self.value == other.value


def _sort_key(s: Scored) -> tuple[float, str, int]:
    return (-s.score, s.entry.name.casefold(), s.entry.id)


#: Fewer services than this that can take the youth now: the answer adds the neighbouring
#: regions' services and the province-wide lines.
ENOUGH = 3
_COUNT_AT_LEAST = 8  # how deep the local scan looks to count services that can take now
_WIDE_DEPTH = 40  # how deep each scan of a widened answer looks


def rank(index: DirectoryIndex, criteria: Criteria, *, now: datetime, limit: int = 5,
         offset: int = 0, exclude: frozenset[int] = frozenset()) -> SearchOutcome:
    """Search an index (no database access): the page ``offset:offset+limit`` of the answer.

    ``exclude``: services already tried (a declined or expired handoff), left out before
    counting, so "the next services" widen exactly as a new search would."""
    outcome = SearchOutcome(criteria=criteria, offset=offset)
    if not criteria.regions:
        return outcome
    if now.date() < index.today:  # bounds must hold for every query date
        index.rebase(now.date())
    q = _Query(criteria, now, frozenset(criteria.keywords))
    need = offset + limit
    keep = (lambda e: e.id not in exclude) if exclude else None
    k = max(need + 1, _COUNT_AT_LEAST)
    local, local_count = _scan(index, q, criteria.regions, criteria.needs, k, keep)
    province, province_count = _scan(index, q, (PROVINCE_SCOPE,), criteria.needs, need + 1, keep)
    outcome.local_total = len(local) if local_count is None else local_count
    takers = sum(can_take_now(s.open_now, s.fresh, s.entry) for s in local)
    if criteria.near or takers < ENOUGH:
        # Groups (can take now or not, here or next door) reorder the scores: scan deep
        # enough that a later page never brings up a result that belongs on an earlier one.
        deep = max(need + 1, _WIDE_DEPTH)
        if local_count is None:
            local, _ = _scan(index, q, criteria.regions, criteria.needs, deep, keep)
        if province_count is None:
            province, _ = _scan(index, q, (PROVINCE_SCOPE,), criteria.needs, deep, keep)
        outcome.widened = True
        results = _widened(index, q, local, province, deep, exclude)
        outcome.total = -1
    else:
        merged = sorted(local + province, key=_sort_key)
        results = [Result(s.entry, s.score, s.open_now, s.fresh,
                          PROVINCE if s.entry.province_wide else LOCAL) for s in merged]
        counted = local_count is not None and province_count is not None
        outcome.total = local_count + province_count if counted else -1  # type: ignore[operator]
    outcome.can_take_now = any(can_take_now(s.open_now, s.fresh, s.entry) for s in local)
    outcome.place_free = any(s.fresh and s.entry.capacity is not None
                             and s.entry.capacity.available > 0 for s in local)
    outcome.more = len(results) > need
    outcome.results = results[offset:need]
    return outcome


def _widened(index: DirectoryIndex, q: _Query, local: list[Scored], province: list[Scored],
             k: int, exclude: frozenset[int]) -> list[Result]:
    """Never a dead end: the services that can take the youth now (the region's and the
    province-wide ones that match the need), then those of the neighbouring regions (nearest
    region first), then the ones that cannot (full, or closed), the neighbours' that cannot,
    and last the province-wide 24/7 lines of any need. Asked for ("Neighbouring regions"),
    the neighbours' services come first and the region's own after them."""
    criteria = q.criteria
    here = sorted(local + province, key=_sort_key)
    seen = {s.entry.id for s in here} | set(exclude)
    ready = [s for s in here if can_take_now(s.open_now, s.fresh, s.entry)]
    waiting = [s for s in here if not can_take_now(s.open_now, s.fresh, s.entry)]
    near_ready: list[tuple[int, Scored, str]] = []
    near_waiting: list[tuple[int, Scored, str]] = []
    for position, code in enumerate(_neighbour_order(criteria.regions)):
        # Ranked as a search of that region: its own services before those serving it from
        # further away.
        there = _Query(criteria.with_(regions=(code,), place=None), q.now, q.terms, q.local_cache)
        found, _ = _scan(index, there, (code,), criteria.needs, k)
        for s in found:
            if s.entry.id in seen:
                continue
            seen.add(s.entry.id)
            target = near_ready if can_take_now(s.open_now, s.fresh, s.entry) else near_waiting
            target.append((position, s, code))
    for group in (near_ready, near_waiting):
        group.sort(key=lambda item: (item[0], *_sort_key(item[1])))

    def own(s: Scored) -> Result:
        return Result(s.entry, s.score, s.open_now, s.fresh,
                      PROVINCE if s.entry.province_wide else LOCAL)

    def theirs(group: list[tuple[int, Scored, str]]) -> list[Result]:
        return [Result(s.entry, s.score, s.open_now, s.fresh, NEIGHBOUR, code)
                for _, s, code in group]

    if criteria.near:  # asked for: the neighbours first, the region's own (already seen) after
        out = theirs(near_ready) + theirs(near_waiting) + [own(s) for s in ready + waiting]
    else:
        out = [own(s) for s in ready] + theirs(near_ready) + [own(s) for s in waiting]
        out += theirs(near_waiting)
    lines_query = _Query(criteria.with_(now=False), q.now, q.terms, q.local_cache)
    lines, _ = _scan(index, lines_query, (PROVINCE_SCOPE,), (), k, keep=lambda e: e.open_24_7)
    for s in lines:
        if s.entry.id not in seen:
            seen.add(s.entry.id)
            out.append(Result(s.entry, s.score, s.open_now, s.fresh, LINE))
    return out


def _neighbour_order(regions: tuple[str, ...]) -> list[str]:
    """The regions next to ``regions``, nearest first (the asked regions themselves left out)."""
    ranked: dict[str, int] = {}
    for code in regions:
        try:
            near = neighbours(code)
        except KeyError:
            continue
        for position, other in enumerate(near):
            if other not in regions:
                ranked[other] = min(ranked.get(other, position), position)
    return sorted(ranked, key=lambda c: (ranked[c], c))


async def search(
    session: AsyncSession, criteria: Criteria, *, now: datetime, limit: int = 5, offset: int = 0,
    exclude: frozenset[int] = frozenset(),
) -> SearchOutcome:
    """Ranked services for ``criteria`` (the directory contract), from the in-memory index."""
    index = await get_index(session)
    return rank(index, criteria, now=now, limit=limit, offset=offset, exclude=exclude)


async def province_lines(session: AsyncSession, limit: int = 2) -> list[Entry]:
    """The active province-wide 24/7 lines with a phone: what is left to call when no service
    of the search remains."""
    index = await get_index(session)
    found = (e for e in index.entries
             if e.province_wide and e.open_24_7 and e.phone and e.status == "active")
    return list(islice(found, limit))
