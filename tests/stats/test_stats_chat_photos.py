"""Photos (the ``/stats`` charts) through the Bot API stand-in over HTTP, as Telegram takes them:
uploaded with a caption, kept with their size; an empty file or a caption past 1024 characters
refused as Telegram refuses them."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import BufferedInputFile

from tests.standin.server import StandIn

TOKEN = "123456:TEST-token"
USER = 5550101
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40


@pytest.fixture
async def bot():  # type: ignore[no-untyped-def]
    server = StandIn(TOKEN)
    await server.start()
    server.telegram.add_user(USER, "Camille", "fr")
    session = AiohttpSession(api=TelegramAPIServer.from_base(server.base_url))
    client = Bot(TOKEN, session=session, default=DefaultBotProperties(parse_mode="HTML"))
    client.standin = server  # type: ignore[attr-defined]
    yield client
    await session.close()
    await server.stop()


async def test_a_photo_is_stored_with_its_caption_and_size(bot) -> None:  # type: ignore[no-untyped-def]
    sent = await bot.send_photo(USER, BufferedInputFile(PNG, filename="unmet-need.png"),
                                caption="Besoins non comblés — <b>12 derniers mois</b>",
                                protect_content=True)
    assert sent.photo and sent.photo[-1].file_size == len(PNG)
    assert sent.caption == "Besoins non comblés — 12 derniers mois" and sent.has_protected_content
    event = bot.standin.telegram.events[-1]
    assert (event.kind, event.chat_id, event.text, event.size, event.protected) == (
        "photo", USER, "[unmet-need.png] Besoins non comblés — 12 derniers mois", len(PNG), True)
    document = await bot.send_document(USER, BufferedInputFile(b"a;b\n", filename="x.csv"))
    assert document.document.file_name == "x.csv"
    assert bot.standin.telegram.events[-1].size == 4


async def test_an_empty_photo_or_a_long_caption_is_refused(bot) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TelegramBadRequest, match="file must be non-empty"):
        await bot.send_photo(USER, BufferedInputFile(b"", filename="empty.png"))
    with pytest.raises(TelegramBadRequest, match="caption is too long"):
        await bot.send_photo(USER, BufferedInputFile(PNG, filename="a.png"), caption="x" * 1025)
    assert bot.standin.telegram.events == []
