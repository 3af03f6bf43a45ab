"""Dates in messages are words for the language (Babel), never ISO: "le 2 décembre à 13 h 19",
"December 2 at 1:19 PM"; the year only when it is not this one (the app's clock says which)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import Translator

LOCALES = Path(__file__).resolve().parents[2] / "locales"
NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
MOMENT = datetime(2026, 12, 2, 18, 19, tzinfo=UTC)  # 13 h 19 in Montréal
LAST_YEAR = datetime(2025, 12, 1, 18, 0, tzinfo=UTC)


@pytest.fixture
def translator() -> Translator:
    return Translator(LOCALES, "fr", ZoneInfo("America/Toronto"), clock=lambda: NOW)


@pytest.mark.parametrize(("lang", "fmt", "moment", "expected"), [
    ("fr", "sentence", MOMENT, "le 2 décembre à 13 h 19"),
    ("en", "sentence", MOMENT, "December 2 at 1:19 PM"),
    ("fr", "short", MOMENT, "2 déc. à 13 h 19"),
    ("en", "short", MOMENT, "Dec 2, 1:19 PM"),
    ("fr", "sentence", LAST_YEAR, "le 1er décembre 2025 à 13 h"),
    ("en", "sentence", LAST_YEAR, "December 1, 2025 at 1:00 PM"),
    ("fr", "short", LAST_YEAR, "1er déc. 2025 à 13 h"),
    ("en", "short", LAST_YEAR, "Dec 1, 2025, 1:00 PM"),
    ("fr", "medium", MOMENT, "le 2 décembre à 13 h 19"),
])
def test_dates_in_words(translator: Translator, lang: str, fmt: str, moment: datetime,
                        expected: str) -> None:
    assert translator.text(lang).datetime(moment, fmt) == expected


def test_a_sentence_never_ends_in_a_double_period(translator: Translator) -> None:
    t = translator.text("en")
    sentence = t.gettext("⚠️ <b>Unanswered request</b>: nobody has answered this request to "
                         "{service} since {time}.", service="X", time=t.datetime(MOMENT))
    assert sentence.endswith("since December 2 at 1:19 PM.") and ".." not in sentence
