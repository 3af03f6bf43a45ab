"""Virtual time for tests where several tasks wait at once (rate limiters, pauses).

:class:`bot.clock.FakeClock` moves time forward by each ``sleep``, which is right for one task
at a time; with concurrent sleepers it would add their waits up. :class:`VirtualClock` keeps a
queue of sleepers instead, and :meth:`VirtualClock.drive` (a background task) moves time to the
earliest deadline whenever nothing else can run: every task is asleep on the clock or waiting
for one that is, and no real I/O (a Redis call) is in flight. Rates and pauses are then checked
exactly, in virtual seconds, whatever the machine's load.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any


class VirtualClock:
    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 15, 15, 0, tzinfo=UTC)
        self._sleepers: list[tuple[datetime, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def now(self) -> datetime:
        return self._now

    def seconds(self) -> float:
        """The current instant as seconds since the epoch (what limiters compute with)."""
        return self._now.timestamp()

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        # whole microseconds, rounded up: a positive wait always moves time forward
        deadline = self._now + timedelta(microseconds=math.ceil(seconds * 1_000_000))
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (deadline, next(self._order), future))
        await future

    def wake_next(self) -> bool:
        """Move time to the earliest deadline and wake everyone due then; False if none."""
        while self._sleepers and self._sleepers[0][2].done():  # cancelled sleepers
            heapq.heappop(self._sleepers)
        if not self._sleepers:
            return False
        self._now = max(self._now, self._sleepers[0][0])
        while self._sleepers and self._sleepers[0][0] <= self._now:
            _deadline, _order, future = heapq.heappop(self._sleepers)
            if not future.done():
                future.set_result(None)
        return True

    async def drive(self, busy: Callable[[], bool] = lambda: False, settle: int = 30) -> None:
        """Until cancelled: let every ready task run (``settle`` quiet loop turns, real I/O
        reported by ``busy`` finished), then move time to the next deadline."""
        while True:
            quiet = 0
            while quiet < settle:
                if busy():
                    quiet = 0
                    await asyncio.sleep(0.0005)  # a real round trip is under way
                    continue
                await asyncio.sleep(0)
                quiet += 1
            if not self.wake_next():
                await asyncio.sleep(0.001)


class InFlight:
    """Counts the calls under way of wrapped coroutine functions (``busy`` for ``drive``)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> bool:
        return self.count > 0

    def wrap(self, function: Callable[..., Any]) -> Callable[..., Any]:
        async def counted(*args: Any, **kwargs: Any) -> Any:
            self.count += 1
            try:
                return await function(*args, **kwargs)
            finally:
                self.count -= 1

        return counted

    def track_limiter(self, limiter: Any) -> Any:
        """Count a :class:`bot.services.ratelimit.RedisRateLimiter`'s Redis calls."""
        limiter._reserve = self.wrap(limiter._reserve)
        limiter._pause = self.wrap(limiter._pause)
        limiter.redis.get = self.wrap(limiter.redis.get)
        return limiter
