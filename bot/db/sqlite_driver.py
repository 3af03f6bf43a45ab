"""SQLite through aiosqlite, one trip to its thread per statement.

SQLAlchemy's aiosqlite adapter runs a statement as four trips to aiosqlite's worker thread
(open a cursor, execute, fetch the rows, close the cursor), and each trip wakes the thread and
then the event loop. On a short update (five statements and a commit) those wake-ups cost more
than SQLite itself. This adapter does the four steps in one function run on that thread; the
statements, their order, transactions and errors are the same. Server-side cursors (streamed
results) keep SQLAlchemy's own path.

Two more trips are saved where nothing is to be done on the thread: a commit or a rollback with
no transaction open (the pool rolls back every connection it takes back, and SQLite opens a
transaction only at the first write); and the commit of a statement announced by
:func:`bot.db.last_write.execute_last` when it is the transaction's first write: the statement
and its commit go in one trip. The writes queued to go with that statement (a search's counts,
:mod:`bot.db.late_writes`) go in the same trip, just before it (:meth:`OneTripConnection.
writes_queued`): a search's counts, its handled mark and the commit are one trip instead of four,
and the write turn is held for that trip only.

A statement marked short (:mod:`bot.db.short_statements`) makes no trip at all: it runs in the
event loop, with its queued writes and commit, and SQLite's busy timeout set to zero meanwhile.
If another process holds the lock it needs, it has done nothing, and it goes to the thread,
which waits for the lock as any statement does (a commit found busy goes there alone). The
commit of a transaction of short statements only is made in the loop too, the same way.

The engine's connections take turns to write (:mod:`bot.db.write_turns`): a write transaction
waits for the one before it to end, in order, instead of sleeping in SQLite's busy handler.

:func:`dialect_url` names this dialect in a ``sqlite+aiosqlite`` URL; :func:`register` makes it
known to SQLAlchemy (``bot.db.engine.make_engine`` does both).
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
    SQLiteDialect_aiosqlite,
)
from sqlalchemy.engine import URL, make_url

from bot.db.short_statements import SHORT
from bot.db.write_turns import Turn, WriteTurns, opens_transaction

DRIVER = "aiosqlite_onetrip"
DEFAULT_TURN_TIMEOUT = 5.0  # seconds, sqlite3's own default busy timeout


Write = tuple[str, Any]  # a statement queued with its parameters


def run_writes(connection: sqlite3.Connection, writes: Sequence[Write]) -> None:
    """On aiosqlite's thread: the queued writes, in order."""
    for operation, parameters in writes:
        connection.execute(operation, () if parameters is None else parameters).close()


def commit_writes(connection: sqlite3.Connection, writes: Sequence[Write]) -> None:
    """On aiosqlite's thread: the queued writes, then the commit."""
    run_writes(connection, writes)
    connection.commit()


def run_statement(connection: sqlite3.Connection, operation: str, parameters: Any,
                  commit: bool = False, before: Sequence[Write] = ()
                  ) -> tuple[Any, list[Any] | None, int, int]:
    """On aiosqlite's thread: the writes queued ``before`` it, then execute, fetch every row,
    close, commit when asked (description, rows, last row id, row count)."""
    run_writes(connection, before)
    cursor = connection.cursor()
    try:
        if parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        if cursor.description:
            outcome = cursor.description, cursor.fetchall(), -1, -1
        else:
            outcome = None, None, cursor.lastrowid, cursor.rowcount
    finally:
        cursor.close()
    if commit:
        connection.commit()
    return outcome


class Busy(Exception):
    """SQLite met another connection's lock before anything was written."""


def is_busy(error: BaseException) -> bool:
    """SQLITE_BUSY, or one of its extended codes (another connection recovering the log...),
    which is what Python reports."""
    code = getattr(error, "sqlite_errorcode", None)
    return (isinstance(error, sqlite3.OperationalError) and code is not None
            and code & 0xFF == sqlite3.SQLITE_BUSY)


@contextmanager
def impatient(connection: sqlite3.Connection, patience_ms: int) -> Iterator[None]:
    """SQLite's busy timeout at zero meanwhile: a lock held elsewhere fails at once instead of
    holding the event loop; then ``patience_ms`` again."""
    connection.execute("PRAGMA busy_timeout=0").close()
    try:
        yield
    finally:
        connection.execute(f"PRAGMA busy_timeout={int(patience_ms)}").close()


def commit_here(connection: sqlite3.Connection) -> bool:
    """Commit, unless another connection's lock is in the way (the transaction stays open)."""
    try:
        connection.commit()
    except sqlite3.OperationalError as error:
        if is_busy(error):
            return False
        raise
    return True


