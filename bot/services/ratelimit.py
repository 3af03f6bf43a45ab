"""One rate limit for everything the bot sends in bulk, shared by every process.

Telegram allows about 30 messages/s across chats and about 1 message/s per chat, and answers 429
with ``retry_after`` when a bot goes faster: then *everything* must wait. Broadcasts (and any other
sender, e.g. the reminders dispatcher) go through one :class:`RateLimiter`::

    limiter = get_limiter(app)            # built once per app, kept in ``app.services``
    await limiter.acquire(chat_id)        # waits for a global slot and for this chat's slot
    try:
        await app.messenger.send(...)
    except RetryAfter as exc:
        await limiter.pause(exc.seconds)  # every sender, in every process, waits

Slots are handed out by GCRA (a virtual schedule: each ``acquire`` takes the next free instant
``1/rate`` after the previous one, then sleeps until it), so a burst of waiters is paced evenly at
the configured rate instead of racing for tokens.

- :class:`LocalRateLimiter`: in-process, for one process (SQLite, the console, tests).
- :class:`RedisRateLimiter`: the schedule lives in Redis (keys under ``<prefix>:ratelimit:``),
  updated atomically by a Lua script, so several processes share one budget and one pause. The
  instant used is the caller's clock (processes are assumed NTP-synchronised), which keeps the
  limiter testable with a :class:`bot.clock.FakeClock`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from bot.app import App
    from bot.clock import Clock

SERVICE_KEY = "ratelimit"
# a chat's schedule is forgotten after this long without a send (seconds)
CHAT_MEMORY = 120.0
# waits shorter than this count as done (clocks with microsecond steps cannot wait less)
EPSILON = 2e-6


class RateLimiter(Protocol):
    """What senders need: wait for a slot (optionally for one chat), pause everyone."""

    rate: float
    per_chat_rate: float

    async def acquire(self, chat_id: int | None = None) -> None: ...

    async def pause(self, seconds: float) -> None: ...

    async def paused_for(self) -> float: ...


def _clock_functions(
    clock: Clock | None,
) -> tuple[Callable[[], float], Callable[[float], Awaitable[None]]]:
    """Seconds since the epoch (comparable across processes) and a way to wait."""
    if clock is None:

        async def sleep(seconds: float) -> None:
            await asyncio.sleep(max(0.0, seconds))

        return time.time, sleep
    return (lambda: clock.now().timestamp()), clock.sleep


class LocalRateLimiter:
    """GCRA pacing in one process: ``rate`` messages/s overall, ``per_chat_rate`` per chat."""

    def __init__(
        self, rate: float, per_chat_rate: float = 1.0, *, clock: Clock | None = None
    ) -> None:
        if rate <= 0 or per_chat_rate <= 0:
            raise ValueError("rates must be positive")
        self.rate = rate
        self.per_chat_rate = per_chat_rate
        self._now, self._sleep = _clock_functions(clock)
        self._next_free = 0.0
        self._chat_next: dict[int, float] = {}
        self._paused_until = 0.0
        self.pauses: list[float] = []  # every pause asked for, in seconds (for reports and tests)

    async def acquire(self, chat_id: int | None = None) -> None:
        while True:
            now = self._now()
            if self._paused_until - now > EPSILON:
                await self._sleep(self._paused_until - now)
                continue
            if chat_id is not None:
                chat_next = self._chat_next.get(chat_id, 0.0)
                if chat_next - now > EPSILON:
                    await self._sleep(chat_next - now)
                    continue
            slot = max(now, self._next_free)
            self._next_free = slot + 1.0 / self.rate
            if chat_id is not None:
                self._chat_next[chat_id] = slot + 1.0 / self.per_chat_rate
                if len(self._chat_next) > 10_000:
                    self._forget(now)
            if slot - now > EPSILON:
                await self._sleep(slot - now)
                if self._paused_until - self._now() > EPSILON:
                    continue  # a pause arrived while waiting for the slot: wait for it too
            return

    def _forget(self, now: float) -> None:
        self._chat_next = {c: t for c, t in self._chat_next.items() if t > now}

    async def pause(self, seconds: float) -> None:
        seconds = max(0.0, float(seconds))
        self.pauses.append(seconds)
        until = self._now() + seconds
        self._paused_until = max(self._paused_until, until)
        self._next_free = max(self._next_free, self._paused_until)

    async def paused_for(self) -> float:
        return max(0.0, self._paused_until - self._now())


# Global slots are reserved in small blocks (a few milliseconds' worth) to keep Redis traffic
# low at high rates; the reply also carries the shared pause.
# KEYS: global schedule, pause. ARGV: now (µs), interval (µs), count, ttl (ms)
# returns {first slot (µs) or 0 when paused, paused until (µs)}
_RESERVE = """
local now = tonumber(ARGV[1])
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
if paused > now then return {0, string.format('%.0f', paused)} end
local slot = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
local after = slot + tonumber(ARGV[2]) * tonumber(ARGV[3])
redis.call('SET', KEYS[1], string.format('%.0f', after), 'PX', ARGV[4])
return {string.format('%.0f', slot), string.format('%.0f', paused)}
"""

# Right before sending: is everything paused, and is this chat free?
# KEYS: chat schedule, pause. ARGV: now (µs), chat interval (µs), ttl (ms)
# returns {paused until (µs), wait for the chat (µs), 0 = not reserved / 1 = reserved}
_CHAT = """
local now = tonumber(ARGV[1])
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
if paused > now then return {string.format('%.0f', paused), 0, 0} end
local chat_next = tonumber(redis.call('GET', KEYS[1]) or '0')
if chat_next > now then return {0, string.format('%.0f', chat_next - now), 0} end
redis.call('SET', KEYS[1], string.format('%.0f', now + tonumber(ARGV[2])), 'PX', ARGV[3])
return {0, 0, 1}
"""

# KEYS: global schedule, pause; ARGV: until (µs), ttl (ms)
_PAUSE = """
local until_ = tonumber(ARGV[1])
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
if until_ > paused then
  redis.call('SET', KEYS[2], string.format('%.0f', until_), 'PX', ARGV[2])
