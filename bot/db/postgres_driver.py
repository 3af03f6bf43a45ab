"""PostgreSQL through asyncpg, with the transaction begun at its first write.

SQLAlchemy's asyncpg adapter sends ``BEGIN`` before a transaction's first statement, so an update
that only reads and then writes its handled mark costs four trips to the server: ``BEGIN``, the
worker's row, the mark, ``COMMIT``. This adapter:

- runs the plain reads that come before a transaction's first write outside the transaction,
  and sends ``BEGIN`` just before that first write (a ``SELECT ... FOR UPDATE`` / ``FOR SHARE``
  counts as a write: its locks need the transaction);
- runs a statement announced by :func:`bot.db.last_write.execute_last` on its own, committed by
  the server as it runs, when nothing was written before it: that write is the whole
  transaction, and the ``COMMIT`` that follows has nothing to do.

``/help`` is then two trips: the worker's row and the mark.

Why it changes nothing of what is read or stored: at PostgreSQL's default isolation (READ
COMMITTED) each statement of a transaction reads the data committed when it starts, in a
transaction or not, and a plain read takes no lock that outlives it. The writes, and every
statement after the first write, are in one transaction as before. The adapter keeps
SQLAlchemy's path (a ``BEGIN`` first) when the server's default isolation level is another, or
the connection is set to another. Behind a pooler, use session pooling (as asyncpg's prepared
statements need anyway).

:func:`dialect_url` names this dialect in a ``postgresql+asyncpg`` URL; :func:`register` makes it
known to SQLAlchemy (``bot.db.engine.make_engine`` does both).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import util
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.postgresql.asyncpg import (
    AsyncAdapt_asyncpg_connection,
    AsyncAdapt_asyncpg_cursor,
    AsyncAdapt_asyncpg_dbapi,
    PGDialect_asyncpg,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.util.concurrency import await_only

DRIVER = "asyncpg_firstwrite"

# a plain read: a SELECT that locks no row (FOR UPDATE / NO KEY UPDATE / SHARE / KEY SHARE do)
_READ = re.compile(r"\s*SELECT\b", re.IGNORECASE)
_LOCKING = re.compile(r"\bFOR\s+(?:NO\s+KEY\s+UPDATE|UPDATE|SHARE|KEY\s+SHARE)\b", re.IGNORECASE)
_DEFERRABLE_LEVELS = {None, "read_committed"}  # None: the server's default, checked at connect


@functools.lru_cache(maxsize=1024)
def is_plain_read(operation: str) -> bool:
    """Whether ``operation`` only reads and locks nothing (so it may run before ``BEGIN``).
    Remembered per statement: SQLAlchemy sends the same cached strings again and again, and
    searching a long one for ``FOR UPDATE`` at every run was a percent of a search."""
    return _READ.match(operation) is not None and _LOCKING.search(operation) is None


class FirstWriteCursor(AsyncAdapt_asyncpg_cursor):
    """SQLAlchemy's asyncpg cursor; tells its connection what it is about to run."""

    __slots__ = ()

    async def _prepare_and_execute(self, operation: Any, parameters: Any) -> None:
        connection: FirstWriteConnection = self._adapt_connection  # type: ignore[assignment]
        connection.pending = operation
        try:
            await super()._prepare_and_execute(operation, parameters)
        finally:
            connection.pending = None
            connection.write_alone = False

    async def _executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        connection: FirstWriteConnection = self._adapt_connection  # type: ignore[assignment]
        connection.write_alone = False  # several rows: a transaction of their own
        return await super()._executemany(operation, seq_of_parameters)


class FirstWriteConnection(AsyncAdapt_asyncpg_connection):
    """Begins the transaction at its first write (see the module's docstring)."""

    __slots__ = ("pending", "read_committed", "write_alone")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pending: str | None = None  # the statement a cursor is running, if any
        self.read_committed = False  # the server's default level is READ COMMITTED (at connect)
        self.write_alone = False  # set by execute_last: the next statement may run alone

    def _reads_first(self) -> bool:
        """Whether reads may run before ``BEGIN`` (READ COMMITTED, the server's or the
        connection's)."""
        return self.read_committed and self.isolation_level in _DEFERRABLE_LEVELS

    def may_write_alone(self) -> bool:
        """Whether the next statement would be the transaction's first write."""
        return not self._started and self._reads_first()

    async def _start_transaction(self) -> None:
        operation = self.pending
        if operation is not None and (self.write_alone or is_plain_read(operation)) \
                and self._reads_first():
            return  # run outside the transaction: asyncpg commits it as it runs
        await super()._start_transaction()

    def reads_now(self) -> bool:
        """Whether a plain read may run now as this adapter runs one: in the transaction, or
        before it (READ COMMITTED)."""
        return self._started or self._reads_first()

    async def run_direct(self, operation: str, parameters: Sequence[Any]) -> list[Any]:
        """Run ``operation`` through asyncpg as this adapter's cursor does (its prepared
        statements, its lock, its errors), without SQLAlchemy's execution around it, and without
        beginning a transaction (the caller checked :meth:`reads_now` or
        :meth:`may_write_alone`; see :mod:`bot.db.direct`)."""
        async with self._execute_mutex:
            try:
                prepared, _attributes = await self._prepare(
                    operation, self._invalidate_schema_cache_asof)
                return list(await prepared.fetch(*parameters))
            except Exception as error:
                self._handle_exception(error)  # raises it as the DB-API's error
                raise

    async def check_isolation(self) -> None:
        """Read the server's default isolation level (once per connection)."""
        level = await self._connection.fetchval("SHOW default_transaction_isolation")
        self.read_committed = level == "read committed"

    def cursor(self, server_side: bool = False) -> AsyncAdapt_asyncpg_cursor:
        if server_side:  # a server-side cursor lives in a transaction: SQLAlchemy's path
            return super().cursor(server_side=True)
        return FirstWriteCursor(self)


class FirstWriteDBAPI(AsyncAdapt_asyncpg_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> AsyncAdapt_asyncpg_connection:
        if util.asbool(kw.get("async_fallback", False)):
            return super().connect(*arg, **kw)
        kw.pop("async_fallback", None)
        creator_fn = kw.pop("async_creator_fn", self.asyncpg.connect)
        cache_size = kw.pop("prepared_statement_cache_size", 100)
        name_func = kw.pop("prepared_statement_name_func", None)
        return FirstWriteConnection(self, await_only(creator_fn(*arg, **kw)),
                                    prepared_statement_cache_size=cache_size,
                                    prepared_statement_name_func=name_func)


class FirstWriteDialect(PGDialect_asyncpg):
    """The asyncpg dialect with :class:`FirstWriteConnection` connections."""

    supports_statement_cache = True

    @classmethod
    def import_dbapi(cls) -> AsyncAdapt_asyncpg_dbapi:
        return FirstWriteDBAPI(__import__("asyncpg"))

    def on_connect(self) -> Any:
        super_connect = super().on_connect()

        def connect(connection: Any) -> None:
            super_connect(connection)
            if isinstance(connection, FirstWriteConnection):
                connection.await_(connection.check_isolation())

        return connect


def register() -> None:
    """Make ``postgresql+asyncpg_firstwrite`` known to SQLAlchemy (idempotent)."""
    registry.register(f"postgresql.{DRIVER}", __name__, FirstWriteDialect.__name__)


def dialect_url(url: str) -> URL:
    """``url`` with this dialect when it names asyncpg (others as they are)."""
    parsed = make_url(url)
    if parsed.drivername == "postgresql+asyncpg":
        return parsed.set(drivername=f"postgresql+{DRIVER}")
    return parsed
