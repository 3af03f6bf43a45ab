"""No lost message: a message about a stored fact is in the outbox from the commit that stores
the fact until it is sent; a process dying in between leaves it for a live process to send."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.db.effects import commit
from bot.models.cases import Case
from bot.models.core import Worker
from bot.models.handoffs import HandoffRecipient
from bot.models.inbox import OutboxMessage
from bot.services import outgoing
from bot.services.handoffs import service
from tests.handoffs.test_service import setup


async def outbox_rows(app) -> int:  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(OutboxMessage)))


async def requests_sent(chat) -> list[int]:  # type: ignore[no-untyped-def]
    return [e.chat_id for e in chat.telegram.events
            if e.kind == "send" and ("Handoff request" in e.text or "Demande de prise" in e.text)]


async def request(app, alice, case, svc, *, finish):  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        requester = await session.get(Worker, alice.id)
        the_case = await session.get(Case, case.id)
        await service.create(app, session, requester=requester, case=the_case,
                             service_id=svc.id, note="arrive en autobus")
        await finish(session)


async def test_sent_after_commit_and_gone_from_the_outbox(app, chat):
    alice, bob, carol, svc, case = await setup(app, chat)
    await request(app, alice, case, svc, finish=lambda s: commit(s, app.sessionmaker))
    assert sorted(await requests_sent(chat)) == sorted([bob.telegram_id, carol.telegram_id])
    assert await outbox_rows(app) == 0
    async with app.sessionmaker() as session:
        rows = (await session.scalars(select(HandoffRecipient))).all()
        assert all(r.message_id for r in rows)


async def test_a_death_between_commit_and_send_loses_nothing(app, chat, clock):
    alice, bob, carol, svc, case = await setup(app, chat)
    # the process commits, then dies before its effects run
    await request(app, alice, case, svc, finish=lambda s: s.commit())
    assert await requests_sent(chat) == []
    assert await outbox_rows(app) == 2
    async with app.sessionmaker() as session:
        body = (await session.scalars(select(OutboxMessage.body_enc))).first()
        assert "autobus" not in body, "the outbox keeps its text encrypted"

    assert await outgoing.send_left_over(app) == 0, "a live claim is left alone"
    clock.advance(outgoing.CLAIM + timedelta(seconds=1))
    assert await outgoing.send_left_over(app) == 2
    assert sorted(await requests_sent(chat)) == sorted([bob.telegram_id, carol.telegram_id])
    assert await outbox_rows(app) == 0
    async with app.sessionmaker() as session:
        rows = (await session.scalars(select(HandoffRecipient))).all()
        assert all(r.message_id for r in rows), "message ids kept for later edits"
    clock.advance(outgoing.CLAIM + timedelta(seconds=1))
    assert await outgoing.send_left_over(app) == 0
    assert len(await requests_sent(chat)) == 2, "sent once"


async def test_a_rollback_leaves_nothing_to_send(app, chat, clock):
    alice, _bob, _carol, svc, case = await setup(app, chat)
    await request(app, alice, case, svc, finish=lambda s: s.rollback())
    clock.advance(outgoing.CLAIM + timedelta(seconds=1))
    assert await outgoing.send_left_over(app) == 0
    assert await requests_sent(chat) == []
    assert await outbox_rows(app) == 0
