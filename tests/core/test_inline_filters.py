"""Synchronous filters (plain functions, ``F`` magic filters) run in the event loop: aiogram
would send each through the thread pool."""

from __future__ import annotations

import threading

import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import Message, Update

from bot.app import build_app
from bot.config import Settings
from handlers.dispatcher import build_dispatcher
from handlers.inline_filters import _handlers, check_commands_first, run_filters_inline


def message_update(text: str, field: str = "text") -> dict:
    return {"update_id": 1, "message": {
        "message_id": 5, "date": 1_700_000_000, field: text,
        "chat": {"id": 77, "type": "private"}, "from": {"id": 77, "is_bot": False,
                                                          "first_name": "A"}}}


async def test_plain_and_magic_filters_run_in_the_loop_with_their_data():
    seen: list[object] = []
    router = Router()

    def plain(message: Message) -> bool:
        seen.append(threading.get_ident())
        return message.text.startswith("/")

    @router.message(plain, F.text.as_("words"))
    async def handler(message: Message, words: str) -> None:
        seen.append(words)

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    assert run_filters_inline(dispatcher) == 2
    bot = Bot("42:TEST")
    try:
        await dispatcher.feed_update(bot, Update.model_validate(message_update("/x")))
        await dispatcher.feed_update(bot, Update.model_validate(message_update("no")))
    finally:
        await bot.session.close()
    loop_thread = threading.get_ident()
    assert seen == [loop_thread, "/x", loop_thread]


async def test_relais_dispatcher_has_no_threaded_filter_left(tmp_path):
    app = build_app(Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'f.db'}",
                             bot_token=None))
    try:
        dispatcher = build_dispatcher(app)
        filters = [f for handler in _handlers(dispatcher) for f in handler.filters or []]
        assert len(filters) > 100
        assert all(f.awaitable for f in filters)
    finally:
        await app.close()


def command_router(seen: list[str]) -> Router:
    router = Router()

    @router.message(CommandStart(deep_link=True))
    async def start(message: Message, command: CommandObject) -> None:
        seen.append(f"start {command.args}")

    @router.message(Command("find", prefix="/!"))
    async def find(message: Message, command: CommandObject) -> None:
        seen.append(f"find {command.args}")

    @router.message()
    async def other(message: Message) -> None:
        seen.append("text")

    return router


@pytest.mark.parametrize(("text", "field", "expected"), [
    ("/find youth", "text", "find youth"),
    ("  /find  after spaces", "text", "find after spaces"),
    ("!find other prefix", "text", "find other prefix"),
    ("/find in a caption", "caption", "find in a caption"),
    ("/start abc", "text", "start abc"),
    ("/start", "text", "text"),  # no deep link: not this filter's
    ("find without prefix", "text", "text"),
    ("hébergement / montréal", "text", "text"),
    ("   ", "text", "text"),
])
async def test_command_filters_checked_first_answer_as_aiogram(text, field, expected):
    answers: dict[bool, list[str]] = {}
    for first in (False, True):
        dispatcher = Dispatcher()
        seen: list[str] = []
        dispatcher.include_router(command_router(seen))
        if first:
            assert check_commands_first(dispatcher) == 2
        bot = Bot("42:TEST")
        try:
            await dispatcher.feed_update(bot, Update.model_validate(message_update(text, field)))
        finally:
            await bot.session.close()
        answers[first] = seen
    assert answers[True] == answers[False] == [expected]


async def test_free_text_is_not_parsed_by_any_command_filter(tmp_path, monkeypatch):
    parsed: list[str] = []
    original = Command.parse_command

    async def counted(self, text, bot):  # type: ignore[no-untyped-def]
        parsed.append(text)
        return await original(self, text, bot)

    monkeypatch.setattr(Command, "parse_command", counted)
    app = build_app(Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'f.db'}",
                             bot_token=None))
    try:
        dispatcher = build_dispatcher(app)
        filters = [f for handler in _handlers(dispatcher) for f in handler.filters or []]
        assert not any(isinstance(f.callback, Command) for f in filters)
        message = Update.model_validate(message_update("hébergement jeune montréal")).message
        commands = [f for f in filters if getattr(f.callback, "__name__", "") == "check"]
        assert len(commands) > 20
        assert [await f.call(message, bot=None) for f in commands] == [False] * len(commands)
        assert parsed == []
    finally:
        await app.close()
