"""The privacy screen: ``Screen.scan(text) -> ScreenResult``.

Build one with :func:`build_screen` (the app passes its gazetteer's place names and its
directory's organisation names and phone numbers) or :func:`build_default_screen` (what the
``relais screen`` command uses). Word lists are read once per process (cached loaders); nothing
is built at import time. The screen never logs or keeps the text it scans.
"""

from __future__ import annotations

import datetime as _dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.privacy.allowlist import AllowedTerms
from bot.privacy.folding import fold
from bot.privacy.names import NameDetector, NameLexicon, skeleton
from bot.privacy.normalise import normalise
from bot.privacy.patterns import SERVICE_PLACE, PatternDetector
from bot.privacy.wordlists import read_list, read_word_set

KINDS: tuple[str, ...] = (
    "PERSON", "DOB", "PHONE", "EMAIL", "ADDRESS", "POSTAL_CODE", "RAMQ", "SIN", "HANDLE",
    "SCHOOL", "PLATE", "FILE_NUMBER",
)
# When two spans of different kinds cover the same text, the more specific one is kept.
_PRIORITY = {kind: i for i, kind in enumerate(
    ("EMAIL", "HANDLE", "RAMQ", "SIN", "POSTAL_CODE", "PHONE", "PLATE", "FILE_NUMBER", "DOB",
     "ADDRESS", "SCHOOL", "PERSON")
)}


@dataclass(frozen=True, slots=True)
class ScreenResult:
    """What the screen found in one message.

    ``kinds`` is sorted and unique; ``spans`` are ``(start, end, kind)`` character offsets into
    the scanned text, sorted by position.
    """

    identifying: bool
    kinds: list[str] = field(default_factory=list)
    spans: list[tuple[int, int, str]] = field(default_factory=list)

    def as_dict(self) -> dict:
        """JSON-ready form: ``{"identifying": ..., "kinds": [...], "spans": [[s, e, k], ...]}``."""
        return {
            "identifying": self.identifying,
            "kinds": list(self.kinds),
            "spans": [[s, e, k] for s, e, k in self.spans],
        }


class Screen:
    """Flags text that identifies a person. Thread-safe and stateless between calls."""

    def __init__(
        self, patterns: PatternDetector, names: NameDetector, allowed: AllowedTerms
    ) -> None:
        self._patterns = patterns
        self._names = names
        self._allowed = allowed

    @property
    def allowed_term_count(self) -> int:
        return self._allowed.count

    def scan(self, text: str, lang: str | None = None) -> ScreenResult:
        """Scan one message. ``lang`` ("fr"/"en") is accepted for callers' convenience; the
        rules of both languages always apply, since caseworkers switch language mid-message."""
        del lang
        if not text or text.isspace():
            return ScreenResult(identifying=False, kinds=[], spans=[])
        # Detectors read a copy with disguises undone (invisible characters, look-alike and
        # fullwidth letters, spaced-out letters); spans are mapped back to ``text``.
        normalised = normalise(text)
        work = normalised.text if normalised is not None else text
        folded = fold(work)
        spans = self._patterns.scan(work, folded)
        blocked = [(s, e) for s, e, _ in spans]
        spans = [span for span in spans if span[2] != SERVICE_PLACE]
        allowed = self._allowed.find(folded)
        spans += self._names.detect(work, folded, blocked, allowed)
        spans = _resolve(spans)
        if normalised is not None:
            spans = _resolve(normalised.to_original(spans))
        kinds = sorted({k for _, _, k in spans})
        return ScreenResult(identifying=bool(spans), kinds=kinds, spans=spans)


def _resolve(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Merge overlapping spans of one kind; drop a span lying inside a span of another kind."""
    ordered = sorted(spans, key=lambda s: (s[0], -(s[1] - s[0]), _PRIORITY[s[2]]))
    kept: list[tuple[int, int, str]] = []
    for start, end, kind in ordered:
        merged = False
        for i, (ks, ke, kk) in enumerate(kept):
            if start < ke and ks < end:
                if kk == kind:
                    kept[i] = (ks, max(ke, end), kk)
                    merged = True
                    break
                if ks <= start and end <= ke:
                    merged = True  # inside a span of another kind
                    break
        if not merged:
            kept.append((start, end, kind))
    return sorted(kept)


@functools.cache
def _lexicon() -> NameLexicon:
    def folded(*names: str) -> frozenset[str]:
        return frozenset(fold(w) for name in names for w in read_list(name))

    first_names = folded("first_names_faker.txt", "first_names_community.txt")
    ambiguous = folded("ambiguous_names.txt")
    not_names = folded("not_names.txt")
    return NameLexicon(
        first_names=first_names,
        surnames=folded("surnames_faker.txt", "surnames_community.txt"),
        ambiguous=ambiguous,
        not_names=not_names,
        stopwords=folded("stopwords.txt"),
        common_words=read_word_set("common_words.txt"),  # already folded
        skeletons=frozenset(
            skeleton(n) for n in first_names
            if len(n) >= 4 and n not in ambiguous and n not in not_names and "-" not in n
        ),
    )


def builtin_allowed_terms() -> tuple[str, ...]:
    """Organisations, helplines and places the screen allows on its own."""
    return read_list("allowed_orgs.txt") + read_list("allowed_places.txt")


def builtin_allowed_phones() -> tuple[str, ...]:
    return read_list("allowed_phones.txt")


def build_screen(
    allowed_terms: Iterable[str] = (),
    allowed_phones: Iterable[str] = (),
    *,
    reference_year: int | None = None,
) -> Screen:
    """Build a screen.

    ``allowed_terms``: extra names never flagged as people (gazetteer place names, directory
    organisation names), added to the built-in allow list. ``allowed_phones``: extra phone
    numbers (any common writing) never flagged, added to the built-in helplines.
    ``reference_year`` (default: this year) dates an un-cued full date as a birth date when it
    falls 6 to 30 years earlier.
    """
    lexicon = _lexicon()
    year = reference_year if reference_year is not None else _dt.date.today().year
    patterns = PatternDetector(
        allowed_phones=(*builtin_allowed_phones(), *allowed_phones),
        stopwords=lexicon.stopwords,
        reference_year=year,
        common_words=lexicon.common_words,
    )
    allowed = AllowedTerms((*builtin_allowed_terms(), *allowed_terms))
    return Screen(patterns, NameDetector(lexicon), allowed)


def build_default_screen() -> Screen:
    """The screen with the built-in lists plus the place names of Relais's gazetteer."""
    from knowledge.places import load_gazetteer

    return build_screen(allowed_terms=load_gazetteer().place_names())
