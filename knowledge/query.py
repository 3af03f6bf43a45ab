"""Turn a worker's free-text question into search criteria.

"qui peut prendre une jeune de 16 ans à Longueuil ce soir pour de l'hébergement" ->
region 16, age 16, needs [hebergement-urgence-jeunesse], now/urgent. Runs on every message,
so it only does dictionary lookups, a few regular expressions and bounded fuzzy matching.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, replace

from knowledge.places import Gazetteer, PlaceMatch, load_gazetteer
from knowledge.taxonomy import Taxonomy, load_taxonomy
from knowledge.text import fold, tokens
from knowledge.vocab import stopwords, word_set

_AGE_UNIT = r"(?:ans?\b|yo\b|y\s?[./]\s?o\b\.?|yrs?\b|years?\b(?:\s*-?\s*old\b)?|year\s*-?\s*old\b)"
_AGE_RANGE_RE = re.compile(
    r"\b(\d{1,2})\s*(?:-|–|a|to|et|and|ou|or)\s*(\d{1,2})\s*-?\s*" + _AGE_UNIT
)
_AGE_UNIT_RE = re.compile(r"\b(\d{1,2})\s*-?\s*" + _AGE_UNIT)
_AGE_AFTER_RE = re.compile(
    r"\b(?:agee?s?|aged?|age de|ages?)\s*(?:de\s+|of\s+)?(\d{1,2})\b(?!\s*(?:h\b|:|h\d))"
)
_AGE_NOUN_RE = re.compile(
    r"\b(?:jeune|ado|adolescente?|fille|gars|garcon|mineure?|cliente?|youth|girl|boy|teen|teenager|kid|minor)"
    r"[\s,]+(?:de\s+|of\s+|aged\s+|agee?\s+de\s+)?(\d{1,2})\b(?!\s*(?:h\b|:|h\d|heures?|pm\b|am\b|ans?\b))"
)
_AGE_PRONOUN_RE = re.compile(
    r"\b(?:she|he|they|elle|il)\s*(?:'s|’s|s|is|are|a)\s+(\d{1,2})\b"
    r"(?![\s,]*(?:h\b|:|h\d|heures?|pm\b|am\b|min|km|minutes?|hours?|fois|times|enfants?|kids?|children))"
)
_AGE_BEFORE_NOUN_RE = re.compile(
    r"\b(\d{1,2})[\s,]+(?:yo\s+|y\s?/\s?o\s+)?(?:teen|teenager|ado|adolescente?|jeune|youth|girl|boy|"
    r"fille|gars|kid|mineure?|minor)\b"
)
_OLD_RE = re.compile(r"y\s?[./]?\s?o\b|old\b")  # "17 y/o", "17 years old": an age, never a duration
_DURATION_BEFORE = word_set("depuis pendant durant since for dans apres after il y")
_YOUTH_WORDS = word_set("teen teens teenager teenagers ado ados adolescent adolescente adolescents "
                        "adolescentes mineur mineure mineurs mineures minor minors")
_WEAK_SHELTER = frozenset({("place",), ("places",), ("une", "place")})  # shelter only when nothing else is asked
_SHELTER = "hebergement-urgence-jeunesse"
# "qqun peut prendre une ado ce soir": taking a youth in means a bed, unless a need is named.
_TAKE_IN = ("peut prendre", "peuvent prendre", "pourrait prendre", "peut accueillir",
            "peut recevoir", "peut heberger", "can take", "could take", "can take in", "take in",
            "can host", "can receive")
_MIN_AGE, _MAX_AGE = 8, 35

_NOW = (
    "ce soir",
    "cette nuit",
    "cette soiree",
    "ce soir meme",
    "tonight",
    "maintenant",
    "now",
    "right now",
    "asap",
    "tout de suite",
    "immediatement",
    "immediately",
    "en ce moment",
    "right away",
    "open now",
    "ouvert maintenant",
    "d ici ce soir",
    "sur le champ",
)
_URGENT = (
    "urgent",
    "urgente",
    "urgence",
    "urgences",
    "emergency",
    "asap",
    "tout de suite",
    "au plus vite",
    "immediatement",
    "immediately",
    "right away",
    "right now",
    "des que possible",
    "vite",
)
_LANGUAGE = {
    "en": (
        "anglophone",
        "anglo",
        "english speaking",
        "english speaker",
        "speaks english",
        "speaks only english",
        "only speaks english",
        "english only",
        "only english",
        "parle anglais",
        "parle juste anglais",
        "parle seulement anglais",
        "parle que anglais",
        "parle l anglais",
        "en anglais",
        "in english",
        "unilingue anglophone",
    ),
    "fr": (
        "francophone",
        "french speaking",
        "french speaker",
        "speaks french",
        "speaks only french",
        "only speaks french",
        "french only",
        "parle francais",
        "parle juste francais",
        "parle seulement francais",
        "en francais",
        "in french",
    ),
    "es": (
        "hispanophone",
        "spanish speaking",
        "speaks spanish",
        "parle espagnol",
        "en espagnol",
        "in spanish",
    ),
    "ht": ("creole", "kreyol", "creole haitien", "haitian creole", "parle creole"),
    "cr": ("speaks cree", "cree speaking", "parle cri", "en cri", "in cree"),
    "iu": ("inuktitut", "parle inuktitut", "speaks inuktitut"),
    "ar": ("arabophone", "parle arabe", "speaks arabic", "en arabe", "in arabic"),
}
_FR_MARKERS = word_set(
    "le la les une un des du de pour qui est ce cette soir ans avec dans jeune besoin peut elle il "
    "et au aux quelqu quelle quel ou sur chez svp merci hebergement fille ado nuit aide"
)
_EN_MARKERS = word_set(
    "the for in any who can with need needs is youth girl boy shelter old yo and to of she he "
    "tonight someone anyone where what please help bed years year looking kid teen"
)
_PLACE_CUES = word_set("a au in at near vers dans pres around from secteur region ville town city")
_SKIP_AFTER_CUE = word_set("la le les l the de du d")


@dataclass
class ParsedQuery:
    """Structured criteria read from one question."""

    region_codes: tuple[str, ...] = ()
    place: PlaceMatch | None = None
    ambiguous_places: list[PlaceMatch] = field(default_factory=list)
    unknown_place: str | None = None
    suggestions: list[PlaceMatch] = field(default_factory=list)
    age: int | None = None
    needs: list[str] = field(default_factory=list)
    language: str | None = None
    now: bool = False
    urgent: bool = False
    text_terms: list[str] = field(default_factory=list)
    lang: str = "fr"
    youth: bool = False  # "teen", "ado", "mineure": a minor, age not given


@functools.lru_cache(maxsize=64)
def _phrase_index(phrases: tuple[str, ...]) -> dict[str, list[list[str]]]:
    """``phrases`` split into words and filed by their first word, once per phrase list."""
    index: dict[str, list[list[str]]] = {}
    for phrase in phrases:
        if split := phrase.split():
            index.setdefault(split[0], []).append(split)
    return index


def _phrase_spans(words: list[str], phrases: tuple[str, ...]) -> list[tuple[int, int]]:
    """(start, end) word indexes where any of ``phrases`` (normalised) occurs."""
    index = _phrase_index(phrases)
    out = []
    for i, word in enumerate(words):
        for p in index.get(word, ()):
            if words[i : i + len(p)] == p:
                out.append((i, i + len(p)))
    return out


def _find_age(folded: str, offsets: list[int]) -> tuple[int | None, tuple[int, int] | None]:
    """The youth's age and its span in the original text (ranges give their lower bound)."""
    candidates: list[tuple[int, int, int]] = []  # (position, age, end)
    for m in _AGE_RANGE_RE.finditer(folded):
        low, high = int(m.group(1)), int(m.group(2))
        if _MIN_AGE <= low < high <= _MAX_AGE:
            candidates.append((m.start(), low, m.end()))
    for regex in (_AGE_UNIT_RE, _AGE_AFTER_RE, _AGE_NOUN_RE, _AGE_PRONOUN_RE, _AGE_BEFORE_NOUN_RE):
        for m in regex.finditer(folded):
            value = int(m.group(1))
            before = folded[: m.start()].split()
            duration = before and before[-1] in _DURATION_BEFORE and not _OLD_RE.search(m.group(0))
            if not (_MIN_AGE <= value <= _MAX_AGE) or duration:
                continue
            if any(s <= m.start(1) < e for s, _, e in candidates):
                continue
            candidates.append((m.start(), value, m.end()))
    if not candidates:
        return None, None
    start, age, end = min(candidates)
    return age, (offsets[start], offsets[end - 1] + 1)


