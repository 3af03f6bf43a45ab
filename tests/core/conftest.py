"""Fixtures of the core tests: a SQLite table to watch the driver with."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from bot.db.engine import make_engine


@pytest.fixture
async def table(tmp_path):  # type: ignore[no-untyped-def]
    """A SQLite database file with a table ``t`` (``v`` unique): (its path, an engine on it)."""
    path = tmp_path / "t.db"
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)"))
    yield path, engine
    await engine.dispose()
