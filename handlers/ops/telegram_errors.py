"""Count failed Bot API calls by error class, and Telegram's 429 pauses, on the bot's session.

Installed with ``bot.session.middleware(TelegramErrorMetrics(metrics))``: every call made
through aiogram passes it (``getUpdates``, replies, edits, ``getMe``...). The label is the error's
class only, never the method, the chat or Telegram's description (which may quote a text).

Bulk ``sendMessage`` calls of :mod:`handlers.lean_sender` do not go through aiogram's session,
so they are not counted here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiogram import exceptions as tg
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.methods.base import TelegramType

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.methods import Response, TelegramMethod

    from handlers.ops.metrics import Metrics

# Most specific first: RestartingTelegram is a server error, EntityTooLarge a network error.
ERROR_CLASSES: tuple[tuple[type[Exception], str], ...] = (
    (tg.TelegramRetryAfter, "retry_after"),
    (tg.TelegramMigrateToChat, "migrate_to_chat"),
    (tg.TelegramEntityTooLarge, "entity_too_large"),
    (tg.TelegramNetworkError, "network"),
    (tg.TelegramForbiddenError, "forbidden"),
    (tg.TelegramBadRequest, "bad_request"),
    (tg.TelegramNotFound, "not_found"),
    (tg.TelegramConflictError, "conflict"),
    (tg.TelegramUnauthorizedError, "unauthorized"),
    (tg.TelegramServerError, "server_error"),
    (tg.ClientDecodeError, "decode"),
)


def error_class(exc: BaseException) -> str:
    """A short, method-independent name for a failed call's exception."""
    for kind, name in ERROR_CLASSES:
        if isinstance(exc, kind):
            return name
    return "other"


class TelegramErrorMetrics(BaseRequestMiddleware):
    """Counts each failed request once, then lets the error go on as before."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        try:
            return await make_request(bot, method)
        except Exception as exc:
            retry_after = float(exc.retry_after) if isinstance(exc, tg.TelegramRetryAfter) else None
            self.metrics.telegram_error(error_class(exc), retry_after)
            raise


def install(bot: Bot, metrics: Metrics) -> None:
    """Count the bot's failed calls in ``metrics`` (once per bot session)."""
    if not any(isinstance(m, TelegramErrorMetrics) for m in bot.session.middleware):
        bot.session.middleware(TelegramErrorMetrics(metrics))
