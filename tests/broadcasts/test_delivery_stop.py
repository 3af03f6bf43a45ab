"""Stopping the broadcast loop never cuts a database call in the middle.

A query cancelled midway makes SQLAlchemy invalidate its connection; cancelled again while it
closed (a stop cancels the loop's tasks more than once), the close was left waiting for an
aiosqlite thread that had already stopped, and the event loop could never close: the suite hung
at the teardown of chat tests (``tests/directory/test_chat.py``) until pytest-timeout fired."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from bot.services.broadcasts.delivery import BroadcastDispatcher
from bot.services.ratelimit import LocalRateLimiter


async def test_a_stop_lets_the_claim_under_way_finish(app) -> None:  # type: ignore[no-untyped-def]
    dispatcher = BroadcastDispatcher(app, limiter=LocalRateLimiter(1000, 1000), idle_seconds=0.05)
    in_query, go_on = asyncio.Event(), asyncio.Event()
    finished: list[bool] = []

    async def slow_claim(limit: int) -> list:  # type: ignore[type-arg]
        async with app.sessionmaker() as session:
            await session.execute(text("SELECT 1"))
            in_query.set()
            await go_on.wait()  # stands for a database call that takes a while
            await session.execute(text("SELECT 1"))
        finished.append(True)
        return []

    dispatcher._claim = slow_claim  # type: ignore[method-assign]
    loop_task = asyncio.create_task(dispatcher.run())
    await in_query.wait()
    for _ in range(3):  # the job's task, then the dispatcher's own stop, cancel again
        loop_task.cancel()
        await asyncio.sleep(0)
    go_on.set()
    with pytest.raises(asyncio.CancelledError):
        await loop_task
    assert finished == [True]
    others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()]
    assert others == []
