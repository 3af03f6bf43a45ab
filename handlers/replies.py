"""Replies that announce a stored fact go out after the update's commit, like every effect.

``reply_after_commit(session, message.answer, text, ...)`` queues the call; the update's unit of
work (:mod:`handlers.middlewares.database`) makes it once the commit succeeded. Texts are
translated when queued, in the chat's language.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.effects import after_commit


def reply_after_commit(session: AsyncSession, send: Callable[..., Awaitable[Any]], *args: Any,
                       **kwargs: Any) -> None:
    """Call ``send(*args, **kwargs)`` (an aiogram reply method) after the commit."""
    after_commit(session, partial(send, *args, **kwargs))
