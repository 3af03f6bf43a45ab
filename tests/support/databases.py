"""Test databases: a fresh SQLite file per test; on PostgreSQL a database per test run.

PostgreSQL tests run when ``RELAIS_TEST_DATABASE_URL`` is set. Each test run creates its own
database next to the given one (so parallel runs never share tables), migrates it once, and
truncates every table between tests.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.base import Base
from bot.db.migrate import upgrade_sync
from bot.models import load_all_models

PG_ENV = "RELAIS_TEST_DATABASE_URL"
REDIS_ENV = "RELAIS_TEST_REDIS_URL"


def backends() -> list[str]:
    return ["sqlite", "postgresql"] if os.environ.get(PG_ENV) else ["sqlite"]


class SqliteTemplate:
    """A migrated SQLite file copied for each test: migrations run once per session."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.template = folder / "template.db"
        upgrade_sync(f"sqlite+aiosqlite:///{self.template}")

    def fresh_url(self) -> str:
        path = self.folder / f"t-{uuid.uuid4().hex[:10]}.db"
        shutil.copy(self.template, path)
        return f"sqlite+aiosqlite:///{path}"


def _pg_dsn(url: str, database: str | None = None) -> str:
    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    if database is not None:
        dsn = dsn.rsplit("/", 1)[0] + "/" + database
    return dsn


def run_in_thread(coroutine_function) -> None:  # type: ignore[no-untyped-def]
    """Run a coroutine to completion on a loop of its own, even from inside a running loop."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as executor:
        executor.submit(asyncio.run, coroutine_function()).result()


class PostgresDatabase:
    """A throw-away database for this test run, on the server of ``RELAIS_TEST_DATABASE_URL``."""

    def __init__(self, url: str) -> None:
        self.admin_dsn = _pg_dsn(url)
        self.name = f"relais_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.url = _pg_dsn(url, self.name).replace("postgresql://", "postgresql+asyncpg://")

    async def create(self) -> None:
        connection = await asyncpg.connect(self.admin_dsn)
        try:
            await connection.execute(f'CREATE DATABASE "{self.name}"')
        finally:
            await connection.close()

    async def drop(self) -> None:
        connection = await asyncpg.connect(self.admin_dsn)
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        finally:
            await connection.close()


async def truncate_all(engine: AsyncEngine) -> None:
    load_all_models()
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
