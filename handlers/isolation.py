"""Updates of one chat are handled one at a time, across every process serving the bot.

aiogram's Redis isolation takes a Redis lock per chat, and a second update of the same chat polls
for it (every 100 ms by default): a worker who taps twice waits a tenth of a second for nothing,
and a burst of one chat's updates turns into Redis traffic. Here the updates of a chat first wait
their turn inside the process, on an asyncio lock, and only the one whose turn it is takes the
Redis lock, which then only ever waits for another process.

Taking the Redis lock also reads the chat's state and data, in one script
(:meth:`StateReadingIsolation.lock`): aiogram reads the state right after the lock, which was a second trip
to Redis for every update, and a search reads the data to keep its criteria, a third.
:class:`StateReadingStorage` hands each value to the first read of it, once; any write goes to
Redis as before, and so does any later read.

An update need not wait for its turn before it reads the database: :meth:`LocalFirstIsolation.turn`
takes this process's lock for the chat, sends the Redis lock's script and lets the update go on;
:meth:`Turn.taken` waits for the answer and says whether a read made meanwhile can be trusted
(see :class:`handlers.turn.Turn` and ``handlers.middlewares.chat_turn``). Giving the lock back records which
process had it last, for that.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import secrets
from collections import OrderedDict
from collections.abc import AsyncGenerator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseEventIsolation, StorageKey
from aiogram.fsm.storage.redis import RedisStorage
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError

from bot.redis_line import LineScript, RedisLine
from handlers.turn import Turn

log = logging.getLogger(__name__)

CROSS_PROCESS_POLL_SECONDS = 0.02  # how often a chat's update retries another process's lock

HOLDER_TTL_MS = 24 * 3600 * 1000  # how long a chat's last holder is remembered (then: unknown)
CHATS_KEPT = 10_000  # chats whose updates this process reads ahead of their turn, at most

# SET the lock NX (PX its timeout, when it has one), or find it ours already (asked again after
# the reply to the first ask was lost with its connection); when taken, GET the state, the data
# and the process that gave the lock back last
ACQUIRE = LineScript("""
local taken
if redis.call('GET', KEYS[1]) == ARGV[1] then
  taken = true
elseif tonumber(ARGV[2]) > 0 then
  taken = redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])
else
  taken = redis.call('SET', KEYS[1], ARGV[1], 'NX')
end
if taken then
  return {1, redis.call('GET', KEYS[2]), redis.call('GET', KEYS[3]), redis.call('GET', KEYS[4])}
end
return {0}
""")

# DEL the lock only if it still holds this holder's token; remember which process gave it back
RELEASE = LineScript("""
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
  return redis.call('DEL', KEYS[1])
end
return 0
""")


class TurnIsolation(BaseEventIsolation):
    """An isolation whose lock can be asked for without waiting for it (:meth:`turn`); aiogram's
    ``lock`` is the turn, waited for."""

    def turn(self, key: StorageKey) -> AbstractAsyncContextManager[Turn]:
        raise NotImplementedError

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncGenerator[None, None]:
        async with self.turn(key) as turn:
            await turn.taken()
            yield


@asynccontextmanager
async def turn_of(isolation: BaseEventIsolation, key: StorageKey) -> AsyncGenerator[Turn, None]:
    """The update's :class:`Turn` in its chat: asked for when the isolation can do that
    (Redis), else its lock waited for (memory: one process)."""
    if isinstance(isolation, TurnIsolation):
        async with isolation.turn(key) as turn:
            yield turn
    else:
        async with isolation.lock(key):
            yield Turn.given()


class LocalFirstIsolation(TurnIsolation):
    """In-process per-chat locks in front of a shared isolation (Redis)."""

    def __init__(self, shared: BaseEventIsolation) -> None:
        self.shared = shared
        self._locks: dict[StorageKey, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def turn(self, key: StorageKey) -> AsyncGenerator[Turn, None]:
        """This process's lock for the chat, then the shared one asked for (:class:`Turn`)."""
        lock, waiting = self._locks.get(key, (None, 0))
        if lock is None:
            lock = asyncio.Lock()
        self._locks[key] = (lock, waiting + 1)
        try:
            async with lock, turn_of(self.shared, key) as turn:
                yield turn
        finally:
            self._release(key)

    def _release(self, key: StorageKey) -> None:
        """Forget a chat's lock when nobody waits for it (no lock per chat kept for ever)."""
        lock, waiting = self._locks[key]
        if waiting <= 1:
            del self._locks[key]
        else:
            self._locks[key] = (lock, waiting - 1)

    async def close(self) -> None:
        self._locks.clear()
        await self.shared.close()