def _detect_lang(words: list[str], text: str, given: str | None) -> str:
    fr = sum(w in _FR_MARKERS for w in words) + 2 * any(c in "éèêàçôîûù" for c in text.lower())
    en = sum(w in _EN_MARKERS for w in words)
    if abs(fr - en) >= 1 and (fr >= 1 or en >= 1) and (given is None or abs(fr - en) >= 2):
        return "fr" if fr > en else "en"
    return given if given in ("fr", "en") else "fr"


def parse_query(
    text: str,
    lang: str | None = None,
    *,
    gazetteer: Gazetteer | None = None,
    taxonomy: Taxonomy | None = None,
) -> ParsedQuery:
    """Read region, age, needs, language, urgency and leftover terms from a question.

    ``region_codes`` unions the regions of every place found; when a place fits several
    regions they are all kept and ``ambiguous_places`` lists one candidate per region so the
    chat can ask. ``lang`` is the question's language: detected when the words say so clearly,
    else the ``lang`` given, else "fr".
    """
    gaz = gazetteer or load_gazetteer()
    tax = taxonomy or load_taxonomy()
    toks = tokens(text)
    words = [t.text for t in toks]
    consumed = [False] * len(words)
    result = ParsedQuery(lang=_detect_lang(words, text, lang))

    def consume_chars(start: int, end: int) -> None:
        for i, t in enumerate(toks):
            if t.start < end and t.end > start:
                consumed[i] = True

    # places
    places = gaz.find_in_text(text)
    for m in places:
        consume_chars(m.start, m.end)
    if places:
        result.place = places[0]
        result.region_codes = tuple(dict.fromkeys(c for m in places for c in m.region_codes))
        for m in places:
            if len(m.region_codes) > 1:
                result.ambiguous_places.extend(_candidates(gaz, m))
                break

    # age
    folded, offsets = fold(text)
    result.age, span = _find_age(folded, offsets)
    if span:
        consume_chars(*span)

    # needs (place names blanked so "Métis-sur-Mer" is not read as "Métis")
    blanked = list(text)
    for m in places:
        blanked[m.start : m.end] = " " * (m.end - m.start)
    kept = [t.text for t in tokens("".join(blanked))]
    result.needs = _needs(tax, kept)
    result.youth = any(w in _YOUTH_WORDS for w in words)
    if not result.needs and _phrase_spans(kept, _TAKE_IN):
        result.needs = [_SHELTER]

    # language the youth needs, now / urgent
    for code, phrases in _LANGUAGE.items():
        spans = _phrase_spans(words, phrases)
        if spans:
            result.language = result.language or code
            for s, e in spans:
                consumed[s:e] = [True] * (e - s)
    now_spans = _phrase_spans(words, _NOW)
    urgent_spans = _phrase_spans(words, _URGENT)
    result.now = bool(now_spans)
    result.urgent = bool(now_spans or urgent_spans)
    for s, e in now_spans + urgent_spans:
        consumed[s:e] = [True] * (e - s)

    if not places:
        _unknown_place(result, gaz, tax, toks, words, consumed, text)

    stop = stopwords()
    terms = [
        w
        for w, c in zip(words, consumed, strict=True)
        if not c and len(w) > 1 and w.isalpha() and w not in stop
    ]
    result.text_terms = list(dict.fromkeys(terms))
    return result


