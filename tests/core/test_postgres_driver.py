"""PostgreSQL transactions begin at their first write (``bot.db.postgres_driver``): plain reads
before it run outside the transaction, a locking read or a write begins it, and a transaction's
only write announced as its last statement (``bot.db.last_write``) runs committed on its own.
What the server sees is read from another connection (``pg_stat_activity``, the table)."""

from __future__ import annotations

import os

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import create_async_engine

from bot.config import normalise_database_url
from bot.db import postgres_driver
from bot.db.engine import make_engine, make_sessionmaker
from bot.db.last_write import execute_last
from bot.db.postgres_driver import FirstWriteDialect, is_plain_read
from tests.support.databases import PG_ENV

pytestmark = pytest.mark.skipif(not os.environ.get(PG_ENV),
                                reason="PostgreSQL only (RELAIS_TEST_DATABASE_URL)")

TABLE = "first_write_probe"


@pytest.fixture
async def admin(postgres_database):  # type: ignore[no-untyped-def]
    """A plain asyncpg connection, the other side that looks at the server."""
    connection = await asyncpg.connect(
        postgres_database.url.replace("postgresql+asyncpg://", "postgresql://"))
    await connection.execute(f"CREATE TABLE {TABLE} (id serial PRIMARY KEY, v text UNIQUE)")
    yield connection
    await connection.execute(f"DROP TABLE {TABLE}")
    await connection.close()


@pytest.fixture
async def engine(postgres_database, admin):  # type: ignore[no-untyped-def]
    engine = make_engine(postgres_database.url)
    yield engine
    await engine.dispose()


async def server_state(session, admin) -> str:  # type: ignore[no-untyped-def]
    """``idle`` or ``idle in transaction``: the session's backend, seen by the server."""
    pid = (await session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
    return str(await admin.fetchval("SELECT state FROM pg_stat_activity WHERE pid = $1", pid))


async def stored(admin) -> list[str]:  # type: ignore[no-untyped-def]
    return [row["v"] for row in await admin.fetch(f"SELECT v FROM {TABLE} ORDER BY id")]


def test_plain_reads_are_told_from_locking_reads_and_writes():
    assert is_plain_read("SELECT workers.id FROM workers WHERE workers.telegram_id = $1")
    assert is_plain_read("  select 1")
    assert not is_plain_read("SELECT id FROM jobs WHERE due < now() FOR UPDATE SKIP LOCKED")
    assert not is_plain_read("SELECT id FROM t FOR NO KEY UPDATE")
    assert not is_plain_read("SELECT id FROM t FOR KEY SHARE")
    assert not is_plain_read("WITH d AS (DELETE FROM t RETURNING id) SELECT id FROM d")
    assert not is_plain_read("INSERT INTO t (v) VALUES ($1)")


async def test_reads_run_before_the_transaction_that_the_first_write_begins(engine, admin):
    assert isinstance(engine.dialect, FirstWriteDialect)
    async with make_sessionmaker(engine)() as session:
        await session.execute(text(f"SELECT v FROM {TABLE}"))
        assert await server_state(session, admin) == "idle"
        await session.execute(text(f"INSERT INTO {TABLE} (v) VALUES ('a')"))
        assert await server_state(session, admin) == "idle in transaction"
        assert await stored(admin) == []
        await session.rollback()
    assert await stored(admin) == []


async def test_a_locking_read_begins_the_transaction(engine, admin):
    await admin.execute(f"INSERT INTO {TABLE} (v) VALUES ('a')")
    async with make_sessionmaker(engine)() as session:
        await session.execute(text(f"SELECT v FROM {TABLE} FOR UPDATE"))
        assert await server_state(session, admin) == "idle in transaction"
        locked = await admin.fetch(f"SELECT v FROM {TABLE} FOR UPDATE SKIP LOCKED")
        assert locked == []  # the row stays locked until the session ends its transaction
        await session.commit()


async def test_a_last_statement_that_is_the_only_write_is_stored_as_it_runs(engine, admin):
    async with make_sessionmaker(engine)() as session:
        await session.execute(text(f"SELECT v FROM {TABLE}"))
        await execute_last(session, text(f"INSERT INTO {TABLE} (v) VALUES (:v)"), {"v": "alone"})
        assert await stored(admin) == ["alone"]
        assert await server_state(session, admin) == "idle"
        await session.commit()
    assert await stored(admin) == ["alone"]


async def test_a_last_statement_after_other_writes_stays_in_their_transaction(engine, admin):
    async with make_sessionmaker(engine)() as session:
        await session.execute(text(f"INSERT INTO {TABLE} (v) VALUES ('first')"))
        await execute_last(session, text(f"INSERT INTO {TABLE} (v) VALUES (:v)"), {"v": "last"})
        assert await stored(admin) == []
        await session.rollback()
    assert await stored(admin) == []
    async with make_sessionmaker(engine)() as session:
        await session.execute(text(f"INSERT INTO {TABLE} (v) VALUES ('first')"))
        await execute_last(session, text(f"INSERT INTO {TABLE} (v) VALUES (:v)"), {"v": "last"})
        await session.commit()
    assert await stored(admin) == ["first", "last"]


async def test_a_last_statement_refused_leaves_the_session_usable(engine, admin):
    await admin.execute(f"INSERT INTO {TABLE} (v) VALUES ('taken')")
    async with make_sessionmaker(engine)() as session:
        with pytest.raises(IntegrityError):
            await execute_last(session, text(f"INSERT INTO {TABLE} (v) VALUES (:v)"),
                               {"v": "taken"})
        await session.rollback()
        await session.execute(text(f"INSERT INTO {TABLE} (v) VALUES ('next')"))
        await session.commit()
    assert await stored(admin) == ["taken", "next"]


async def test_another_default_isolation_begins_at_the_first_read(postgres_database, admin):
    postgres_driver.register()
    engine = create_async_engine(
        postgres_driver.dialect_url(normalise_database_url(postgres_database.url)),
        connect_args={"server_settings": {"default_transaction_isolation": "repeatable read"}})
    try:
        async with make_sessionmaker(engine)() as session:
            await session.execute(text(f"SELECT v FROM {TABLE}"))
            assert await server_state(session, admin) == "idle in transaction"
            await execute_last(session, text(f"INSERT INTO {TABLE} (v) VALUES ('x')"), {})
            assert await stored(admin) == []
            await session.commit()
        assert await stored(admin) == ["x"]
    finally:
        await engine.dispose()
