"""Drop updates whose ``update_id`` was already handled (Telegram may deliver twice)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update

from bot.clock import Clock
from bot.services.dedupe import UpdateLedger

log = logging.getLogger(__name__)


class DedupeMiddleware(BaseMiddleware):
    def __init__(self, ledger: UpdateLedger, clock: Clock) -> None:
        self.ledger = ledger
        self.clock = clock

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if isinstance(event, Update):
            bot = data["bot"]
            if not await self.ledger.claim(bot.id, event.update_id, self.clock.now()):
                log.info("update %s already handled, skipped", event.update_id)
                return None
        return await handler(event, data)
