"""Whether a case thread is open with a worker, read with the worker for a typed text
(``workers.with_open_thread``), says what ``open_threads`` would find: a message since they took
part, the 30-minute window, a closed case. A typed text with no thread open asks the database
once."""

from __future__ import annotations

from datetime import timedelta

from bot.app import App
from bot.models.cases import Case, CaseMessage, CaseParticipant
from bot.models.core import Worker
from bot.services import open_threads, workers
from tests.handoffs.conftest import add_case
from tests.support.chat import Chat
from tests.support.statements import statements


async def seen(app: App, worker: Worker) -> tuple[bool, list[str]]:
    """The flag read with the worker, and the codes of the threads open with them."""
    async with app.sessionmaker() as session:
        loaded, flag = await workers.with_open_thread(session, worker.telegram_id,
                                                      now=app.clock.now())
        assert loaded is not None and loaded.id == worker.id
        found = await open_threads.open_threads(session, worker, now=app.clock.now())
    return flag, [case.code for case in found]


async def write(app: App, case: Case, sender: Worker) -> None:
    async with app.sessionmaker() as session:
        session.add(CaseMessage(case_id=case.id, sender_id=sender.id, kind="message",
                                body_encrypted="(chiffré)", created_at=app.clock.now()))
        await session.commit()


async def test_the_flag_says_what_open_threads_finds(app: App, chat: Chat) -> None:
    alice = await chat.register("alice", org="Organisme A (fictif)")
    bob = await chat.register("bob", org="Maison B (fictive)")
    case = await add_case(app, alice)
    assert await seen(app, alice) == (False, [])  # a new case: nothing said in it yet
    await write(app, case, alice)
    assert await seen(app, alice) == (True, [case.code])
    async with app.sessionmaker() as session:  # bob joins after that message
        session.add(CaseParticipant(case_id=case.id, worker_id=bob.id, role="worker",
                                    added_at=app.clock.now() + timedelta(seconds=1)))
        await session.commit()
    assert await seen(app, bob) == (False, [])
    app.clock.advance(timedelta(seconds=2))
    await write(app, case, alice)
    assert await seen(app, bob) == (True, [case.code])
    app.clock.advance(open_threads.THREAD_WINDOW + timedelta(minutes=1))
    assert await seen(app, alice) == (False, [])  # the thread went quiet
    await write(app, case, bob)
    assert await seen(app, alice) == (True, [case.code])
    async with app.sessionmaker() as session:
        closed = await session.get(Case, case.id)
        closed.closed_at = app.clock.now()
        await session.commit()
    assert await seen(app, alice) == (False, [])
    assert await seen(app, bob) == (False, [])


async def test_a_typed_search_with_no_thread_open_asks_the_database_once(app: App,
                                                                          chat: Chat) -> None:
    await chat.register("alice", regions=("06",))
    await chat.say("alice", "bonjour")
    with statements(app) as sent:
        await chat.say("alice", "hébergement jeune 15 ans montréal")
    threads = [s for s in sent if "case_messages" in s]
    assert len(threads) == 1 and "FROM workers" in threads[0]  # asked with the worker, once
    assert len([s for s in sent if "FROM workers" in s]) == 1
