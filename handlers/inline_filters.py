"""Plain (synchronous) filters run in the event loop, not in a worker thread.

aiogram calls a filter that is not a coroutine function, ``F.text``-style magic filters among
them, through ``asyncio.to_thread``: one trip to the thread pool and back for each filter of
each handler an update is checked against, before the one that takes it. Our filters are pure
and quick (they read the update, never a database), so that trip costs far more than the
check; in a profile of ``/help`` it was a fifth of the update's time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from aiogram import Dispatcher
from aiogram.dispatcher.event.handler import FilterObject, HandlerObject


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
