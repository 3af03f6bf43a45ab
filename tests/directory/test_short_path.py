"""The statements of the commonest updates, ``/help`` and a typed search, are all marked short
(``bot.db.short_statements``): on SQLite none of them goes to aiosqlite's thread."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from bot.app import App
from bot.db.short_statements import SHORT
from handlers.runtime import stop_background
from tests.support.chat import Chat

SEARCH = "hébergement jeune 15 ans montréal"


@contextmanager
def marks(app: App) -> Iterator[list[tuple[str, bool]]]:
    """Each statement the app sends while the block runs (its first words), and whether it
    was marked short."""
    seen: list[tuple[str, bool]] = []

    def sent(_conn, _cursor, statement, _parameters, context, _many) -> None:  # type: ignore[no-untyped-def]
        seen.append((" ".join(statement.split()[:3]), bool(context.execution_options.get(SHORT))))

    event.listen(app.engine.sync_engine, "before_cursor_execute", sent)
    try:
        yield seen
    finally:
        event.remove(app.engine.sync_engine, "before_cursor_execute", sent)


async def test_help_and_a_search_send_only_short_statements(chat: Chat, seeded: App,
                                                           trips: list[str]) -> None:
    await chat.register("alice", regions=("06",), lang="fr")
    await chat.say("alice", SEARCH)  # the first search loads the directory's index
    await stop_background(chat.console.tasks)  # only the updates' statements are seen
    chat.console.tasks = []
    with marks(seeded) as sent:
        trips.clear()
        helped = chat.texts("alice", await chat.say("alice", "/help"))
        answered = chat.texts("alice", await chat.say("alice", SEARCH))
    assert "/find" in helped
    assert answered.startswith("🔎 Montréal") and "1. " in answered
    assert {"SELECT workers.id, workers.telegram_id,", "INSERT INTO processed_updates",
            "INSERT INTO stats_searches"} <= {words for words, _short in sent}
    assert [words for words, marked in sent if not marked] == []
    assert trips == []  # on SQLite: none went to aiosqlite's thread