class StateReadingStorage(RedisStorage):
    """aiogram's Redis storage; the state and data read with the chat's lock are served once
    from that read."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._state: dict[StorageKey, str | None] = {}
        self._data: dict[StorageKey, str | None] = {}  # JSON, decoded only if read

    def keep_read(self, key: StorageKey, state: bytes | str | None,
                  data: bytes | str | None) -> None:
        self._state[key] = text_of(state)
        self._data[key] = text_of(data)

    def forget_read(self, key: StorageKey) -> None:
        self._state.pop(key, None)
        self._data.pop(key, None)

    async def get_state(self, key: StorageKey) -> str | None:
        if key in self._state:
            return self._state.pop(key)
        return await super().get_state(key)

    async def set_state(self, key: StorageKey, state: str | State | None = None) -> None:
        self._state.pop(key, None)
        await super().set_state(key, state)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        if key in self._data:
            value = self._data.pop(key)
            return {} if value is None else dict(self.json_loads(value))
        return await super().get_data(key)

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        self._data.pop(key, None)
        await super().set_data(key, data)


def text_of(value: bytes | str | None) -> str | None:
    return value.decode("utf-8") if isinstance(value, bytes) else value


class StateReadingIsolation(TurnIsolation):
    """aiogram's Redis isolation (same lock key, timeout and retry), reading the state and data
    with the lock for :class:`StateReadingStorage`."""

    def __init__(self, storage: StateReadingStorage, lock_kwargs: dict[str, Any]) -> None:
        self.storage = storage
        self.timeout: float | None = lock_kwargs.get("timeout")  # seconds the lock lives
        self.sleep: float = lock_kwargs.get("sleep", 0.1)  # between two tries, when taken
        self.holder = secrets.token_hex(8)  # this process (an isolation per dispatcher)
        # chats whose last turn here was up to date: their next update reads ahead (Turn.ahead)
        self._steady: OrderedDict[StorageKey, None] = OrderedDict()
        # the two scripts go through a line of their own, written at once (bot.redis_line)
        self.line = RedisLine(storage.redis)
        self._tokens = itertools.count()
        self._timeout_ms = int(self.timeout * 1000) if self.timeout else 0

    @asynccontextmanager
    async def turn(self, key: StorageKey) -> AsyncGenerator[Turn, None]:
        """The chat's lock in Redis asked for: the script goes out at once, and the update goes
        on (:class:`Turn`); given back at the end, whether the update waited for it or not. The
        lock is a key set if absent, with a timeout and a token of this holder's; two scripts
        called directly (redis-py's ``Lock`` wraps the same trip in a UUID token, argument checks
        and a generic retry loop, which cost more than the trip)."""
        build = self.storage.key_builder.build
        keys = [build(key, "lock"), build(key, "state"), build(key, "data"),
                build(key, "holder")]
        token = f"{self.holder}:{next(self._tokens)}"  # unique: this process's, numbered
        first = self.line.send_script(ACQUIRE, keys, [token, self._timeout_ms])  # sent now
        taking = asyncio.ensure_future(self._take(key, keys, token, first))
        try:
            yield Turn(taking, ahead=key in self._steady)
        finally:
            try:
                if await self._outcome(taking):
                    await self._give_back(keys, token)
                    self._note(key, steady=taking.result())
            finally:
                self.storage.forget_read(key)

    async def _take(self, key: StorageKey, keys: list[str], token: str,
                    first: asyncio.Future[Any]) -> bool:
        """Wait until the lock is ours (another process gives it back, or its timeout runs
        out), then hand the state and data read with it to the storage. True when it was free
        at the first try and this process had it last (:class:`Turn`). ``first``: the first
        try, sent already."""
        args: list[Any] = [token, self._timeout_ms]
        try:
            reply = await first
        except (RedisConnectionError, ResponseError):  # dropped, or the script was forgotten
            reply = await self.line.script(ACQUIRE, keys, args)
        tries = 1
        while not (reply and int(reply[0])):
            await asyncio.sleep(self.sleep)
            reply = await self.line.script(ACQUIRE, keys, args)
            tries += 1
        self.storage.keep_read(key, reply[1], reply[2])  # None: not set
        return tries == 1 and text_of(reply[3]) == self.holder

    def _note(self, key: StorageKey, *, steady: bool) -> None:
        """Keep (or forget) the chat among those whose next update reads ahead."""
        if not steady:
            self._steady.pop(key, None)
            return
        self._steady[key] = None
        self._steady.move_to_end(key)
        if len(self._steady) > CHATS_KEPT:
            self._steady.popitem(last=False)

    @staticmethod
    async def _outcome(taking: asyncio.Future[bool]) -> bool:
        """Whether the lock was taken. A take still going (the update failed before it waited
        for its turn) is waited for, so that its lock is given back, unless the update is being
        cancelled: then it is called off."""
        current = asyncio.current_task()
        if not taking.done() and current is not None and current.cancelling():
            taking.cancel()
        try:
            await taking
        except (Exception, asyncio.CancelledError):
            return False
        return True

    async def _give_back(self, keys: list[str], token: str) -> None:
        """Delete the lock if it is still ours, saying this process had it last. When its
        timeout ran out first, the update is already committed: that is logged, not raised
        (raising would apologise to the worker for an update that was stored)."""
        if not await self.line.script(RELEASE, [keys[0], keys[3]],
                                      [token, self.holder, HOLDER_TTL_MS]):
            log.warning("a chat's lock ran out before its update ended (%.0f s)",
                        self.timeout or 0)

    async def close(self) -> None:
        await self.line.close()
