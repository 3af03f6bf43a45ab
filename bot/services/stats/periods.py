"""The periods figures cover: whole local months, named the way people say them.

Figures are kept by month (``handoffs.month``, the rollup tables), so a period is a first and a
last month, both included. Pure: no database, no clock (``today`` is passed in).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.errors import InvalidInput
from bot.i18n import N_, Text

PERIOD_KINDS: tuple[str, ...] = ("month", "last-month", "12m")
YEAR_PREFIX = "year:"
#: The longest period asked at once (ten years): tables by month stay readable.
MAX_MONTHS = 120
_MONTH = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True)
class Period:
    """Whole months from ``first`` to ``last`` ("YYYY-MM", both included)."""

    kind: str  # "month" | "last-month" | "12m" | "year" | "range"
    first: str
    last: str

    @property
    def months(self) -> list[str]:
        """Every month from first to last, in order."""
        start, end = month_index(self.first), month_index(self.last)
        return [month_code(index) for index in range(start, end + 1)]


def month_index(month: str) -> int:
    """A "YYYY-MM" month as a count of months (to step and compare); InvalidInput if malformed."""
    found = _MONTH.fullmatch(month or "")
    if not found or not 1 <= int(found.group(2)) <= 12 or int(found.group(1)) < 1:
        raise InvalidInput(N_("A month is written YYYY-MM, e.g. 2026-01."))
    return int(found.group(1)) * 12 + int(found.group(2)) - 1


def month_code(index: int) -> str:
    """The "YYYY-MM" of a :func:`month_index`."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def period_for(choice: str, today: date) -> Period:
    """The period a chat choice names, seen from ``today`` (local date): "month" (this month so
    far), "last-month", "12m" (this month and the eleven before) or "year:YYYY"."""
    this = month_index(month_of(today))
    if choice == "month":
        return Period("month", month_code(this), month_code(this))
    if choice == "last-month":
        return Period("last-month", month_code(this - 1), month_code(this - 1))
    if choice == "12m":
        return Period("12m", month_code(this - 11), month_code(this))
    if choice.startswith(YEAR_PREFIX):
        year = choice.removeprefix(YEAR_PREFIX)
        if re.fullmatch(r"\d{4}", year) and int(year) >= 1:
            return Period("year", f"{year}-01", f"{year}-12")
    raise InvalidInput(N_("Unknown period."))


def period_range(first: str, last: str) -> Period:
    """The months from ``first`` to ``last`` ("YYYY-MM", both included)."""
    start, end = month_index(first), month_index(last)
    if end < start:
        raise InvalidInput(N_("The first month comes after the last one."))
    if end - start + 1 > MAX_MONTHS:
        raise InvalidInput(N_("A period covers at most {n} months."), n=MAX_MONTHS)
    return Period("range", month_code(start), month_code(end))


def month_start(month: str, zone: ZoneInfo) -> datetime:
    """The first instant of a local month, in UTC."""
    index = month_index(month)
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=zone).astimezone(UTC)


def bounds(period: Period, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """``[start, end)`` of the period in UTC (local months)."""
    return month_start(period.first, zone), month_start(
        month_code(month_index(period.last) + 1), zone)


def _first_day(month: str) -> date:
    index = month_index(month)
    return date(index // 12, index % 12 + 1, 1)


def month_label(month: str, text: Text, *, short: bool = False) -> str:
    """"décembre 2026" / "December 2026"; short: "déc. 2026" / "Dec 2026"."""
    return text.date(_first_day(month), "MMM y" if short else "MMMM y")


def _span(first: str, last: str, text: Text, *, short: bool) -> str:
    """"janv. à déc. 2026", "déc. 2025 à nov. 2026" (the year once when it is the same)."""
    pattern = "MMM" if short else "MMMM"
    start, end = _first_day(first), _first_day(last)
    head = text.date(start, pattern if start.year == end.year else pattern + " y")
    return text.gettext(N_("{first} to {last}"), first=head,
                        last=month_label(last, text, short=short))


def period_label(period: Period, text: Text) -> str:
    """The period in words: "décembre 2026", "12 derniers mois (déc. 2025 à nov. 2026)",
    "année 2026", "janvier à juin 2026"."""
    if period.first == period.last:
        return month_label(period.first, text)
    if period.kind == "12m":
        return text.gettext(N_("last 12 months ({span})"),
                            span=_span(period.first, period.last, text, short=True))
    if period.kind == "year":
        return text.gettext(N_("year {year}"), year=period.first[:4])
    return _span(period.first, period.last, text, short=False)
