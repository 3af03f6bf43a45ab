"""SQLite statements make one trip to aiosqlite's thread (``bot.db.sqlite_driver``), with the
same results, row counts, new ids and errors as SQLAlchemy's own aiosqlite adapter; a commit or
rollback with nothing to do makes none, and a transaction's only write, announced as its last
statement (``bot.db.last_write``), is committed in the same trip."""

from __future__ import annotations

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from bot.db.engine import make_engine, make_sessionmaker
from bot.db.last_write import execute_last
from bot.db.late_writes import write_late
from bot.db.sqlite_driver import OneTripDialect


@pytest.fixture
async def engine(tmp_path):  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'trip.db'}")
    yield engine
    await engine.dispose()


async def test_the_engine_uses_the_one_trip_dialect_with_its_pragmas(engine):
    assert isinstance(engine.dialect, OneTripDialect)
    async with engine.connect() as connection:
        assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar() == 1
        assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"


async def test_a_statement_is_one_trip_with_its_rows_counts_and_ids(engine, trips):
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)"))
    async with engine.begin() as connection:
        trips.clear()
        inserted = await connection.execute(text("INSERT INTO t (v) VALUES ('a')"))
        assert trips == ["run_statement"]
        assert inserted.lastrowid == 1 and inserted.rowcount == 1
        await connection.execute(text("INSERT INTO t (v) VALUES ('b'), ('c')"))
        trips.clear()
        rows = (await connection.execute(text("SELECT id, v FROM t ORDER BY id"))).all()
        assert trips == ["run_statement"]
        assert [tuple(row) for row in rows] == [(1, "a"), (2, "b"), (3, "c")]
        changed = await connection.execute(text("UPDATE t SET v = v || '!' WHERE id > 1"))
        assert changed.rowcount == 2
        nothing = await connection.execute(text("SELECT v FROM t WHERE id = 99"))
        assert nothing.first() is None


async def test_errors_are_sqlalchemys_and_the_transaction_rolls_back(engine):
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)"))
        await connection.execute(text("INSERT INTO t (v) VALUES ('a')"))
    with pytest.raises(IntegrityError):
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO t (v) VALUES ('b')"))
            await connection.execute(text("INSERT INTO t (v) VALUES ('a')"))
    with pytest.raises(OperationalError):
        async with engine.connect() as connection:
            await connection.execute(text("SELECT nothing FROM nowhere"))
    async with engine.connect() as connection:
        assert (await connection.execute(text("SELECT v FROM t"))).scalars().all() == ["a"]


async def test_streamed_results_keep_sqlalchemys_path(engine):
    async with engine.connect() as connection:
        result = await connection.stream(text("SELECT 1 UNION ALL SELECT 2"))
        assert [row[0] async for row in result] == [1, 2]


async def test_a_commit_or_rollback_with_nothing_open_makes_no_trip(engine, trips):
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"))
    async with engine.connect() as connection:
        await connection.execute(text("SELECT v FROM t"))
        trips.clear()
        await connection.commit()
        await connection.rollback()
        assert trips == []
        await connection.execute(text("INSERT INTO t (v) VALUES ('a')"))
        trips.clear()
        await connection.rollback()
        assert trips == ["rollback"]
        assert (await connection.execute(text("SELECT count(*) FROM t"))).scalar() == 0


async def seen_by_another(path) -> list[str]:  # type: ignore[no-untyped-def]
    """What a second connection (another process, say) reads of the table now."""
    async with aiosqlite.connect(path) as other:
        return [row[0] async for row in await other.execute("SELECT v FROM t ORDER BY id")]


@pytest.mark.parametrize("counts", [[], ["count 1", "count 2"]])
async def test_a_last_statement_that_is_the_only_write_commits_in_its_own_trip(table, trips,
                                                                                counts):
    """With the writes queued to go with it (a search's counts, ``write_late``): one trip too."""
    path, engine = table
    insert = text("INSERT INTO t (v) VALUES (:v)")
    async with make_sessionmaker(engine)() as session:
        await session.execute(text("SELECT v FROM t"))
        for count in counts:
            write_late(session, "t", insert, {"v": count})
        trips.clear()
        await execute_last(session, insert, {"v": "alone"})
        assert trips == ["run_statement"]
        assert await seen_by_another(path) == [*counts, "alone"]  # stored before the commit call
        trips.clear()
        await session.commit()
        assert trips == []


async def test_a_last_statement_after_other_writes_stays_in_their_transaction(table):
    path, engine = table
    async with make_sessionmaker(engine)() as session:
        await session.execute(text("INSERT INTO t (v) VALUES ('first')"))
        await execute_last(session, text("INSERT INTO t (v) VALUES (:v)"), {"v": "last"})
        assert await seen_by_another(path) == []
        await session.rollback()
    assert await seen_by_another(path) == []
    async with make_sessionmaker(engine)() as session:
        await session.execute(text("INSERT INTO t (v) VALUES ('first')"))
        await execute_last(session, text("INSERT INTO t (v) VALUES (:v)"), {"v": "last"})
        await session.commit()
    assert await seen_by_another(path) == ["first", "last"]


async def test_a_queued_write_that_fails_stores_nothing_of_the_trip(table):
    path, engine = table
    async with make_sessionmaker(engine)() as session:
        await session.execute(text("INSERT INTO t (id, v) VALUES (1, 'kept')"))
        await session.commit()

    async with make_sessionmaker(engine)() as session:
        write_late(session, "t", text("INSERT INTO t (v) VALUES (:v)"), {"v": "count"})
        write_late(session, "u", text("INSERT INTO t (id, v) VALUES (1, :v)"), {"v": "clash"})
        with pytest.raises(IntegrityError):
            await execute_last(session, text("INSERT INTO t (v) VALUES (:v)"), {"v": "mark"})
        await session.rollback()
        await session.execute(text("INSERT INTO t (v) VALUES ('after')"))  # writes again
        await session.commit()
    assert await seen_by_another(path) == ["kept", "after"]


async def test_writes_queued_after_another_write_stay_in_its_transaction(table, trips):
    path, engine = table
    async with make_sessionmaker(engine)() as session:
        await session.execute(text("INSERT INTO t (v) VALUES ('first')"))
        write_late(session, "t", text("INSERT INTO t (v) VALUES (:v)"), {"v": "count"})
        trips.clear()
        await execute_last(session, text("INSERT INTO t (v) VALUES (:v)"), {"v": "mark"})
        assert trips == ["run_statement"]
        assert await seen_by_another(path) == []  # not committed yet
        await session.commit()
    assert await seen_by_another(path) == ["first", "count", "mark"]
