"""``/remind``, ``/reminders`` and the reminder buttons, as the worker sees them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import delete, select

from bot.models.reminders import JobState, ScheduledJob
from handlers.runtime import stop_background
from tests.reminders.conftest import run_once
from tests.support.chat import Chat


@pytest.fixture
async def rchat(chat: Chat) -> AsyncIterator[Chat]:
    """The chat harness without the background dispatcher: tests drive it with run_once."""
    await stop_background([t for t in chat.console.tasks if t.get_name() == "bot.jobs.reminders"])
    async with chat.app.sessionmaker() as session:  # what its first pass seeded (the sweep)
        await session.execute(delete(ScheduledJob))
        await session.commit()
    yield chat


async def jobs(app) -> list[ScheduledJob]:  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        return list((await session.scalars(
            select(ScheduledJob).where(ScheduledJob.kind == "reminder").order_by(ScheduledJob.id)
        )).all())


async def test_remind_step_by_step_in_french(rchat: Chat, app, clock) -> None:  # type: ignore[no-untyped-def]
    await rchat.register("alice", lang="fr")
    seen = await rchat.say("alice", "/remind")
    assert "Je vous rappelle quoi?" in rchat.texts("alice", seen)
    seen = await rchat.say("alice", "rappeler la ressource d'hébergement")
    assert rchat.texts("alice", seen) == "Je vous le rappelle quand?"
    assert rchat.buttons("alice") == ["Dans 1 heure", "Demain matin", "Dans 3 jours",
                                      "Un autre moment…"]
    seen = await rchat.press("alice", "Dans 1 heure")
    text = rchat.texts("alice", seen)
    assert "✅ C'est noté. Je vous le rappelle à 11 h\u00a0: rappeler la ressource d'hébergement" in text
    assert "/reminders" in text
    # it arrives an hour later, in French, with its buttons
    clock.advance(timedelta(minutes=59))
    await run_once(app)
    assert rchat.seen_by("alice", rchat.telegram.events[-1:]) == [] or "Rappel" not in (
        rchat.telegram.events[-1].text)
    clock.advance(timedelta(minutes=1))
    before = len(rchat.telegram.events)
    await run_once(app)
    arrived = rchat.telegram.events[before:]
    assert rchat.texts("alice", arrived) == "🔔 Rappel\nrappeler la ressource d'hébergement"
    assert arrived[0].protected
    assert rchat.buttons("alice") == ["✅ Fait", "⏰ Dans 1 h", "🌅 Demain"]
    # snooze one hour: it comes back once
    seen = await rchat.press("alice", "Dans 1 h")
    assert "⏰ Reporté\u00a0: je vous le rappelle à 12 h." in rchat.texts("alice", seen)
    assert seen[-1].kind == "edit" and seen[-1].buttons == []
    clock.advance(timedelta(hours=1))
    before = len(rchat.telegram.events)
    await run_once(app)
    await run_once(app)
    assert rchat.texts("alice", rchat.telegram.events[before:]).count("🔔 Rappel") == 1
    seen = await rchat.press("alice", "Fait")
    assert "C'est fait." in rchat.texts("alice", seen)
    assert seen[-1].text.endswith("✅ Fait.")
    assert [j.state for j in await jobs(app)] == [JobState.DONE.value]


async def test_remind_in_one_line_in_english(rchat: Chat, app, clock) -> None:  # type: ignore[no-untyped-def]
    await rchat.register("bob", lang="en")
    seen = await rchat.say("bob", "/remind in 30 min call back the shelter")
    assert rchat.texts("bob", seen).startswith(
        "✅ Noted. I will remind you at 10:30 AM: call back the shelter")
    clock.advance(timedelta(minutes=30))
    before = len(rchat.telegram.events)
    await run_once(app)
    assert rchat.texts("bob", rchat.telegram.events[before:]) == (
        "🔔 Reminder\ncall back the shelter")
    seen = await rchat.press("bob", "Tomorrow")
    assert "⏰ Snoozed: I will remind you again on January 16 at 9:00 AM." in rchat.texts("bob", seen)
    [job] = await jobs(app)
    assert job.state == JobState.PENDING.value


async def test_custom_moment_and_moment_first(rchat: Chat, app, clock) -> None:  # type: ignore[no-untyped-def]
    await rchat.register("alice", lang="fr")
    await rchat.say("alice", "/remind")
    await rchat.say("alice", "préparer la rencontre d'équipe")
    seen = await rchat.press("alice", "Un autre moment")
    assert "«\u00a0dans 2 h\u00a0»" in rchat.texts("alice", seen)
    seen = await rchat.say("alice", "n'importe quand")
    assert "Je n'ai pas compris ce moment." in rchat.texts("alice", seen)
    seen = await rchat.say("alice", "vendredi 14h")
    assert "Je vous le rappelle le 16 janvier à 14 h" in rchat.texts("alice", seen)
    # moment first, subject asked next
    seen = await rchat.say("alice", "/remind demain matin")
    assert rchat.texts("alice", seen).startswith("Rappel le 16 janvier à 9 h. À quel sujet?")
    seen = await rchat.say("alice", "appeler l'école")
    assert "Je vous le rappelle le 16 janvier à 9 h\u00a0: appeler l'école" in rchat.texts("alice", seen)
    assert len(await jobs(app)) == 2


async def test_identifying_text_is_refused_and_deleted(rchat: Chat, app) -> None:  # type: ignore[no-untyped-def]
    await rchat.register("alice", lang="fr")
    seen = await rchat.say("alice", "/remind dans 1 h appeler Marie Tremblay au 514-555-1234")
    kinds = [e.kind for e in seen]
    assert "delete" in kinds
    text = rchat.texts("alice", seen)
    assert "Marie" not in text and "514" not in text
    assert await jobs(app) == []


async def test_case_code_must_be_one_of_your_cases(rchat: Chat, app) -> None:  # type: ignore[no-untyped-def]
    from bot.services.cases import CaseDraft, create_case

    alice = await rchat.register("alice", lang="fr")
    async with app.sessionmaker() as session:
        case = await create_case(session, creator=alice, draft=CaseDraft(), now=app.clock.now())
        await session.commit()
    seen = await rchat.say("alice", f"/remind demain 9h {case.code.lower()}")
    assert f"Je vous le rappelle le 16 janvier à 9 h\u00a0: {case.code}" in rchat.texts("alice", seen)
    await rchat.register("mallory", lang="fr")
    seen = await rchat.say("mallory", f"/remind demain 9h {case.code}")
    assert "✅" not in rchat.texts("mallory", seen)
    assert len(await jobs(app)) == 1


async def test_reminders_list_and_cancel(rchat: Chat, app) -> None:  # type: ignore[no-untyped-def]
    await rchat.register("alice", lang="fr")
    seen = await rchat.say("alice", "/reminders")
    assert rchat.texts("alice", seen) == (
        "Vous n'avez aucun rappel en attente. Créez-en un avec /remind.")
    await rchat.say("alice", "/remind demain 9h appeler la ressource")
    await rchat.say("alice", "/remind dans 2 h préparer la rencontre")
    seen = await rchat.say("alice", "/reminders")
    assert rchat.texts("alice", seen) == (
        "Vos rappels\u00a0:\n1. 12 h — préparer la rencontre\n"
        "2. ven. 16 janv., 9 h — appeler la ressource"
    )
    assert rchat.buttons("alice") == ["❌ Annuler 1", "❌ Annuler 2"]
    seen = await rchat.press("alice", "Annuler 1")
    assert "Rappel annulé." in rchat.texts("alice", seen)
    assert seen[-1].text == "Vos rappels\u00a0:\n1. ven. 16 janv., 9 h — appeler la ressource"
    states = [j.state for j in await jobs(app)]
    assert states == [JobState.PENDING.value, JobState.CANCELLED.value]


async def test_someone_elses_or_forged_button_is_refused(rchat: Chat, app, clock) -> None:  # type: ignore[no-untyped-def]
    await rchat.register("alice", lang="fr")
    await rchat.register("bob", lang="en")
    await rchat.say("alice", "/remind dans 30 min appeler la ressource")
    [job] = await jobs(app)
    clock.advance(timedelta(minutes=30))
    await run_once(app)
    alice_message = rchat.telegram.latest_with_buttons(rchat.user_id("alice"))
    assert alice_message is not None
    bob = rchat.user_id("bob")
    rchat.as_user("bob")
    for data in (f"rem:done:{job.id}", f"rem:s1h:{job.id}", f"rem:cancel:{job.id}"):
        before = len(rchat.telegram.events)
        await rchat.console.feed(rchat.telegram.user_presses(bob, alice_message, data))
        notices = [e.text for e in rchat.telegram.events[before:] if e.kind == "notice"]
        assert notices == ["This button is not for you."]
    before = len(rchat.telegram.events)
    await rchat.console.feed(rchat.telegram.user_presses(bob, alice_message, "rem:done:abc"))
    assert [e.text for e in rchat.telegram.events[before:]] == ["This button is no longer valid."]
    [job] = await jobs(app)
    assert job.state == JobState.SENT.value


@pytest.mark.parametrize("first", ["bonjour", "/help", "/cases"])
async def test_blocked_worker_gets_held_reminders_when_back(rchat: Chat, app, clock,  # type: ignore[no-untyped-def]
                                                            first: str) -> None:
    """Whatever they send first: a search, or a command another feature answers."""
    await rchat.register("alice", lang="fr")
    await rchat.say("alice", "/remind dans 30 min appeler la ressource")
    rchat.telegram.blocked.add(rchat.user_id("alice"))
    clock.advance(timedelta(minutes=30))
    report = await run_once(app)
    assert report.held == 1
    assert (await rchat.worker("alice")).blocked_bot is True
    clock.advance(timedelta(hours=2))
    assert (await run_once(app)).held == 0  # nothing lost, nothing tried
    before = len(rchat.telegram.events)
    await rchat.say("alice", first)  # they unblocked the bot and write again
    assert (await rchat.worker("alice")).blocked_bot is False
    [job] = await jobs(app)
    assert job.state == JobState.PENDING.value  # released at once, before the next pass
    await run_once(app)
    texts = rchat.texts("alice", rchat.telegram.events[before:])
    assert "⏰ En retard — prévu à 10 h 30\n🔔 Rappel\nappeler la ressource" in texts