def _needs(tax: Taxonomy, words: list[str]) -> list[str]:
    """Needs named in ``words``, in order; a bare "place" means a shelter bed only when no
    other need is named ("une place en désintox" is a place in detox)."""
    found: list[str] = []
    weak_only = True
    for start, end, codes in tax.match_spans(words):
        if _SHELTER in codes and tuple(words[start:end]) not in _WEAK_SHELTER:
            weak_only = False
        found.extend(c for c in codes if c not in found)
    if weak_only and _SHELTER in found and len(found) > 1:
        found.remove(_SHELTER)
    return found


def _candidates(gaz: Gazetteer, match: PlaceMatch) -> list[PlaceMatch]:
    """One candidate per region for a place that fits several."""
    if match.kind != "fsa":
        exact = [m for m in gaz.resolve(match.name, limit=10) if m.score == 100.0]
        if len(exact) > 1:
            return [replace(m, start=match.start, end=match.end) for m in exact]
    return [replace(match, region_codes=(code,)) for code in match.region_codes]


def _unknown_place(
    result: ParsedQuery, gaz: Gazetteer, tax: Taxonomy, toks, words, consumed, text: str
) -> None:
    """Spot "à Longeuill" / "in Springfield": a word after a place cue that is no known word."""
    stop = stopwords()
    vocab = tax.vocabulary
    for i, w in enumerate(words[:-1]):
        if w not in _PLACE_CUES:
            continue
        j = i + 1
        while j < len(words) and words[j] in _SKIP_AFTER_CUE:
            j += 1
        if j >= len(words) or consumed[j]:
            continue
        cand = words[j]
        if len(cand) < 4 or not cand.isalpha() or cand in stop or cand in vocab:
            continue
        end = j + 1
        while end < len(words) and text[toks[end].start].isupper() and not consumed[end]:
            end += 1
        original = text[toks[j].start : toks[end - 1].end]
        suggestions = gaz.suggest(original)
        if suggestions or text[toks[j].start].isupper():
            result.unknown_place = original
            result.suggestions = suggestions
            for k in range(j, end):
                consumed[k] = True
            return
