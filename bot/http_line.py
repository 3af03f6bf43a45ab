"""Keep-alive HTTP/1.1 connections for the Bot API's JSON calls: a POST in, a status and a body
out.

Every update costs two calls to the Bot API, its ``getUpdates`` and its reply. Through aiohttp's
client a call cost about 200 µs of CPU here (a request object, its URL and header multidicts,
a task writing the body, a timer, a response object, its encoding guessed), a fifth of a
``/help``; written by hand on a kept connection it costs about 60 µs. The calls are simple: a
JSON body posted, a JSON answer read whole. So :class:`HttpLine` writes the request itself and
reads the answer with a small parser: a status line, headers, then a body of ``Content-Length``
bytes, in chunks (``Transfer-Encoding: chunked``), or up to the end of the connection.

A connection carries one call at a time and is kept for the next one unless the server said
``Connection: close``; one idle longer than :data:`KEEP_IDLE` seconds (servers close theirs
after a while) is closed rather than reused, as aiohttp does. A call that times out, or whose
answer breaks off, closes its connection. At most ``limit`` connections are open to a host at
once (aiogram's default: 100); a call beyond them waits for one. ``https`` URLs speak TLS (with the
context given, else the system's certificates).
"""

from __future__ import annotations

import asyncio
import collections
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

KEEP_IDLE = 15.0  # seconds an idle connection is reused (aiohttp's keep-alive timeout)
MAX_HEAD = 64 * 1024  # bytes of status line and headers, at most


class HttpError(ConnectionError):
    """The server's answer could not be read (broken off, or not HTTP)."""


