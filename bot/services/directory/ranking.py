"""Eligibility (hard filters) and ranking of directory entries.

Hard filters: active, age within the service's bounds (a minor named without an age: not an
adults-only service), serves the region (or the province), offers one of the needs. Ranking, in
this order of weight: open now (or 24/7), capacity available and fresh (updated < 24 h), the
youth's language, located in the place or region asked about (a local shelter before a programme
that serves the region from elsewhere), recently verified, then how many needs and words of the
question it matches.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from bot.services.directory.criteria import Criteria
from bot.services.directory.hours import is_open
from bot.services.directory.index import Capacity, Entry
from bot.services.directory.weights import (
    W_CAPACITY,
    W_HERE,
    W_LANGUAGE,
    W_NEEDS,
    W_OPEN,
    W_TEXT,
    W_VERIFIED,
)

FRESH = timedelta(hours=24)
ADULT = 18


@lru_cache(maxsize=4096)
def home_regions(city: str | None) -> frozenset[str]:
    """The regions of the municipality a service is located in (empty when unknown)."""
    if not city:
        return frozenset()
    from knowledge.places import load_gazetteer

    matches = [m for m in load_gazetteer().resolve(city, limit=3) if m.score == 100.0]
    return frozenset(code for m in matches[:1] for code in m.region_codes)


@lru_cache(maxsize=4096)
def _place_key(name: str | None) -> str:
    from knowledge.places import place_key

    return place_key(name) if name else ""


def here(entry: Entry, criteria: Criteria) -> int:
    """2 when the service is in the place asked about, 1 in one of the regions, else 0."""
    if entry.province_wide or not entry.city:
        return 0
    if criteria.place and _place_key(entry.city) == _place_key(criteria.place):
        return 2
    return 1 if home_regions(entry.city) & set(criteria.regions) else 0


def can_take_now(open_now: bool | None, fresh: bool, entry: Entry) -> bool:
    """Open (or hours unknown) and not known to be full: a service that may take the youth now."""
    full = fresh and entry.capacity is not None and entry.capacity.available <= 0
    return open_now is not False and not full


def capacity_is_fresh(capacity: Capacity | None, now: datetime) -> bool:
    return capacity is not None and now - capacity.updated < FRESH


def eligible(entry: Entry, criteria: Criteria) -> bool:
    """Hard filters other than region and needs (which the index buckets apply)."""
    if entry.status != "active":
        return False
    age = criteria.age
    if age is not None:
        if entry.min_age is not None and age < entry.min_age:
            return False
        if entry.max_age is not None and age > entry.max_age:
            return False
    elif criteria.youth and entry.min_age is not None and entry.min_age >= ADULT:
        return False
    return True


@dataclass(frozen=True, slots=True)
class Scored:
    entry: Entry
    score: float
    open_now: bool | None
    fresh: bool


def score(
    entry: Entry, criteria: Criteria, now: datetime, local_cache: dict[str, datetime],
    terms: frozenset[str],
) -> Scored:
    open_now = is_open(entry.openings, entry.open_24_7, entry.timezone, now, local_cache)
    fresh = capacity_is_fresh(entry.capacity, now)
    value = W_OPEN * (1.0 if open_now else 0.5 if open_now is None else 0.0)
    if fresh and entry.capacity is not None:
        value += W_CAPACITY * (2 if entry.capacity.available > 0 else 0)
    else:
        value += W_CAPACITY
    if criteria.language and criteria.language in entry.languages:
        value += W_LANGUAGE
    value += W_HERE * here(entry, criteria)
    if entry.assured_date is not None:
        days = (now.date() - entry.assured_date).days
        value += W_VERIFIED * max(0, 12 - max(0, days) // 30)
    if criteria.needs:
        value += W_NEEDS * len(entry.categories.intersection(criteria.needs)) / len(criteria.needs)
    if terms:
        value += W_TEXT * len(entry.tokens & terms) / len(terms)
    return Scored(entry, round(value, 3), open_now, fresh)
