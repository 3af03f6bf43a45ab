"""A lean ``sendMessage`` for bulk senders (reminders, broadcasts): one JSON POST per message.

:class:`TelegramMessenger` sends through aiogram, which builds a pydantic ``SendMessage``,
serialises it field by field into a form, and validates the whole ``Message`` Telegram sends back
into pydantic models, only for the dispatchers to keep its ``message_id``. That is most of the
CPU a bulk sender spends per message. :class:`LeanTelegramMessenger` sends the same request as
JSON (``POST <api>/bot<token>/sendMessage``, ``Content-Type: application/json``, which the Bot
API accepts for every method without a file) through aiogram's own aiohttp session (same
connection pool, proxy, timeout and API server), and reads only ``ok``, ``error_code``,
``description``, ``parameters.retry_after`` / ``parameters.migrate_to_chat_id`` and
``result.message_id``.

The fields are those aiogram would send: the bot's defaults that apply to ``sendMessage``
(``parse_mode``, link preview options, ...) are resolved once, by aiogram itself, at start-up;
``protect_content`` is always sent, as aiogram does. Errors become exactly what
:func:`handlers.messenger.translate` makes of aiogram's exceptions for the same answer:

- ``parameters.retry_after`` -> :class:`RetryAfter` (any status, as aiogram checks it first)
- 403 -> :class:`RecipientBlocked`
- 400 / 404 with "chat not found" or "user is deactivated" -> :class:`RecipientBlocked`,
  other 400 / 404 -> permanent :class:`SendFailed` ("TelegramBadRequest" / "TelegramNotFound")
- timeouts, connection errors and 413 -> ``SendFailed("network")``
- anything else -> ``SendFailed(<aiogram's exception name>)``, not permanent
- an answer that is not JSON, or a success without ``result.message_id`` (aiogram raises
  ``ClientDecodeError``, which ``translate`` never sees) -> ``SendFailed("ClientDecodeError")``,
  not permanent

Editing and deleting (rare: progress messages, buttons) stay on aiogram.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import aiohttp
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.methods import SendMessage

from bot.messenger import OutgoingMessage, RecipientBlocked, RetryAfter, SendFailed
from handlers.messenger import TelegramMessenger

if TYPE_CHECKING:
    from handlers.ops.metrics import Metrics

# fields set per message; everything else aiogram would send comes from the bot's defaults
_PER_MESSAGE = {"chat_id", "text", "reply_markup", "protect_content"}


def default_fields(bot: Bot) -> dict[str, Any]:
    """What aiogram adds to every ``sendMessage`` of this bot (resolved with its own code)."""
    template = SendMessage(chat_id=0, text="-")
    fields: dict[str, Any] = {}
    for key, value in template.model_dump(warnings=False).items():
        if key in _PER_MESSAGE:
            continue
        # aiogram's form drops the fields whose form value is empty (None, "", ...), keeps the
        # others ("false" included); the JSON body carries the same fields, unencoded
        if bot.session.prepare_value(value, bot=bot, files={}):
            fields[key] = bot.session.prepare_value(value, bot=bot, files={}, _dumps_json=False)
    return fields


def keyboard(rows: list) -> dict[str, Any] | None:  # type: ignore[type-arg]
    """The inline keyboard as Telegram's JSON (what aiogram serialises, minus empty fields)."""
    if not rows:
        return None
    return {
        "inline_keyboard": [
            [
                {k: v for k, v in (("text", b.text), ("callback_data", b.data), ("url", b.url))
                 if v is not None}
                for b in row
            ]
            for row in rows
        ]
    }


def error_for(status: int, body: dict[str, Any]) -> Exception:
    """A failed answer as :func:`handlers.messenger.translate` maps aiogram's exception for it."""
    description = str(body.get("description") or "")
    parameters = body.get("parameters") or {}
    if not isinstance(parameters, dict):
        parameters = {}
    if parameters.get("retry_after"):
        return RetryAfter(float(parameters["retry_after"]))
    if parameters.get("migrate_to_chat_id"):
        return SendFailed("TelegramMigrateToChat", permanent=False)
    if status == HTTPStatus.BAD_REQUEST or status == HTTPStatus.NOT_FOUND:
        if "chat not found" in description or "user is deactivated" in description:
            return RecipientBlocked(description)
        name = "TelegramBadRequest" if status == HTTPStatus.BAD_REQUEST else "TelegramNotFound"
        return SendFailed(name, permanent=True)
    if status == HTTPStatus.FORBIDDEN:
        return RecipientBlocked(description)
    if status == HTTPStatus.REQUEST_ENTITY_TOO_LARGE:  # aiogram: a TelegramNetworkError
        return SendFailed("network", permanent=False)
    name = {
        HTTPStatus.CONFLICT: "TelegramConflictError",
        HTTPStatus.UNAUTHORIZED: "TelegramUnauthorizedError",
    }.get(status)  # type: ignore[call-overload]
    if name is None and status >= HTTPStatus.INTERNAL_SERVER_ERROR:
        name = "RestartingTelegram" if "restart" in description else "TelegramServerError"
    return SendFailed(name or "TelegramAPIError", permanent=False)


