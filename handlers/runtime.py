"""Running Relais: the bot, its background jobs, long polling or a webhook server."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode

from bot.app import App
from bot.db.migrate import upgrade
from bot.plugins import import_modules
from handlers.dispatcher import build_dispatcher
from handlers.intake import Intake, poll
from handlers.lean_sender import build_messenger
from handlers.menu import set_default_menus
from handlers.response_models import pin_response_models

log = logging.getLogger(__name__)

CONSOLE_TOKEN = "42:console-channel-no-network"
DRAIN_SECONDS = 20.0  # at a stop, how long the updates in hand may take to finish

# Each module has ``async def run(app: App) -> None``: a loop that stops when cancelled and
# sends through ``app.messenger``.
BACKGROUND_MODULES: tuple[str, ...] = (
    "bot.jobs.reminders",
    "bot.jobs.broadcasts",
    "bot.services.retention",
    "bot.jobs.outbox",
)


def build_bot(app: App, session: BaseSession | None = None, token: str | None = None) -> Bot:
    """A bot on Telegram's API (or ``RELAIS_TELEGRAM_API``), HTML parse mode by default."""
    if token is None:
        secret = app.settings.bot_token
        token = secret.get_secret_value() if secret else CONSOLE_TOKEN
    if session is None:
        session = AiohttpSession(api=TelegramAPIServer.from_base(app.settings.telegram_api))
    pin_response_models(session)
    return Bot(token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))


def freeze_heap() -> None:
    """Put what start-up allocated (imports, aiogram's pydantic models, SQLAlchemy mappers,
    catalogs: a few hundred thousand objects) out of the cyclic garbage collector's reach.

    Otherwise every full collection walks all of them with the event loop stopped: 150-300 ms
    on a small machine, a gap in a broadcast's sending rate and a lateness spike for reminders
    falling due at that moment. Call once per process, when start-up is done (``relais run``,
    ``relais worker``; not in the console channel, which tests start many times in one
    process). Objects created later are collected as usual."""
    gc.collect()
    gc.freeze()


def start_background(app: App) -> list[asyncio.Task[None]]:
    """Start every background job of the features that exist."""
    return [
        asyncio.create_task(module.run(app), name=module.__name__)
        for module in import_modules(BACKGROUND_MODULES)
    ]


async def stop_background(tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def prepare(app: App, bot: Bot) -> Dispatcher:
    """Migrate the database, wire the messenger and build the dispatcher."""
    await upgrade(app.settings.database_url)
    app.messenger = build_messenger(bot)  # lean sendMessage on aiohttp, aiogram otherwise
    return build_dispatcher(app)


def stop_on_signals() -> asyncio.Event:
    """An event set by SIGTERM or SIGINT: the process stops taking updates, finishes those in
    hand, then exits."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    return stop


async def serve(app: App, intake: Intake, stop: asyncio.Event, *receivers: asyncio.Task[None]
                ) -> None:
    """Run the background jobs and the inbox sweep until ``stop``, then stop in order: no new
    update, the ones in hand finished (or given back), the jobs, the connections."""
    tasks = [*start_background(app), asyncio.create_task(intake.sweep_forever(), name="inbox")]
    try:
        await stop.wait()
    finally:
        await stop_background(list(receivers))
        await intake.drain(grace=DRAIN_SECONDS)
        await stop_background(tasks)


async def run_polling(app: App) -> None:
    """Long polling: one process only (Telegram refuses two pollers on one token)."""
    bot = build_bot(app)
    dispatcher = await prepare(app, bot)
    try:
        await set_default_menus(bot, dispatcher["i18n"])
        await bot.delete_webhook(drop_pending_updates=False)
        intake = Intake(app, dispatcher, bot)
        freeze_heap()
        stop = stop_on_signals()
        poller = asyncio.create_task(
            poll(intake, dispatcher.resolve_used_update_types()), name="polling")
        poller.add_done_callback(lambda _t: stop.set())
        log.info("polling for updates")
        await serve(app, intake, stop, poller)
    finally:
        await bot.session.close()
        await app.close()


async def run_webhook(app: App) -> None:
    """Serve Telegram's webhook calls; any number of processes can run behind a balancer.

    The webhook itself is set once, as a deploy step (``relais webhook set``), never here.
    """
    from aiohttp import web

    from handlers.webhook import build_web_app

    bot = build_bot(app)
    dispatcher = await prepare(app, bot)
    intake = Intake(app, dispatcher, bot)
    secret = app.settings.webhook_secret
    runner = web.AppRunner(build_web_app(intake, secret.get_secret_value() if secret else None))
    await runner.setup()
    try:
        site = web.TCPSite(runner, app.settings.webhook_host, app.settings.webhook_port)
        await site.start()
        log.info("webhook server listening on %s:%s", app.settings.webhook_host,
                 app.settings.webhook_port)
        freeze_heap()
        stop = stop_on_signals()
        try:
            await serve(app, intake, stop)
        finally:
            await site.stop()  # no new call: Telegram delivers them to another process, or later
    finally:
        await runner.cleanup()
        await bot.session.close()
        await app.close()
