"""Alembic migrations, run programmatically so that ``relais`` needs no alembic.ini."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from alembic import command
from alembic.config import Config

from bot.config import normalise_database_url

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(database_url: str) -> Config:
    """An Alembic configuration pointing at our migrations and the given database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", normalise_database_url(database_url))
    return config


def upgrade_sync(database_url: str, revision: str = "heads") -> None:
    """Bring the database schema to ``revision`` (blocking).

    Alembic's environment runs its own event loop, so from inside a running loop the work moves
    to a thread of its own.
    """
    config = alembic_config(database_url)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        command.upgrade(config, revision)
        return
    with ThreadPoolExecutor(max_workers=1) as executor:
        executor.submit(command.upgrade, config, revision).result()


async def upgrade(database_url: str, revision: str = "heads") -> None:
    """Bring the database schema to ``revision`` without blocking the event loop."""
    await asyncio.to_thread(upgrade_sync, database_url, revision)
