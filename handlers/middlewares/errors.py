"""Turn service refusals into a message in the user's language, and never lose the user.

A :class:`bot.errors.RelaisError` rolls back the update's work and is answered with its
translated message; any other exception is answered with a generic apology, then re-raised so it
is logged (by type and update id only, never message text).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject
from aiogram.utils.i18n import gettext as _

from bot.clock import Clock
from bot.errors import RelaisError
from bot.i18n import N_
from bot.models.core import Worker
from bot.services import audit
from bot.services.screening import IdentifyingText
from handlers.ops.metrics import record_refusal

log = logging.getLogger(__name__)

GENERIC_ERROR = N_(
    "Sorry, something went wrong on our side. Nothing you entered was shared. Please try again."
)


def error_text(exc: RelaisError) -> str:
    text = _(exc.message)
    return text.format(**exc.params) if exc.params else text


async def tell(event: TelegramObject, text: str) -> None:
    """Answer a message or a button press with a short text."""
    if isinstance(event, Message):
        await event.answer(text)
    elif isinstance(event, CallbackQuery):
        await event.answer(text[:200], show_alert=True)


class ErrorReplyMiddleware(BaseMiddleware):
    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    async def _undo(self, exc: RelaisError, data: dict[str, Any]) -> None:
        """Roll back the update's work; keep an audit trace of refusals that call for one."""
        session = data.get("session")
        if session is None:
            return
        worker = data.get("worker")
        worker_id = worker.id if worker is not None else None  # the rollback expires it
        await session.rollback()
        if exc.audit_action:
            user = data.get("event_from_user")
            await audit.record(
                session,
                at=self.clock.now(),
                action=exc.audit_action,
                actor=await session.get(Worker, worker_id) if worker_id else None,
                actor_telegram_id=user.id if user else None,
            )  # committed by the update's owner, with the update marked handled

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        try:
            return await handler(event, data)
        except RelaisError as exc:
            if isinstance(exc, IdentifyingText):
                record_refusal(data.get("app"), exc.kinds)
            await self._undo(exc, data)
            await tell(event, error_text(exc))
            return None
        except Exception as exc:
            log.exception("handler failed: %s", type(exc).__name__)
            try:
                await tell(event, _(GENERIC_ERROR))
            except Exception:  # the apology itself failed (Telegram down): nothing more to do
                log.warning("could not send the error apology")
            raise
