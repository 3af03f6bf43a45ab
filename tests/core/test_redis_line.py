"""The Redis line (``bot.redis_line``): commands written at once, answered in order, on a
connection opened with the app's settings and opened again when Redis dropped it.

Against the real Redis (``RELAIS_TEST_REDIS_URL``), except the Unix socket and TLS, which the
machine's Redis does not serve: there a small RESP server of the test's own answers."""

from __future__ import annotations

import asyncio
import os
import ssl
import uuid
from pathlib import Path

import pytest
from redis.asyncio import Redis
from redis.credentials import UsernamePasswordCredentialProvider
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError

from bot.redis_line import LineScript, RedisLine, packed
from tests.support.databases import REDIS_ENV
from tests.support.tls import self_signed

pytestmark = pytest.mark.skipif(not os.environ.get(REDIS_ENV),
                                reason="Redis only (RELAIS_TEST_REDIS_URL)")

COUNT = LineScript("return redis.call('INCRBY', KEYS[1], ARGV[1])")


@pytest.fixture
async def redis():  # type: ignore[no-untyped-def]
    client = Redis.from_url(os.environ[REDIS_ENV])
    yield client
    await client.aclose()


def a_key() -> str:
    return f"relais-test-line-{uuid.uuid4().hex[:8]}"


async def test_calls_written_at_once_are_answered_in_their_order(redis):
    line = RedisLine(redis)
    key = a_key()
    replies = [line.call("INCR", key) for _ in range(200)]  # none awaited yet
    assert await asyncio.gather(*replies) == list(range(1, 201))
    assert await line.call("GET", key) == b"200"
    await redis.delete(key)
    await line.close()


async def test_an_error_answers_its_own_call_only(redis):
    line = RedisLine(redis)
    key = a_key()
    ok, wrong, after = line.call("SET", key, "x"), line.call("INCR", key), line.call("GET", key)
    assert await ok == b"OK"
    with pytest.raises(ResponseError, match="not an integer"):
        await wrong
    assert await after == b"x"
    await redis.delete(key)
    await line.close()


async def test_a_call_given_up_on_leaves_the_next_answers_in_place(redis):
    line = RedisLine(redis)
    key = a_key()
    given_up = line.call("BLPOP", key, "0.1")  # answered (nil) a tenth of a second later
    given_up.cancel()
    assert await line.call("SET", key, "after") == b"OK"
    assert await line.call("GET", key) == b"after"
    await redis.delete(key)
    await line.close()


async def test_the_line_uses_the_database_of_the_url(redis):
    base, db = os.environ[REDIS_ENV].rsplit("/", 1)
    other = Redis.from_url(f"{base}/{14 if db != '14' else 13}")
    line = RedisLine(other)
    key = a_key()
    assert await line.call("SET", key, "in 14") == b"OK"
    assert await other.get(key) == b"in 14"
    assert await redis.exists(key) == 0  # not in the test's own database
    await other.delete(key)
    await line.close()
    await other.aclose()


async def test_a_user_and_password_log_in_and_a_wrong_password_is_refused(redis):
    """From the URL, or from a credential provider."""
    user, secret = f"relais-test-{uuid.uuid4().hex[:6]}", uuid.uuid4().hex
    await redis.execute_command("ACL", "SETUSER", user, "on", f">{secret}", "~*", "+@all")
    base = os.environ[REDIS_ENV].split("://", 1)[1]
    try:
        good = Redis.from_url(f"redis://{user}:{secret}@{base}")
        line = RedisLine(good)
        assert await line.call("ACL", "WHOAMI") == user.encode()
        await line.close()
        await good.aclose()
        provided = Redis.from_url(os.environ[REDIS_ENV], credential_provider=(
            UsernamePasswordCredentialProvider(user, secret)))
        line = RedisLine(provided)
        assert await line.call("ACL", "WHOAMI") == user.encode()
        await line.close()
        await provided.aclose()
        wrong = Redis.from_url(f"redis://{user}:not-{secret}@{base}")
        line = RedisLine(wrong)
        with pytest.raises(RedisConnectionError):
            await line.call("PING")
        await line.close()
        await wrong.aclose()
    finally:
        await redis.execute_command("ACL", "DELUSER", user)


