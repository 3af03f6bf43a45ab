"""Synchronous filters (plain functions, ``F`` magic filters) run in the event loop: aiogram
would send each through the thread pool."""

from __future__ import annotations

import threading

from aiogram import Bot, Dispatcher, F, Router
from aiogram.types import Message, Update

from bot.app import build_app
from bot.config import Settings
from handlers.dispatcher import build_dispatcher
from handlers.inline_filters import _handlers, run_filters_inline


def message_update(text: str) -> dict:
    return {"update_id": 1, "message": {
        "message_id": 5, "date": 1_700_000_000, "text": text,
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
