"""Local time of a worker and their quiet hours (default 21:00-08:00 in their time zone)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.models.core import Worker


def parse_hhmm(value: str | None, default: time) -> time:
    try:
        hours, minutes = (value or "").split(":")
        return time(int(hours), int(minutes))
    except (ValueError, TypeError):
        return default


def worker_zone(worker: Worker | None, default: ZoneInfo) -> ZoneInfo:
    if worker is not None and worker.timezone:
        try:
            return ZoneInfo(worker.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return default


def quiet_until(now: datetime, worker: Worker, default_zone: ZoneInfo) -> datetime | None:
    """When the worker's quiet hours end, if ``now`` falls in them; else ``None``.

    Equal start and end mean no quiet hours.
    """
    start = parse_hhmm(worker.quiet_start, time(21, 0))
    end = parse_hhmm(worker.quiet_end, time(8, 0))
    if start == end:
        return None
    zone = worker_zone(worker, default_zone)
    local = now.astimezone(zone)
    clock = local.time().replace(tzinfo=None)
    inside = (start <= clock < end) if start < end else (clock >= start or clock < end)
    if not inside:
        return None
    day = local.date() if clock < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=zone).astimezone(UTC)


def next_local(now: datetime, zone: ZoneInfo, clock: time, days: int = 1) -> datetime:
    """``clock`` o'clock, ``days`` days after today in ``zone``, as UTC."""
    day = now.astimezone(zone).date() + timedelta(days=days)
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)