async def test_a_dropped_connection_fails_its_calls_and_the_next_opens_a_new_one(redis):
    line = RedisLine(redis)
    first = await line.call("CLIENT", "ID")
    waiting = line.call("BLPOP", a_key(), 5)  # held by Redis until the connection drops
    await redis.client_kill_filter(_id=first)
    with pytest.raises(RedisConnectionError):
        await asyncio.wait_for(waiting, 5)
    second = await line.call("CLIENT", "ID")
    assert second != first
    await line.close()


async def test_a_script_redis_forgot_is_loaded_again(redis):
    line = RedisLine(redis)
    key = a_key()
    assert await line.script(COUNT, [key], [2]) == 2
    await redis.script_flush()
    assert await line.script(COUNT, [key], [3]) == 5
    await redis.delete(key)
    await line.close()


async def test_a_script_runs_again_on_a_new_connection_when_redis_dropped_the_line(redis):
    line = RedisLine(redis)
    key = a_key()
    await line.script(COUNT, [key], [1])
    await redis.client_kill_filter(_id=await line.call("CLIENT", "ID"))
    assert await line.script(COUNT, [key], [1]) == 2
    await redis.delete(key)
    await line.close()


async def test_a_redis_nobody_answers_fails_the_calls_clearly():
    away = Redis.from_url("redis://127.0.0.1:1/0")
    line = RedisLine(away)
    calls = [line.call("PING"), line.call("PING")]
    for call in calls:
        with pytest.raises(RedisConnectionError):
            await call
    await line.close()
    await away.aclose()


async def test_close_fails_what_still_waits_and_closes_the_connection(redis):
    line = RedisLine(redis)
    ident = await line.call("CLIENT", "ID")
    waiting = line.call("BLPOP", a_key(), 5)
    await line.close()
    with pytest.raises(RedisConnectionError):
        await asyncio.wait_for(waiting, 5)
    clients = (await redis.execute_command("CLIENT", "LIST")).decode()
    assert f"id={ident} " not in clients


# ---- a Unix socket and TLS, against a small RESP server of the test's own ------------------


class RespServer:
    """Answers AUTH, SELECT and PING as Redis does, and records the commands it got."""

    def __init__(self) -> None:
        self.commands: list[list[bytes]] = []

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            header = await reader.readline()
            if not header:
                break
            command = []
            for _ in range(int(header[1:])):
                size = int((await reader.readline())[1:])
                command.append((await reader.readexactly(size + 2))[:-2])
            self.commands.append(command)
            writer.write(b"+PONG\r\n" if command[0] == b"PING" else b"+OK\r\n")
            await writer.drain()
        writer.close()


async def test_a_unix_socket_url_is_served_on_its_socket(tmp_path: Path):
    server = RespServer()
    path = tmp_path / "redis.sock"
    listening = await asyncio.start_unix_server(server.serve, path=str(path))
    client = Redis.from_url(f"unix://:sesame@{path}?db=3")
    line = RedisLine(client)
    assert await line.call("PING") == b"PONG"
    assert server.commands == [[b"AUTH", b"sesame"], [b"SELECT", b"3"], [b"PING"]]
    await line.close()
    await client.aclose()
    listening.close()


async def test_a_rediss_url_speaks_tls_and_checks_the_certificate(tmp_path: Path):
    cert_path, key_path = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    server = RespServer()
    listening = await asyncio.start_server(server.serve, "127.0.0.1", 0, ssl=context)
    port = listening.sockets[0].getsockname()[1]
    trusting = Redis.from_url(f"rediss://127.0.0.1:{port}/0?ssl_ca_certs={cert_path}")
    line = RedisLine(trusting)
    assert await line.call("PING") == b"PONG"
    await line.close()
    await trusting.aclose()
    stranger = Redis.from_url(f"rediss://127.0.0.1:{port}/0")  # the system's CAs only
    line = RedisLine(stranger)
    with pytest.raises(RedisConnectionError):
        await line.call("PING")
    await line.close()
    await stranger.aclose()
    listening.close()


def test_a_command_is_packed_as_redis_reads_it():
    assert packed(("SET", b"k\r\n", 12)) == b"*3\r\n$3\r\nSET\r\n$3\r\nk\r\n\r\n$2\r\n12\r\n"
