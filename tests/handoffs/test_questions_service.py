"""Service level: questions between the two sides of a handoff (who may be asked, what is sent,
what the history keeps)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.db.effects import commit
from bot.errors import NotAllowed
from bot.models.cases import Case
from bot.models.core import Worker
from bot.models.handoffs import HandoffEvent, HandoffRecipient
from bot.services.handoffs import creating, questions
from tests.handoffs.conftest import add_case, add_service


async def setup(app, chat):  # type: ignore[no-untyped-def]
    alice = await chat.register("alice", org="Organisme A (fictif)")
    bob = await chat.register("bob", org="Organisme B (fictif)")
    svc = await add_service(app, "Hébergement Test", receivers=(bob,))
    case = await add_case(app, alice)
    async with app.sessionmaker() as session:
        handoff = await creating.create(
            app, session, requester=await session.get(Worker, alice.id),
            case=await session.get(Case, case.id), service_id=svc.id)
        await commit(session, app.sessionmaker)
    return alice, bob, case, handoff.id


async def addressee(app, worker, handoff_id, named=None):  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        _handoff, to = await questions.addressee(
            app, session, handoff_id, await session.get(Worker, worker.id), named)
        await commit(session, app.sessionmaker)
        return to


async def ask(app, asker, handoff_id, to_id, text):  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        to = await questions.ask(app, session, handoff_id, await session.get(Worker, asker.id),
                                 to_id, text)
        await commit(session, app.sessionmaker)
        return to.id


async def questions_asked(app, handoff_id):  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        return [(e.actor_id, e.details) for e in (await session.scalars(
            select(HandoffEvent).where(HandoffEvent.handoff_id == handoff_id,
                                       HandoffEvent.kind == "question"))).all()]


async def test_a_receiver_asks_the_requester_who_can_reply(app, chat):
    alice, bob, case, handoff_id = await setup(app, chat)
    assert await addressee(app, bob, handoff_id) == alice.id
    async with app.sessionmaker() as session:  # asking means the request was seen
        row = await session.scalar(select(HandoffRecipient).where(
            HandoffRecipient.worker_id == bob.id))
        assert row.seen_at is not None
    start = len(chat.telegram.events)
    assert await ask(app, bob, handoff_id, alice.id, "  Arrive-t-il ce soir?  ") == alice.id
    alice_sees = chat.texts("alice", chat.telegram.events[start:])
    assert case.code in alice_sees and "Arrive-t-il ce soir?" in alice_sees
    assert chat.buttons("alice") == ["Répondre"]
    # the history says who asked whom, never what
    assert await questions_asked(app, handoff_id) == [(bob.id, {"to_worker": alice.id})]


async def test_the_requester_asks_the_one_named_else_the_owner(app, chat):
    alice, bob, _case, handoff_id = await setup(app, chat)
    with pytest.raises(NotAllowed) as info:  # nobody accepted yet
        await addressee(app, alice, handoff_id)
    assert "nobody to ask" in info.value.message
    assert await addressee(app, alice, handoff_id, named=bob.id) == bob.id
    assert await ask(app, alice, handoff_id, bob.id, "Une place?") == bob.id


async def test_only_the_people_of_the_handoff_ask_one_another(app, chat):
    alice, bob, _case, handoff_id = await setup(app, chat)
    zoe = await chat.register("zoe", org="Autre (fictif)")
    start = len(chat.telegram.events)
    for asker, to in ((zoe, alice), (bob, zoe), (bob, bob), (alice, None)):
        with pytest.raises(NotAllowed):
            await ask(app, asker, handoff_id, to.id if to else 0, "Bonjour")
    assert chat.telegram.events[start:] == []
    assert await questions_asked(app, handoff_id) == []
