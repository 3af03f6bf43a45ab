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
import contextlib
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


# Slots are handed out to the senders waiting in this process, a few at a time (about 10 ms'
# worth at high rates), in one call per group: the global slot and, for each sender, its chat's
# slot at that instant. The reply also carries the shared pause.
# KEYS: global schedule, pause, then the chat schedule of each sender that named a chat.
# ARGV: now (µs), interval (µs), chat interval (µs), global ttl (ms), chat ttl (ms), then one flag
#       per sender: '1' with a chat (its key is the next of KEYS), '0' without.
# returns {paused until (µs) or 0, then per sender: its slot (µs, > 0) or, when its chat is busy
#          at that slot, minus the wait (µs) before asking again (no global slot is used)}
_RESERVE = """
local now = tonumber(ARGV[1])
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
if paused > now then return {string.format('%.0f', paused)} end
local interval = tonumber(ARGV[2])
local chat_interval = tonumber(ARGV[3])
local slot = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
local out = {'0'}
local key = 3
for i = 6, #ARGV do
  local free = true
  if ARGV[i] == '1' then
    local chat_next = tonumber(redis.call('GET', KEYS[key]) or '0')
    if chat_next > slot then
      free = false
      out[#out + 1] = string.format('%.0f', now - chat_next)
    else
      redis.call('SET', KEYS[key], string.format('%.0f', slot + chat_interval), 'PX', ARGV[5])
    end
    key = key + 1
  end
  if free then
    out[#out + 1] = string.format('%.0f', slot)
    slot = slot + interval
  end
end
redis.call('SET', KEYS[1], string.format('%.0f', slot), 'PX', ARGV[4])
return out
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

    The senders waiting in a process are served in groups (at most ``block`` of them, about
    10 ms' worth of slots at high rates) by one Redis call, which gives each its global slot and
    reserves its chat's slot at that same instant: about one round trip per ``block`` messages
    instead of one or two per message. Groups are reserved at most about two blocks ahead of
    time, so the shared pause that another process sets is seen within that time (this
    process's own pauses at once: a sender that wakes up to a pause gives its slot up); a slot
    is only ever handed to a sender already waiting for it, so a slow process cannot burst with
    old budget.
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
        self._pause = redis.register_script(_PAUSE)
        self.block = block or max(1, min(32, int(rate / 100)))
        self._interval = 1.0 / rate
        self._waiting: list[tuple[int | None, asyncio.Future[tuple[str, float]]]] = []
        self._server: asyncio.Task[None] | None = None
        self._horizon = 0.0  # the latest slot handed out (seconds)
        self._local_paused_until = 0.0  # a local mirror of the shared pause
        self.pauses: list[float] = []

    @staticmethod
    def _us(seconds: float) -> int:
        return int(seconds * MICRO)

    async def acquire(self, chat_id: int | None = None) -> None:
        while True:
            now = self._now()
            if self._local_paused_until - now > EPSILON:
                await self._sleep(self._local_paused_until - now)
                continue
            kind, value = await self._ask(chat_id)
            if kind == "paused":
                self._local_paused_until = max(self._local_paused_until, value)
                continue
            if kind == "wait":  # this chat's previous message is too recent
                await self._sleep(max(value, EPSILON))
                continue
            now = self._now()
            if value - now > EPSILON:
                await self._sleep(value - now)
            if self._local_paused_until - self._now() > EPSILON:
                continue  # a pause arrived while waiting for the slot: the slot is void
            return

    async def _ask(self, chat_id: int | None) -> tuple[str, float]:
        """Queue for a slot; ("slot", at), ("wait", seconds) or ("paused", until)."""
        future: asyncio.Future[tuple[str, float]] = asyncio.get_running_loop().create_future()
        entry = (chat_id, future)
        self._waiting.append(entry)
        if self._server is None or self._server.done():
            self._server = asyncio.ensure_future(self._serve())
        try:
            return await future
        except asyncio.CancelledError:
            with contextlib.suppress(ValueError):
                self._waiting.remove(entry)
            raise

    async def _serve(self) -> None:
        """Hand out slots to the waiting senders, a group per Redis call, paced."""
        lead = self._interval * self.block
        chat_interval = self._us(1.0 / self.per_chat_rate)
        chat_ttl = int(max(CHAT_MEMORY, 2.0 / self.per_chat_rate) * 1000)
        global_ttl = int(max(CHAT_MEMORY, 10 * lead) * 1000)
        while self._waiting:
            ahead = self._horizon - self._now()
            if ahead > lead:  # the slots handed out cover the next block: not further ahead
                await self._sleep(ahead - lead)
                continue
            group = self._waiting[: self.block]
            del self._waiting[: len(group)]
            keys = [self.global_key, self.pause_key]
            flags = []
            for chat_id, _future in group:
                if chat_id is None:
                    flags.append("0")
                else:
                    flags.append("1")
                    keys.append(f"{self.chat_prefix}{chat_id}")
            now = self._now()
            try:
                reply = await self._reserve(
                    keys=keys,
                    args=[self._us(now), self._us(self._interval), chat_interval, global_ttl,
                          chat_ttl, *flags],
                )
            except Exception as exc:  # e.g. Redis unavailable: each sender gets the error
                for _chat_id, future in group:
                    if not future.done():
                        future.set_exception(exc)
                continue
            except BaseException:
                for _chat_id, future in group:
                    future.cancel()
                raise
            paused = int(reply[0]) / MICRO
            if paused:
                self._local_paused_until = max(self._local_paused_until, paused)
                for _chat_id, future in group:
                    if not future.done():
                        future.set_result(("paused", paused))
                continue
            for (_chat_id, future), raw in zip(group, reply[1:], strict=True):
                value = int(raw)
                if value > 0:
                    self._horizon = max(self._horizon, value / MICRO)
                    answer = ("slot", value / MICRO)
                else:
                    answer = ("wait", -value / MICRO)
                if not future.done():
                    future.set_result(answer)

    async def pause(self, seconds: float) -> None:
        seconds = max(0.0, float(seconds))
        self.pauses.append(seconds)
        until = self._now() + seconds
        self._local_paused_until = max(self._local_paused_until, until)
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
