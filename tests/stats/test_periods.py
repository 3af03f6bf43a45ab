"""Periods: whole local months, chosen in the chat or typed, named as people say them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.config import DEFAULT_LOCALES_DIR
from bot.errors import InvalidInput
from bot.i18n import Translator
from bot.services.stats.periods import (
    PERIOD_KINDS,
    Period,
    bounds,
    period_for,
    period_label,
    period_range,
)

ZONE = ZoneInfo("America/Toronto")
TRANSLATOR = Translator(DEFAULT_LOCALES_DIR, "fr", ZONE)
FR, EN = TRANSLATOR.text("fr"), TRANSLATOR.text("en")
NBSP = "\u00a0"


def test_chat_choices_seen_from_a_day():
    today = date(2026, 12, 3)
    assert PERIOD_KINDS == ("month", "last-month", "12m")
    assert period_for("month", today) == Period("month", "2026-12", "2026-12")
    assert period_for("last-month", today) == Period("last-month", "2026-11", "2026-11")
    assert period_for("12m", today) == Period("12m", "2026-01", "2026-12")
    assert period_for("year:2025", today) == Period("year", "2025-01", "2025-12")


def test_january_steps_back_into_last_year():
    today = date(2026, 1, 15)
    assert period_for("last-month", today) == Period("last-month", "2025-12", "2025-12")
    assert period_for("12m", today).months[:2] == ["2025-02", "2025-03"]
    assert len(period_for("12m", today).months) == 12


@pytest.mark.parametrize("choice", ["week", "year:", "year:26", "year:abcd", "", "12M"])
def test_unknown_choices_are_refused(choice):
    with pytest.raises(InvalidInput):
        period_for(choice, date(2026, 12, 3))


def test_ranges_of_months():
    period = period_range("2025-11", "2026-02")
    assert period.kind == "range"
    assert period.months == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert period_range("2026-03", "2026-03").months == ["2026-03"]


@pytest.mark.parametrize(("first", "last"), [
    ("2026-13", "2026-12"), ("2026-1", "2026-02"), ("2026-02", "2026-01"), ("x", "2026-01"),
    ("2000-01", "2026-01"),
])
def test_bad_ranges_are_refused(first, last):
    with pytest.raises(InvalidInput):
        period_range(first, last)


def test_bounds_are_local_months_in_utc():
    start, end = bounds(period_range("2026-01", "2026-06"), ZONE)
    assert start == datetime(2026, 1, 1, 5, 0, tzinfo=UTC)  # EST
    assert end == datetime(2026, 7, 1, 4, 0, tzinfo=UTC)  # EDT


def test_labels_in_french_and_english():
    today = date(2026, 12, 3)
    assert period_label(period_for("month", today), FR) == "décembre 2026"
    assert period_label(period_for("month", today), EN) == "December 2026"
    assert period_label(period_for("12m", today), FR) == "12 derniers mois (janv. à déc. 2026)"
    assert period_label(period_for("12m", today), EN) == "last 12 months (Jan to Dec 2026)"
    assert period_label(period_for("12m", date(2026, 3, 1)), FR) == (
        "12 derniers mois (avr. 2025 à mars 2026)")
    assert period_label(period_for("year:2025", today), FR) == "année 2025"
    assert period_label(period_for("year:2025", today), EN) == "year 2025"
    assert period_label(period_range("2026-01", "2026-06"), FR) == "janvier à juin 2026"
    assert period_label(period_range("2025-11", "2026-02"), EN) == (
        "November 2025 to February 2026")
