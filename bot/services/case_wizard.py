"""The ``/case new`` wizard's rules: its steps, the answers each step accepts, what is kept.

The chat layer (:mod:`handlers.cases.wizard`) keeps the answers in the conversation's state as a
plain dict, under the names of :class:`bot.services.cases.CaseDraft`; these functions say what a
pressed button becomes there, which step comes next, and create the case at the end. Nothing
here knows about Telegram, and nothing in the answers identifies a youth.

Steps, in order::

    age → gender → languages → origin → current → needs → consent → turns18 → participants

``turns18`` (the month the youth turns 18) is skipped when the youth is 18 or older.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.models.cases import Case
from bot.models.core import Worker
from bot.services import cases
from knowledge.regions import load_regions

if TYPE_CHECKING:
    from bot.app import App

STEPS: tuple[str, ...] = (
    "age", "gender", "languages", "origin", "current", "needs", "consent", "turns18",
    "participants",
)
# Age buttons: "under 12", 12 to 17, "18 or older", "I don't know".
AGE_CHOICES: tuple[str, ...] = ("u12", *(str(age) for age in range(12, 18)), "18p", "unk")
_AGE_CHOICE_BANDS = {"u12": "under-12", "18p": "18-plus"}


def next_step(step: str, data: Mapping[str, Any]) -> str | None:
    """The step after ``step`` given the answers so far; None after the last one."""
    following = STEPS[STEPS.index(step) + 1:]
    for candidate in following:
        if candidate == "turns18" and data.get("age_band") == "18-plus":
            continue  # no reminder before services for minors end: the youth is an adult
        return candidate
    return None


def age_answer(choice: str) -> dict[str, Any]:
    """What an age button stores: an exact age (1 to 29) with its band, or a band alone."""
    if choice.isdigit() and 1 <= int(choice) <= 29:
        return {"age": int(choice), "age_band": cases.age_band_for(int(choice))}
    return {"age": None, "age_band": _AGE_CHOICE_BANDS.get(choice, "unknown")}


def gender_answer(choice: str) -> dict[str, Any]:
    """What a gender button stores (anything unknown, "Skip" included, is no gender), and the
    empty language selection the next step starts from."""
    return {"gender": choice if choice in cases.GENDERS else None, "languages": []}


def _toggled(chosen: Sequence[Any], item: Any) -> list[Any]:
    return [c for c in chosen if c != item] if item in chosen else [*chosen, item]


def toggle_language(chosen: Sequence[str], code: str) -> list[str]:
    """The language selection after pressing ``code``; unchanged if it is not a language."""
    return _toggled(chosen, code) if code in cases.LANGUAGE_NAMES else list(chosen)


def region_answer(choice: str) -> str | None:
    """A region code (or outside Québec) as stored; anything else ("I don't know") is None."""
    return choice if choice in load_regions() or choice == cases.OUTSIDE_QUEBEC else None


def known_needs(app: App) -> list[str]:
    """The need codes the wizard offers (the taxonomy's categories; none if it is missing)."""
    try:
        return list(app.taxonomy.categories)
    except (ImportError, AttributeError):
        return []


def toggle_need(chosen: Sequence[str], code: str, known: Sequence[str]) -> list[str]:
    """The need selection after pressing ``code``; unchanged if it is not a known need."""
    return _toggled(chosen, code) if code in known else list(chosen)


async def colleague_choices(session: AsyncSession, worker: Worker) -> list[list[Any]]:
    """The colleagues offered as participants, stored as ``[worker id, display name]`` pairs."""
    return [[w.id, w.display_name] for w in await cases.colleagues(session, worker)]


def toggle_participant(data: Mapping[str, Any], choice: str) -> list[int]:
    """The participant selection after pressing ``choice``: only offered colleagues count."""
    chosen = list(data.get("participant_ids", []))
    offered = {worker_id for worker_id, _name in data.get("colleagues", [])}
    if choice.isdigit() and int(choice) in offered:
        return _toggled(chosen, int(choice))
    return chosen


def draft_from(data: Mapping[str, Any]) -> cases.CaseDraft:
    """The case draft the wizard's answers make (missing answers are left empty)."""
    return cases.CaseDraft(
        age=data.get("age"), age_band=data.get("age_band", "unknown"), gender=data.get("gender"),
        languages=list(data.get("languages", [])), region_origin=data.get("region_origin"),
        region_current=data.get("region_current"), needs=list(data.get("needs", [])),
        consent=data.get("consent"), turns_18_month=data.get("turns_18_month"),
        participant_ids=list(data.get("participant_ids", [])),
    )


async def create_case(
    app: App, session: AsyncSession, creator: Worker, data: Mapping[str, Any], *, now: datetime
) -> Case:
    """Create the case the wizard's answers describe (validated again, audited)."""
    return await cases.create_case(
        session, creator=creator, draft=draft_from(data), now=now,
        known_needs=known_needs(app) or None,
    )
