"""The worker is read while the chat's turn is on its way (``handlers.middlewares.chat_turn``):
once per update when this process had the chat last, again when another process may have
changed it meanwhile, and within the turn where processes share the chat."""

from __future__ import annotations

import asyncio

import pytest
from aiogram.fsm.storage.base import StorageKey
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy import select, update

from bot.models.core import ProcessedUpdate, Worker
from handlers.isolation import StateReadingIsolation, StateReadingStorage
from handlers.turn import TurnNotTaken
from tests.support.statements import statements


async def say_new(chat, name: str, text: str) -> list:  # type: ignore[no-untyped-def]
    """NAME's text, delivered as a poll after the first delivers it: surely new, so the update
    does not look up its handled mark (which waits for the turn) before it reads the worker."""
    chat.as_user(name)
    update = chat.telegram.user_sends(chat.user_id(name), text)
    start = len(chat.telegram.events)
    await chat.console.dispatcher.feed_raw_update(chat.console.bot, update, inbox_unseen=True)
    return chat.telegram.events[start:]


def worker_reads(sent: list[str]) -> int:
    return sum(1 for sql in sent if sql.startswith("SELECT") and "FROM workers" in sql)


async def test_an_update_reads_its_worker_once(chat, app):
    await chat.register("ana", lang="en")
    for _ in range(3):  # the first, within the turn; then read ahead (with Redis)
        with statements(app) as sent:
            events = await say_new(chat, "ana", "/help")
        assert "Commands" in chat.texts("ana", events)
        assert worker_reads(sent) == 1, sent


async def test_a_worker_changed_while_another_process_had_the_chat_is_read_again(chat, app):
    if app.redis is None:
        pytest.skip("one process per chat without Redis: nothing to read again")
    ana = await chat.register("ana", lang="fr")
    for _ in range(2):  # the chat is this process's: its worker is read ahead of the turn
        await say_new(chat, "ana", "/help")
    ours = chat.console.dispatcher.fsm.storage
    other_process = StateReadingIsolation(
        StateReadingStorage(app.redis, key_builder=ours.key_builder), {"timeout": 30})
    key = StorageKey(bot_id=chat.console.bot.id, chat_id=ana.telegram_id,
                     user_id=ana.telegram_id)
    with statements(app) as sent:
        async with other_process.lock(key):
            saying = asyncio.create_task(say_new(chat, "ana", "/help"))
            await asyncio.sleep(0.3)  # ana's row is read meanwhile, in French; the chat waits
            assert not saying.done()
            async with app.sessionmaker() as session:  # the other process's update commits
                await session.execute(update(Worker).where(Worker.id == ana.id)
                                      .values(language="en"))
                await session.commit()
        events = await asyncio.wait_for(saying, 10)
    assert "Commands" in chat.texts("ana", events), "answered from the row read before the turn"
    assert worker_reads(sent) == 2

    async with other_process.lock(key):  # the chat is shared now: read within the turn
        pass
    with statements(app) as sent:
        events = await say_new(chat, "ana", "/help")
    assert "Commands" in chat.texts("ana", events)
    assert worker_reads(sent) == 1


async def test_an_update_whose_turn_redis_cannot_give_comes_again_unharmed(chat, app,
                                                                        monkeypatch):
    if app.redis is None:
        pytest.skip("Redis only: without it the turn is an in-memory lock")
    await chat.register("ana", lang="en")
    line = chat.console.dispatcher.fsm.events_isolation.shared.line

    def redis_away(*_args):  # type: ignore[no-untyped-def]
        away = asyncio.get_running_loop().create_future()
        away.set_exception(RedisConnectionError("Redis away"))
        return away

    monkeypatch.setattr(line, "call", redis_away)
    update = chat.telegram.user_sends(chat.user_id("ana"), "/help")
    start = len(chat.telegram.events)
    with pytest.raises(TurnNotTaken):
        await chat.console.dispatcher.feed_raw_update(chat.console.bot, update,
                                                      inbox_unseen=True)
    assert chat.telegram.events[start:] == []
    async with app.sessionmaker() as session:
        marks = await session.scalars(select(ProcessedUpdate.update_id))
        assert update["update_id"] not in marks.all(), "not marked handled: it comes again"
    monkeypatch.undo()
    await chat.console.dispatcher.feed_raw_update(chat.console.bot, update)
    assert "Commands" in chat.texts("ana", chat.telegram.events[start:])
