"""The shared rate limiter: global pacing, per-chat spacing, pause; in-process and Redis."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator

import pytest

from bot.clock import FakeClock
from bot.services.ratelimit import LocalRateLimiter, RedisRateLimiter, get_limiter
from tests.support.databases import REDIS_ENV
from tests.support.virtual_clock import InFlight, VirtualClock

KINDS = ["local"] + (["redis"] if os.environ.get(REDIS_ENV) else [])


@pytest.fixture(params=KINDS)
async def make(request: pytest.FixtureRequest) -> AsyncIterator:
    """A factory of limiters of one kind; Redis ones of one test share one key prefix."""
    prefix = f"relais-test-rl-{uuid.uuid4().hex[:8]}"
    clients = []
    in_flight = InFlight()  # Redis calls under way, for a VirtualClock's driver

    def factory(rate: float, per_chat: float, clock=None):  # type: ignore[no-untyped-def]
        if request.param == "local":
            return LocalRateLimiter(rate, per_chat, clock=clock)
        from redis.asyncio import Redis

        client = Redis.from_url(os.environ[REDIS_ENV])
        clients.append(client)
        return in_flight.track_limiter(
            RedisRateLimiter(client, rate, per_chat, prefix=prefix, clock=clock))

    factory.shared = request.param == "redis"  # type: ignore[attr-defined]
    factory.busy = in_flight  # type: ignore[attr-defined]
    yield factory
    for client in clients:
        keys = [key async for key in client.scan_iter(f"{prefix}:*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()


async def test_global_rate_paces_acquires(make):
    clock = FakeClock()
    limiter = make(10, 100, clock)
    start = clock.now()
    for chat in range(21):
        await limiter.acquire(chat)
    elapsed = (clock.now() - start).total_seconds()
    assert 1.99 <= elapsed <= 2.2  # 21 slots 0.1 s apart


async def test_one_chat_waits_for_its_own_rate(make):
    clock = FakeClock()
    limiter = make(1000, 1, clock)
    start = clock.now()
    await limiter.acquire(42)
    await limiter.acquire(7)  # another chat: no wait
    assert (clock.now() - start).total_seconds() < 0.01
    await limiter.acquire(42)
    assert (clock.now() - start).total_seconds() >= 0.999


async def test_pause_holds_every_sender(make):
    clock = FakeClock()
    first = make(1000, 1000, clock)
    # with Redis, another limiter object (as in another process) sees the pause too
    second = make(1000, 1000, clock) if make.shared else first
    await first.acquire(1)
    start = clock.now()
    await first.pause(5)
    await second.acquire(2)
    assert (clock.now() - start).total_seconds() >= 5
    assert first.pauses == [5]


async def test_concurrent_senders_are_paced_at_the_limit(make):
    """250 senders waiting at once get their slots 2 ms apart (500/s), in virtual time: never
    faster than the limit, and no slower either (a limiter that stalls fails). The speed
    reached in real time is benchmarks/broadcast_throughput.py's job."""
    clock = VirtualClock()
    limiter = make(500, 1000, clock)
    granted: list[float] = []

    async def sender(chat: int) -> None:
        await limiter.acquire(chat)
        granted.append(clock.seconds())

    driver = asyncio.create_task(clock.drive(make.busy))
    start = clock.seconds()
    try:
        await asyncio.gather(*(sender(chat) for chat in range(250)))
    finally:
        driver.cancel()
    assert len(granted) == 250
    elapsed = max(granted) - start
    assert 249 / 500 - 1e-4 <= elapsed <= 249 / 500 + 0.02, elapsed
    times = sorted(granted)
    # never more than one slot per 2 ms: any 11 consecutive grants span at least 20 ms
    assert min(b - a for a, b in zip(times, times[10:], strict=False)) >= 10 / 500 - 1e-4


async def test_app_limiter_follows_settings_and_backend(app):
    limiter = get_limiter(app)
    assert limiter is get_limiter(app)
    assert limiter.rate == app.settings.broadcast_rate == 25
    assert limiter.per_chat_rate == 1
    expected = RedisRateLimiter if app.redis is not None else LocalRateLimiter
    assert isinstance(limiter, expected)
