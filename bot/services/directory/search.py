"""Who can take this youth in region X: filter the index, rank, and fall back honestly.

When no service of the region itself fits, the answer says so and offers services of the
neighbouring regions and the province-wide 24/7 lines, each labelled as such. Nothing is ever
invented: every result is a directory entry.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

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
from bot.services.directory.ranking import Scored, eligible, score
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


def rank(index: DirectoryIndex, criteria: Criteria, *, now: datetime, limit: int = 5,
         offset: int = 0) -> SearchOutcome:
    """Search an index (no database access): the page ``offset:offset+limit`` of the answer."""
    outcome = SearchOutcome(criteria=criteria, offset=offset)
    if not criteria.regions:
        return outcome
    if now.date() < index.today:  # bounds must hold for every query date
        index.rebase(now.date())
    q = _Query(criteria, now, frozenset(criteria.keywords))
    need = offset + limit
    local, local_count = _scan(index, q, criteria.regions, criteria.needs, need + 1)
    province, province_count = _scan(index, q, (PROVINCE_SCOPE,), criteria.needs, need + 1)
    outcome.local_total = len(local) if local_count is None else local_count
    merged = sorted(local + province, key=_sort_key)
    results = [Result(s.entry, s.score, s.open_now, s.fresh,
                       PROVINCE if s.entry.province_wide else LOCAL) for s in merged]
    total: int | None = None
    if local_count is not None and province_count is not None:
        total = local_count + province_count
    if outcome.local_total == 0:
        extra = _fallback(index, q, {r.entry.id for r in results}, need + 1)
        results.extend(extra)
        total = None if total is None else total + len(extra)
    outcome.total = total if total is not None else -1
    outcome.more = len(results) > need
    outcome.results = results[offset:need]
    return outcome


def _fallback(index: DirectoryIndex, q: _Query, seen: set[int], k: int) -> list[Result]:
    """Neighbouring regions' services, then province-wide 24/7 lines (any need)."""
    criteria = q.criteria
    near: list[tuple[Scored, str]] = []
    for code in dict.fromkeys(n for r in criteria.regions for n in neighbours(r)):
        if code in criteria.regions:
            continue
        found, _ = _scan(index, q, (code,), criteria.needs, k)
        for s in found:
            if s.entry.id not in seen:
                seen.add(s.entry.id)
                near.append((s, code))
    near.sort(key=lambda pair: _sort_key(pair[0]))
    out = [Result(s.entry, s.score, s.open_now, s.fresh, NEIGHBOUR, code) for s, code in near[:k]]
    lines_query = _Query(criteria.with_(now=False), q.now, q.terms, q.local_cache)
    lines, _ = _scan(index, lines_query, (PROVINCE_SCOPE,), (), k, keep=lambda e: e.open_24_7)
    for s in lines:
        if s.entry.id not in seen:
            seen.add(s.entry.id)
            out.append(Result(s.entry, s.score, s.open_now, s.fresh, LINE))
    return out


async def search(
    session: AsyncSession, criteria: Criteria, *, now: datetime, limit: int = 5, offset: int = 0,
) -> SearchOutcome:
    """Ranked services for ``criteria`` (the directory contract), from the in-memory index."""
    index = await get_index(session)
    return rank(index, criteria, now=now, limit=limit, offset=offset)
