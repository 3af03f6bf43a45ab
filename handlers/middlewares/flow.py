"""A new command (other than ``/cancel``) abandons the conversation step in progress.

Without this, a worker who types ``/help`` in the middle of writing a reminder or a note would
have their next plain message taken as that note. The step's data is kept (only the state is
left), so features that remember things between steps, like the last search, keep them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.fsm.context import FSMContext
from aiogram.types import Message, TelegramObject


class CommandLeavesFlowMiddleware(BaseMiddleware):
    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        state: FSMContext | None = data.get("state")
        if (
            isinstance(event, Message)
            and (event.text or "").startswith("/")
            and not (event.text or "").startswith("/cancel")  # steps handle their own /cancel
            and state is not None
            and data.get("raw_state") is not None  # read once per update by aiogram's FSM
        ):
            await state.set_state(None)
            data["raw_state"] = None
        return await handler(event, data)
