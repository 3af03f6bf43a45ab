"""Helpers shared by the command-line modules: settings, logging and running coroutines."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from bot.app import App, build_app
from bot.config import ConfigError, Settings, load_settings

T = TypeVar("T")


def settings_or_exit(**overrides: object) -> Settings:
    """Load settings; a wrong value ends the process with one line naming the variable."""
    try:
        settings = load_settings(**overrides)
    except ConfigError as exc:
        print(f"relais: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    # Production refuses to start without RELAIS_DATA_KEY; development keeps a local key file
    # (next to a SQLite database) so that every process (bot, worker, try) reads the same notes.
    from bot.services.crypto import MissingKey, check_key, ensure_local_key

    try:
        check_key(settings)
    except MissingKey as exc:
        print(f"relais: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    return ensure_local_key(settings) if settings.mode == "development" else settings


def setup_logging(level: int = logging.INFO) -> None:
    """Log ids and counts to standard error; message text is never logged anywhere."""
    logging.basicConfig(
        level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("aiogram.event").setLevel(max(level, logging.WARNING))


def run_async(main: Coroutine[Any, Any, T], *, grace: float = 3.0) -> T:
    """``asyncio.run`` that cannot hang at exit on a task nobody will ever finish.

    When a database call is cancelled twice (a stop during a query), SQLAlchemy leaves a
    "graceful close" task on an aiosqlite connection whose thread is already gone; plain
    ``asyncio.run`` would wait for it forever. Our own work is done and closed by then, so
    leftover tasks get ``grace`` seconds after cancellation, then the loop closes.
    """
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(main)
    finally:
        try:
            leftovers = asyncio.all_tasks(loop)
            for task in leftovers:
                task.cancel()
            if leftovers:
                loop.run_until_complete(asyncio.wait(leftovers, timeout=grace))
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            loop.close()


def run_with_app(settings: Settings, work: Callable[[App], Awaitable[T]]) -> T:
    """Build the app, run ``work`` with it, and close it."""

    async def main() -> T:
        app = build_app(settings)
        try:
            return await work(app)
        finally:
            await app.close()

    return run_async(main())
