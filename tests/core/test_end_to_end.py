"""``relais run`` as a real process against the local Bot API stand-in over HTTP."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys

import pytest

from handlers.console.fake_api import FakeTelegram
from tests.standin.server import StandIn

TOKEN = "123456:TEST-token"
USER = 5550001


def relais_env(db_url: str, redis_url: str | None, api: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RELAIS_")}
    env.update(
        RELAIS_BOT_TOKEN=TOKEN, RELAIS_TELEGRAM_API=api, RELAIS_DATABASE_URL=db_url,
        RELAIS_BOT_USERNAME="RelaisTestBot", **extra,
    )
    if redis_url:
        env["RELAIS_REDIS_URL"] = redis_url
    return env


async def relais(env: dict[str, str], *args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )


async def invite_token(env: dict[str, str]) -> str:
    process = await relais(env, "invite", "--role", "coordinator", "--org", "CAVAC test",
                           "--region", "06")
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    link = out.decode().strip()
    assert link.startswith("https://t.me/RelaisTestBot?start=")
    return link.rsplit("=", 1)[1]


async def wait_for_text(telegram: FakeTelegram, needle: str, chat_id: int = USER) -> str:
    """The first text sent to ``chat_id`` containing ``needle``, waiting up to 30 s."""

    async def poll() -> str:
        while True:
            for event in telegram.events:
                if event.chat_id == chat_id and needle in event.text:
                    return event.text
            await asyncio.sleep(0.05)

    try:
        return await asyncio.wait_for(poll(), 30)
    except TimeoutError:
        texts = [e.text[:80] for e in telegram.events]
        raise AssertionError(f"{needle!r} never sent; bot sent {texts}") from None


async def stop(process: asyncio.subprocess.Process) -> bytes:
    if process.returncode is None:
        process.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(process.wait(), 15)
        except TimeoutError:
            process.kill()
    _, err = await process.communicate()
    return err


@pytest.fixture
async def standin():
    server = StandIn(TOKEN)
    await server.start()
    yield server
    await server.stop()


async def test_long_polling_serves_onboarding_and_help(standin, db_url, redis_url):
    env = relais_env(db_url, redis_url, standin.base_url)
    token = await invite_token(env)
    process = await relais(env, "run")
    try:
        telegram = standin.telegram
        telegram.add_user(USER, "Camille", "fr")
        telegram.user_sends(USER, f"/start {token}")
        welcome = await wait_for_text(telegram, "Camille")
        assert "CAVAC test" in welcome
        telegram.user_sends(USER, "/help")
        await wait_for_text(telegram, "/invite")
        # The menus were set in English (default) and French.
        scopes = {language for (_scope, language) in telegram.commands}
        assert {"", "fr"} <= scopes
        # A stranger gets the bilingual refusal only.
        telegram.add_user(USER + 1, "Inconnu", "en")
        telegram.user_sends(USER + 1, "any shelter in montreal?")
        refusal = await wait_for_text(telegram, "invitation", chat_id=USER + 1)
        assert "shelter" not in refusal.lower()
    finally:
        err = await stop(process)
    assert process.returncode in (0, -signal.SIGINT), err.decode()[-2000:]
    assert "any shelter" not in err.decode(), "message text must never be logged"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_webhook_delivery_with_secret(standin, db_url, redis_url):
    port = free_port()
    env = relais_env(
        db_url, redis_url, standin.base_url,
        RELAIS_WEBHOOK_URL=f"http://127.0.0.1:{port}", RELAIS_WEBHOOK_SECRET="s3cret-Token_1",
        RELAIS_WEBHOOK_HOST="127.0.0.1", RELAIS_WEBHOOK_PORT=str(port),
    )
    token = await invite_token(env)
    process = await relais(env, "run", "--webhook")
    try:
        setter = await relais(env, "webhook", "set")
        _, err = await setter.communicate()
        assert setter.returncode == 0, err.decode()
        assert standin.telegram.webhook["secret_token"] == "s3cret-Token_1"
        # Wait until the server listens, then let the stand-in push updates to it.
        for _ in range(200):
            try:
                _reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                break
            except OSError:
                await asyncio.sleep(0.05)
        standin.telegram.add_user(USER, "Alex", "en")
        standin.telegram.user_sends(USER, f"/start {token}")
        welcome = await wait_for_text(standin.telegram, "Welcome to Relais, Alex")
        assert "CAVAC test" in welcome
        assert all(status == 200 for _, status in standin.webhook_deliveries)
        # A call without the secret header is refused.
        import aiohttp

        async with aiohttp.ClientSession() as client, client.post(
            f"http://127.0.0.1:{port}/telegram", json={"update_id": 99}
        ) as response:
            assert response.status == 401
    finally:
        await stop(process)
