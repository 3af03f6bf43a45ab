"""Search criteria: what the worker asked for, structured, and what is still missing.

Criteria are the *interpretation* of a question, never its words: regions, a gazetteer place,
needs (taxonomy codes), the youth's age and language, "open now", urgency, and keywords taken
only from Relais's own need vocabulary (a closed list, so never a name or a contact detail).
They are what is kept of a search (conversation state, ``handoffs.criteria``); the question
itself is screened, read and forgotten.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

MAX_QUERY_CHARS = 500
# What a stored search holds: the interpreted criteria only (``Criteria.to_dict``).
STORED_KEYS = ("regions", "needs", "age", "language", "now", "urgent", "keywords", "place", "youth",
               "near")
_MAX_ITEMS = 20


@dataclass(frozen=True)
class Criteria:
    """Region(s), needs, the youth's age and language, "open now", urgency and vocabulary
    keywords (words of the taxonomy's vocabulary the question used beyond its needs: they only
    break ties in the ranking). ``youth``: a minor was named ("ado", "teen") without an age,
    so adult-only services are left out; ``near``: the worker asked for the neighbouring
    regions too."""

    regions: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    age: int | None = None
    language: str | None = None
    now: bool = False
    urgent: bool = False
    keywords: tuple[str, ...] = ()
    place: str | None = None
    youth: bool = False
    near: bool = False

    @property
    def region(self) -> str | None:
        return self.regions[0] if len(self.regions) == 1 else None

    def with_(self, **changes: Any) -> Criteria:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """The stored form (JSON, the same in memory and in Redis): exactly
        :data:`STORED_KEYS`, nothing typed."""
        data = asdict(self)
        return {key: list(data[key]) if isinstance(data[key], tuple) else data[key]
                for key in STORED_KEYS}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Criteria:
        """Criteria from their stored form. Anything else is dropped (an older stored form
        kept the question's leftover words as ``text_terms``: they are never read back)."""
        data = data or {}
        age = data.get("age")
        language = data.get("language")
        place = data.get("place")
        vocabulary = _vocabulary()
        return cls(
            regions=_strings(data.get("regions")),
            needs=_strings(data.get("needs")),
            age=age if isinstance(age, int) and not isinstance(age, bool) else None,
            language=language if isinstance(language, str) else None,
            now=bool(data.get("now")),
            urgent=bool(data.get("urgent")),
            keywords=tuple(w for w in _strings(data.get("keywords")) if w in vocabulary),
            place=place if isinstance(place, str) else None,
            youth=bool(data.get("youth")),
            near=bool(data.get("near")),
        )


def stored_criteria(data: dict[str, Any] | None) -> dict[str, Any]:
    """``data`` reduced to interpreted criteria (what a handoff or a conversation may keep)."""
    return Criteria.from_dict(data).to_dict()


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list | tuple):
        return ()
    return tuple(dict.fromkeys(v for v in value if isinstance(v, str)))[:_MAX_ITEMS]


def _vocabulary(taxonomy: Any = None) -> frozenset[str]:
    """The taxonomy's need vocabulary (the process's cached taxonomy by default)."""
    if taxonomy is None:
        from knowledge.taxonomy import load_taxonomy

        taxonomy = load_taxonomy()
    return taxonomy.vocabulary


@dataclass(frozen=True)
class PlaceChoice:
    """A candidate place for an ambiguous or misspelled name, with its region(s)."""

    name: str
    regions: tuple[str, ...]


@dataclass
class Interpretation:
    """Criteria read from a question, and what must be asked before searching."""

    criteria: Criteria
    lang: str = "fr"
    ambiguous: list[PlaceChoice] = field(default_factory=list)
    unknown_place: str | None = None
    suggestions: list[PlaceChoice] = field(default_factory=list)

    @property
    def missing_region(self) -> bool:
        return not self.criteria.regions

    @property
    def ready(self) -> bool:
        return bool(self.criteria.regions) and not self.ambiguous and not self.unknown_place


def interpret(text: str, lang: str | None, *, gazetteer: Any, taxonomy: Any) -> Interpretation:
    """Parse a free-text question (French or English) into criteria.

    The question's other words are kept only when they belong to the taxonomy's vocabulary
    (``keywords``): a name, an address or any word Relais does not know is never part of the
    criteria, so it cannot be stored with them."""
    from knowledge.query import parse_query

    parsed = parse_query(text, lang, gazetteer=gazetteer, taxonomy=taxonomy)
    vocabulary = _vocabulary(taxonomy)
    criteria = Criteria(
        regions=tuple(parsed.region_codes),
        needs=tuple(parsed.needs),
        age=parsed.age,
        language=parsed.language,
        now=parsed.now,
        urgent=parsed.urgent,
        keywords=tuple(w for w in parsed.text_terms if w in vocabulary)[:_MAX_ITEMS],
        place=parsed.place.name if parsed.place else None,
        youth=parsed.youth and parsed.age is None,
    )
    ambiguous = _choices(parsed.ambiguous_places)
    if len({c.regions for c in ambiguous}) < 2:
        ambiguous = []
    return Interpretation(
        criteria=criteria,
        lang=parsed.lang,
        ambiguous=ambiguous,
        unknown_place=parsed.unknown_place,
        suggestions=_choices(parsed.suggestions),
    )


def _choices(matches: list[Any]) -> list[PlaceChoice]:
    out: list[PlaceChoice] = []
    for match in matches:
        choice = PlaceChoice(match.name, tuple(match.region_codes))
        if choice.regions and choice not in out:
            out.append(choice)
    return out
