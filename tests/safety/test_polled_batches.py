"""Long polling without an inbox transaction for short updates
(:meth:`handlers.intake.Intake.receive_polled`): a batch is handled at once; an update handled
within :data:`~handlers.intake.RECORD_AFTER` leaves nothing in the inbox, a slower one is
recorded (claimed by this process) before the offset may move, and a batch sent again after a
crash is not answered twice."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import pytest
from aiogram.client.telegram import TelegramAPIServer
from aiogram.methods import GetUpdates
from aiogram.types import Update
from sqlalchemy import select

from bot.db.engine import AppSession
from bot.models.core import ProcessedUpdate
from bot.models.inbox import InboxUpdate
from handlers.dispatcher import build_dispatcher
from handlers.intake import RECORD_AFTER, Intake
from handlers.json_session import JsonSession
from handlers.runtime import build_bot
from tests.standin.server import StandIn
from tests.support.registered import prepare_relais_database
from tests.support.statements import statements

TOKEN = "5151:polled-batches"
USERS = (8_200_000_001, 8_200_000_002)
QUICK = "/help"  # answered alongside its commit: settled however slow Telegram is
SLOW = "/start"  # answered in its handler, before the commit: a slow Telegram keeps it unsettled


@pytest.fixture
async def polled(app, db_url):  # type: ignore[no-untyped-def]
    """A stand-in with two registered users, and an intake polling it."""
    standin = StandIn(TOKEN)
    await standin.start()
    await prepare_relais_database(db_url, USERS)
    for number, user in enumerate(USERS):
        standin.telegram.add_user(user, f"Poll{number}", "fr")
    session = JsonSession(api=TelegramAPIServer.from_base(standin.base_url))
    bot = build_bot(app, session=session, token=TOKEN)
    intake = Intake(app, build_dispatcher(app), bot)
    yield standin, intake
    await intake.drain(grace=5)
    await bot.session.close()
    await standin.stop()


async def poll_once(intake: Intake, offset: int | None = None) -> list[Update]:
    updates = await intake.bot(GetUpdates(offset=offset, timeout=0))
    await intake.receive_polled(updates)
    return updates


async def rows(app, model) -> list:  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        return list((await session.scalars(select(model))).all())


def help_replies(standin: StandIn) -> int:
    return sum(1 for e in standin.telegram.events if e.kind == "send" and "/find" in e.text)


async def finished(*intakes: Intake) -> None:
    """Wait for the updates in hand to end (replies sent after their commit included)."""
    await asyncio.gather(*(task for intake in intakes for task in intake.in_hand.values()))


@pytest.fixture
def patient(monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch waits long enough for its updates to settle, however loaded the machine: the
    tests that expect no inbox copy do not depend on a /help taking under 0.25 s."""
    monkeypatch.setattr("handlers.intake.RECORD_AFTER", 30.0)


async def test_a_short_batch_is_handled_without_the_inbox(app, polled, patient):
    standin, intake = polled
    for user in USERS:
        standin.telegram.user_sends(user, QUICK)
    batch = await poll_once(intake)
    assert len(batch) == 2
    assert {row.update_id for row in await rows(app, ProcessedUpdate)} == {
        u.update_id for u in batch}, "both handled before the offset may move"
    assert await rows(app, InboxUpdate) == []
    await finished(intake)
    assert help_replies(standin) == 2


async def test_a_slow_update_is_recorded_before_the_offset_moves(app, polled):
    standin, intake = polled
    standin.send_delay = RECORD_AFTER * 3  # Telegram slow to take the reply
    standin.telegram.user_sends(USERS[0], SLOW)
    batch = await poll_once(intake)
    recorded = await rows(app, InboxUpdate)
    assert [(r.update_id, r.claimed_by) for r in recorded] == [
        (batch[0].update_id, intake.inbox.owner)]
    assert help_replies(standin) == 0
    await asyncio.gather(*intake.in_hand.values())
    assert help_replies(standin) == 1
    assert await rows(app, InboxUpdate) == [], "handled: its inbox copy went with the commit"


async def test_replies_sent_after_the_commit_do_not_hold_the_batch(app, polled, patient):
    standin, intake = polled
    standin.send_delay = 1.0  # Telegram slow to take the reply
    standin.telegram.user_sends(USERS[0], QUICK)
    started = asyncio.get_running_loop().time()
    batch = await poll_once(intake)
    assert asyncio.get_running_loop().time() - started < standin.send_delay
    assert [row.update_id for row in await rows(app, ProcessedUpdate)] == [batch[0].update_id]
    assert help_replies(standin) == 0, "the reply still travels while the next poll may go"
    await finished(intake)
    assert help_replies(standin) == 1


