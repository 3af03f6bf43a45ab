"""Keep aiogram's ``Response[...]`` models alive for the life of the bot.

aiogram reads every Bot API answer with ``Response[method.__returning__]``, a pydantic generic
model made on first use. pydantic caches those models in a ``WeakValueDictionary``: nothing else
holds them, so each garbage collection drops them and the next answer builds the model again
(about a millisecond each, a third of a short update's time, measured with py-spy). Making the
models of the methods Relais calls once, and holding them, takes that away.
"""

from __future__ import annotations

from typing import Any

from aiogram import methods
from aiogram.methods.base import Response, TelegramMethod

# The methods an update or a job calls; others build their model on first use, as before.
USED_METHODS: tuple[type[TelegramMethod[Any]], ...] = (
    methods.SendMessage, methods.EditMessageText, methods.EditMessageReplyMarkup,
    methods.DeleteMessage, methods.DeleteMessages, methods.AnswerCallbackQuery,
    methods.SendDocument, methods.SendPhoto, methods.SendChatAction, methods.GetUpdates, methods.GetMe,
    methods.SetMyCommands, methods.DeleteMyCommands, methods.GetWebhookInfo,
)


def pin_response_models(holder: Any) -> None:
    """Build the answer models of :data:`USED_METHODS` and hold them on ``holder`` (the bot's
    session), so that they live as long as it does."""
    holder.pinned_response_models = [
        Response[method.__returning__]
        for method in USED_METHODS
    ]
