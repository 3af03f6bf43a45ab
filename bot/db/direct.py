"""Statements of the hot path on PostgreSQL, straight to asyncpg.

Every update runs two statements, its worker's row and its handled mark. Through SQLAlchemy's
execution each cost two to three times asyncpg's own work (an execution context, the parameters,
a cursor result; for the worker, the ORM's loading on top), and an update's cycle is CPU: the
next ``getUpdates`` waits for the mark's commit. Here such a statement, built once, is compiled
once for the dialect (its SQL, the order of its parameters and their bind processors, its
columns' result processors) and run on the session's own connection through asyncpg, by the
adapter's rules (:mod:`bot.db.postgres_driver`): a plain read in the transaction or, at READ
COMMITTED, before it (:meth:`Direct.rows`); a last write alone, committed as it runs, when
nothing was written before it (:meth:`Direct.run`, for :mod:`bot.db.last_write`). Errors come
out as SQLAlchemy's (a duplicate mark is an ``IntegrityError``), and a lost connection is
invalidated, as SQLAlchemy does.

SQLAlchemy's path is kept on other engines (SQLite has its own short path,
:mod:`bot.db.sqlite_driver`), while someone watches the engine's statements
(``before_cursor_execute`` listeners, ``echo``: they see every statement), and for a statement
that SQLAlchemy must finish at execution time (an expanding ``IN``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import SessionTransaction
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.elements import ClauseElement

from bot.db.postgres_driver import FirstWriteConnection

Processor = Callable[[Any], Any] | None
KEY = "relais.direct"  # in the session's info: the Direct of the connection it holds


@dataclass(frozen=True, slots=True)
class Compiled:
    """A statement compiled once for asyncpg."""

    sql: str
    names: tuple[str, ...]  # its parameters, in their positional order
    defaults: dict[str, Any]  # values bound when the statement was built
    binds: tuple[Processor, ...]
    results: tuple[Processor, ...]

    def arguments(self, parameters: dict[str, Any]) -> list[Any]:
        values = self.defaults | parameters
        return [values[name] if bind is None else bind(values[name])
                for name, bind in zip(self.names, self.binds, strict=True)]

    def rows(self, records: Sequence[Any]) -> list[tuple[Any, ...]]:
        results = self.results
        return [tuple(value if result is None else result(value)
                      for value, result in zip(record, results, strict=True))
                for record in records]


@functools.lru_cache(maxsize=256)
def compiled(statement: ClauseElement, dialect: Dialect) -> Compiled | None:
    """``statement`` compiled for ``dialect``, once (the hot path's statements are built
    once); None when SQLAlchemy must finish it at execution time."""
    done = statement.compile(dialect=dialect)
    if done.post_compile_params or done.literal_execute_params:
        return None
    names = tuple(done.positiontup or ())
    binds = {name: done.binds[name] for name in names}
    columns = getattr(statement, "selected_columns", ())
    return Compiled(
        sql=done.string,
        names=names,
        defaults={name: bind.effective_value for name, bind in binds.items()
                  if not bind.required},
        binds=tuple(bind.type.dialect_impl(dialect).bind_processor(dialect)
                    for bind in binds.values()),
        results=tuple(column.type.dialect_impl(dialect).result_processor(dialect, None)
                      for column in columns),
    )


@dataclass(frozen=True, slots=True)
class Direct:
    """A session's connection, on which statements may go straight to asyncpg."""

    connection: AsyncConnection
    adapted: FirstWriteConnection
    transaction: SessionTransaction | None  # the session's, when the connection was found

    async def rows(self, statement: Executable, parameters: dict[str, Any]
                   ) -> list[tuple[Any, ...]] | None:
        """The rows of a plain read; None when it must take SQLAlchemy's path."""
        plan = compiled(statement, self.connection.dialect)  # type: ignore[arg-type]
        if plan is None or not self.adapted.reads_now():
            return None
        return plan.rows(await self._run(plan, parameters))

    async def run(self, statement: Executable, parameters: dict[str, Any]) -> bool:
        """Run a write alone, committed as it runs; False (and nothing done) when it must take
        SQLAlchemy's path, or when something was written before it."""
        plan = compiled(statement, self.connection.dialect)  # type: ignore[arg-type]
        if plan is None or not self.adapted.may_write_alone():
            return False
        await self._run(plan, parameters)
        return True

    async def _run(self, plan: Compiled, parameters: dict[str, Any]) -> list[Any]:
        arguments = plan.arguments(parameters)
        dialect = self.connection.dialect
        try:
            return await self.adapted.run_direct(plan.sql, arguments)
        except dialect.loaded_dbapi.Error as error:
            lost = dialect.is_disconnect(error, self.adapted, None)
            if lost:
                await self.connection.invalidate(error)
            raise DBAPIError.instance(plan.sql, arguments, error, dialect.loaded_dbapi.Error,
                                      connection_invalidated=lost, dialect=dialect) from error


async def direct_on(session: AsyncSession) -> Direct | None:
    """The session's connection, when its statements may go straight to asyncpg (found once per
    transaction of the session: asking the session for its connection again cost a trip
    through SQLAlchemy's greenlet, more than the statement). None with changes to flush: a
    statement sent directly does not flush them first, as SQLAlchemy's execution would."""
    bind = session.bind
    if bind is None or bind.dialect.name != "postgresql":
        return None
    if session.new or session.dirty or session.deleted:
        return None
    found: Direct | None = session.info.get(KEY)
    if found is not None and found.transaction is session.sync_session.get_transaction():
        return found if _unwatched(found.connection) else None
    connection = await session.connection()
    if not _unwatched(connection):
        return None  # watched: every statement goes where it can be seen
    adapted = connection.sync_connection.connection.dbapi_connection  # type: ignore[union-attr]
    if not isinstance(adapted, FirstWriteConnection):
        return None
    session.info[KEY] = found = Direct(connection, adapted,
                                       session.sync_session.get_transaction())
    return found


def _unwatched(connection: AsyncConnection) -> bool:
    """Whether the connection is valid and nobody watches its statements."""
    sync = connection.sync_connection
    return sync is not None and not sync.invalidated and not sync.engine.echo \
        and not sync.dispatch.before_cursor_execute