end
local next_free = tonumber(redis.call('GET', KEYS[1]) or '0')
if until_ > next_free then
  redis.call('SET', KEYS[1], string.format('%.0f', until_), 'PX', ARGV[2])
end
return 1
"""

MICRO = 1_000_000


class RedisRateLimiter:
    """The same GCRA schedule kept in Redis, so every process shares one budget and one pause.

    Per message there is one Redis round trip (the chat's slot, which also reads the shared
    pause just before sending); global slots come in blocks of about 10 ms' worth. A slot not
    used within one block's time is dropped rather than sent late, so a slow process cannot
    burst with old budget.
    """

    def __init__(
        self,
        redis: Redis,
        rate: float,
        per_chat_rate: float = 1.0,
        *,
        prefix: str = "relais",
        clock: Clock | None = None,
        name: str = "telegram",
        block: int | None = None,
    ) -> None:
        if rate <= 0 or per_chat_rate <= 0:
            raise ValueError("rates must be positive")
        self.redis = redis
        self.rate = rate
        self.per_chat_rate = per_chat_rate
        self._now, self._sleep = _clock_functions(clock)
        base = f"{prefix}:ratelimit:{name}"
        self.global_key = f"{base}:global"
        self.pause_key = f"{base}:pause"
        self.chat_prefix = f"{base}:chat:"
        self._reserve = redis.register_script(_RESERVE)
        self._chat = redis.register_script(_CHAT)
        self._pause = redis.register_script(_PAUSE)
        self.block = block or max(1, min(32, int(rate / 100)))
        self._interval = 1.0 / rate
        self._slots: list[float] = []  # reserved global slots (seconds), earliest last
        self._reserving: asyncio.Lock | None = None
        self._local_paused_until = 0.0  # a local mirror of the shared pause
        self.pauses: list[float] = []

    @staticmethod
    def _us(seconds: float) -> int:
        return int(seconds * MICRO)

    async def _global_slot(self) -> float:
        """The next reserved global slot (seconds); reserves a block when none is left."""
        if self._reserving is None:
            self._reserving = asyncio.Lock()
        while True:
            now = self._now()
            while self._slots and self._slots[-1] < now - self._interval * self.block:
                self._slots.pop()  # too old: dropped, never sent late
            if self._slots:
                return self._slots.pop()
            async with self._reserving:
                if self._slots:
                    continue
                now = self._now()
                first_us, paused_us = await self._reserve(
                    keys=[self.global_key, self.pause_key],
                    args=[self._us(now), self._us(self._interval), self.block,
                          int(max(CHAT_MEMORY, 10 * self.block * self._interval) * 1000)],
                )
                paused = int(paused_us) / MICRO
                self._local_paused_until = max(self._local_paused_until, paused)
                if int(first_us) == 0:
                    await self._sleep(max(paused - now, EPSILON))
                    continue
                first = int(first_us) / MICRO
                self._slots = [first + i * self._interval for i in range(self.block)][::-1]

    async def acquire(self, chat_id: int | None = None) -> None:
        chat_interval = self._us(1.0 / self.per_chat_rate)
        ttl_ms = int(max(CHAT_MEMORY, 2.0 / self.per_chat_rate) * 1000)
        while True:
            now = self._now()
            if self._local_paused_until - now > EPSILON:
                await self._sleep(self._local_paused_until - now)
                continue
            slot = await self._global_slot()
            now = self._now()
            if slot - now > EPSILON:
                await self._sleep(slot - now)
            if chat_id is None:
                if self._local_paused_until - self._now() > EPSILON:
                    continue
                return
            paused_us, wait_us, reserved = await self._chat(
                keys=[f"{self.chat_prefix}{chat_id}", self.pause_key],
                args=[self._us(self._now()), chat_interval, ttl_ms],
            )
            if int(reserved):
                return
            paused = int(paused_us) / MICRO
            if paused:
                self._local_paused_until = max(self._local_paused_until, paused)
                self._slots.clear()  # slots reserved before the pause are void
                continue
            await self._sleep(max(int(wait_us) / MICRO, EPSILON))

    async def pause(self, seconds: float) -> None:
        seconds = max(0.0, float(seconds))
        self.pauses.append(seconds)
        until = self._now() + seconds
        self._local_paused_until = max(self._local_paused_until, until)
        self._slots.clear()
        await self._pause(
            keys=[self.global_key, self.pause_key],
            args=[self._us(until), int(max(seconds, 1.0) * 1000) + 1000],
        )

    async def paused_for(self) -> float:
        raw = await self.redis.get(self.pause_key)
        until = int(raw) / MICRO if raw else 0.0
        self._local_paused_until = max(self._local_paused_until, until)
        return max(0.0, until - self._now())


def build_limiter(
    app: App, *, rate: float | None = None, per_chat_rate: float | None = None,
    name: str = "telegram",
) -> RateLimiter:
    """A limiter from the app's settings: Redis-backed when Redis is configured."""
    rate = rate or app.settings.broadcast_rate
    per_chat_rate = per_chat_rate or app.settings.broadcast_per_chat_rate
    if app.redis is not None:
        return RedisRateLimiter(
            app.redis, rate, per_chat_rate, prefix=app.redis_prefix, clock=app.clock, name=name
        )
    return LocalRateLimiter(rate, per_chat_rate, clock=app.clock)


def get_limiter(app: App) -> RateLimiter:
    """The app's shared limiter (one per process; shared across processes through Redis)."""
    limiter = app.services.get(SERVICE_KEY)
    if limiter is None:
        limiter = app.services[SERVICE_KEY] = build_limiter(app)
    return limiter
