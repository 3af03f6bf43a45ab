"""Plain (synchronous) filters run in the event loop, not in a worker thread.

aiogram calls a filter that is not a coroutine function, ``F.text``-style magic filters among
them, through ``asyncio.to_thread``: one trip to the thread pool and back for each filter of
each handler an update is checked against, before the one that takes it. Our filters are pure
and quick (they read the update, never a database), so that trip costs far more than the
check; in a profile of ``/help`` it was a fifth of the update's time.

Command filters first look at the text's first character: aiogram parses the text of every
message against each ``Command`` filter it meets (a split, then an exception raised and caught
when it is no command), and a free-text search met about thirty of them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from aiogram import Dispatcher
from aiogram.dispatcher.event.handler import FilterObject, HandlerObject
from aiogram.filters import Command
from aiogram.types import Message


def _handlers(dispatcher: Dispatcher) -> Iterator[HandlerObject]:
    """Every handler of every router, and each observer's own filters (``router.message
    .filter(...)``)."""
    for router in dispatcher.chain_tail:
        for observer in router.observers.values():
            yield observer._handler
            yield from observer.handlers


def _awaitable(check: Callable[..., Any]) -> Callable[..., Any]:
    async def inline(*args: Any, **kwargs: Any) -> Any:
        return check(*args, **kwargs)

    return inline


def run_filters_inline(dispatcher: Dispatcher) -> int:
    """Make every synchronous filter of ``dispatcher``'s routers a coroutine that calls it in
    place (same arguments, same result); returns how many."""
    changed = 0
    for handler in _handlers(dispatcher):
        for event_filter in handler.filters or []:
            if isinstance(event_filter, FilterObject) and not event_filter.awaitable:
                event_filter.callback = _awaitable(event_filter.callback)
                event_filter.awaitable = True
                changed += 1
    return changed


def opening(message: Message) -> str:
    """The first character of a message's text or caption after any spaces ("" when there is
    none): what a command has to start with (aiogram splits on whitespace first)."""
    text = message.text or message.caption
    return text.lstrip()[:1] if text else ""


def _command_first(command: Command) -> Callable[..., Awaitable[Any]]:
    """``command``, answering False at once for a message whose text (or caption) does not
    start with one of its prefixes, as aiogram's own parsing would (it splits the text on
    whitespace first, so leading spaces do not count)."""
    async def check(message: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(message, Message) and (first := opening(message)) \
                and first not in command.prefix:
            return False
        return await command(message, *args, **kwargs)

    return check


def check_commands_first(dispatcher: Dispatcher) -> int:
    """Put the prefix check in front of every ``Command`` filter of ``dispatcher``'s routers
    (same result for every message); returns how many."""
    changed = 0
    for handler in _handlers(dispatcher):
        for event_filter in handler.filters or []:
            if isinstance(event_filter, FilterObject) and isinstance(event_filter.callback,
                                                                     Command):
                event_filter.callback = _command_first(event_filter.callback)
                changed += 1
    return changed
