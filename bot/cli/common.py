"""Helpers shared by the command-line modules: settings, logging and running coroutines."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.app import App, build_app
from bot.config import ConfigError, Settings, load_settings

T = TypeVar("T")


def settings_or_exit(**overrides: object) -> Settings:
    """Load settings; a wrong value ends the process with one line naming the variable."""
    try:
        return load_settings(**overrides)
    except ConfigError as exc:
        print(f"relais: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def setup_logging(level: int = logging.INFO) -> None:
    """Log ids and counts to standard error; message text is never logged anywhere."""
    logging.basicConfig(
        level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("aiogram.event").setLevel(max(level, logging.WARNING))


def run_with_app(settings: Settings, work: Callable[[App], Awaitable[T]]) -> T:
    """Build the app, run ``work`` with it, and close it."""

    async def main() -> T:
        app = build_app(settings)
        try:
            return await work(app)
        finally:
            await app.close()

    return asyncio.run(main())
