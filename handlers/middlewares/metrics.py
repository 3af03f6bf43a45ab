"""Count every update by type and outcome and time its handling: one counter and one histogram
observation per update, nothing else (this runs on every update).

Registered first on ``dispatcher.update``, so it wraps the unit of work
(:class:`handlers.middlewares.database.DatabaseMiddleware`), commit included. Outcomes:

- ``handled``: the handlers ran and the update's transaction ended;
- ``skipped``: already handled (the database middleware returned before opening the handlers:
  no ``session`` was put in the update's data) or no handler wanted it;
- ``error``: an exception came out of the handlers, or the commit failed (both already
  answered with an apology).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.types import TelegramObject, Update

if TYPE_CHECKING:
    from handlers.ops.metrics import Metrics


def update_type(event: TelegramObject) -> str:
    """``message``, ``callback_query`` or ``other`` (two attribute reads)."""
    if isinstance(event, Update):
        if event.message is not None:
            return "message"
        if event.callback_query is not None:
            return "callback_query"
    return "other"


class UpdateMetricsMiddleware(BaseMiddleware):
    def __init__(self, metrics: Metrics | None) -> None:
        self.metrics = metrics

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        metrics = self.metrics
        if metrics is None:
            return await handler(event, data)
        started = time.perf_counter()
        try:
            result = await handler(event, data)
        except Exception:
            metrics.update_done(update_type(event), "error", time.perf_counter() - started)
            raise
        if data.get("update_failed"):  # its commit failed: apologised, nothing stored
            outcome = "error"
        elif result is UNHANDLED or "session" not in data:
            outcome = "skipped"
        else:
            outcome = "handled"
        metrics.update_done(update_type(event), outcome, time.perf_counter() - started)
        return result
