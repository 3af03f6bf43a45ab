"""Only registered workers use Relais: load the worker, or answer strangers politely.

A stranger gets one bilingual message saying how to get an invitation, and nothing else. The only
thing a stranger can do is ``/start <token>`` from an invitation link.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject
from aiogram.utils.i18n import I18n

from bot.i18n import N_
from bot.models.core import Worker
from bot.services import workers

STRANGER_TEXT = N_(
    "Relais is reserved for registered workers of the partner network. To join, ask the "
    "coordinator of your regional table for an invitation link."
)


def bilingual(i18n: I18n, message: str) -> str:
    """The same message in French, then English, for people whose language we do not know."""
    return "\n\n".join(i18n.gettext(message, locale=lang) for lang in ("fr", "en"))


def is_invitation(event: TelegramObject) -> bool:
    return isinstance(event, Message) and (event.text or "").startswith("/start ")


def is_typed_text(event: TelegramObject) -> bool:
    """A text that is not a command: a search, or a reply to an open case thread."""
    return isinstance(event, Message) and bool(event.text) and not event.text.startswith("/")


WORKER_READ = "worker_read"  # in the handler data: (worker or None, thread open) read ahead


async def read_worker(event: TelegramObject, data: dict[str, Any]
                      ) -> tuple[Worker | None, bool] | None:
    """The worker behind ``event`` and, for a typed text, whether a case thread is open with
    them (one query); None when the worker middleware reads nobody (a bot, a group)."""
    user = data.get("event_from_user")
    chat = data.get("event_chat")
    if user is None or user.is_bot or (chat is not None and chat.type != "private"):
        return None
    if is_typed_text(event):  # the cases' "thread or search" needs to know (one query)
        return await workers.with_open_thread(data["session"], user.id,
                                              now=data["app"].clock.now())
    return await workers.by_telegram_id(data["session"], user.id), False


class WorkerMiddleware(BaseMiddleware):
    """Puts ``worker`` in the handler data (and, for a typed text, ``thread_open``: whether a
    case thread is open with them); stops strangers and deactivated workers. The worker is
    read ahead, while the chat's turn was on its way (``handlers.middlewares.chat_turn``)."""

    def __init__(self, i18n: I18n) -> None:
        self.i18n = i18n

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user = data.get("event_from_user")
        if user is None or user.is_bot:
            return None
        chat = data.get("event_chat")
        if chat is not None and chat.type != "private":
            return None  # Relais works in private chats only: case data never goes to groups
        read = data.pop(WORKER_READ, None) or await read_worker(event, data)
        worker, thread_open = read or (None, False)
        if is_typed_text(event):
            data["thread_open"] = thread_open
        if worker is not None:
            if worker.blocked_bot:
                worker.blocked_bot = False  # they are writing again: they unblocked the bot
            if user.language_code and worker.telegram_language != user.language_code:
                worker.telegram_language = user.language_code  # for messages sent later
        data["worker"] = worker if worker is not None and worker.active else None
        if data["worker"] is None and not is_invitation(event):
            await self._refuse(event)
            return None
        return await handler(event, data)

    async def _refuse(self, event: TelegramObject) -> None:
        text = bilingual(self.i18n, STRANGER_TEXT)
        if isinstance(event, Message):
            await event.answer(text)
        elif isinstance(event, CallbackQuery):
            await event.answer(text[:200], show_alert=True)
