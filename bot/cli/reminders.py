"""``relais worker``: the reminders dispatcher in a process of its own (any number of them on
PostgreSQL; they share the work through ``FOR UPDATE SKIP LOCKED``)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal

from bot.cli.common import run_async, settings_or_exit, setup_logging


def register(subparsers: argparse._SubParsersAction) -> None:
    worker = subparsers.add_parser(
        "worker",
        help="send due reminders and scheduled messages (a dispatcher process)",
        description="Claim due reminders, handoff timers and checks, and send them through the "
        "Telegram Bot API (RELAIS_BOT_TOKEN, RELAIS_TELEGRAM_API). Several processes may run at "
        "once on PostgreSQL; each reminder is sent once.",
    )
    worker.add_argument("--once", action="store_true", help="one pass over due jobs, then exit")
    worker.add_argument("--poll", type=float, default=None, metavar="SECONDS",
                        help="longest wait between passes (default RELAIS_REMINDER_POLL_SECONDS)")
    worker.add_argument("--batch", type=int, default=None, help="jobs claimed at once")
    worker.add_argument("--lease", type=float, default=None, metavar="SECONDS",
                        help="how long a claimed job stays reserved for this process")
    worker.add_argument("--concurrency", type=int, default=None,
                        help="messages sent at once (default 1: one in flight at a time)")
    worker.add_argument("--no-migrate", action="store_true",
                        help="do not apply migrations first")
    worker.add_argument("--quiet", action="store_true", help="log warnings only")
    worker.set_defaults(func=cmd_worker)


def cmd_worker(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    setup_logging(logging.WARNING if args.quiet else logging.INFO)
    if settings.bot_token is None:
        print("relais: RELAIS_BOT_TOKEN is not set; the worker sends through Telegram.",
              file=__import__("sys").stderr)
        return 2
    run_async(work(settings, args))
    return 0


async def work(settings, args: argparse.Namespace) -> None:  # type: ignore[no-untyped-def]
    from bot.app import build_app
    from bot.db.migrate import upgrade
    from bot.services.reminders.dispatcher import Dispatcher
    from bot.services.reminders.settings import reminder_settings
    from handlers.lean_sender import build_messenger
    from handlers.runtime import build_bot, freeze_heap

    app = build_app(settings)
    bot = build_bot(app)
    app.messenger = build_messenger(bot)  # sendMessage as one JSON POST
    try:
        if not args.no_migrate:
            await upgrade(settings.database_url)
        options = reminder_settings(app)
        changes = {
            "reminder_poll_seconds": args.poll,
            "reminder_batch": args.batch,
            "reminder_lease_seconds": args.lease,
            "reminder_concurrency": args.concurrency,
        }
        options = options.model_copy(update={k: v for k, v in changes.items() if v is not None})
        dispatcher = Dispatcher(app, settings=options)
        freeze_heap()  # start-up is over: no full garbage collection pauses over its objects
        if args.once:
            await dispatcher.ensure_periodic()
            report = await dispatcher.run_once()
            logging.getLogger(__name__).info("one pass: %s", report)
            return
        task = asyncio.create_task(dispatcher.run_forever())
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, task.cancel)
        with contextlib.suppress(asyncio.CancelledError):
            await task
    finally:
        await bot.session.close()
        await app.close()
