"""A transaction's last statement runs and commits in one trip when it is its only write.

Most updates only read (``/help``, a page of results, a case's view) and then write one row,
their handled mark, just before the commit: ``BEGIN``, the row, ``COMMIT`` are three trips to the
database for that row. :func:`execute_last` tells the connection that nothing follows the
statement but the commit; when nothing was written before it either, the connection runs it alone,
committed as it runs (PostgreSQL, :mod:`bot.db.postgres_driver`), or with its commit in the same
trip (SQLite, :mod:`bot.db.sqlite_driver`), and the commit that follows has nothing to do. When
something was written before it, it runs in the open transaction as any statement.

Writes queued with :func:`bot.db.late_writes.write_late` go with it: on PostgreSQL in the same
statement, so a search's counts and its handled mark are one round trip; on SQLite in the same
trip to aiosqlite's thread, just before it (with its commit when nothing was written before).
"""

from __future__ import annotations

import contextlib
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from bot.db.direct import direct_on
from bot.db.late_writes import joinable, joined, queued_late, take_late


async def execute_last(session: AsyncSession, statement: Any, parameters: dict[str, Any], *,
                       alone: Any = None) -> bool:
    """Execute ``statement``; the caller commits next, with nothing in between. Straight to
    asyncpg when it runs alone (:func:`_direct`), else in one call into the synchronous session
    (:func:`last`): each step awaited apart cost as much again. True when it is stored already
    (it ran alone through asyncpg, committed as it ran): the commit has nothing left to store.

    ``alone``: the statement to run instead when ``statement`` runs alone, with nothing queued
    to go with it (the handled mark's, whose commit does not wait for the disk:
    :mod:`bot.services.inbox`); same parameters, PostgreSQL only."""
    if await _direct(session, statement, parameters, alone):
        return True
    await session.run_sync(last, statement, parameters)
    return False


async def _direct(session: AsyncSession, statement: Any, parameters: dict[str, Any],
                  alone: Any = None) -> bool:
    """On PostgreSQL, with nothing written before and nothing to flush: ``statement`` and the
    queued writes, joined in one statement, run alone through asyncpg (:mod:`bot.db.direct`).
    False when nothing ran: :func:`last` does it."""
    direct = await direct_on(session)
    if direct is None:
        return False
    late = queued_late(session)
    if late and not joinable(direct.connection.dialect.name, late, statement):
        return False
    if late:
        statement, parameters = joined(late, statement, parameters)
    elif alone is not None:
        statement = alone
    if not await direct.run(statement, parameters):
        return False
    take_late(session)  # they went with it
    return True


def last(session: Session, statement: Any, parameters: dict[str, Any]) -> None:
    """:func:`execute_last` on the synchronous session, with Core statements on its
    connection (the ORM's execution added nothing to them but time)."""
    session.flush()  # objects still pending are written first, in the transaction
    connection = session.connection()
    adapted = connection.connection.dbapi_connection
    late = take_late(session)
    if late and joinable(connection.dialect.name, late, statement):
        statement, parameters = joined(late, statement, parameters)
    elif late:
        queued = getattr(adapted, "writes_queued", None)  # SQLite: they go in its trip
        with queued() if queued is not None else contextlib.nullcontext():
            for write in late:
                connection.execute(write.statement, write.parameters)
    if getattr(adapted, "may_write_alone", None) is not None and adapted.may_write_alone():
        adapted.write_alone = True
    connection.execute(statement, parameters)
