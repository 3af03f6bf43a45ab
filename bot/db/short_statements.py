"""Statements known to be short: a few rows, found by key.

The statements every update runs (the worker, the handled mark, a search's reach...) touch a
handful of rows through an index. On SQLite such a statement runs in the event loop
(:mod:`bot.db.sqlite_driver`) instead of on aiosqlite's thread: SQLite does it in microseconds,
and the trip to the thread and back cost more than that, in both threads (with the GIL they take
turns). A statement that would wait for another process's lock still goes to the thread, so the
loop never waits for one. Anything not marked keeps the thread: a long statement there leaves the
loop free. PostgreSQL ignores the mark.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from sqlalchemy.sql.base import Executable

SHORT = "relais_short"  # the execution option

S = TypeVar("S", bound=Executable)


def short(statement: S) -> S:
    """``statement``, marked short: it reads or writes a few rows found by key."""
    return statement.execution_options(**{SHORT: True})


async def short_rows(session: AsyncSession, statement: Executable,
                     parameters: dict[str, Any]) -> Sequence[Row[Any]]:
    """The rows of a Core ``statement`` on the session's connection, in its transaction, in
    one call into the synchronous session: through the ORM's execution, a short statement cost
    half as much again. Nothing pending is flushed first."""
    return await session.run_sync(_rows, statement, parameters)


def _rows(session: Session, statement: Executable, parameters: dict[str, Any]
          ) -> Sequence[Row[Any]]:
    return session.connection().execute(statement, parameters).all()
