"""``relais try``: the local console channel, interactive on a terminal, scripted otherwise."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from bot.app import App, build_app
from bot.cli.common import run_async, settings_or_exit, setup_logging
from bot.config import normalise_database_url
from bot.db.migrate import upgrade

DEFAULT_TRY_DATABASE = "sqlite+aiosqlite:///relais-try.db"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "try",
        help="try Relais locally in the terminal, without Telegram",
        description=(
            "The real bot (same dispatcher, handlers and database) driven from the terminal. "
            "Lines: '@NAME' acts as local user NAME ('@NAME lang=fr' sets their Telegram "
            "language), '!N' presses button N of the latest message with buttons, '~N' waits "
            "N seconds, anything else is sent as a message. When standard input is not a "
            "terminal, lines are read as a script until its end. On a new database the first "
            "user is registered as a coordinator; others start unregistered (invite them with "
            "/invite) unless --register-all."
        ),
    )
    parser.add_argument(
        "--database", metavar="URL", default=None,
        help="database URL (default RELAIS_DATABASE_URL if set, else relais-try.db)",
    )
    parser.add_argument(
        "--fresh", action="store_true", help="start from an empty database (sample directory only)"
    )
    parser.add_argument(
        "--register-all", action="store_true", help="register every local user (as workers), not only the first"
    )
    parser.set_defaults(func=cmd_try)


def try_database_url(arg: str | None) -> str:
    import os

    return normalise_database_url(arg or os.environ.get("RELAIS_DATABASE_URL") or DEFAULT_TRY_DATABASE)


async def wipe(app: App) -> None:
    """Drop every table so that the run starts fresh."""
    from sqlalchemy import text

    from bot.db.base import Base
    from bot.models import load_all_models

    load_all_models()
    if app.settings.is_sqlite:
        path = app.settings.database_url.split(":///", 1)[1]
        await app.engine.dispose()
        for suffix in ("", "-wal", "-shm", "-journal"):
            await asyncio.to_thread(Path(path + suffix).unlink, missing_ok=True)
        return
    async with app.engine.begin() as connection:
        await connection.run_sync(Base.metadata.drop_all)
        await connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


async def seed(app: App) -> None:
    """Load the sample directory and the starter practice tools where they are empty."""
    from bot.services.tools import ensure_starter_tools
    from knowledge.seed import ensure_sample_directory

    await ensure_sample_directory(app)
    await ensure_starter_tools(app)


async def console_main(app: App, fresh: bool, register_all: bool) -> None:
    from handlers.console.driver import Console, run_interactive, run_script

    if fresh:
        await wipe(app)
    # Schema and sample data first, so background jobs never race the seeding transaction.
    await upgrade(app.settings.database_url)
    await seed(app)
    console = Console(app, register_all=register_all)
    await console.start()
    try:
        if sys.stdin.isatty():
            await run_interactive(console)
        else:
            await run_script(console, sys.stdin)
    finally:
        await console.close()


def cmd_try(args: argparse.Namespace) -> int:
    settings = settings_or_exit(database_url=try_database_url(args.database), bot_token=None)
    setup_logging(logging.WARNING)
    app = build_app(settings)

    async def main() -> None:
        try:
            await console_main(app, args.fresh, args.register_all)
        finally:
            await app.close()

    run_async(main())
    return 0
