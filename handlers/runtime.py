"""Running Relais: the bot, its background jobs, long polling or a webhook server."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from collections.abc import Awaitable, Callable

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.utils.i18n import I18n

from bot.app import App
from bot.db.migrate import upgrade
from bot.plugins import import_modules
from handlers.dispatcher import build_dispatcher
from handlers.intake import Intake, poll
from handlers.json_session import JsonSession
from handlers.lean_sender import build_messenger
from handlers.menu import set_default_menus
from handlers.ops.metrics import metrics_of
from handlers.response_models import pin_response_models

log = logging.getLogger(__name__)

CONSOLE_TOKEN = "42:console-channel-no-network"
DRAIN_SECONDS = 20.0  # at a stop, how long the updates in hand may take to finish
JOBS_STOP_SECONDS = 30.0  # at a stop, how long the background jobs may take to wind down
START_RETRY_MAX_SECONDS = 30.0  # Telegram unreachable at start: tried again, waiting up to this

# Each module has ``async def run(app: App) -> None``: a loop that stops when cancelled and
# sends through ``app.messenger``.
BACKGROUND_MODULES: tuple[str, ...] = (
    "bot.jobs.reminders",
    "bot.jobs.broadcasts",
    "bot.services.retention",
    "bot.jobs.outbox",
    "bot.jobs.stats",
)


class TokenRefused(Exception):
    """Telegram refused the bot's token: nothing works until it is changed."""


def build_bot(app: App, session: BaseSession | None = None, token: str | None = None) -> Bot:
    """A bot on Telegram's API (or ``RELAIS_TELEGRAM_API``), HTML parse mode by default."""
    if token is None:
        secret = app.settings.bot_token
        token = secret.get_secret_value() if secret else CONSOLE_TOKEN
    if session is None:
        session = JsonSession(api=TelegramAPIServer.from_base(app.settings.telegram_api))
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


async def stop_background(tasks: list[asyncio.Task[None]], limit: float | None = None) -> None:
    """Cancel ``tasks`` and wait for them to wind down (a job finishes what is in flight and
    gives back its leases). With ``limit`` (a process stopping), wait that long at most, leave
    what still runs and log what failed; without, a task's failure is raised here."""
    for task in tasks:
        task.cancel()
    if limit is not None and tasks:
        done, running = await asyncio.wait(tasks, timeout=limit)
        for task in done:
            if not task.cancelled() and (exc := task.exception()) is not None:
                log.warning("%s failed while stopping: %s", task.get_name(), type(exc).__name__)
        if running:
            log.warning("stopping: %d background jobs still busy after %.0f s, left behind",
                        len(running), limit)
        return
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def prepare(app: App, bot: Bot) -> Dispatcher:
    """Migrate the database, wire the messenger and build the dispatcher."""
    await upgrade(app.settings.database_url)
    # lean sendMessage on aiohttp, aiogram otherwise; its failures counted with the bot's
    app.messenger = build_messenger(bot, metrics_of(app))
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


async def serve(app: App, intake: Intake, stop: asyncio.Event, *receivers: asyncio.Task[None],
                close_door: Callable[[], Awaitable[None]] | None = None) -> None:
    """Run the background jobs and the inbox sweep until ``stop``, then stop in order: no new
    update (neither from Telegram nor taken over by the sweep); then, side by side, the updates
    in hand finished (or given back) and the jobs ended: each finishes the message in flight
    and gives back its other claims at once, for another process to send. The caller closes
    the connections after."""
    jobs = start_background(app)
    sweep = asyncio.create_task(intake.sweep_forever(), name="inbox")
    try:
        await stop.wait()
    finally:
        await stop_background([*receivers, sweep])
        if close_door is not None:  # the webhook's listener: Telegram goes to another process
            await close_door()
        log.info("stopping: no new updates; finishing %d in hand", len(intake.in_hand))
        await asyncio.gather(intake.drain(grace=DRAIN_SECONDS),
                             stop_background(jobs, limit=JOBS_STOP_SECONDS))
        log.info("stopped: updates in hand finished, job leases released")


async def greet_telegram(bot: Bot, i18n: I18n, stop: asyncio.Event) -> bool:
    """The start's calls to Telegram (the default menus, no webhook), tried again while
    Telegram cannot be reached (a network not up yet, Telegram down), as the polling loop does;
    False when stopped meanwhile. A refused token raises :class:`TokenRefused`."""
    delay = 1.0
    while True:
        try:
            await set_default_menus(bot, i18n)
            await bot.delete_webhook(drop_pending_updates=False)
            return True
        except TelegramUnauthorizedError as exc:
            raise TokenRefused from exc
        except TelegramRetryAfter as exc:
            delay = max(delay, float(exc.retry_after))
            log.warning("Telegram asks to wait at start; again in %.0f s", delay)
        except (TelegramNetworkError, TelegramServerError) as exc:
            log.warning("Telegram not reachable at start (%s); again in %.0f s",
                        type(exc).__name__, delay)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
        if stop.is_set():
            return False
        delay = min(delay * 2, START_RETRY_MAX_SECONDS)


async def run_polling(app: App) -> None:
    """Long polling: one process only (Telegram refuses two pollers on one token)."""
    from handlers.ops.health import start_ops

    stop = stop_on_signals()  # first: a SIGTERM during start-up still stops cleanly
    bot = build_bot(app)
    ops = await start_ops(app, bot)  # /healthz answers during migrations; /readyz after them
    try:
        dispatcher = await prepare(app, bot)
        if not await greet_telegram(bot, dispatcher["i18n"], stop):
            return  # stopped before Telegram answered
        intake = Intake(app, dispatcher, bot)
        freeze_heap()
        ops.stopping_on(stop)
        poller = asyncio.create_task(
            poll(intake, dispatcher.resolve_used_update_types()), name="polling")
        poller.add_done_callback(lambda _t: stop.set())
        log.info("polling for updates")
        await serve(app, intake, stop, poller)
    finally:
        await ops.close()
        await bot.session.close()
        await app.close()


async def run_webhook(app: App) -> None:
    """Serve Telegram's webhook calls; any number of processes can run behind a balancer.

    The webhook itself is set once, as a deploy step (``relais webhook set``), never here.
    """
    from aiohttp import web

    from handlers.ops.health import start_ops
    from handlers.webhook import build_web_app

    stop = stop_on_signals()  # first: /readyz may answer before the site is up
    bot = build_bot(app)
    ops = await start_ops(app, bot)  # /healthz answers during migrations; /readyz after them
    runner: web.AppRunner | None = None
    try:
        dispatcher = await prepare(app, bot)
        intake = Intake(app, dispatcher, bot)
        secret = app.settings.webhook_secret
        runner = web.AppRunner(
            build_web_app(intake, secret.get_secret_value() if secret else None))
        await runner.setup()
        site = web.TCPSite(runner, app.settings.webhook_host, app.settings.webhook_port)
        await site.start()
        log.info("webhook server listening on %s:%s", app.settings.webhook_host,
                 app.settings.webhook_port)
        freeze_heap()
        ops.stopping_on(stop)
        open_site = [site]

        async def close_site() -> None:
            """No new call (Telegram delivers them to another process, or later); once."""
            while open_site:
                await open_site.pop().stop()

        try:
            await serve(app, intake, stop, close_door=close_site)
        finally:
            await close_site()
    finally:
        await ops.close()
        if runner is not None:
            await runner.cleanup()
        await bot.session.close()
        await app.close()
