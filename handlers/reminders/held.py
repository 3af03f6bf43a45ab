"""Reminders held while a worker had blocked the bot arrive as soon as they write again.

The middleware sits on the dispatcher (``handlers.dispatcher.build_dispatcher``), behind the
worker middleware: whatever the worker sends first (``/help``, a case, a button), the reminders
held for them become due at once. On the reminders router it only saw what reached that router.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject

from bot.services.reminders import answers


class ReleaseHeld(BaseMiddleware):
    """When the worker middleware just cleared ``blocked_bot`` (they wrote again, anything),
    their held reminders become due at once."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        worker, session, app = data.get("worker"), data.get("session"), data.get("app")
        if worker is not None and session is not None and app is not None:
            await answers.release_if_back(session, worker, app.clock.now())
        return await handler(event, data)
