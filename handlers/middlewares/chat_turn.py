"""A chat's updates one at a time, with the worker read while the chat's turn is on its way.

aiogram's FSM middleware takes the chat's lock, reads its state and only then lets the update go
on: with Redis, a trip to Redis comes before the database's first, and they add up.
:class:`ChatTurnMiddleware` asks for the turn (:meth:`handlers.isolation.LocalFirstIsolation.turn`)
and lets the update go on to its session; :class:`WorkerReadMiddleware` reads the worker behind a
message or a button press while the turn is on its way, then waits for it. The row is kept when
:meth:`handlers.turn.Turn.taken` says nothing can have changed it since (the chat's previous
update ran in this process, which gave the lock back only after its commit), and read again
otherwise. It is read ahead only for a chat whose previous turn here was up to date
(:attr:`handlers.turn.Turn.ahead`): where processes share a chat's updates, it is read within
the turn, as before. Nothing else runs before the turn: routing needs the state read with it,
and the database middleware waits for it before the handled look-up and before its commit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.fsm.middleware import FSMContextMiddleware
from aiogram.types import TelegramObject, Update

from handlers.isolation import turn_of
from handlers.middlewares.worker import WORKER_READ, read_worker
from handlers.turn import Turn

TURN = "chat_turn"  # in the handler data: the update's Turn


class ChatTurnMiddleware(FSMContextMiddleware):
    """aiogram's FSM middleware (same context, same storage), with the turn asked for."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        context = self.resolve_event_context(data["bot"], data)
        data["fsm_storage"] = self.storage
        if context is None:
            return await handler(event, data)
        async with turn_of(self.events_isolation, context.key) as turn:
            data["state"] = context
            data[TURN] = turn
            return await handler(event, data)


async def wait_turn(data: dict[str, Any]) -> bool:
    """Wait for the update's turn and put the chat's state in the data (once). True when what
    was read before the turn is up to date (:class:`handlers.turn.Turn`)."""
    turn: Turn | None = data.get(TURN)
    if turn is None:
        return True
    fresh = await turn.taken()
    if "raw_state" not in data:
        data["raw_state"] = await data["state"].get_state()
    return fresh


class WorkerReadMiddleware(BaseMiddleware):
    """Reads the worker behind a message or a button press (for the worker middleware) while
    the update's turn is on its way, then waits for the turn; reads again when needed."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        inner = (event.message or event.callback_query) if isinstance(event, Update) else None
        turn: Turn | None = data.get(TURN)
        ahead = turn is not None and turn.ahead and not turn.done()
        if not ahead:
            await wait_turn(data)  # read within the turn
        read = await read_worker(inner, data) if inner is not None else None
        if ahead and not await wait_turn(data) and read is not None:
            data["session"].expunge_all()  # what was read may be out of date
            read = await read_worker(inner, data)
        if read is not None:
            data[WORKER_READ] = read
        return await handler(event, data)
