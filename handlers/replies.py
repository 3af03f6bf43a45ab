"""Replies that announce a stored fact go out after the update's commit, like every effect.

``reply_after_commit(session, message.answer, text, ...)`` queues the call; the update's unit of
work (:mod:`handlers.middlewares.database`) makes it once the commit succeeded. Texts are
translated when queued, in the chat's language. Nobody reads what Telegram answers to such a
reply, so on the bot's JSON session it is not turned into aiogram's objects
(:meth:`handlers.json_session.JsonSession.call_unread`).

``reply_alongside(session, message.answer, text, ...)`` is for a reply that announces nothing
stored (``/help``): it leaves at once and travels while the update commits
(:func:`bot.db.effects.alongside`), instead of waiting for the commit's trip to the database.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from aiogram.methods import TelegramMethod
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.effects import after_commit, alongside
from handlers.json_session import JsonSession


def reply_after_commit(session: AsyncSession, send: Callable[..., Awaitable[Any]], *args: Any,
                       **kwargs: Any) -> None:
    """Call ``send(*args, **kwargs)`` (an aiogram reply method) after the commit."""
    after_commit(session, partial(_call, send, args, kwargs))


def reply_alongside(session: AsyncSession, send: Callable[..., Awaitable[Any]], *args: Any,
                    **kwargs: Any) -> None:
    """Call ``send(*args, **kwargs)`` now, while the update commits: only for a reply that
    says nothing the commit stores."""
    alongside(session, partial(_call, send, args, kwargs))


async def _call(send: Callable[..., Awaitable[Any]], args: tuple[Any, ...],
                kwargs: dict[str, Any]) -> None:
    call = send(*args, **kwargs)
    bot = call.bot if isinstance(call, TelegramMethod) else None
    if bot is not None and isinstance(bot.session, JsonSession):
        await bot.session.call_unread(bot, call)
    else:
        await call
