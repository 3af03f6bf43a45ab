"""The SQL an app sends, seen from SQLAlchemy's side (statements, not their parameters)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def statements(app: Any) -> Iterator[list[str]]:
    """The SQL the app sends while the block runs, whitespace folded."""
    from sqlalchemy import event

    sent: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        sent.append(" ".join(statement.split()))

    event.listen(app.engine.sync_engine, "before_cursor_execute", seen)
    try:
        yield sent
    finally:
        event.remove(app.engine.sync_engine, "before_cursor_execute", seen)
