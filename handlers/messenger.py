"""The aiogram implementation of :class:`bot.messenger.Messenger` used by background jobs.

Telegram errors become the small set of exceptions services understand: blocked, wait, failed.
"""

from __future__ import annotations

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
)
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.messenger import Button, OutgoingMessage, RecipientBlocked, RetryAfter, SendFailed


def markup(rows: list[list[Button]]) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=b.text, callback_data=b.data, url=b.url) for b in row]
            for row in rows
        ]
    )


class TelegramMessenger:
    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, message: OutgoingMessage) -> int:
        try:
            sent = await self.bot.send_message(
                message.chat_id,
                message.text,
                reply_markup=markup(message.buttons),
                protect_content=message.protect_content,
            )
        except TelegramAPIError as exc:
            raise translate(exc) from exc
        return sent.message_id

    async def edit(self, message: OutgoingMessage, message_id: int) -> None:
        try:
            await self.bot.edit_message_text(
                text=message.text,
                chat_id=message.chat_id,
                message_id=message_id,
                reply_markup=markup(message.buttons),
            )
        except TelegramBadRequest as exc:
            if "not modified" in exc.message:
                return
            raise translate(exc) from exc
        except TelegramAPIError as exc:
            raise translate(exc) from exc

    async def delete(self, chat_id: int, message_id: int) -> None:
        try:
            await self.bot.delete_message(chat_id, message_id)
        except TelegramAPIError as exc:
            raise translate(exc) from exc


def translate(exc: TelegramAPIError) -> Exception:
    """Map an aiogram error to what a service should do about it."""
    if isinstance(exc, TelegramRetryAfter):
        return RetryAfter(float(exc.retry_after))
    if isinstance(exc, TelegramForbiddenError):
        return RecipientBlocked(exc.message)
    if isinstance(exc, TelegramNetworkError):
        return SendFailed("network", permanent=False)
    if isinstance(exc, TelegramBadRequest | TelegramNotFound):
        if "chat not found" in exc.message or "user is deactivated" in exc.message:
            return RecipientBlocked(exc.message)
        return SendFailed(type(exc).__name__, permanent=True)
    return SendFailed(type(exc).__name__, permanent=False)
