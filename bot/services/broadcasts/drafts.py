"""The announcement being written: who may write one, what is kept of it between steps, and
which audience it names.

The draft lives in the conversation state (a plain dict: ``versions``, then ``kind``,
``regions`` and ``value`` of the audience); the chat layer passes it here to be checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.errors import NotAllowed
from bot.i18n import N_
from bot.models.core import Worker
from bot.services.broadcasts import audience as aud
from bot.services.broadcasts.compose import clean, other_language


def require_coordinator(worker: Worker) -> None:
    """Only coordinators (and administrators) write announcements."""
    if not worker.is_coordinator:
        raise NotAllowed(N_("This command is for coordinators."))


def open_draft(data: Mapping[str, Any]) -> Mapping[str, Any]:
    """The draft kept in ``data``; refused once it was sent or discarded (an old button)."""
    if not data.get("versions"):
        raise NotAllowed(N_("This announcement was already sent or discarded. "
                            "Start again with /broadcast."))
    return data


def coordinator_draft(worker: Worker, data: Mapping[str, Any]) -> Mapping[str, Any]:
    """What every step after the text starts with: a coordinator, and a draft still open."""
    require_coordinator(worker)
    return open_draft(data)


def with_second_version(versions: Mapping[str, str], text: str) -> dict[str, str]:
    """The single version so far, plus ``text`` (screened) as the other language's."""
    (first,) = versions
    return {**versions, other_language(first): clean(text)}


def toggle_region(worker: Worker, chosen: list[str], code: str) -> list[str]:
    """The chosen regions with ``code`` added or removed; only the author's own regions."""
    allowed = aud.allowed_regions(worker)
    if code not in allowed:
        raise NotAllowed(N_("You can only address your own regions ({regions})."),
                         regions=", ".join(allowed) or "—")
    return sorted(set(chosen) ^ {code})


def draft_audience(worker: Worker, data: Mapping[str, Any]) -> aud.Audience:
    """The audience the draft names (checked again against what the author may address)."""
    return aud.make_audience(worker, data.get("kind") or "", regions=data.get("regions") or (),
                             value=data.get("value"))
