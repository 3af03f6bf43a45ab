"""``relais try``: the local console channel, interactive on a terminal, scripted otherwise."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from bot.app import App, build_app
from bot.cli.common import (
    DatabaseKind,
    database_kind,
    mark_try_database,
    run_async,
    settings_or_exit,
    setup_logging,
    shown_url,
)
from bot.config import ConfigError, load_settings, normalise_database_url
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
            "/invite) unless --register-all. It only ever uses a try database: one it "
            "created (it marks it so); RELAIS_DATABASE_URL is ignored, a database with other "
            "tables is refused (exit 2), and so is RELAIS_MODE=production."
        ),
    )
    parser.add_argument(
        "--database", metavar="URL", default=None,
        help="a try database, or a new empty one to make into one (default relais-try.db; "
        "RELAIS_DATABASE_URL is never used)",
    )
    parser.add_argument(
        "--fresh", action="store_true",
        help="start over: wipe the try database (sample directory only); never wipes another",
    )
    parser.add_argument(
        "--register-all", action="store_true", help="register every local user (as workers), not only the first"
    )
    parser.set_defaults(func=cmd_try)


def try_database_url(arg: str | None) -> str:
    """``--database`` or ``relais-try.db``; never RELAIS_DATABASE_URL (a real database)."""
    return normalise_database_url(arg or DEFAULT_TRY_DATABASE)


def refusal(url: str, kind: DatabaseKind) -> str | None:
    """The one line refusing a database that is not a try database (None when it may be used)."""
    if kind is DatabaseKind.OTHER:
        return (f"relais: refusing {shown_url(url)}: it is not a try database (it has tables "
                "that `relais try` did not create); name a new one with --database")
    return None


async def open_try_database(app: App, fresh: bool) -> str | None:
    """Check, wipe (``fresh``, try databases only), migrate, mark and seed the try database.

    Returns the refusal line when the database is not a try database (nothing touched then).
    """
    kind = await database_kind(app.engine)
    if (line := refusal(app.settings.database_url, kind)) is not None:
        return line
    if app.settings.mode == "development":  # the key file only next to an accepted database
        from bot.services.crypto import ensure_local_key

        app.settings = ensure_local_key(app.settings)
    if fresh and kind is DatabaseKind.TRY:
        await wipe(app)
    # Schema and sample data first, so background jobs never race the seeding transaction.
    await upgrade(app.settings.database_url)
    await mark_try_database(app.engine, app.clock.now().isoformat(timespec="seconds"))
    await seed(app)
    return None


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


async def console_main(app: App, fresh: bool, register_all: bool) -> int:
    from handlers.console.driver import Console, run_interactive, run_script

    if (line := await open_try_database(app, fresh)) is not None:
        print(line, file=sys.stderr)
        return 2
    console = Console(app, register_all=register_all)
    await console.start()
    try:
        if sys.stdin.isatty():
            await run_interactive(console)
        else:
            await run_script(console, sys.stdin)
    finally:
        await console.close()
    return 0


def play_app(database: str | None, command: str, why: str) -> App | int:
    """The app of a try database for a command that plays (``relais try``, ``relais demo``),
    or exit status 2 after one line: a bad ``--database``, or ``RELAIS_MODE=production``
    (``why`` says what the command is for)."""
    try:
        url = try_database_url(database)
    except ValueError as exc:
        print(f"relais: --database: {exc}", file=sys.stderr)
        return 2
    try:
        production = load_settings(database_url=url, bot_token=None).mode == "production"
    except ConfigError:
        production = False  # settings_or_exit names the wrong value
    if production:
        print(f"relais: `{command}` is refused when RELAIS_MODE=production: {why}",
              file=sys.stderr)
        return 2
    settings = settings_or_exit(database_url=url, bot_token=None, local_key=False)
    setup_logging(logging.WARNING)
    return build_app(settings)


def cmd_try(args: argparse.Namespace) -> int:
    app = play_app(args.database, "relais try",
                   "it is for local trials, on a database of its own")
    if isinstance(app, int):
        return app

    async def main() -> int:
        try:
            return await console_main(app, args.fresh, args.register_all)
        finally:
            await app.close()

    return run_async(main())
