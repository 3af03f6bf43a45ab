"""The Bot API's HTTP line (``bot.http_line``): a POST on a kept connection, the answer read
whole however the server frames it, a connection closed when it cannot be trusted any more.

The answers come from a small HTTP server of the test's own, written byte by byte, so each way
a server may frame an answer (a length, chunks, up to the end of the connection, in pieces,
after an interim answer) is met; the Bot API stand-in (aiohttp's server) answers the rest."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from bot.http_line import HttpError, HttpLine
from tests.support.tls import self_signed

Answer = Callable[[asyncio.StreamWriter, bytes], Awaitable[bool]]  # False: close after it


class Server:
    """Reads each request whole and answers with ``answer``; counts connections and requests."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.connections = 0
        self.requests: list[tuple[bytes, bytes]] = []  # (request line and headers, body)
        self.server: asyncio.Server | None = None
        self.writers: list[asyncio.StreamWriter] = []
        self.reader: asyncio.StreamReader | None = None

    async def start(self, context: ssl.SSLContext | None = None) -> str:
        self.server = await asyncio.start_server(self.serve, "127.0.0.1", 0, ssl=context)
        port = self.server.sockets[0].getsockname()[1]
        return f"{'https' if context else 'http'}://127.0.0.1:{port}"

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.writers.append(writer)
        self.reader = reader  # the latest connection's
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    break
                length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                              if line.lower().startswith(b"content-length:"))
                body = await reader.readexactly(length)
                self.requests.append((head, body))
                if not await self.answer(writer, body):
                    break
        finally:
            writer.close()

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in self.writers:
            writer.close()


def framed(body: bytes, *extra: str) -> bytes:
    headers = "".join(f"{header}\r\n" for header in extra)
    return (f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n{headers}\r\n").encode() + body


async def echo(writer: asyncio.StreamWriter, body: bytes) -> bool:
    writer.write(framed(b'{"ok":true,"echo":' + body + b"}"))
    return True


async def twice(serving, answer: Answer) -> tuple[list[tuple[int, bytes]], int]:  # type: ignore[no-untyped-def]
    """Two calls in a row to a server answering with ``answer``: the answers, and how many
    connections the server saw."""
    server, base = await serving(answer)
    line = HttpLine()
    answers = [await line.post(f"{base}/m", b"{}") for _ in range(2)]
    await line.close()
    return answers, server.connections


@pytest.fixture
async def serving():  # type: ignore[no-untyped-def]
    servers: list[Server] = []

    async def start(answer: Answer, context: ssl.SSLContext | None = None) -> tuple[Server, str]:
        server = Server(answer)
        servers.append(server)
        return server, await server.start(context)

    yield start
    for server in servers:
        await server.stop()


async def test_calls_one_after_another_share_one_kept_connection(serving):
    server, base = await serving(echo)
    line = HttpLine()
    for number in range(5):
        status, body = await line.post(f"{base}/bot1:x/getMe", b'{"n":%d}' % number)
        assert (status, body) == (200, b'{"ok":true,"echo":{"n":%d}}' % number)
    assert server.connections == 1
    head = server.requests[0][0].decode()
    assert head.startswith("POST /bot1:x/getMe HTTP/1.1\r\n")
    assert f"Host: {base.removeprefix('http://')}\r\n" in head
    assert "Content-Type: application/json\r\n" in head
    await line.close()


async def test_calls_at_once_each_get_their_own_answer(serving):
    async def slow_echo(writer: asyncio.StreamWriter, body: bytes) -> bool:
        await asyncio.sleep(0.01 * (int(body) % 3))
        writer.write(framed(body))
        return True

    server, base = await serving(slow_echo)
    line = HttpLine()
    answers = await asyncio.gather(*(line.post(f"{base}/m", str(n).encode()) for n in range(12)))
    assert [body for _, body in answers] == [str(n).encode() for n in range(12)]
    assert server.connections == 12
    again = await asyncio.gather(*(line.post(f"{base}/m", b"7") for _ in range(12)))
    assert {body for _, body in again} == {b"7"}
    assert server.connections == 12, "the kept connections were used again"
    await line.close()


async def test_no_more_connections_than_the_limit_are_opened(serving):
    server, base = await serving(echo)
    line = HttpLine(limit=2)
    answers = await asyncio.gather(*(line.post(f"{base}/m", b"%d" % n) for n in range(9)))
    assert sorted(body for _, body in answers) == sorted(
        b'{"ok":true,"echo":%d}' % n for n in range(9))
    assert server.connections == 2
    await line.close()


async def test_a_chunked_answer_in_small_pieces_is_read_whole(serving):
    async def chunks(writer: asyncio.StreamWriter, body: bytes) -> bool:
        raw = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
               b"5\r\n{\"ok\"\r\n9;ext=1\r\n:true,\"r\"\r\n3\r\n:1}\r\n0\r\nX-Trailer: y\r\n\r\n")
        for start in range(0, len(raw), 3):  # three bytes at a time
            writer.write(raw[start:start + 3])
            await writer.drain()
            await asyncio.sleep(0)
        return True

    assert await twice(serving, chunks) == ([(200, b'{"ok":true,"r":1}')] * 2, 1)


