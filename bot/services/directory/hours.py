"""Opening hours: HSDS weekly schedules compiled once, checked in the service's own time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_MINUTES = 24 * 60


@dataclass(frozen=True, slots=True)
class Opening:
    """Open on ``weekday`` (0 = Monday) from ``start`` to ``end`` minutes after midnight."""

    weekday: int
    start: int
    end: int
    valid_from: date | None = None
    valid_to: date | None = None


def _minutes(value: str | None) -> int | None:
    if not value:
        return None
    try:
        hours, minutes = value.split(":")[:2]
        return int(hours) * 60 + int(minutes)
    except ValueError:
        return None


def compile_schedule(
    *, freq: str | None, byday: str | None, opens_at: str | None, closes_at: str | None,
    valid_from: date | None = None, valid_to: date | None = None,
) -> list[Opening]:
    """Openings of one HSDS schedule row; overnight hours are split at midnight.

    Only weekly and daily rules with opening and closing times can say "open now"; anything
    else (monthly rules, free-text descriptions) compiles to nothing, which reads as unknown.
    """
    start, end = _minutes(opens_at), _minutes(closes_at)
    if end == DAY_MINUTES - 1:  # "23:59:59" means until midnight
        end = DAY_MINUTES
    if start is None or end is None or (freq or "WEEKLY").upper() not in ("WEEKLY", "DAILY"):
        return []
    days = [d.strip().upper()[-2:] for d in (byday or "").split(",") if d.strip()]
    weekdays = [DAYS.index(d) for d in days if d in DAYS] if days else list(range(7))
    out: list[Opening] = []
    for day in weekdays:
        if end > start:
            out.append(Opening(day, start, min(end, DAY_MINUTES), valid_from, valid_to))
        elif end < start or (end == start == 0):
            out.append(Opening(day, start, DAY_MINUTES, valid_from, valid_to))
            if end > 0:
                out.append(Opening((day + 1) % 7, 0, end, valid_from, valid_to))
    return out


@cache
def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("America/Toronto")


def is_open(
    openings: tuple[Opening, ...], open_24_7: bool, zone_name: str, now: datetime,
    local_cache: dict[str, datetime] | None = None,
) -> bool | None:
    """True or False when the hours say so, None when they are unknown."""
    if open_24_7:
        return True
    if not openings:
        return None
    local = None if local_cache is None else local_cache.get(zone_name)
    if local is None:
        local = now.astimezone(zone(zone_name))
        if local_cache is not None:
            local_cache[zone_name] = local
    weekday, minute, today = local.weekday(), local.hour * 60 + local.minute, local.date()
    applicable = False
    for opening in openings:
        if (opening.valid_from and today < opening.valid_from) or (
            opening.valid_to and today > opening.valid_to
        ):
            continue
        applicable = True
        if opening.weekday == weekday and opening.start <= minute < opening.end:
            return True
    return False if applicable else None


WEEK_MINUTES = 7 * DAY_MINUTES


def next_change(openings: tuple[Opening, ...], zone_name: str, now: datetime) -> datetime:
    """The next moment the open/closed status may change (a start or end of an opening, or
    local midnight when an opening has validity dates); the status is constant until then."""
    local = now.astimezone(zone(zone_name))
    here = local.weekday() * DAY_MINUTES + local.hour * 60 + local.minute
    best = WEEK_MINUTES
    dated = False
    for opening in openings:
        dated = dated or opening.valid_from is not None or opening.valid_to is not None
        for minute in (opening.start, opening.end):
            delta = (opening.weekday * DAY_MINUTES + minute - here) % WEEK_MINUTES
            if delta > 0:
                best = min(best, delta)
    if dated:
        best = min(best, DAY_MINUTES - (local.hour * 60 + local.minute))
    start_of_minute = now.replace(second=0, microsecond=0)
    return start_of_minute + timedelta(minutes=best)
