"""Statements marked short (``bot.db.short_statements``) run in the event loop on SQLite: no trip
to aiosqlite's thread, the same rows, ids, counts, errors and commits; and the loop never waits
for another process's lock: the statement goes to the thread, which waits for it."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from bot.db.engine import make_sessionmaker
from bot.db.last_write import execute_last
from bot.db.late_writes import write_late
from bot.db.short_statements import short
from bot.db.sqlite_driver import Busy, is_busy, run_here


def stored(path) -> list[str]:  # type: ignore[no-untyped-def]
    """What another connection (another process, say) reads of the table now."""
    with sqlite3.connect(path) as other:
        return [row[0] for row in other.execute("SELECT v FROM t ORDER BY id")]


async def test_a_short_statement_makes_no_trip_and_gives_the_same_results(table, trips):
    path, engine = table
    insert = text("INSERT INTO t (v) VALUES (:v)")
    async with engine.connect() as connection:
        trips.clear()
        inserted = await connection.execute(short(insert), {"v": "a"})
        assert (inserted.lastrowid, inserted.rowcount) == (1, 1)
        await connection.execute(short(insert), {"v": "b"})
        rows = (await connection.execute(short(text("SELECT id, v FROM t ORDER BY id")))).all()
        assert [tuple(row) for row in rows] == [(1, "a"), (2, "b")]
        changed = await connection.execute(short(text("UPDATE t SET v = v || '!'")))
        assert changed.rowcount == 2
        assert trips == []
        assert stored(path) == []  # in the transaction, not committed yet
        await connection.execute(insert, {"v": "c"})  # not marked: the thread, as before
        assert trips == ["run_statement"]
        await connection.commit()  # the transaction is not short: committed there too
        assert trips == ["run_statement", "commit"]
    assert stored(path) == ["a!", "b!", "c"]


async def test_a_transaction_of_short_statements_commits_in_the_loop(table, trips):
    path, engine = table
    insert = short(text("INSERT INTO t (v) VALUES (:v)"))
    async with make_sessionmaker(engine)() as session:
        await session.execute(text("SELECT v FROM t"))  # before the transaction: no matter
        trips.clear()
        await session.execute(insert, {"v": "a"})
        await session.execute(insert, {"v": "b"})
        await session.commit()
        assert trips == []
    assert stored(path) == ["a", "b"]
    async with engine.connect() as connection:
        assert (await connection.execute(text("PRAGMA busy_timeout"))).scalar() == 30000


async def test_a_short_statement_fails_as_any_other(table):
    path, engine = table
    insert = short(text("INSERT INTO t (v) VALUES (:v)"))
    async with make_sessionmaker(engine)() as session:
        await session.execute(insert, {"v": "a"})
        with pytest.raises(IntegrityError):
            await session.execute(insert, {"v": "a"})
        await session.rollback()
        await session.execute(insert, {"v": "b"})  # the session writes again
        await session.commit()
    assert stored(path) == ["b"]


@pytest.mark.parametrize("counts", [[], ["count 1", "count 2"]])
async def test_a_short_last_statement_commits_with_its_queued_writes_without_a_trip(
        table, trips, counts):
    path, engine = table
    insert = text("INSERT INTO t (v) VALUES (:v)")
    async with make_sessionmaker(engine)() as session:
        await session.execute(short(text("SELECT v FROM t")))
        for count in counts:
            write_late(session, "t", insert, {"v": count})
        trips.clear()
        await execute_last(session, short(insert), {"v": "mark"})
        assert stored(path) == [*counts, "mark"]  # committed before the commit call
        await session.commit()
        assert trips == []


async def test_the_loop_does_not_wait_for_another_process_lock(table, trips):
    """Another process holds the write lock: the short write goes to the thread, which waits
    for the lock while the loop goes on; it is stored once the lock is given back."""
    path, engine = table
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO t (v) VALUES ('other')")
    ticks = 0

    async def ticking() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.create_task(ticking())
    async with make_sessionmaker(engine)() as session:
        write = asyncio.create_task(
            execute_last(session, short(text("INSERT INTO t (v) VALUES (:v)")), {"v": "mine"}))
        await asyncio.sleep(0.3)
        assert not write.done() and ticks >= 10  # the loop went on meanwhile
        other.execute("COMMIT")
        await asyncio.wait_for(write, 10)
        assert trips == ["run_statement"]
        await session.commit()
    ticker.cancel()
    other.close()
    assert stored(path) == ["other", "mine"]
    async with engine.connect() as connection:  # the connection is patient again
        assert (await connection.execute(text("PRAGMA busy_timeout"))).scalar() == 30000


def test_a_busy_write_does_nothing_and_says_so(tmp_path):
    path = tmp_path / "busy.db"
    ours = sqlite3.connect(path)
    ours.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    ours.commit()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    with pytest.raises(Busy):
        run_here(ours, "INSERT INTO t (v) VALUES (?)", ("x",), True,
                 [("INSERT INTO t (v) VALUES (?)", ("count",))], 30000)
    assert ours.total_changes == 0
    assert ours.execute("PRAGMA busy_timeout").fetchone() == (30000,)
    other.execute("ROLLBACK")
    other.close()
    ours.close()


def test_a_commit_found_busy_is_left_to_the_caller_with_nothing_lost(tmp_path):
    """Without WAL, a commit waits for readers: it is not made here, and the writes wait in
    their transaction for the caller's patient commit."""
    path = tmp_path / "journal.db"
    ours = sqlite3.connect(path)
    ours.execute("PRAGMA journal_mode=DELETE")
    ours.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    ours.commit()
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT * FROM t").fetchall()  # holds its shared lock
    outcome, committed = run_here(ours, "INSERT INTO t (v) VALUES (?)", ("mark",), True,
                                  [("INSERT INTO t (v) VALUES (?)", ("count",))], 30000)
    assert committed is False and outcome[3] == 1
    assert ours.in_transaction
    reader.execute("COMMIT")
    ours.commit()
    assert [row[0] for row in reader.execute("SELECT v FROM t ORDER BY id")] == ["count", "mark"]
    reader.close()
    ours.close()


@pytest.mark.parametrize(("code", "busy"), [(5, True), (261, True), (517, True), (1, False),
                                            (6, False)])
def test_busy_is_told_by_its_primary_code(code: int, busy: bool) -> None:
    """Python gives SQLite's extended code (261: another connection recovers the log)."""
    error = sqlite3.OperationalError("database is locked")
    error.sqlite_errorcode = code  # type: ignore[attr-defined]
    assert is_busy(error) is busy
    assert not is_busy(sqlite3.IntegrityError("constraint"))
