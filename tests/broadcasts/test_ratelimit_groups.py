"""The Redis limiter serves the senders waiting in a process in groups (one Redis call for up to
``block`` of them): shared budget, per-chat spacing and the shared pause still hold across
processes (here: limiter objects on one Redis, as two processes would have).

Time is virtual (:class:`tests.support.virtual_clock.VirtualClock`): every slot, spacing and pause
window is checked exactly, in virtual seconds, however loaded the machine is; Redis is real.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Awaitable
from typing import TypeVar

import pytest

from bot.services.ratelimit import RedisRateLimiter
from tests.support.databases import REDIS_ENV
from tests.support.virtual_clock import InFlight, VirtualClock

T = TypeVar("T")
pytestmark = pytest.mark.skipif(not os.environ.get(REDIS_ENV), reason="needs Redis")


class Limiters:
    """Limiters on one Redis key prefix and one virtual clock (one per "process")."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.clock = VirtualClock()
        self.in_flight = InFlight()
        self.clients: list = []  # type: ignore[type-arg]

    def __call__(self, rate: float, per_chat: float) -> RedisRateLimiter:
        from redis.asyncio import Redis

        client = Redis.from_url(os.environ[REDIS_ENV])
        self.clients.append(client)
        return self.in_flight.track_limiter(RedisRateLimiter(
            client, rate, per_chat, prefix=self.prefix, clock=self.clock))

    async def run(self, work: Awaitable[T]) -> T:
        """Await ``work`` while virtual time moves forward."""
        driver = asyncio.create_task(self.clock.drive(self.in_flight))
        try:
            return await work
        finally:
            driver.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await driver


@pytest.fixture
async def limiters() -> AsyncIterator[Limiters]:
    made = Limiters(f"relais-test-rlg-{uuid.uuid4().hex[:8]}")
    yield made
    for client in made.clients:
        keys = [key async for key in client.scan_iter(f"{made.prefix}:*")]
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


async def test_two_processes_share_the_budget_and_chat_spacing(limiters: Limiters) -> None:
    first, second = limiters(400, 4), limiters(400, 4)
    clock = limiters.clock
    calls = calls_of(first), calls_of(second)
    granted: list[tuple[float, int]] = []

    async def sender(limiter: RedisRateLimiter, chat: int) -> None:
        await limiter.acquire(chat)
        granted.append((clock.seconds(), chat))

    start = clock.seconds()
    # 160 messages: 150 to distinct chats, 10 to one chat (4/s: 2.25 s for those)
    tasks = [sender((first, second)[i % 2], 10_000 + i) for i in range(150)]
    tasks += [sender((first, second)[i % 2], 7) for i in range(10)]
    await limiters.run(asyncio.gather(*tasks))
    assert len(granted) == 160
    times = sorted(t for t, chat in granted)
    # the budget is shared: never two slots less than 2.5 ms apart, whatever the process
    assert min(b - a for a, b in zip(times, times[1:], strict=False)) >= 1 / 400 - 2e-6
    assert times[-1] - start >= 159 / 400 - 2e-6
    chat7 = sorted(t for t, chat in granted if chat == 7)
    gaps = [b - a for a, b in zip(chat7, chat7[1:], strict=False)]
    assert min(gaps) >= 0.25 - 2e-6, gaps  # the busy chat: 10 messages 0.25 s apart
    assert chat7[-1] - start >= 9 * 0.25 - 2e-6
    assert sum(c[0] for c in calls) < 160  # served in groups, not one call per message


async def test_pause_from_another_process_holds_these_senders(limiters: Limiters) -> None:
    sending, pausing = limiters(500, 1000), limiters(500, 1000)
    clock = limiters.clock
    granted: list[float] = []
    stop = asyncio.Event()
    lead = sending.block / sending.rate  # how far ahead a group's slots are reserved

    async def sender(n: int) -> None:
        while not stop.is_set():
            await sending.acquire(n)
            granted.append(clock.seconds())
            await clock.sleep(0.005)

    async def scenario() -> float:
        tasks = [asyncio.create_task(sender(n)) for n in range(20)]
        await clock.sleep(0.2)
        paused_at = clock.seconds()
        await pausing.pause(0.5)
        await clock.sleep(0.8)
        stop.set()
        await asyncio.gather(*tasks)
        return paused_at

    paused_at = await limiters.run(scenario())
    assert any(t < paused_at for t in granted)
    # slots handed out before the pause was seen: at most about two blocks' worth of time
    inside = [t - paused_at for t in granted if paused_at + 2 * lead < t < paused_at + 0.5]
    assert inside == []
    assert any(t >= paused_at + 0.5 for t in granted)  # sending resumed after the pause


async def test_a_cancelled_sender_does_not_hold_up_the_others(limiters: Limiters) -> None:
    limiter = limiters(100, 1)
    clock = limiters.clock

    async def scenario() -> float:
        await limiter.acquire(1)  # chat 1 is busy for a second now
        blocked = asyncio.create_task(limiter.acquire(1))
        await clock.sleep(0.05)
        blocked.cancel()
        with pytest.raises(asyncio.CancelledError):
            await blocked
        start = clock.seconds()
        await asyncio.gather(*(limiter.acquire(c) for c in range(2, 30)))
        return clock.seconds() - start

    elapsed = await limiters.run(scenario())
    assert elapsed <= 28 / 100 + 0.02, elapsed  # 28 slots at 100/s; nothing waits for chat 1
