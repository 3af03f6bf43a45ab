"""Routers that cannot take a message are passed over without entering them.

aiogram offers a message to each router in turn, and a router checks it against each of its
handlers: the router's own propagation (its middleware chain built, the keyword arguments copied
four times), then every handler's filters, one coroutine each. A free-text search crossed nine
routers whose every handler waits for a command or for a step of a conversation, before the
router that answers it: about a tenth of the update's time.

Here each router gets a gate, built once from its message handlers when every one of them opens
with a filter that can be read without running it: a conversation step (``State``,
``StateFilter``) or a ``Command``. A message that none of those first filters would let through
(another step, or no command where one is needed) skips the router: the answer is the one aiogram
would reach, since a handler whose first filter refuses is never called. A router that has a
middleware or a filter of its own, or routers inside it, always gets the message, as before.
Inside the routers that do get it, each handler with such a first filter answers "no" the same
way, before aiogram runs its filters one by one.
"""

from __future__ import annotations

from dataclasses import dataclass
from inspect import isclass
from typing import Any

from aiogram import Dispatcher, Router
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.dispatcher.event.handler import HandlerObject
from aiogram.filters import Command, StateFilter
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Message

from handlers.inline_filters import opening


@dataclass(frozen=True)
class Gate:
    """What lets a message into a router: a conversation step among ``states`` (any step when
    ``any_state``), or a text (or caption) starting with one of ``prefixes``."""

    states: frozenset[str | None] = frozenset()
    any_state: bool = False
    prefixes: frozenset[str] = frozenset()

    def passes(self, message: Message, raw_state: str | None) -> bool:
        if self.any_state or raw_state in self.states:
            return True
        return opening(message) in self.prefixes


def _state_gate(allowed: Any) -> Gate | None:
    """The steps one of ``StateFilter``'s states lets through (aiogram 3.31's rules)."""
    if isinstance(allowed, str) or allowed is None:
        return Gate(any_state=True) if allowed == "*" else Gate(states=frozenset({allowed}))
    if isinstance(allowed, State):
        return Gate(any_state=allowed.state == "*", states=frozenset({allowed.state}))
    if isclass(allowed) and issubclass(allowed, StatesGroup):
        return Gate(states=frozenset(allowed.__all_states_names__))
    if isinstance(allowed, StatesGroup):
        return Gate(states=frozenset(type(allowed).__all_states_names__))
    return None


def _first_filter_gate(handler: HandlerObject) -> Gate | None:
    """What ``handler``'s first filter lets through; None when that cannot be read."""
    if not handler.filters:
        return None
    first = handler.filters[0].callback
    if isinstance(first, Command):
        return Gate(prefixes=frozenset(first.prefix))
    states = [first] if isinstance(first, State) else (
        list(first.states) if isinstance(first, StateFilter) else None)
    if states is None:
        return None
    return _joined([_state_gate(allowed) for allowed in states])


def _joined(gates: list[Gate | None]) -> Gate | None:
    """A gate that lets through what any of ``gates`` does; None if one is unknown."""
    if any(gate is None for gate in gates):
        return None
    known = [gate for gate in gates if gate is not None]
    return Gate(states=frozenset().union(*(gate.states for gate in known)),
                any_state=any(gate.any_state for gate in known),
                prefixes=frozenset().union(*(gate.prefixes for gate in known)))


def message_gate(router: Router) -> Gate | None:
    """What may let a message into ``router``; None when that can only be known by offering it
    (the router has a middleware, a filter of its own, routers inside it, or a handler whose
    first filter is of another kind)."""
    observer = router.message
    if observer.outer_middleware or observer._handler.filters or router.sub_routers:
        return None
    return _joined([_first_filter_gate(handler) for handler in observer.handlers])


def _gated(router: Router, gate: Gate) -> None:
    offer = router.propagate_event

    async def propagate_event(update_type: str, event: Any, **kwargs: Any) -> Any:
        if update_type == "message" and not gate.passes(event, kwargs.get("raw_state")):
            return UNHANDLED
        return await offer(update_type=update_type, event=event, **kwargs)

    router.propagate_event = propagate_event  # type: ignore[method-assign]


def _quick_check(handler: HandlerObject, gate: Gate) -> None:
    """``handler`` answers "no" at once to a message its first filter would refuse."""
    check = handler.check

    async def quick_check(event: Any, **kwargs: Any) -> tuple[bool, dict[str, Any]]:
        if not gate.passes(event, kwargs.get("raw_state")):
            return False, kwargs
        return await check(event, **kwargs)

    handler.check = quick_check  # type: ignore[method-assign]


def skip_routers_that_refuse(dispatcher: Dispatcher) -> list[str]:
    """Gate each of ``dispatcher``'s routers that can be gated, and each message handler whose
    first filter can be read (before the filters are wrapped by :mod:`handlers.inline_filters`);
    returns the gated routers' names."""
    gated = []
    for router in dispatcher.sub_routers:
        gate = message_gate(router)
        if gate is not None:
            _gated(router, gate)
            gated.append(router.name)
        for handler in router.message.handlers:
            if (first := _first_filter_gate(handler)) is not None:
                _quick_check(handler, first)
    return gated