async def test_an_answer_without_a_length_ends_with_its_connection(serving):
    async def until_close(writer: asyncio.StreamWriter, body: bytes) -> bool:
        writer.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\n\r\n<html>")
        await writer.drain()
        writer.write(b"bad gateway</html>")
        return False

    assert await twice(serving, until_close) == ([(502, b"<html>bad gateway</html>")] * 2, 2)


async def test_connection_close_and_an_interim_answer_are_understood(serving):
    async def interim_then_close(writer: asyncio.StreamWriter, body: bytes) -> bool:
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n" + framed(b"{}", "Connection: close"))
        return True  # the server would keep it; the answer said otherwise

    assert await twice(serving, interim_then_close) == ([(200, b"{}")] * 2, 2)


async def test_a_connection_the_server_closed_while_idle_is_not_used_again(serving):
    async def once(writer: asyncio.StreamWriter, body: bytes) -> bool:
        writer.write(framed(b"{}"))  # keep-alive said, then closed after it (an idle timeout)
        return False

    server, base = await serving(once)
    line = HttpLine()
    assert await line.post(f"{base}/m", b"{}") == (200, b"{}")
    await asyncio.sleep(0.05)
    assert await line.post(f"{base}/m", b"{}") == (200, b"{}")
    assert server.connections == 2
    await line.close()


async def test_a_connection_idle_too_long_is_closed_rather_than_used(serving, monkeypatch):
    server, base = await serving(echo)
    line = HttpLine()
    await line.post(f"{base}/m", b"1")
    monkeypatch.setattr("bot.http_line.KEEP_IDLE", 0.0)
    await line.post(f"{base}/m", b"2")
    assert server.connections == 2
    await line.close()


async def test_an_answer_broken_off_raises_and_the_next_call_opens_anew(serving):
    calls = []

    async def broken_once(writer: asyncio.StreamWriter, body: bytes) -> bool:
        calls.append(body)
        if len(calls) == 1:
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"ok\":")
            return False
        writer.write(framed(b"{}"))
        return True

    server, base = await serving(broken_once)
    line = HttpLine()
    with pytest.raises(HttpError, match="closed the connection"):
        await line.post(f"{base}/m", b"{}")
    assert await line.post(f"{base}/m", b"{}") == (200, b"{}")
    assert server.connections == 2
    await line.close()


async def test_what_is_not_http_raises(serving):
    async def nonsense(writer: asyncio.StreamWriter, body: bytes) -> bool:
        writer.write(b"SSH-2.0-OpenSSH\r\n\r\n")
        return True

    _, base = await serving(nonsense)
    line = HttpLine()
    with pytest.raises(HttpError, match="not an HTTP answer"):
        await line.post(f"{base}/m", b"{}")
    await line.close()


async def test_a_call_timed_out_closes_its_connection(serving):
    closed = asyncio.get_running_loop().create_future()

    async def never(writer: asyncio.StreamWriter, body: bytes) -> bool:
        assert server.reader is not None
        closed.set_result(await server.reader.read() == b"")  # until the client closes
        return False

    server, base = await serving(never)
    line = HttpLine()
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.05):
            await line.post(f"{base}/m", b"{}")
    assert await asyncio.wait_for(closed, 2), "the client closed the connection"
    server.answer = echo
    assert (await line.post(f"{base}/m", b"1"))[0] == 200
    assert server.connections == 2, "the late answer's connection was not used again"
    await line.close()


async def test_a_server_nobody_answers_raises_an_os_error():
    line = HttpLine()
    with pytest.raises(OSError):
        await line.post("http://127.0.0.1:1/m", b"{}")
    with pytest.raises(ValueError):
        await line.post("ftp://127.0.0.1/m", b"{}")
    await line.close()


async def test_https_checks_the_certificate_with_the_context_given(serving, tmp_path: Path):
    cert_path, key_path = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    server, base = await serving(echo, context)
    trusting = HttpLine(ssl_context=ssl.create_default_context(cafile=str(cert_path)))
    assert await trusting.post(f"{base}/m", b"1") == (200, b'{"ok":true,"echo":1}')
    await trusting.close()
    stranger = HttpLine()  # the system's certificates only
    with pytest.raises(ssl.SSLCertVerificationError):
        await stranger.post(f"{base}/m", b"1")
    await stranger.close()