def run_here(connection: sqlite3.Connection, operation: str, parameters: Any, commit: bool,
             before: Sequence[Write], patience_ms: int
             ) -> tuple[tuple[Any, list[Any] | None, int, int], bool]:
    """In the event loop: :func:`run_statement`, never waiting for a lock
    (:func:`impatient`). Raises :class:`Busy` when a lock stopped it before anything was
    written; the outcome, and whether it was committed (a commit found busy is left to the
    caller)."""
    with impatient(connection, patience_ms):
        changes = connection.total_changes
        try:
            outcome = run_statement(connection, operation, parameters, False, before)
        except sqlite3.OperationalError as error:
            if is_busy(error) and connection.total_changes == changes:
                raise Busy from error
            raise
        return outcome, commit and commit_here(connection)


async def _at_once() -> None:
    """Awaited by a statement run in the loop or queued: SQLAlchemy's ``AsyncConnection``
    refuses a statement that awaited nothing (a sign of a driver that is not async)."""


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """SQLAlchemy's aiosqlite cursor, its ``execute`` in one trip (none when marked short)."""

    __slots__ = ("short",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.short = False  # set by the dialect for a statement marked short

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        adapted: OneTripConnection = self._adapt_connection  # type: ignore[assignment]
        if adapted.queueing:
            self._queue(adapted, operation, parameters)
            return
        alone, adapted.write_alone = adapted.write_alone and adapted.may_write_alone(), False
        before, adapted.queued = adapted.queued, []
        adapted.only_short = self.short and (adapted.only_short or not adapted._open())
        try:
            self._take_turn(adapted, operation)
            if self.short:
                outcome = self._run_here(adapted, operation, parameters, alone, before)
            else:
                outcome = self._run_there(operation, parameters, alone, before)
            description, rows, lastrowid, rowcount = outcome
            self.description = description
            self.lastrowid, self.rowcount = lastrowid, rowcount
            if rows is not None:
                self._rows = deque(rows)
        except Exception as error:
            self._adapt_connection._handle_exception(error)
        finally:
            adapted.end_turn()

    def _run_there(self, operation: str, parameters: Any, commit: bool,
                   before: Sequence[Write]) -> Any:
        """On aiosqlite's thread, in one trip."""
        return self.await_(self._connection._execute(
            run_statement, self._connection._conn, operation, parameters, commit, before))

    def _run_here(self, adapted: OneTripConnection, operation: str, parameters: Any,
                  commit: bool, before: Sequence[Write]) -> Any:
        """In the event loop; on the thread when another process's lock is in the way."""
        connection = self._connection._conn
        self.await_(_at_once())
        try:
            outcome, committed = run_here(connection, operation, parameters, commit, before,
                                          adapted.patience_ms())
        except Busy:
            return self._run_there(operation, parameters, commit, before)
        if commit and not committed:
            self.await_(self._connection._execute(connection.commit))
        return outcome

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        self._adapt_connection.only_short = False  # type: ignore[attr-defined]
        return super().executemany(operation, seq_of_parameters)

    def _take_turn(self, adapted: OneTripConnection, operation: str) -> None:
        """Wait for the writer's place before the statement that opens a write transaction."""
        if adapted.turn is None and opens_transaction(operation) and not adapted._open():
            adapted.turn = self.await_(adapted.dbapi.write_turns.take())

    def _queue(self, adapted: OneTripConnection, operation: str, parameters: Any) -> None:
        """Keep a write for the next statement's trip (the writer's place is taken now)."""
        self.await_(_at_once())
        try:
            self._take_turn(adapted, operation)
        except Exception as error:
            self._adapt_connection._handle_exception(error)
        adapted.queued.append((operation, parameters))
        self.description = None
        self.lastrowid, self.rowcount = 0, -1  # not known until it runs
        self._rows = deque()


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ("busy_timeout_ms", "only_short", "queued", "queueing", "turn", "write_alone")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.write_alone = False  # set by execute_last: commit the next statement with it
        self.turn: Turn | None = None  # the writer's place, while it writes
        self.queued: list[Write] = []  # writes that go with the next statement, or the commit
        self.queueing = False
        self.busy_timeout_ms: int | None = None  # the connection's own, read once
        self.only_short = False  # whether the open transaction ran short statements only

    def patience_ms(self) -> int:
        """The connection's busy timeout (set by the engine), restored after a short
        statement."""
        if self.busy_timeout_ms is None:
            row = self._connection._conn.execute("PRAGMA busy_timeout").fetchone()
            self.busy_timeout_ms = int(row[0])
        return self.busy_timeout_ms

    @contextmanager
    def writes_queued(self) -> Iterator[None]:
        """The statements executed meanwhile are writes that nothing reads before the next
        statement: they go in that statement's trip, just before it (or with the commit)."""
        self.queueing = True
        try:
            yield
        finally:
            self.queueing = False

    def end_turn(self, *, closing: bool = False) -> None:
        """Give the writer's place back once no write transaction is open nor queued (or at
        close)."""
        if self.turn is not None and (closing or not (self._open() or self.queued)):
            turn, self.turn = self.turn, None
            turn.give_back()

    def _open(self) -> bool:
        """Whether SQLite has a transaction open (when in doubt, yes: SQLAlchemy's path)."""
        try:
            return self._connection._conn.in_transaction
        except ValueError:  # closed
            return True

    def may_write_alone(self) -> bool:
        """Whether the next statement would be the transaction's first write."""
        return not self._open()

    def commit(self) -> None:
        queued, self.queued = self.queued, []
        try:
            if queued:  # they and the commit: one trip
                self._commit_writes(queued)
            elif self._open() and not (self.only_short and self._commit_here()):
                super().commit()  # else nothing to commit, or committed here: no trip
        finally:
            self.end_turn()

    def _commit_here(self) -> bool:
        """Commit in the event loop a transaction of short statements (its writes are a few
        rows); False when another connection's lock is in the way."""
        connection = self._connection._conn
        with impatient(connection, self.patience_ms()):
            return commit_here(connection)

    def _commit_writes(self, writes: list[Write]) -> None:
        try:
            self.await_(self._connection._execute(commit_writes, self._connection._conn, writes))
        except Exception as error:
            self._handle_exception(error)

    def rollback(self) -> None:
        self.queued = []
        try:
            if self._open():  # else nothing to roll back: no trip
                super().rollback()
        finally:
            self.end_turn()

    def close(self) -> None:
        self.queued = []
        try:
            super().close()
        finally:
            self.end_turn(closing=True)

    def terminate(self) -> None:
        self.queued = []
        try:
            super().terminate()
        finally:
            self.end_turn(closing=True)

    def cursor(self, server_side: bool = False) -> AsyncAdapt_aiosqlite_cursor:
        if server_side:
            self.only_short = False
            return super().cursor(server_side=True)
        return OneTripCursor(self)


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """One per engine: its connections take turns to write (:mod:`bot.db.write_turns`)."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.write_turns = WriteTurns()

    def connect(self, *arg: Any, **kw: Any) -> AsyncAdapt_aiosqlite_connection:
        if self.write_turns.timeout is None:  # as SQLite's busy timeout (the engine's setting)
            self.write_turns.timeout = kw.get("timeout", DEFAULT_TURN_TIMEOUT)
        kw.setdefault("check_same_thread", False)  # short statements run in the loop's thread
        adapted = super().connect(*arg, **kw)
        if type(adapted) is AsyncAdapt_aiosqlite_connection:
            return OneTripConnection(self, adapted._connection)
        return adapted


class OneTripDialect(SQLiteDialect_aiosqlite):
    """The aiosqlite dialect with :class:`OneTripCursor` cursors."""

    supports_statement_cache = True

    @classmethod
    def import_dbapi(cls) -> AsyncAdapt_aiosqlite_dbapi:
        return OneTripDBAPI(__import__("aiosqlite"), __import__("sqlite3"))

    def do_execute(self, cursor: Any, statement: str, parameters: Any,
                   context: Any = None) -> None:
        _read_mark(cursor, context)
        cursor.execute(statement, parameters)

    def do_execute_no_params(self, cursor: Any, statement: str, context: Any = None) -> None:
        _read_mark(cursor, context)
        cursor.execute(statement)


def _read_mark(cursor: Any, context: Any) -> None:
    """Tell our cursor whether the statement is marked short (its execution options)."""
    if context is not None and type(cursor) is OneTripCursor:
        cursor.short = bool(context.execution_options.get(SHORT))


def register() -> None:
    """Make ``sqlite+aiosqlite_onetrip`` known to SQLAlchemy (idempotent)."""
    registry.register(f"sqlite.{DRIVER}", __name__, OneTripDialect.__name__)


def dialect_url(url: str) -> URL:
    """``url`` with this dialect when it names aiosqlite (others as they are)."""
    parsed = make_url(url)
    if parsed.drivername == "sqlite+aiosqlite":
        return parsed.set(drivername=f"sqlite+{DRIVER}")
    return parsed
