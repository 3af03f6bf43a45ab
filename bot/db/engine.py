"""Engines and session factories, built on demand from a database URL."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.config import normalise_database_url
from bot.db import sqlite_driver


def make_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """Create an async engine; SQLite gets foreign keys, WAL, a busy timeout and one trip to
    aiosqlite's thread per statement (:mod:`bot.db.sqlite_driver`).

    SQLite connections are pooled (SQLAlchemy's default for a file): opening one starts a
    thread and sets the pragmas, which cost a third of a short update when every session
    opened its own."""
    url = normalise_database_url(url)
    if url.startswith("sqlite"):
        sqlite_driver.register()
        engine = create_async_engine(sqlite_driver.dialect_url(url), echo=echo,
                                     connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=10)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # In WAL mode, NORMAL syncs the log at checkpoints instead of at every commit: a commit
    # survives a crash of Relais (what the inbox and effects after commit rely on); only a power
    # cut or a crash of the machine may lose the last commits, never corrupt the file. Two
    # fsyncs per update were most of an update's time. PostgreSQL is the production backend.
    cursor.execute("PRAGMA synchronous=NORMAL")
    if ":memory:" not in str(getattr(dbapi_connection, "database", "")):
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit and carry effects after commit
    (:mod:`bot.db.effects`)."""
    from bot.db.effects import UnitOfWorkSession

    return async_sessionmaker(engine, expire_on_commit=False, sync_session_class=UnitOfWorkSession)
