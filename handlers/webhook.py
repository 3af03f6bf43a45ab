"""The webhook endpoint: only Telegram's calls, only updates, answered once recorded.

- a wrong or missing ``X-Telegram-Bot-Api-Secret-Token`` (when a secret is set): 401;
- a body that is not JSON, or JSON that is not an update: 400, with no traceback;
- a body over the server's limit: 413 (aiohttp's ``client_max_size``);
- the update recorded in the inbox: 200, then it is handled; the database away: 503, and
  Telegram delivers it again later.
"""

from __future__ import annotations

import hmac
import json
import logging

from aiogram.types import Update
from aiohttp import web
from pydantic import ValidationError

from bot.services.inbox import Received
from handlers.intake import Intake

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1024 * 1024  # Telegram's updates are far smaller


def webhook_handler(intake: Intake, secret: str | None):  # type: ignore[no-untyped-def]
    """The aiohttp handler of ``POST /telegram``."""

    async def handle(request: web.Request) -> web.Response:
        if secret is not None and not hmac.compare_digest(
                request.headers.get(SECRET_HEADER, "").encode(), secret.encode()):
            return web.Response(status=401, text="unauthorized")
        try:
            data = json.loads(await request.read())
        except ValueError:
            return web.Response(status=400, text="not JSON")
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            return web.Response(status=400, text="not an update")
        try:
            Update.model_validate(data, context={"bot": intake.bot})
        except ValidationError:
            return web.Response(status=400, text="not an update")
        try:
            await intake.receive([Received(data["update_id"], data)])
        except Exception as exc:
            log.warning("update %s not recorded: %s", data["update_id"], type(exc).__name__)
            return web.Response(status=503, text="try again")
        return web.json_response({})

    return handle


def build_web_app(intake: Intake, secret: str | None) -> web.Application:
    web_app = web.Application(client_max_size=MAX_BODY)
    web_app.router.add_post("/telegram", webhook_handler(intake, secret))
    web_app.router.add_get("/health", health)
    return web_app


async def health(_request: web.Request) -> web.Response:
    return web.Response(text="ok")
