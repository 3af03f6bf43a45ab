"""The webhook answers only Telegram's updates: bad secrets, bad bodies and oversized bodies are
refused with the right status and no traceback; a good update is recorded, then handled."""

from __future__ import annotations

import json
import logging

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import func, select

from bot.models.core import ProcessedUpdate
from handlers.dispatcher import build_dispatcher
from handlers.intake import Intake
from handlers.runtime import build_bot
from handlers.webhook import SECRET_HEADER, build_web_app

SECRET = "w" * 40


@pytest.fixture
async def webhook(app):  # type: ignore[no-untyped-def]
    bot = build_bot(app, token="123456:TEST-token")
    intake = Intake(app, build_dispatcher(app), bot)
    runner = web.AppRunner(build_web_app(intake, SECRET))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}/telegram", intake
    await intake.drain(grace=5)
    await runner.cleanup()
    await bot.session.close()


async def post(url: str, body: bytes, secret: str | None = SECRET) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    async with aiohttp.ClientSession() as client, client.post(url, data=body,
                                                              headers=headers) as response:
        return response.status


@pytest.mark.parametrize(("body", "status"), [
    (b"{not json", 400),
    (b"\xff\xfe", 400),
    (b"[1, 2, 3]", 400),
    (b'"update"', 400),
    (b'{"update_id": "12"}', 400),
    (b'{"message": {"text": "hi"}}', 400),
    (b'{"update_id": 12, "message": {"text": "no chat, no date"}}', 400),
])
async def test_what_is_not_an_update_gets_400(webhook, body, status, caplog):
    url, _intake = webhook
    with caplog.at_level(logging.DEBUG):
        assert await post(url, body) == status
    assert not [r for r in caplog.records if r.exc_info], "no traceback for bad input"


async def test_oversized_body_gets_413(webhook):
    url, _intake = webhook
    assert await post(url, b'{"update_id": 1, "x": "' + b"a" * (2 * 1024 * 1024) + b'"}') == 413


async def test_a_wrong_or_missing_secret_gets_401(webhook, app):
    url, _intake = webhook
    update = json.dumps({"update_id": 7}).encode()
    assert await post(url, update, secret=None) == 401
    assert await post(url, update, secret="x" * 40) == 401
    async with app.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(ProcessedUpdate)) == 0


async def test_an_update_is_recorded_and_handled_once(webhook, app):
    url, intake = webhook
    # a message from another bot: handled (and ignored) without calling Telegram
    update = json.dumps({"update_id": 8, "message": {
        "message_id": 1, "date": 0, "chat": {"id": 99, "type": "private"},
        "from": {"id": 99, "is_bot": True, "first_name": "Robot"}, "text": "hi"}}).encode()
    assert await post(url, update) == 200
    assert await post(url, update) == 200  # Telegram delivering it again
    await intake.drain(grace=5)
    async with app.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(ProcessedUpdate)) == 1
    assert await intake.inbox.pending(intake.bot.id) == 0
