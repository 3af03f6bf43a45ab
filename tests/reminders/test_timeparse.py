"""Moments written in French and English."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.services.reminders.timeparse import fold, parse_when

ZONE = ZoneInfo("America/Toronto")
# Thursday 15 January 2026, 10:00 in Montréal
NOW = datetime(2026, 1, 15, 15, 0, tzinfo=UTC)


def local(text: str) -> tuple[str, str] | None:
    parsed = parse_when(text, NOW, ZONE)
    if parsed is None:
        return None
    return parsed.at.astimezone(ZONE).strftime("%a %d %H:%M:%S"), parsed.rest


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # French
        ("dans 2 h", "Thu 15 12:00:00"),
        ("dans 30 min", "Thu 15 10:30:00"),
        ("dans 1 h 30", "Thu 15 11:30:00"),
        ("dans 1h30", "Thu 15 11:30:00"),
        ("dans une heure", "Thu 15 11:00:00"),
        ("dans une demi-heure", "Thu 15 10:30:00"),
        ("dans 3 jours", "Sun 18 10:00:00"),
        ("dans 10 secondes", "Thu 15 10:00:10"),
        ("demain 9h", "Fri 16 09:00:00"),
        ("demain à 9 h 30", "Fri 16 09:30:00"),
        ("demain matin", "Fri 16 09:00:00"),
        ("Demain après-midi", "Fri 16 14:00:00"),
        ("demain midi", "Fri 16 12:00:00"),
        ("après-demain", "Sat 17 09:00:00"),
        ("vendredi 14h", "Fri 16 14:00:00"),
        ("lundi", "Mon 19 09:00:00"),
        ("jeudi", "Thu 22 09:00:00"),  # today is Thursday and 9:00 has passed: next week
        ("jeudi 14h", "Thu 15 14:00:00"),  # ... but 14:00 today is still ahead
        ("vendredi prochain", "Fri 16 09:00:00"),
        ("à 16h30", "Thu 15 16:30:00"),
        ("à 9h", "Fri 16 09:00:00"),  # 9:00 has passed today
        ("ce soir", "Thu 15 18:00:00"),
        ("8 h du soir", "Thu 15 20:00:00"),
        ("le 3 mars 14h", "Tue 03 14:00:00"),
        ("10/02 9h", "Tue 10 09:00:00"),
        # English
        ("in 30 min", "Thu 15 10:30:00"),
        ("in 2 hours", "Thu 15 12:00:00"),
        ("in an hour", "Thu 15 11:00:00"),
        ("in 10 s", "Thu 15 10:00:10"),
        ("in 2 days", "Sat 17 10:00:00"),
        ("tomorrow 9am", "Fri 16 09:00:00"),
        ("tomorrow at 9:30", "Fri 16 09:30:00"),
        ("tomorrow morning", "Fri 16 09:00:00"),
        ("tomorrow at 3", "Fri 16 15:00:00"),
        ("friday 14:00", "Fri 16 14:00:00"),
        ("Friday 2pm", "Fri 16 14:00:00"),
        ("next monday", "Mon 19 09:00:00"),
        ("monday", "Mon 19 09:00:00"),
        ("at 4:30pm", "Thu 15 16:30:00"),
        ("tonight", "Thu 15 18:00:00"),
        ("march 3 at 2pm", "Tue 03 14:00:00"),
        ("2026-02-01 10:00", "Sun 01 10:00:00"),
    ],
)
def test_moments(text: str, expected: str) -> None:
    assert local(text) == (expected, "")


@pytest.mark.parametrize(
    ("text", "rest"),
    [
        ("dans 2 h appeler la ressource", "appeler la ressource"),
        ("demain 9h: K7-4QX suivi", "K7-4QX suivi"),
        ("in 30 min to call back", "call back"),
        ("friday 14:00 K7-4QX", "K7-4QX"),
        ("demain 9h 49-jv3", "49-jv3"),  # a case code starting with digits is not minutes
        ("demain 9h 49 K7-4QX", "K7-4QX"),
        ("lundi rencontre d'équipe", "rencontre d'équipe"),
    ],
)
def test_subject_follows_the_moment(text: str, rest: str) -> None:
    result = local(text)
    assert result is not None
    assert result[1] == rest


@pytest.mark.parametrize(
    "text",
    ["appeler la ressource", "K7-4QX", "", "dans", "in person meeting", "demainX", "25h",
     "dans 2 jours 3"],
)
def test_not_a_moment(text: str) -> None:
    assert parse_when(text, NOW, ZONE) is None


def test_fold_keeps_positions() -> None:
    text = "Après-demain À 9h ÉTÉ"
    assert len(fold(text)) == len(text)
    assert fold(text) == "apres-demain a 9h ete"


def test_daylight_saving_time() -> None:
    # the night clocks move forward (8 March 2026): 9:00 the next day is 13:00 UTC, not 14:00
    now = datetime(2026, 3, 7, 15, 0, tzinfo=UTC)
    parsed = parse_when("demain 9h", now, ZONE)
    assert parsed is not None
    assert parsed.at == datetime(2026, 3, 8, 13, 0, tzinfo=UTC)