class LeanTelegramMessenger(TelegramMessenger):
    """:class:`TelegramMessenger` with ``send`` as one JSON POST (needs an aiohttp session)."""

    def __init__(self, bot: Bot, metrics: Metrics | None = None) -> None:
        super().__init__(bot)
        self.metrics = metrics  # bulk sends bypass aiogram's session and its error counter
        if not isinstance(bot.session, AiohttpSession):
            raise TypeError("the lean sender needs aiogram's AiohttpSession")
        self.session: AiohttpSession = bot.session
        self.url = self.session.api.api_url(token=bot.token, method="sendMessage")
        self.defaults = default_fields(bot)
        self.timeout = aiohttp.ClientTimeout(total=float(self.session.timeout))
        self.headers = {"Content-Type": "application/json"}

    def payload(self, message: OutgoingMessage) -> bytes:
        fields: dict[str, Any] = {"chat_id": message.chat_id, "text": message.text,
                                  **self.defaults, "protect_content": message.protect_content}
        if markup := keyboard(message.buttons):
            fields["reply_markup"] = markup
        return json.dumps(fields, ensure_ascii=False).encode()

    async def send(self, message: OutgoingMessage) -> int:
        try:
            return await self._send(message)
        except (RetryAfter, RecipientBlocked, SendFailed) as exc:
            if self.metrics is not None:
                self.metrics.telegram_error(*metric_of(exc))
            raise

    async def _send(self, message: OutgoingMessage) -> int:
        client = await self.session.create_session()
        try:
            async with client.post(
                self.url, data=self.payload(message), headers=self.headers, timeout=self.timeout
            ) as response:
                status = response.status
                raw = await response.read()
        except (TimeoutError, aiohttp.ClientError):
            raise SendFailed("network", permanent=False) from None
        try:
            body = json.loads(raw)
        except ValueError:
            raise SendFailed("ClientDecodeError", permanent=False) from None
        if not isinstance(body, dict):
            raise SendFailed("ClientDecodeError", permanent=False)
        if HTTPStatus.OK <= status <= HTTPStatus.IM_USED and body.get("ok"):
            result = body.get("result")
            if isinstance(result, dict) and isinstance(result.get("message_id"), int):
                return result["message_id"]
            raise SendFailed("ClientDecodeError", permanent=False)
        raise error_for(status, body)


# The lean sender's failures under the error classes of ``handlers.ops.telegram_errors``.
FAILURE_CLASSES = {
    "network": "network", "ClientDecodeError": "decode", "TelegramBadRequest": "bad_request",
    "TelegramNotFound": "not_found", "TelegramMigrateToChat": "migrate_to_chat",
    "TelegramConflictError": "conflict", "TelegramUnauthorizedError": "unauthorized",
    "TelegramServerError": "server_error", "RestartingTelegram": "server_error",
}


def metric_of(exc: Exception) -> tuple[str, float | None]:
    """The error class (and pause) of a failed bulk send, for the metrics."""
    if isinstance(exc, RetryAfter):
        return "retry_after", exc.seconds
    if isinstance(exc, RecipientBlocked):
        return "forbidden", None
    return FAILURE_CLASSES.get(str(exc.args[0]) if exc.args else "", "other"), None


def build_messenger(bot: Bot, metrics: Metrics | None = None) -> TelegramMessenger:
    """The lean messenger on aiogram's aiohttp session, the plain one on any other session (the
    console channel's in-memory session, test sessions)."""
    if isinstance(bot.session, AiohttpSession):
        return LeanTelegramMessenger(bot, metrics)
    return TelegramMessenger(bot)
