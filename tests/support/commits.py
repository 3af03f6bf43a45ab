"""A database that refuses a commit, to check that nothing is announced before it is stored."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from bot.db.effects import UnitOfWorkSession


class CommitRefused(Exception):
    """The database refuses the commit (a lost connection, a full disk...)."""


@contextmanager
def failing_commit(kind: type, *, changed: bool = False) -> Iterator[None]:
    """Every commit of a transaction that adds a ``kind`` row (or, with ``changed``, also
    changes one) fails, as a real database failure would at commit time."""

    def touched(session) -> bool:  # type: ignore[no-untyped-def]
        rows = (*session.new, *session.dirty) if changed else tuple(session.new)
        return any(isinstance(row, kind) for row in rows)

    def seen(session, *_args) -> None:  # type: ignore[no-untyped-def]
        if touched(session):
            session.info["test.touched"] = True

    def refuse(session) -> None:  # type: ignore[no-untyped-def]
        if session.in_nested_transaction():
            return
        if session.info.pop("test.touched", False) or touched(session):
            raise CommitRefused

    def forget(session, *_args) -> None:  # type: ignore[no-untyped-def]
        session.info.pop("test.touched", None)

    listeners = [("before_flush", seen), ("after_flush", seen), ("before_commit", refuse),
                 ("after_soft_rollback", forget)]
    for name, function in listeners:
        event.listen(UnitOfWorkSession, name, function)
    try:
        yield
    finally:
        for name, function in listeners:
            event.remove(UnitOfWorkSession, name, function)
