"""Routers and handlers that cannot take a message are passed over: the answer is the one aiogram
would give by offering the message to each of them."""

from __future__ import annotations

import itertools

import pytest
from aiogram import BaseMiddleware, Bot, Dispatcher, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import StorageKey
from aiogram.types import Message, Update

from handlers.dispatcher import build_routers
from handlers.quick_routing import message_gate, skip_routers_that_refuse


class Flow(StatesGroup):
    one = State()
    two = State()


class Other(StatesGroup):
    three = State()


def message_update(text: str | None, field: str = "text") -> dict:
    message = {"message_id": 5, "date": 1_700_000_000, "chat": {"id": 77, "type": "private"},
               "from": {"id": 77, "is_bot": False, "first_name": "A"}}
    if text is None:
        message["location"] = {"latitude": 45.5, "longitude": -73.6}
    else:
        message[field] = text
    return {"update_id": 1, "message": message}


class Counting(BaseMiddleware):
    def __init__(self, seen: list[str]) -> None:
        self.seen = seen

    async def __call__(self, handler, event, data):  # type: ignore[no-untyped-def]
        self.seen.append("middleware")
        return await handler(event, data)


def routers(seen: list[str]) -> list[Router]:
    """Every kind of first filter, a router with a middleware and one that takes any text."""
    def record(name: str):  # type: ignore[no-untyped-def]
        async def handler(message: Message) -> None:
            seen.append(name)
        return handler

    commands = Router(name="commands")
    commands.message.register(record("find"), Command("find", prefix="/!"))
    commands.message.register(record("help"), Command("help"))
    steps = Router(name="steps")
    steps.message.register(record("one"), Flow.one, F.text)
    steps.message.register(record("flow"), StateFilter(Flow), F.text == "group")
    steps.message.register(record("three or none"), StateFilter(Other.three, None),
                           F.text == "either")
    steps.message.register(record("named"), StateFilter("Other:three"), F.text == "named")
    anywhere = Router(name="anywhere")
    anywhere.message.register(record("any step"), StateFilter("*"), F.text == "any")
    watched = Router(name="watched")
    watched.message.outer_middleware(Counting(seen))
    watched.message.register(record("watched"), Command("watch"))
    rest = Router(name="rest")
    rest.message.register(record("text"), F.text)
    rest.message.register(record("other"))
    return [commands, steps, anywhere, watched, rest]


TEXTS = [("/find x", "text"), ("  !find y", "text"), ("/help", "caption"), ("/watch", "text"),
         ("group", "text"), ("either", "text"), ("named", "text"), ("any", "text"),
         ("hébergement jeune", "text"), ("   ", "text"), (None, "text")]
STATES = [None, Flow.one.state, Flow.two.state, Other.three.state]


async def answer(text: str | None, field: str, state: str | None, quick: bool) -> list[str]:
    seen: list[str] = []
    dispatcher = Dispatcher()
    dispatcher.include_routers(*routers(seen))
    if quick:
        assert skip_routers_that_refuse(dispatcher) == ["commands", "steps", "anywhere"]
    bot = Bot("42:TEST")
    try:
        key = StorageKey(bot_id=bot.id, chat_id=77, user_id=77)
        await dispatcher.storage.set_state(key, state)
        await dispatcher.feed_update(bot, Update.model_validate(message_update(text, field)))
    finally:
        await bot.session.close()
    return seen


@pytest.mark.parametrize(("text", "field", "state"),
                         [(*t, s) for t, s in itertools.product(TEXTS, STATES)])
async def test_the_same_handler_answers_with_and_without_the_gates(text, field, state):
    assert await answer(text, field, state, quick=True) == await answer(text, field, state,
                                                                        quick=False)


async def test_free_text_with_no_step_skips_the_routers_that_wait_for_something_else():
    assert await answer("hébergement jeune", "text", None, quick=True) == ["middleware", "text"]
    gates = {router.name: message_gate(router) for router in routers([])}
    assert gates["watched"] is None and gates["rest"] is None  # a middleware; any text
    message = Update.model_validate(message_update("hébergement jeune")).message
    assert not gates["commands"].passes(message, None)
    assert gates["steps"].passes(message, None)  # "three or none" waits for no step too
    assert gates["steps"].passes(message, Flow.two.state)
    assert not gates["steps"].passes(message, "Elsewhere:step")
    assert gates["anywhere"].passes(message, None)


def relais_states() -> list[str | None]:
    names: set[str | None] = {None}
    for router in build_routers():
        for handler in router.message.handlers:
            for event_filter in handler.filters or []:
                if isinstance(event_filter.callback, State):
                    names.add(event_filter.callback.state)
                elif isinstance(event_filter.callback, StateFilter):
                    names.update(s.state if isinstance(s, State) else s
                                 for s in event_filter.callback.states
                                 if isinstance(s, State | str) or s is None)
    return sorted(names, key=str)


async def test_relais_gates_refuse_only_what_every_first_filter_refuses():
    """Each gate of Relais's routers, against aiogram's own filters, for every step Relais has,
    commands, free text and a location."""
    bot = Bot("42:TEST")
    dispatcher = Dispatcher()
    dispatcher.include_routers(*build_routers())
    texts = [("/help", "text"), ("/find abri", "caption"), ("/start abc", "text"),
             ("hébergement jeune 15 ans", "text"), ("oui", "text"), (None, "text")]
    states = relais_states()
    assert len(states) > 15
    gated = []
    try:
        for router in dispatcher.sub_routers:
            gate = message_gate(router)
            if gate is None:
                continue
            gated.append(router.name)
            for (text, field), state in itertools.product(texts, states):
                message = Update.model_validate(message_update(text, field)).message
                if gate.passes(message, state):
                    continue
                for handler in router.message.handlers:
                    first = handler.filters[0]
                    assert not await first.call(message, raw_state=state, bot=bot), (
                        router.name, handler.callback.__name__, text, state)
    finally:
        await bot.session.close()
    assert {"onboarding", "handoffs", "reminders", "broadcasts", "tools", "stats"} <= set(gated)
    assert not {"directory", "fallback"} & set(gated)  # free text: the search, "unknown"
