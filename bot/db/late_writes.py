"""Writes that only add to counts, sent with the transaction's last statement.

A search adds to two count tables. On PostgreSQL that was ``BEGIN``, two upserts, the handled mark
and ``COMMIT``: five round trips, with the counts' rows (the same few rows for every search of
the month) locked from the first upsert to the commit, so that searches handled at once queued
behind each other. A write queued here with :func:`write_late` goes instead:

- with the transaction's last statement (:func:`bot.db.last_write.execute_last`): on PostgreSQL
  as one statement, the queued writes in data-modifying ``WITH`` clauses; when nothing was
  written before, that statement commits as it runs (one round trip, rows locked only while it
  runs). Elsewhere, just before the last statement, in the same transaction;
- or, when the transaction commits without a last statement, just before the commit;
- a rollback drops them with the rest of the transaction.

Only for statements that nothing later in the transaction reads back (counts), each on a table
of its own within a transaction: one statement cannot change a row twice on PostgreSQL, so two
queued writes on one table are sent one after the other instead.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, event, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.sql.elements import TextClause

from bot.db.effects import UnitOfWorkSession

KEY = "relais.late_writes"
#: How SQLAlchemy finds the bound parameters of a text statement (``TextClause``).
BIND = re.compile(r"(?<![:\w\x5c]):(\w+)(?!:)")


@dataclass(frozen=True)
class LateWrite:
    table: str
    statement: TextClause
    parameters: dict[str, Any]


def write_late(session: AsyncSession, table: str, statement: TextClause,
               parameters: dict[str, Any]) -> None:
    """Queue ``statement`` (a write on ``table``) to go with the transaction's last statement."""
    sync = session.sync_session
    if not sync.in_transaction():
        sync.begin()  # no trip: so that a rollback before anything else drops it too
    sync.info.setdefault(KEY, []).append(LateWrite(table, statement, parameters))


def queued_late(session: AsyncSession) -> list[LateWrite]:
    """The queued writes, still queued."""
    return list(session.sync_session.info.get(KEY) or ())


def take_late(session: AsyncSession | Session) -> list[LateWrite]:
    """The queued writes, no longer queued."""
    sync = session.sync_session if isinstance(session, AsyncSession) else session
    return sync.info.pop(KEY, None) or []


def joinable(dialect: str, late: list[LateWrite], last: Any) -> bool:
    """Whether ``late`` and the text statement ``last`` may go as one statement."""
    tables = [write.table for write in late]
    return (dialect == "postgresql" and isinstance(last, TextClause)
            and len(set(tables)) == len(tables))


def joined(late: list[LateWrite], last: TextClause, parameters: dict[str, Any]
           ) -> tuple[TextClause, dict[str, Any]]:
    """One statement: each queued write in a ``WITH`` clause, its parameters renamed apart."""
    statement = _joined(tuple(write.statement for write in late), last)
    values = dict(parameters)
    for number, write in enumerate(late):
        values.update({f"late{number}_{name}": value for name, value in write.parameters.items()})
    return statement, values


@functools.lru_cache(maxsize=64)
def _joined(statements: tuple[TextClause, ...], last: TextClause) -> TextClause:
    """Built once per shape (a search counts two or three cells)."""
    clauses, binds = [], list(last._bindparams.values())
    for number, statement in enumerate(statements):
        prefix = f"late{number}_"
        renamed = BIND.sub(lambda found, p=prefix: f":{p}{found.group(1)}", statement.text)
        clauses.append(f"late{number} AS ({renamed})")
        binds += [bindparam(prefix + bind.key, type_=bind.type)
                  for bind in statement._bindparams.values()]
    return text(f"WITH {', '.join(clauses)} {last.text}").bindparams(*binds)


@event.listens_for(UnitOfWorkSession, "before_commit")
def _before_commit(session: Session) -> None:
    for write in take_late(session):
        session.execute(write.statement, write.parameters)


@event.listens_for(UnitOfWorkSession, "after_soft_rollback")
def _rolled_back(session: Session, previous: SessionTransaction) -> None:
    if previous.parent is None:
        take_late(session)
