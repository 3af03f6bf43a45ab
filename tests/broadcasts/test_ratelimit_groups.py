"""The Redis limiter serves the senders waiting in a process in groups (one Redis call for up to
``block`` of them): shared budget, per-chat spacing and the shared pause still hold across
processes (here: limiter objects on one Redis, as two processes would have)."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator

import pytest

from bot.services.ratelimit import RedisRateLimiter
from tests.support.databases import REDIS_ENV

pytestmark = pytest.mark.skipif(not os.environ.get(REDIS_ENV), reason="needs Redis")


@pytest.fixture
async def limiters() -> AsyncIterator:
    from redis.asyncio import Redis

    prefix = f"relais-test-rlg-{uuid.uuid4().hex[:8]}"
    clients = []

    def factory(rate: float, per_chat: float) -> RedisRateLimiter:
        client = Redis.from_url(os.environ[REDIS_ENV])
        clients.append(client)
        return RedisRateLimiter(client, rate, per_chat, prefix=prefix)

    yield factory
    for client in clients:
        keys = [key async for key in client.scan_iter(f"{prefix}:*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()


def calls_of(limiter: RedisRateLimiter) -> list[int]:
    """Counts the limiter's Redis reservations."""
    counter = [0]
    reserve = limiter._reserve

    async def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        counter[0] += 1
        return await reserve(*args, **kwargs)

    limiter._reserve = counted  # type: ignore[assignment]
    return counter


async def test_two_processes_share_the_budget_and_chat_spacing(limiters) -> None:  # type: ignore[no-untyped-def]
    first, second = limiters(400, 4), limiters(400, 4)
    calls = calls_of(first), calls_of(second)
    granted: list[tuple[float, int]] = []

    async def sender(limiter: RedisRateLimiter, chat: int) -> None:
        await limiter.acquire(chat)
        granted.append((time.perf_counter(), chat))

    start = time.perf_counter()
    # 160 messages: 150 to distinct chats, 10 to one chat (4/s: 2.25 s for those)
    tasks = [sender((first, second)[i % 2], 10_000 + i) for i in range(150)]
    tasks += [sender((first, second)[i % 2], 7) for i in range(10)]
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    assert len(granted) == 160
    assert elapsed >= 2.2  # the busy chat: 10 messages 0.25 s apart
    times = sorted(t for t, _chat in granted if _chat != 7)
    # the budget is shared: 150 slots at 400/s take at least ~0.37 s whatever the processes
    assert times[-1] - start >= 149 / 400 - 0.02
    chat7 = sorted(t for t, chat in granted if chat == 7)
    gaps = [b - a for a, b in zip(chat7, chat7[1:], strict=False)]
    assert min(gaps) >= 0.25 - 0.02, gaps
    assert sum(c[0] for c in calls) < 160  # served in groups, not one call per message


async def test_pause_from_another_process_holds_these_senders(limiters) -> None:  # type: ignore[no-untyped-def]
    sending, pausing = limiters(500, 1000), limiters(500, 1000)
    granted: list[float] = []
    stop = asyncio.Event()

    async def sender(n: int) -> None:
        while not stop.is_set():
            await sending.acquire(n)
            granted.append(time.perf_counter())
            await asyncio.sleep(0.005)

    tasks = [asyncio.create_task(sender(n)) for n in range(20)]
    await asyncio.sleep(0.2)
    paused_at = time.perf_counter()
    await pausing.pause(0.5)
    await asyncio.sleep(0.8)
    stop.set()
    await asyncio.gather(*tasks)
    # slots handed out before the pause was seen: at most about two blocks' worth of time
    inside = [t for t in granted if paused_at + 0.1 < t < paused_at + 0.5]
    assert inside == []
    assert any(t > paused_at + 0.5 for t in granted)  # sending resumed after the pause


async def test_a_cancelled_sender_does_not_hold_up_the_others(limiters) -> None:  # type: ignore[no-untyped-def]
    limiter = limiters(100, 1)
    await limiter.acquire(1)  # chat 1 is busy for a second now
    blocked = asyncio.create_task(limiter.acquire(1))
    await asyncio.sleep(0.05)
    blocked.cancel()
    with pytest.raises(asyncio.CancelledError):
        await blocked
    await asyncio.wait_for(asyncio.gather(*(limiter.acquire(c) for c in range(2, 30))), 2)
