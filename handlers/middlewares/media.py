"""Messages the privacy screen cannot read are deleted at every step, and the step is kept.

A photo, file, voice or video note, audio, contact card, location, venue, poll... (and stickers,
animations and dice: they rarely carry identity, but one rule is simpler to explain and to trust
than a list of exceptions) may show or name a youth, and nothing in Relais can check it. So it is
deleted from the chat with the bot's ``deleteMessage`` and the sender is told why, in their
language; nothing of it is stored or relayed. Its caption, the only part that can be read, is
screened first: when it identifies someone, the refusal names the kinds found, as for any text.

The conversation step is left as it was (no handler runs), so the next text message continues
the flow. When Telegram refuses the deletion (older than 48 h, already gone) the sender is asked
to delete it and the update is handled normally.

Registered on ``dispatcher.message`` after the worker and language middlewares: strangers are
stopped before (they have nothing stored and get the usual bilingual answer).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.enums import ContentType
from aiogram.types import Message, TelegramObject

from bot.services import screening
from handlers.privacy_reply import current_language, refuse_identifying, refuse_unscreenable

# Every kind of message a person can send that is not plain text. Service messages (a pinned
# message, "write access allowed"...) are not listed: they carry nothing the person typed.
UNSCREENABLE_NAMES = (
    "ANIMATION", "AUDIO", "DOCUMENT", "LIVE_PHOTO", "PAID_MEDIA", "PHOTO", "STICKER", "STORY",
    "VIDEO", "VIDEO_NOTE", "VOICE", "CHECKLIST", "CONTACT", "DICE", "GAME", "POLL", "VENUE",
    "LOCATION", "USERS_SHARED", "USER_SHARED", "CHAT_SHARED", "RICH_MESSAGE", "PASSPORT_DATA",
    "WEB_APP_DATA", "INVOICE", "UNKNOWN",
)
UNSCREENABLE: frozenset[str] = frozenset(
    str(getattr(ContentType, name).value) for name in UNSCREENABLE_NAMES
    if hasattr(ContentType, name)
)


def content_type(message: Message) -> str:
    """``"photo"``, ``"contact"``...: aiogram's enum value as a plain string."""
    kind = message.content_type
    return str(getattr(kind, "value", kind))


def unscreenable(message: Message) -> bool:
    """True for a message whose content the privacy screen cannot read (anything but text)."""
    return message.text is None and content_type(message) in UNSCREENABLE


class MediaMiddleware(BaseMiddleware):
    """Delete and explain unscreenable messages; the FSM state is left untouched."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if not isinstance(event, Message) or not unscreenable(event):
            return await handler(event, data)
        app = data.get("app")
        session = data.get("session")
        state = data.get("raw_state")
        context = f"media:{state}" if state else "media"
        caption = event.caption or ""
        if caption.strip() and app is not None and session is not None:
            try:
                result = await screening.screen_text(app, session, caption, current_language())
            except screening.ScreenUnavailable:
                result = None  # deleted below anyway: nothing is stored either way
            if result is not None and result.identifying:
                await refuse_identifying(event, result, app=app, session=session,
                                         context=context)
                return None
        await refuse_unscreenable(event, app=app, session=session, context=context)
        return None
