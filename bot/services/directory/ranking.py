"""Eligibility (hard filters) and ranking of directory entries.

Hard filters: active, age within the service's bounds, serves the region (or the province),
offers one of the needs. Ranking, in this order of weight: open now (or 24/7), capacity
available and fresh (updated < 24 h), the youth's language, recently verified, then how many
needs and words of the question it matches.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.services.directory.criteria import Criteria
from bot.services.directory.hours import is_open
from bot.services.directory.index import Capacity, Entry
from bot.services.directory.weights import (
    W_CAPACITY,
    W_LANGUAGE,
    W_NEEDS,
    W_OPEN,
    W_TEXT,
    W_VERIFIED,
)

FRESH = timedelta(hours=24)


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
    if entry.assured_date is not None:
        days = (now.date() - entry.assured_date).days
        value += W_VERIFIED * max(0, 12 - max(0, days) // 30)
    if criteria.needs:
        value += W_NEEDS * len(entry.categories.intersection(criteria.needs)) / len(criteria.needs)
    if terms:
        value += W_TEXT * len(entry.tokens & terms) / len(terms)
    return Scored(entry, round(value, 3), open_now, fresh)
