"""Search criteria: what the worker asked for, structured, and what is still missing."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

MAX_QUERY_CHARS = 500


@dataclass(frozen=True)
class Criteria:
    """Region(s), needs, the youth's age and language, "open now", urgency and leftover words."""

    regions: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    age: int | None = None
    language: str | None = None
    now: bool = False
    urgent: bool = False
    text_terms: tuple[str, ...] = ()
    place: str | None = None

    @property
    def region(self) -> str | None:
        return self.regions[0] if len(self.regions) == 1 else None

    def with_(self, **changes: Any) -> Criteria:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Criteria:
        return cls(
            regions=tuple(data.get("regions") or ()),
            needs=tuple(data.get("needs") or ()),
            age=data.get("age"),
            language=data.get("language"),
            now=bool(data.get("now")),
            urgent=bool(data.get("urgent")),
            text_terms=tuple(data.get("text_terms") or ()),
            place=data.get("place"),
        )


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
    """Parse a free-text question (French or English) into criteria."""
    from knowledge.query import parse_query

    parsed = parse_query(text, lang, gazetteer=gazetteer, taxonomy=taxonomy)
    criteria = Criteria(
        regions=tuple(parsed.region_codes),
        needs=tuple(parsed.needs),
        age=parsed.age,
        language=parsed.language,
        now=parsed.now,
        urgent=parsed.urgent,
        text_terms=tuple(parsed.text_terms),
        place=parsed.place.name if parsed.place else None,
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
