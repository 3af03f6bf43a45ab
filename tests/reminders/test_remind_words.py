"""``/remind`` reads ordinary words as words, says when in a sentence, and replies after commit.

Seen: ``/remind demain 9h jeune à rappeler`` and ``/remind Monday check beds`` answered "no case
with this code" ("jeune" and "check" are five letters of the codes' alphabet); "I will remind
you 1:56 p.m." / "Je vous le rappelle 15 h 24" (no "at"/"à"); "ven. 16 janv., 9 h 00" inside a
sentence; "Noted" and "Reminder cancelled" said before the commit.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select

from bot.models.reminders import JobState, ScheduledJob
from bot.services.reminders.personal import case_code, split_subject
from bot.services.reminders.timeparse import parse_when
from handlers.runtime import stop_background
from tests.support.chat import Chat
from tests.support.commits import failing_commit

ZONE = ZoneInfo("America/Toronto")
NOW = datetime(2026, 1, 15, 15, 0, tzinfo=UTC)  # Thursday 10:00 in Montréal (the FakeClock's)
NB = "\u00a0"  # French: a non-breaking space before ":"


# ---- the parser: what is a case code, what is a word ------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("jeune à rappeler", (None, "jeune à rappeler")),
    ("check beds", (None, "check beds")),
    ("appel au CLSC", (None, "appel au CLSC")),
    ("theme", (None, "theme")),
    ("K7-4QX call back", ("K7-4QX", "call back")),
    ("k7-4qx", ("K7-4QX", None)),
    ("#K74QX rappeler", ("K7-4QX", "rappeler")),
    ("K7-4QX", ("K7-4QX", None)),
])
def test_a_code_is_written_as_one(text: str, expected: tuple[str | None, str | None]) -> None:
    assert split_subject(text) == expected


def test_other_writings_count_only_for_the_workers_cases() -> None:
    mine = {"K7-4QX", "JE-UNE"}
    assert split_subject("k74qx rappeler", mine) == ("K7-4QX", "rappeler")
    assert split_subject("k74qx rappeler") == (None, "k74qx rappeler")
    assert split_subject("K7 4QX", mine) == ("K7-4QX", None)
    assert case_code("jeune", mine) == "JE-UNE"  # one of the worker's cases reads as it
    assert case_code("jeune") is None
    assert case_code("check", mine) is None


@pytest.mark.parametrize(("text", "moment", "subject"), [
    ("demain 9h jeune à rappeler", datetime(2026, 1, 16, 14, 0, tzinfo=UTC), "jeune à rappeler"),
    ("Monday check beds", datetime(2026, 1, 19, 14, 0, tzinfo=UTC), "check beds"),
    ("demain 9h K7-4QX", datetime(2026, 1, 16, 14, 0, tzinfo=UTC), "K7-4QX"),
])
def test_moment_then_words(text: str, moment: datetime, subject: str) -> None:
    parsed = parse_when(text, NOW, ZONE)
    assert parsed is not None and parsed.at == moment and parsed.rest == subject
    code, rest = split_subject(parsed.rest)
    assert (code or rest) == subject


# ---- in the chat ------------------------------------------------------------------------------

@pytest.fixture
async def rchat(chat: Chat) -> AsyncIterator[Chat]:
    """The chat harness without the background dispatcher."""
    await stop_background([t for t in chat.console.tasks if t.get_name() == "bot.jobs.reminders"])
    async with chat.app.sessionmaker() as session:
        await session.execute(delete(ScheduledJob))
        await session.commit()
    yield chat


async def reminders(app) -> list[ScheduledJob]:  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        return list((await session.scalars(
            select(ScheduledJob).where(ScheduledJob.kind == "reminder").order_by(ScheduledJob.id)
        )).all())


async def test_ordinary_french_words_are_a_reminder_text(rchat: Chat, app) -> None:  # type: ignore[no-untyped-def]
    await rchat.register("alice", lang="fr")
    seen = await rchat.say("alice", "/remind demain 9h jeune à rappeler")
    text = rchat.texts("alice", seen)
    assert "Aucun dossier" not in text
    assert text.startswith(
        f"✅ C'est noté. Je vous le rappelle le 16 janvier à 9 h{NB}: jeune à rappeler")
    # typed after /remind, the same words are a text too: the moment is asked next
    await rchat.say("alice", "/remind")
    seen = await rchat.say("alice", "jeune à rappeler")
    assert rchat.texts("alice", seen) == "Je vous le rappelle quand?"
    assert len(await reminders(app)) == 1


async def test_ordinary_english_words_are_a_reminder_text(rchat: Chat, app) -> None:  # type: ignore[no-untyped-def]
    await rchat.register("bob", lang="en")
    seen = await rchat.say("bob", "/remind Monday check beds")
    text = rchat.texts("bob", seen)
    assert "No case" not in text
    assert text.startswith("✅ Noted. I will remind you on January 19 at 9:00 AM: check beds")
    # a code written as one is still a case code, and refused when it is not one of theirs
    seen = await rchat.say("bob", "/remind tomorrow 9am K7-4QX")
    assert rchat.texts("bob", seen) == "No case with this code among your cases."
    assert len(await reminders(app)) == 1


async def test_a_case_of_the_worker_without_its_dash(rchat: Chat, app) -> None:  # type: ignore[no-untyped-def]
    from bot.services.cases import CaseDraft, create_case

    alice = await rchat.register("alice", lang="en")
    async with app.sessionmaker() as session:
        case = await create_case(session, creator=alice, draft=CaseDraft(), now=app.clock.now())
        await session.commit()
    compact = case.code.replace("-", "").lower()
    seen = await rchat.say("alice", f"/remind tomorrow 9am {compact} call the school")
    assert f"I will remind you on January 16 at 9:00 AM: {case.code}" in rchat.texts("alice", seen)
    [job] = await reminders(app)
    assert (job.payload or {}).get("case") == case.code


@pytest.mark.parametrize(("lang", "command", "expected"), [
    ("fr", "/remind dans 30 min appeler la ressource",
     f"✅ C'est noté. Je vous le rappelle à 10 h 30{NB}: appeler la ressource"),
    ("en", "/remind in 236 min call the shelter",
     "✅ Noted. I will remind you at 1:56 PM: call the shelter"),
    ("fr", "/remind 3 février 15 h 24 appeler la ressource",
     f"✅ C'est noté. Je vous le rappelle le 3 février à 15 h 24{NB}: appeler la ressource"),
    ("en", "/remind february 1 1:56pm call the shelter",
     "✅ Noted. I will remind you on February 1 at 1:56 PM: call the shelter"),
    ("fr", "/remind 1 février 9h appeler la ressource",
     f"Je vous le rappelle le 1er février à 9 h{NB}: appeler la ressource"),
    ("en", "/remind january 15 2027 9am call the shelter",
     "I will remind you on January 15, 2027 at 9:00 AM: call the shelter"),
])
async def test_the_moment_reads_in_the_sentence(rchat: Chat, lang: str, command: str,
                                                expected: str) -> None:
    await rchat.register("alice", lang=lang)
    seen = await rchat.say("alice", command)
    text = rchat.texts("alice", seen)
    assert expected in text
    assert "2026-" not in text and "2027-" not in text


@pytest.mark.parametrize(("lang", "expected"), [
    ("fr", "Rappel à 11 h. À quel sujet?"), ("en", "Reminder at 11:00 AM. What about?"),
])
async def test_moment_first_then_subject(rchat: Chat, lang: str, expected: str) -> None:
    await rchat.register("alice", lang=lang)
    seen = await rchat.say("alice", "/remind " + ("dans 1 h" if lang == "fr" else "in 1 h"))
    assert rchat.texts("alice", seen).startswith(expected)


@pytest.mark.parametrize(("lang", "expected"), [
    ("fr", f"⏰ Reporté{NB}: je vous le rappelle le 16 janvier à 9 h."),
    ("en", "⏰ Snoozed: I will remind you again on January 16 at 9:00 AM."),
])
async def test_snooze_says_when_in_words(rchat: Chat, app, clock, lang: str,  # type: ignore[no-untyped-def]
                                         expected: str) -> None:
    from datetime import timedelta

    from tests.reminders.conftest import run_once

    await rchat.register("alice", lang=lang)
    await rchat.say("alice", "/remind " + ("dans 1 h appeler" if lang == "fr" else "in 1 h call"))
    clock.advance(timedelta(hours=1))
    await run_once(app)
    seen = await rchat.press("alice", "🌅")
    assert expected in rchat.texts("alice", seen)


# ---- replies after commit ---------------------------------------------------------------------

@pytest.mark.parametrize(("lang", "noted", "sorry"), [
    ("fr", "C'est noté", "Désolé"), ("en", "Noted", "Sorry"),
])
async def test_noted_only_once_stored(rchat: Chat, app, lang: str, noted: str,  # type: ignore[no-untyped-def]
                                      sorry: str) -> None:
    await rchat.register("alice", lang=lang)
    command = "/remind demain 9h appeler" if lang == "fr" else "/remind tomorrow 9am call"
    with failing_commit(ScheduledJob, changed=True):
        seen = await rchat.say("alice", command)
    text = rchat.texts("alice", seen)
    assert noted not in text and sorry in text
    assert await reminders(app) == []
    seen = await rchat.say("alice", command)
    assert noted in rchat.texts("alice", seen)
    assert len(await reminders(app)) == 1


@pytest.mark.parametrize(("lang", "cancel", "cancelled"), [
    ("fr", "Annuler 1", "Rappel annulé."), ("en", "Cancel 1", "Reminder cancelled."),
])
async def test_cancelled_only_once_stored(rchat: Chat, app, lang: str, cancel: str,  # type: ignore[no-untyped-def]
                                          cancelled: str) -> None:
    await rchat.register("alice", lang=lang)
    await rchat.say("alice", "/remind demain 9h appeler" if lang == "fr"
                    else "/remind tomorrow 9am call")
    await rchat.say("alice", "/reminders")
    with failing_commit(ScheduledJob, changed=True):
        seen = await rchat.press("alice", cancel)
    assert cancelled not in rchat.texts("alice", seen)
    assert not [e for e in rchat.seen_by("alice", seen) if e.kind == "edit"]
    [job] = await reminders(app)
    assert job.state == JobState.PENDING.value
    seen = await rchat.press("alice", cancel)
    assert cancelled in rchat.texts("alice", seen)
    [job] = await reminders(app)
    assert job.state == JobState.CANCELLED.value
