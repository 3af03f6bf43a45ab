"""Engines and session factories, built on demand from a database URL."""

from __future__ import annotations

import time

from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.config import normalise_database_url
from bot.db import postgres_driver, sqlite_driver

PING_AFTER_IDLE_SECONDS = 2.0
IDLE_SINCE = "relais_idle_since"  # in a pooled connection's info: when it went back to the pool


def make_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """Create an async engine; SQLite gets foreign keys, WAL, a busy timeout and one trip to
    aiosqlite's thread per statement (:mod:`bot.db.sqlite_driver`); PostgreSQL begins a
    transaction at its first write (:mod:`bot.db.postgres_driver`).

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
    postgres_driver.register()
    engine = create_async_engine(postgres_driver.dialect_url(url), echo=echo, pool_size=10,
                                 max_overflow=10)
    ping_when_idle(engine)
    return engine


def ping_when_idle(engine: AsyncEngine, idle_seconds: float = PING_AFTER_IDLE_SECONDS) -> None:
    """Check a pooled connection before use only when it sat idle ``idle_seconds`` or more.

    SQLAlchemy's ``pool_pre_ping`` checks every checkout, and asyncpg's check is three trips to
    the server (begin, ping, rollback): six per update, a fifth of its trips. A connection in
    use a moment ago is alive; one idle for a while may have been closed by a restart or a
    proxy, and a dead one is replaced before use (the pool retries the checkout). Should the
    server restart under load, the first statement on a dead connection fails instead, and
    SQLAlchemy then replaces every connection of the pool at once.
    """
    pool = engine.sync_engine.pool

    @event.listens_for(pool, "checkin")
    def _idle_from(_dbapi_connection, record) -> None:  # type: ignore[no-untyped-def]
        record.info[IDLE_SINCE] = time.monotonic()

    @event.listens_for(pool, "checkout")
    def _ping_if_idle(dbapi_connection, record, _proxy) -> None:  # type: ignore[no-untyped-def]
        since = record.info.pop(IDLE_SINCE, None)
        if since is None or time.monotonic() - since < idle_seconds:
            return
        try:
            dbapi_connection.ping()
        except Exception as exc:
            raise DisconnectionError("idle connection found closed") from exc


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


class AppSession(AsyncSession):
    """The app's async session: closed at once when it holds no transaction.

    SQLAlchemy closes an async session in a task of its own, shielded, through its greenlet,
    for the connection it may have to give back to the pool. An update's session usually holds
    none by then (its commit gave it back): closing it is forgetting its objects, which needs
    no trip and no task, and cost a tenth of the session's share of a ``/help``."""

    async def close(self) -> None:
        if self.sync_session.get_transaction() is None:
            self.sync_session.close()  # nothing to give back: no I/O
            return
        await super().close()

    async def __aexit__(self, type_: object, value: object, traceback: object) -> None:
        if self.sync_session.get_transaction() is None:
            self.sync_session.close()
        else:
            await super().__aexit__(type_, value, traceback)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit and carry effects after commit
    (:mod:`bot.db.effects`)."""
    from bot.db.effects import UnitOfWorkSession

    return async_sessionmaker(engine, class_=AppSession, expire_on_commit=False,
                              sync_session_class=UnitOfWorkSession)
