"""SQLite write transactions of one engine take turns (``bot.db.write_turns``): a second writer
waits for the first one's commit or rollback instead of meeting SQLite's lock, reads never wait,
and a turn that cannot come fails as SQLite would ("database is locked")."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError

from bot.db.engine import make_engine
from bot.db.write_turns import opens_transaction


@pytest.fixture
async def engine(tmp_path):  # type: ignore[no-untyped-def]
    """An app engine on a file, its SQLite busy timeout at zero: without turns, a second writer
    fails at once with "database is locked"."""
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'turns.db'}")

    @event.listens_for(engine.sync_engine, "connect")
    def _no_busy_wait(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=0")
        cursor.close()

    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"))
    yield engine
    await engine.dispose()


async def values(engine) -> list[str]:  # type: ignore[no-untyped-def]
    async with engine.connect() as connection:
        return list((await connection.execute(text("SELECT v FROM t ORDER BY id"))).scalars())


async def write_then_wait(engine, value: str, go: asyncio.Event, *,  # type: ignore[no-untyped-def]
                          commit: bool = True) -> None:
    """A write transaction that stays open until ``go`` is set."""
    async with engine.connect() as connection:
        await connection.execute(text("INSERT INTO t (v) VALUES (:v)"), {"v": value})
        await go.wait()
        await (connection.commit() if commit else connection.rollback())


async def write(engine, value: str) -> None:  # type: ignore[no-untyped-def]
    async with engine.begin() as connection:
        await connection.execute(text("INSERT INTO t (v) VALUES (:v)"), {"v": value})


async def test_a_second_writer_waits_for_the_first_ones_commit(engine):
    go = asyncio.Event()
    first = asyncio.create_task(write_then_wait(engine, "first", go))
    await asyncio.sleep(0.05)
    second = asyncio.create_task(write(engine, "second"))
    await asyncio.sleep(0.1)
    assert not second.done()  # waiting for its turn, not failed on SQLite's lock
    go.set()
    await asyncio.gather(first, second)
    assert await values(engine) == ["first", "second"]


async def test_writers_go_in_the_order_they_asked(engine):
    go = asyncio.Event()
    first = asyncio.create_task(write_then_wait(engine, "a", go))
    await asyncio.sleep(0.05)
    rest = []
    for value in ("b", "c", "d"):
        rest.append(asyncio.create_task(write(engine, value)))
        await asyncio.sleep(0.01)
    go.set()
    await asyncio.gather(first, *rest)
    assert await values(engine) == ["a", "b", "c", "d"]


async def test_a_rollback_gives_the_turn_back(engine):
    go = asyncio.Event()
    first = asyncio.create_task(write_then_wait(engine, "undone", go, commit=False))
    await asyncio.sleep(0.05)
    second = asyncio.create_task(write(engine, "kept"))
    go.set()
    await asyncio.gather(first, second)
    assert await values(engine) == ["kept"]


async def test_a_connection_given_back_without_commit_gives_the_turn_back(engine):
    async with engine.connect() as connection:
        await connection.execute(text("INSERT INTO t (v) VALUES ('dropped')"))
    # the pool rolled it back at check-in
    await asyncio.wait_for(write(engine, "kept"), 2)
    assert await values(engine) == ["kept"]


async def test_a_failed_first_write_gives_the_turn_back(engine):
    with pytest.raises(OperationalError):
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO nowhere (v) VALUES ('x')"))
    await asyncio.wait_for(write(engine, "kept"), 2)
    assert await values(engine) == ["kept"]


async def test_reads_do_not_wait_for_a_writer(engine):
    await write(engine, "committed")
    go = asyncio.Event()
    first = asyncio.create_task(write_then_wait(engine, "open", go))
    await asyncio.sleep(0.05)
    assert await asyncio.wait_for(values(engine), 2) == ["committed"]
    go.set()
    await first


async def test_a_turn_that_cannot_come_fails_as_sqlite_would(engine):
    engine.dialect.dbapi.write_turns.timeout = 0.2
    async with engine.connect() as holder:
        await holder.execute(text("INSERT INTO t (v) VALUES ('held')"))
        # the same task writes on a second connection: it would wait for itself
        with pytest.raises(OperationalError, match="database is locked"):
            await write(engine, "never")
        await holder.commit()
    await write(engine, "after")
    assert await values(engine) == ["held", "after"]


@pytest.mark.parametrize(("statement", "opens"), [
    ("INSERT INTO t VALUES (1)", True),
    ("  update t SET v = 1", True),
    ("DELETE FROM t", True),
    ("REPLACE INTO t VALUES (1)", True),
    ("SELECT * FROM t", False),
    ("PRAGMA foreign_keys", False),
    ("", False),
])
def test_the_statements_that_open_a_transaction_are_the_drivers(statement, opens):
    assert opens_transaction(statement) is opens
