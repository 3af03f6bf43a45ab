"""A message that announces a stored fact goes out only after the commit that stores it."""

from __future__ import annotations

import asyncio
import logging

import pytest
from sqlalchemy import event, select

from bot.db.effects import UnitOfWorkSession, alongside, sent_alongside
from bot.models.cases import CaseMessage
from bot.models.handoffs import Handoff, HandoffEvent
from tests.handoffs.conftest import add_case, add_service
from tests.handoffs.test_chat import EN, FR, request
from tests.support.commits import CommitRefused, failing_commit


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_a_failed_accept_tells_nobody_and_loses_nothing(app, chat, lang):
    words = FR if lang == "fr" else EN
    alice = await chat.register("alice", org="Organisme A (fictif)", lang=lang)
    bob = await chat.register("bob", org="Maison B (fictive)", lang=lang)
    svc = await add_service(app, "Hébergement Test", name_en="Test Shelter", receivers=(bob,))
    case = await add_case(app, alice)
    await request(chat, app, "alice", svc, case, words)

    with failing_commit(HandoffEvent):
        events = await chat.press("bob", words["accept"])
    assert chat.seen_by("alice", events) == [], "the requester heard of an accept never stored"
    bob_sees = chat.seen_by("bob", events)
    assert [e.kind for e in bob_sees] == ["send"], "only the apology, no edit, no toast"
    assert ("Désolé" if lang == "fr" else "Sorry") in bob_sees[0].text
    async with app.sessionmaker() as session:
        handoff = await session.scalar(select(Handoff))
        assert handoff.status == "requested" and handoff.owner_id is None

    # Nothing was lost: the same button works once the database does.
    events = await chat.press("bob", words["accept"])
    accepted = "acceptée par bob" if lang == "fr" else "accepted by bob"
    assert accepted in chat.texts("alice", events).lower()
    async with app.sessionmaker() as session:
        assert (await session.scalar(select(Handoff))).owner_id == bob.id


async def test_a_failed_request_sends_no_request(app, chat):
    words = EN
    alice = await chat.register("alice", org="Organisme A (fictif)", lang="en")
    bob = await chat.register("bob", org="Maison B (fictive)", lang="en")
    svc = await add_service(app, "Hébergement Test", name_en="Test Shelter", receivers=(bob,))
    case = await add_case(app, alice)
    with failing_commit(Handoff):
        events = await request(chat, app, "alice", svc, case, words)
    assert chat.seen_by("bob", events) == []
    assert "receiving worker notified" not in chat.texts("alice", events)
    assert "Sorry" in chat.texts("alice", events)
    async with app.sessionmaker() as session:
        assert (await session.scalars(select(Handoff))).all() == []


async def test_a_failed_thread_message_is_not_relayed(app, chat):
    words = EN
    alice = await chat.register("alice", org="Organisme A (fictif)", lang="en")
    bob = await chat.register("bob", org="Maison B (fictive)", lang="en")
    svc = await add_service(app, "Hébergement Test", name_en="Test Shelter", receivers=(bob,))
    case = await add_case(app, alice)
    await request(chat, app, "alice", svc, case, words)
    await chat.press("bob", words["accept"])
    await chat.press("bob", words["write"])
    with failing_commit(CaseMessage):
        events = await chat.say("bob", "We have a bed ready at 9 pm.")
    assert chat.seen_by("alice", events) == []
    assert "Sent to the participants" not in chat.texts("bob", events)
    async with app.sessionmaker() as session:
        assert (await session.scalars(select(CaseMessage))).all() == []


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_help_leaves_before_the_commit_and_a_failed_commit_is_apologised_after_it(
        app, chat, lang):
    """/help announces nothing stored: it goes out alongside the commit, so a commit that
    fails still leaves it answered, and the apology comes second, never before it."""
    await chat.register("ana", lang=lang)

    def refuse(session) -> None:  # type: ignore[no-untyped-def]
        if not session.in_nested_transaction():
            raise CommitRefused

    event.listen(UnitOfWorkSession, "before_commit", refuse)
    try:
        events = await chat.say("ana", "/help")
    finally:
        event.remove(UnitOfWorkSession, "before_commit", refuse)
    seen = chat.seen_by("ana", events)
    assert [e.kind for e in seen] == ["send", "send"]
    assert ("Commandes" if lang == "fr" else "Commands") in seen[0].text
    assert ("Désolé" if lang == "fr" else "Sorry") in seen[1].text


async def test_effects_alongside_are_each_waited_for_and_a_failure_is_only_logged(app, caplog):
    done: list[str] = []

    async def fails() -> None:
        raise RuntimeError("Telegram said no")

    async def slow(name: str) -> None:
        await asyncio.sleep(0.05)
        done.append(name)

    async def cancelled() -> None:
        asyncio.current_task().cancel()  # type: ignore[union-attr]
        await asyncio.sleep(1)

    async with app.sessionmaker() as session:
        for effect in (fails, lambda: slow("second"), cancelled, lambda: slow("fourth")):
            alongside(session, effect)
        with caplog.at_level(logging.WARNING, logger="bot.db.effects"):
            await sent_alongside(session)
    assert done == ["second", "fourth"], "each waited for, the failures notwithstanding"
    failures = [r.getMessage() for r in caplog.records if "alongside" in r.getMessage()]
    assert failures == ["an effect alongside the commit failed: RuntimeError",
                        "an effect alongside the commit failed: CancelledError"]

    async with app.sessionmaker() as session:  # the waiter cancelled: so are the rest
        alongside(session, lambda: slow("never"))
        alongside(session, lambda: slow("never either"))
        waiting = asyncio.ensure_future(sent_alongside(session))
        await asyncio.sleep(0.01)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        await asyncio.sleep(0.1)
    assert done == ["second", "fourth"]
