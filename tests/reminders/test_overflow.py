"""Moments too far away (or beyond what a date can hold) get the usual refusal, never a crash."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select

from bot.models.reminders import ScheduledJob
from bot.services.reminders import personal
from bot.services.reminders.timeparse import LIMIT, TooFar, parse_when
from handlers.runtime import stop_background
from tests.support.chat import Chat

ZONE = ZoneInfo("America/Toronto")
NOW = datetime(2026, 1, 15, 15, 0, tzinfo=UTC)
FAR = [
    "dans 9999999 jours test",
    "in 99999999 hours test",
    "9999-12-31 23:59 test",
    "dans 99999999999999999999 semaines",
    "in " + "9" * 400 + " s",
    "dans 367 jours",
    "2027-06-01 9h",
    "9999-12-31",
    "31/12/9999 23h",
]


def test_the_limit_is_the_reminders_one() -> None:
    assert LIMIT == personal.MAX_AHEAD


@pytest.mark.parametrize("text", FAR)
def test_too_far_is_refused(text: str) -> None:
    with pytest.raises(TooFar) as refused:
        parse_when(text, NOW, ZONE)
    assert refused.value.message == "Reminders can be set up to one year ahead."


@pytest.mark.parametrize("text", ["dans 365 jours", "2027-01-14 10:00", "in 52 weeks"])
def test_within_a_year_is_fine(text: str) -> None:
    parsed = parse_when(text, NOW, ZONE)
    assert parsed is not None and parsed.at - NOW <= LIMIT


def test_the_very_first_day_is_in_the_past() -> None:
    parsed = parse_when("0001-01-01 00:30 rappel", NOW, ZoneInfo("Asia/Tokyo"))
    assert parsed is not None and parsed.at <= NOW and parsed.rest == "rappel"


def test_a_date_that_does_not_come_back_within_a_year() -> None:
    # 29 February, asked on 1 March 2028: the next one is in 2032, more than a year ahead
    now = datetime(2028, 3, 1, 15, 0, tzinfo=UTC)
    with pytest.raises(TooFar):
        parse_when("29/2 9h", now, ZONE)
    with pytest.raises(TooFar):
        parse_when("le 29 février", now, ZONE)


@pytest.fixture
async def rchat(chat: Chat) -> AsyncIterator[Chat]:
    await stop_background(chat.console.tasks)
    chat.console.tasks = []
    async with chat.app.sessionmaker() as session:
        await session.execute(delete(ScheduledJob))
        await session.commit()
    yield chat


@pytest.mark.parametrize("text", [
    "/remind dans 9999999 jours test",
    "/remind in 99999999 hours test",
    "/remind 9999-12-31 23:59",
    "/remind 9999-12-31 23:59 appeler",
])
async def test_remind_too_far_in_the_chat(rchat: Chat, app, text: str) -> None:  # type: ignore[no-untyped-def]
    await rchat.register("alice", lang="fr")
    events = await rchat.say("alice", text)
    assert rchat.texts("alice", events) == "On peut fixer un rappel jusqu'à un an à l'avance."
    async with app.sessionmaker() as session:
        assert list(await session.scalars(select(ScheduledJob))) == []
    # the conversation goes on
    events = await rchat.say("alice", "/remind dans 2 h appeler")
    assert "C'est noté" in rchat.texts("alice", events)


async def test_custom_moment_too_far(rchat: Chat) -> None:
    await rchat.register("bob", lang="en")
    await rchat.say("bob", "/remind call the shelter back")
    await rchat.press("bob", "Another moment")
    events = await rchat.say("bob", "in 99999999 hours")
    assert rchat.texts("bob", events) == "Reminders can be set up to one year ahead."
    events = await rchat.say("bob", "in 2 hours")
    assert "Noted" in rchat.texts("bob", events)


ROOT = Path(__file__).resolve().parents[2]


def test_relais_try_goes_on_after_a_moment_too_far(tmp_path: Path) -> None:
    script = "\n".join([
        "/remind dans 9999999 jours test",
        "/remind in 99999999 hours test",
        "/remind 9999-12-31 23:59 test",
        "/oncall",
    ]) + "\n"
    env = {k: v for k, v in os.environ.items() if not k.startswith("RELAIS_")}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "try", "--database", f"sqlite:///{tmp_path / 't.db'}",
         "--fresh"],
        input=script, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=180,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.count("On peut fixer un rappel jusqu'à un an à l'avance.") == 3
    assert "Vous êtes maintenant de garde" in result.stdout  # the last line ran
    assert "Traceback" not in result.stderr
