"""The yardstick of ``update_path.py``: a minimal aiogram 3 bot (one router, no middleware, no
database) that answers ``/help`` and echoes text, polling the Bot API at ``BENCH_API``.

Usage (started by ``update_path.py``): ``BENCH_TOKEN=... BENCH_API=http://127.0.0.1:PORT
python benchmarks/bare_bot.py``.
"""

from __future__ import annotations

import asyncio
import os

from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.filters import Command
from aiogram.types import Message

HELP = "Relais helps you find a service, hand a youth over and be reminded. /help"


async def answer_help(message: Message) -> None:
    await message.answer(HELP)


async def echo(message: Message) -> None:
    await message.answer(message.text or "?")


def build_dispatcher() -> Dispatcher:
    router = Router(name="bare")
    router.message.register(answer_help, Command("help"))
    router.message.register(echo)
    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    return dispatcher


async def main() -> None:
    api = TelegramAPIServer.from_base(os.environ["BENCH_API"])
    bot = Bot(os.environ["BENCH_TOKEN"], session=AiohttpSession(api=api))
    await build_dispatcher().start_polling(bot, handle_signals=True)


if __name__ == "__main__":
    asyncio.run(main())