@dataclass(frozen=True, slots=True)
class Origin:
    scheme: str
    host: str
    port: int

    @classmethod
    def of(cls, url: str) -> tuple[Origin, str]:
        """The origin of ``url`` and the path (with its query) to ask it for."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {parts.scheme}://{parts.hostname}")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return cls(parts.scheme, parts.hostname, port), path

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        return self.host if self.port == default else f"{self.host}:{self.port}"


class _Answer:
    """Reads one answer out of the bytes received so far (see the module's docstring)."""

    def __init__(self) -> None:
        self.status = 0
        self.keep = True
        self.length: int | None = None  # None: chunked, or up to the end of the connection
        self.chunked = False
        self.body = bytearray()
        self.head_done = False

    def feed(self, buffer: bytearray) -> bool:
        """Consume what it can of ``buffer``; True once the answer is whole."""
        if not self.head_done and not self._head(buffer):
            return False
        if self.chunked:
            return self._chunks(buffer)
        if self.length is None:  # up to the end of the connection
            self.body += buffer
            buffer.clear()
            return False
        wanted = self.length - len(self.body)
        self.body += buffer[:wanted]
        del buffer[:wanted]
        return len(self.body) == self.length

    def _head(self, buffer: bytearray) -> bool:
        end = buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(buffer) > MAX_HEAD:
                raise HttpError("the answer's headers are too long")
            return False
        lines = bytes(buffer[:end]).decode("latin-1").split("\r\n")
        del buffer[:end + 4]
        version, _, rest = lines[0].partition(" ")
        if not version.startswith("HTTP/1.") or not rest[:3].isdigit():
            raise HttpError(f"not an HTTP answer: {lines[0][:40]!r}")
        status = int(rest[:3])
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if 100 <= status < 200:  # an interim answer: the real one follows
            return self._head(buffer)
        self.status = status
        connection = headers.get("connection", "").lower()
        self.keep = connection != "close" and (version == "HTTP/1.1" or connection == "keep-alive")
        if "chunked" in headers.get("transfer-encoding", "").lower():
            self.chunked = True
        elif "content-length" in headers:
            self.length = int(headers["content-length"])
        elif status in (204, 304):
            self.length = 0
        else:
            self.keep = False  # the body ends with the connection
        self.head_done = True
        return True

    def _chunks(self, buffer: bytearray) -> bool:
        while True:
            end = buffer.find(b"\r\n")
            if end < 0:
                return False
            size = int(bytes(buffer[:end]).split(b";")[0], 16)
            if size == 0:  # the last chunk, then trailers up to an empty line
                close = buffer.find(b"\r\n\r\n", end)
                if close < 0 and buffer[end:end + 4] != b"\r\n\r\n":
                    return False
                del buffer[:(close if close >= 0 else end) + 4]
                return True
            if len(buffer) < end + 2 + size + 2:
                return False
            self.body += buffer[end + 2:end + 2 + size]
            del buffer[:end + 2 + size + 2]


class _Connection(asyncio.Protocol):
    """One kept connection; one call at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.answer: _Answer | None = None
        self.waiter: asyncio.Future[_Answer] | None = None
        self.idle_since = time.monotonic()
        self.open = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.open = True

    def data_received(self, data: bytes) -> None:
        if self.answer is None:  # nothing was asked: the server is not speaking HTTP to us
            self.close()
            return
        self.buffer += data
        try:
            whole = self.answer.feed(self.buffer)
        except (HttpError, ValueError) as exc:
            self._fail(exc if isinstance(exc, HttpError) else HttpError(str(exc)))
            return
        if whole:
            self._settle()

    def eof_received(self) -> bool | None:
        answer = self.answer
        if answer is not None and answer.head_done and answer.length is None \
                and not answer.chunked:
            answer.keep = False
            self._settle()  # the body ended with the connection
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self.open = False
        self._fail(HttpError("the server closed the connection before its answer ended"))

    def ask(self, request: bytes) -> asyncio.Future[_Answer]:
        assert self.transport is not None
        self.answer = _Answer()
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(request)
        return self.waiter

    def reusable(self, now: float) -> bool:
        return self.open and self.transport is not None and not self.transport.is_closing() \
            and now - self.idle_since < KEEP_IDLE

    def close(self) -> None:
        self.open = False
        if self.transport is not None:
            self.transport.close()

    def _settle(self) -> None:
        answer, waiter = self.answer, self.waiter
        self.answer = self.waiter = None
        self.idle_since = time.monotonic()
        if waiter is not None and not waiter.done() and answer is not None:
            waiter.set_result(answer)

    def _fail(self, exc: Exception) -> None:
        waiter = self.waiter
        self.answer = self.waiter = None
        self.close()
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc)


class HttpLine:
    """Kept connections to the hosts of the URLs posted to (usually one: the Bot API's)."""

    def __init__(self, limit: int = 100, ssl_context: ssl.SSLContext | None = None) -> None:
        self.limit = limit
        self._idle: dict[Origin, collections.deque[_Connection]] = {}
        self._open: dict[Origin, int] = {}
        self._waiting: dict[Origin, collections.deque[asyncio.Future[None]]] = {}
        self._origins: dict[str, tuple[Origin, str]] = {}  # url -> (origin, path), remembered
        self._ssl = ssl_context  # for https: the system's certificates when None
        self._closed = False

    async def post(self, url: str, body: bytes, content_type: str = "application/json"
                   ) -> tuple[int, bytes]:
        """POST ``body`` to ``url``: the answer's status and body. Raises ``OSError``
        (``HttpError`` among them) when the server cannot be reached or its answer cannot be
        read. A call cancelled (a timeout around it) closes its connection."""
        found = self._origins.get(url)
        if found is None:
            found = Origin.of(url)
            if len(self._origins) < 1024:  # the Bot API's methods: a few dozen URLs
                self._origins[url] = found
        origin, path = found
        request = (f"POST {path} HTTP/1.1\r\nHost: {origin.host_header}\r\n"
                   f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
                   f"\r\n").encode("latin-1") + body
        connection = await self._connection(origin)
        try:
            answer = await connection.ask(request)
        except BaseException:
            connection.close()  # cancelled or broken off: nothing more is read from it
            self._gone(origin)
            raise
        if answer.keep and not self._closed:
            self._idle.setdefault(origin, collections.deque()).append(connection)
            self._wake(origin)
        else:
            connection.close()
            self._gone(origin)
        return answer.status, bytes(answer.body)

    async def _connection(self, origin: Origin) -> _Connection:
        """A kept connection to ``origin``, or a new one (waiting while ``limit`` are busy)."""
        if self._closed:
            raise HttpError("the line is closed")
        if (kept := self._kept(origin)) is not None:
            return kept
        while self._open.get(origin, 0) >= self.limit:
            waiter = asyncio.get_running_loop().create_future()
            self._waiting.setdefault(origin, collections.deque()).append(waiter)
            await waiter
            if (kept := self._kept(origin)) is not None:
                return kept
        self._open[origin] = self._open.get(origin, 0) + 1
        try:
            return await self._connect(origin)
        except BaseException:
            self._gone(origin)
            raise

    def _kept(self, origin: Origin) -> _Connection | None:
        """An idle connection to ``origin`` still fit to use; those that are not are closed."""
        idle = self._idle.get(origin)
        now = time.monotonic()
        while idle:
            connection = idle.pop()  # the most recent: the least likely to be closed
            if connection.reusable(now):
                return connection
            connection.close()
            self._gone(origin)
        return None

    async def _connect(self, origin: Origin) -> _Connection:
        loop = asyncio.get_running_loop()
        secure = origin.scheme == "https"
        if secure and self._ssl is None:
            self._ssl = ssl.create_default_context()
        _, connection = await loop.create_connection(
            _Connection, origin.host, origin.port, ssl=self._ssl if secure else None,
            server_hostname=origin.host if secure else None)
        return connection

    def _gone(self, origin: Origin) -> None:
        """A connection of ``origin`` closed: one more may open."""
        self._open[origin] = max(0, self._open.get(origin, 0) - 1)
        self._wake(origin)

    def _wake(self, origin: Origin) -> None:
        waiting = self._waiting.get(origin)
        while waiting:
            waiter = waiting.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    async def close(self) -> None:
        """Close every kept connection (a call still running closes its own at its end)."""
        self._closed = True
        for idle in self._idle.values():
            while idle:
                idle.pop().close()
        self._idle.clear()
        await asyncio.sleep(0)  # the transports' closing callbacks run
