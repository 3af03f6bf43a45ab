"""One Redis connection for short scripts: each call is written at once and answered in order.

The chat's lock takes two scripts per update. Through redis-py's client a call costs about
70 µs of CPU (the client's command layers, its connection lock, a coroutine per call), more
than the trip itself; and a call could only be sent from a coroutine, so sending the lock's
script at once, before the update reads the database, took a task and a turn of the event loop.
Here :meth:`RedisLine.call` writes the command on the spot and returns the future of its reply;
replies are read by one protocol, in the order the commands went out (Redis answers in order),
and parsed by hiredis (which redis-py uses too).

The line opens itself at the first call with the settings of the app's Redis client (host and
port, Unix socket or TLS, user and password, database), and again after Redis dropped it: the
calls waiting then fail with redis-py's ``ConnectionError``, and a script is sent once more
(:meth:`RedisLine.script`).
"""

from __future__ import annotations

import asyncio
import collections
import hashlib
from typing import Any

import hiredis
from redis.asyncio import Redis
from redis.asyncio.connection import SSLConnection, UnixDomainSocketConnection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError

Arg = str | bytes | int


def packed(args: tuple[Arg, ...]) -> bytes:
    """A command in Redis's protocol (an array of bulk strings)."""
    parts = [b"*%d\r\n" % len(args)]
    for arg in args:
        value = arg if isinstance(arg, bytes) else str(arg).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(value), value))
    return b"".join(parts)


class LineScript:
    """A Lua script called by its SHA1, loaded into Redis when Redis does not know it."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.sha = hashlib.sha1(source.encode()).hexdigest()


class _Replies(asyncio.Protocol):
    """Hands each reply to the oldest call still waiting (Redis answers in order)."""

    def __init__(self, lost: asyncio.Future[None]) -> None:
        self.reader = hiredis.Reader(replyError=ResponseError)
        self.waiting: collections.deque[asyncio.Future[Any]] = collections.deque()
        self.transport: asyncio.Transport | None = None
        self.lost = lost

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.reader.feed(data)
        while (reply := self.reader.gets()) is not False:
            waiter = self.waiting.popleft()
            if waiter.done():  # its caller gave up on it
                continue
            if isinstance(reply, ResponseError):
                waiter.set_exception(reply)
            else:
                waiter.set_result(reply)

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        while self.waiting:
            waiter = self.waiting.popleft()
            if not waiter.done():
                waiter.set_exception(RedisConnectionError("Redis closed the connection"))
        if not self.lost.done():
            self.lost.set_result(None)

    def send(self, command: bytes, waiter: asyncio.Future[Any]) -> None:
        assert self.transport is not None
        self.waiting.append(waiter)
        self.transport.write(command)


class RedisLine:
    """A pipelined connection to the Redis server of ``redis`` (the app's client)."""

    def __init__(self, redis: Redis) -> None:
        self.pool = redis.connection_pool
        self._replies: _Replies | None = None
        self._opening: asyncio.Task[None] | None = None
        self._queued: list[tuple[bytes, asyncio.Future[Any]]] = []  # while it opens

    def call(self, *args: Arg) -> asyncio.Future[Any]:
        """Send a command now (or as soon as the line is open); the future of its reply."""
        waiter: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        replies = self._replies
        if replies is not None and replies.transport is not None:
            replies.send(packed(args), waiter)
        else:
            self._queued.append((packed(args), waiter))
            if self._opening is None:
                self._opening = asyncio.ensure_future(self._open())
        return waiter

    async def script(self, script: LineScript, keys: list[str], args: list[Arg]) -> Any:
        """Run ``script``; once more on a new connection if Redis had dropped this one (a
        restart, an idle timeout): a script called here must be safe to run twice."""
        try:
            return await self.run(script, keys, args)
        except RedisConnectionError:
            return await self.run(script, keys, args)

    def send_script(self, script: LineScript, keys: list[str], args: list[Arg]
                    ) -> asyncio.Future[Any]:
        """``EVALSHA`` sent now; the future of its reply (``NOSCRIPT`` when Redis lost it)."""
        return self.call("EVALSHA", script.sha, len(keys), *keys, *args)

    async def run(self, script: LineScript, keys: list[str], args: list[Arg]) -> Any:
        try:
            return await self.send_script(script, keys, args)
        except ResponseError as exc:
            if not str(exc).startswith("NOSCRIPT"):
                raise
        await self.call("SCRIPT", "LOAD", script.source)
        return await self.send_script(script, keys, args)

    async def _open(self) -> None:
        """Connect, log in and choose the database, then send what was queued meanwhile."""
        replies: _Replies | None = None
        try:
            replies = await self._connect()
            for command in await self._greeting():
                waiter = asyncio.get_running_loop().create_future()
                replies.send(command, waiter)
                await waiter
        except (Exception, asyncio.CancelledError) as exc:
            if replies is not None and replies.transport is not None:
                replies.transport.close()
            self._fail_queued(exc if isinstance(exc, RedisConnectionError)
                              else RedisConnectionError(f"Redis: {type(exc).__name__}"))
            if isinstance(exc, asyncio.CancelledError):
                raise
            return
        finally:
            self._opening = None
        # calls made meanwhile were queued behind the greeting: they go out now, in order
        queued, self._queued = self._queued, []
        self._replies = replies
        for command, waiter in queued:
            replies.send(command, waiter)

    def _fail_queued(self, exc: Exception) -> None:
        queued, self._queued = self._queued, []
        for _, waiter in queued:
            if not waiter.done():
                waiter.set_exception(exc)

    async def _connect(self) -> _Replies:
        settings = self.pool.connection_kwargs
        loop = asyncio.get_running_loop()
        lost: asyncio.Future[None] = loop.create_future()
        timeout = settings.get("socket_connect_timeout")
        kind = self.pool.connection_class
        if issubclass(kind, UnixDomainSocketConnection):
            opening = loop.create_unix_connection(lambda: _Replies(lost), settings["path"])
        else:
            ssl = kind(**settings).ssl_context.get() if issubclass(kind, SSLConnection) else None
            opening = loop.create_connection(
                lambda: _Replies(lost), settings.get("host", "localhost"),
                int(settings.get("port", 6379)), ssl=ssl)
        try:
            _, replies = await asyncio.wait_for(opening, timeout)
        except OSError as exc:
            raise RedisConnectionError(f"cannot reach Redis: {exc}") from exc
        return replies

    async def _greeting(self) -> list[bytes]:
        """AUTH and SELECT as redis-py would send them for this pool."""
        settings = self.pool.connection_kwargs
        username, password = settings.get("username"), settings.get("password")
        if (provider := settings.get("credential_provider")) is not None:
            credentials = await provider.get_credentials_async()
            username, password = (None, credentials[0]) if len(credentials) == 1 else credentials
        commands = []
        if password:
            commands.append(packed(("AUTH", username, password) if username
                                   else ("AUTH", password)))
        if int(settings.get("db") or 0):
            commands.append(packed(("SELECT", int(settings["db"]))))
        return commands

    async def close(self) -> None:
        if self._opening is not None:
            self._opening.cancel()
        self._fail_queued(RedisConnectionError("the line is closed"))
        if self._replies is not None and self._replies.transport is not None:
            self._replies.transport.close()
            await self._replies.lost
        self._replies = None