@asynccontextmanager
async def writes_held(db_url: str) -> AsyncIterator[None]:
    """Another connection holds the handled marks' table for writing until the block ends."""
    if db_url.startswith("sqlite"):
        other = sqlite3.connect(db_url.split("///", 1)[1], isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
        return
    connection = await asyncpg.connect(db_url.replace("+asyncpg", ""))
    transaction = connection.transaction()
    await transaction.start()
    await connection.execute("LOCK TABLE processed_updates IN EXCLUSIVE MODE")
    try:
        yield
    finally:
        await transaction.rollback()
        await connection.close()


async def test_help_travels_while_its_update_commits(app, polled, patient, db_url):
    """/help says nothing the update stores: it reaches the worker while the handled mark is
    still waiting for the database, and the batch still waits for that mark."""
    standin, intake = polled
    standin.telegram.user_sends(USERS[0], QUICK)
    async with writes_held(db_url):
        polling = asyncio.create_task(poll_once(intake))
        for _ in range(500):
            if help_replies(standin):
                break
            await asyncio.sleep(0.01)
        assert help_replies(standin) == 1, "the help text did not wait for the commit"
        assert not polling.done(), "the batch waits for the update's handled mark"
        assert await rows(app, ProcessedUpdate) == []
    batch = await asyncio.wait_for(polling, 30)
    assert [row.update_id for row in await rows(app, ProcessedUpdate)] == [batch[0].update_id]
    await finished(intake)
    assert help_replies(standin) == 1


async def test_a_mark_stored_as_it_ran_lets_the_batch_go_before_the_commit(
        app, polled, patient, backend, monkeypatch):
    """On PostgreSQL a mark that ran alone is stored when it returns: the offset may move while
    the session's commit (with nothing left to store) is still on its way."""
    standin, intake = polled
    standin.telegram.user_sends(USERS[0], QUICK)  # the first stores the worker's language
    first = await poll_once(intake)
    await finished(intake)
    committing = AppSession.commit

    async def slow_commit(self):  # type: ignore[no-untyped-def]
        await asyncio.sleep(1.0)
        await committing(self)

    monkeypatch.setattr(AppSession, "commit", slow_commit)
    standin.telegram.user_sends(USERS[0], QUICK)  # stores nothing but its mark
    started = asyncio.get_running_loop().time()
    batch = await poll_once(intake, first[-1].update_id + 1)
    took = asyncio.get_running_loop().time() - started
    assert [row.update_id for row in await rows(app, ProcessedUpdate)] == [
        first[0].update_id, batch[0].update_id]
    if backend == "postgresql":
        assert took < 1.0, "stored as it ran: the batch did not wait for the commit"
    else:
        assert took >= 1.0, "SQLite's mark commits with the session's commit"
    await finished(intake)
    assert help_replies(standin) == 2


async def test_a_batch_sent_again_is_not_answered_twice(app, polled):
    standin, intake = polled
    standin.telegram.user_sends(USERS[0], QUICK)
    updates = await intake.bot(GetUpdates(timeout=0))
    await intake.receive_polled(updates)
    await intake.receive_polled(updates)  # after a crash
    await finished(intake)
    assert help_replies(standin) == 1
    assert await rows(app, InboxUpdate) == []


async def test_a_new_poller_looks_up_its_first_batch_only(app, polled, patient):
    standin, intake = polled
    standin.telegram.user_sends(USERS[0], QUICK)
    first = await intake.bot(GetUpdates(timeout=0))
    await intake.receive_polled(first)
    # the process dies before its next getUpdates: Telegram sends the batch to the next poller
    successor = Intake(app, build_dispatcher(app), intake.bot)
    with statements(app) as again:
        await successor.receive_polled(first)
        await finished(intake, successor)
    assert help_replies(standin) == 1, "the batch sent again is not answered twice"
    assert any("FROM processed_updates" in sql for sql in again)

    standin.telegram.user_sends(USERS[1], QUICK)
    later = await intake.bot(GetUpdates(offset=first[-1].update_id + 1, timeout=0))
    with statements(app) as sent:
        await successor.receive_polled(later)
        await finished(successor)
    assert help_replies(standin) == 2
    handled = {row.update_id for row in await rows(app, ProcessedUpdate)}
    assert handled == {first[0].update_id, later[0].update_id}
    # delivered for the first time: no look-up of the handled marks, no inbox copy to delete
    assert not [sql for sql in sent if "FROM processed_updates" in sql
                or sql.startswith("DELETE FROM inbox_updates")], sent
    assert [sql for sql in sent if sql.startswith("INSERT INTO processed_updates")]
    await successor.drain(grace=5)


async def test_a_slow_unseen_update_leaves_no_inbox_copy(app, polled):
    standin, intake = polled
    standin.telegram.user_sends(USERS[0], QUICK)
    first = await poll_once(intake)
    standin.send_delay = RECORD_AFTER * 3
    standin.telegram.user_sends(USERS[1], SLOW)
    batch = await poll_once(intake, offset=first[-1].update_id + 1)
    assert [u.update_id for u in batch] == [first[-1].update_id + 1]
    assert [r.update_id for r in await rows(app, InboxUpdate)] == [batch[0].update_id]
    await asyncio.gather(*intake.in_hand.values())
    assert help_replies(standin) == 2
    assert await rows(app, InboxUpdate) == [], "recorded while handled: its copy went too"
