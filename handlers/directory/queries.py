"""The searches of a conversation, kept in its state under short tokens.

Buttons carry a token, not the question: "more results" and the corrections find here the
criteria they belong to. What is kept of a search is its interpretation only
(:meth:`Criteria.to_dict`) and the gazetteer place names offered as choices, never the words
typed; the last :data:`KEEP_QUERIES` searches, older ones forgotten.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _

from bot.services.directory.criteria import Criteria, PlaceChoice

STATE_KEY = "directory_queries"
KEEP_QUERIES = 8


async def remember(state: FSMContext, criteria: Criteria, *, choices: list[PlaceChoice] | None = None,
                   wizard: bool = False, counted: bool = False) -> str:
    """Keep a new search; its token, for its buttons. ``counted``: already in the figures."""
    data = await state.get_data()
    queries: dict[str, Any] = dict(data.get(STATE_KEY) or {})
    token = secrets.token_urlsafe(4)[:6]
    queries[token] = {
        "criteria": criteria.to_dict(),
        "choices": [[c.name, list(c.regions)] for c in (choices or [])],
        "wizard": wizard,
    }
    if counted:
        queries[token]["counted"] = True
    while len(queries) > KEEP_QUERIES:
        queries.pop(next(iter(queries)))
    await _store(state, data, queries)
    return token


async def recall(state: FSMContext, token: str) -> dict[str, Any] | None:
    """The search kept under ``token``, None when forgotten."""
    data = await state.get_data()
    return (data.get(STATE_KEY) or {}).get(token)


async def update(state: FSMContext, token: str, **changes: Any) -> None:
    """Change a kept search (its criteria, its wizard flag); a forgotten one stays forgotten."""
    data = await state.get_data()
    queries = dict(data.get(STATE_KEY) or {})
    if token in queries:
        queries[token] = {**queries[token], **changes}
        await _store(state, data, queries)


async def _store(state: FSMContext, data: dict[str, Any], queries: dict[str, Any]) -> None:
    """Write the kept searches back into the state's data just read (``update_data`` would
    read it a second time: one more trip to Redis)."""
    await state.set_data({**data, STATE_KEY: queries})


@dataclass(frozen=True)
class Search:
    """The kept search a button belongs to: its token, what was kept, and its criteria."""

    token: str
    stored: dict[str, Any]
    criteria: Criteria


async def open_search(query: CallbackQuery, state: FSMContext, token: str) -> Search | None:
    """The search a button belongs to; None, the user told so, when it has expired."""
    stored = await recall(state, token)
    if stored is None:
        await query.answer(_("This search has expired. Please ask again."), show_alert=True)
        return None
    return Search(token, stored, Criteria.from_dict(stored["criteria"]))
