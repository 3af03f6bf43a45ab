"""The partner directory: criteria, the in-memory index, search and ranking, the answer text.

Contract (docs/architecture.md): ``search(session, criteria, now=..., limit=...)`` returns a
:class:`SearchOutcome` whose ``results`` are ranked best first.
"""

from __future__ import annotations

from bot.services.directory.criteria import Criteria, Interpretation, interpret
from bot.services.directory.search import Result, SearchOutcome, rank, search

__all__ = ["Criteria", "Interpretation", "Result", "SearchOutcome", "interpret", "rank", "search"]
