"""Québec gazetteer: turns what a worker types ("a longueil", "Three Rivers", "H2X",
"Chicoutimi") into administrative regions.

Exact lookups go through normalised keys (accents, case, hyphens, apostrophes, St/Ste/Mt
folded); typos go through rapidfuzz, only on long enough words and with a high cutoff when
scanning free text, so that ordinary words ("place", "nord", "Alma" the first name) are not
taken for places.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rapidfuzz import fuzz, process

from knowledge.regions import load_regions
from knowledge.text import Token, normalise, tokens
from knowledge.vocab import FUNCTION_WORDS, stopwords, word_set

DATA_DIR = Path(__file__).parent / "data"

KIND_ORDER = {"municipality": 0, "region": 1, "borough": 2, "fsa": 3}

_TOKEN_MAP = {"st": "saint", "ste": "sainte", "sts": "saints", "mt": "mont", "stes": "saintes"}
_ARTICLES = {"l", "le", "la", "les"}
_ELIDED = {"d", "l"}  # elided articles, written with an apostrophe
_PAREN_RE = re.compile(r"\s*\([^)]*\)")
FSA_RE = re.compile(r"^[ghj][0-9][a-z]$")

ABBREVIATIONS = frozenset(
    {"mtl", "ndg", "tmr", "ddo", "rdp", "cdn", "csl", "rdl", "oka", "mhm", "homa"}
)
"""Short forms (3 letters or fewer, or oddly spelled) that workers really use for a place."""

_NEEDS_CUE_WORDS = """alma maria shannon austin lorraine milan franklin scott hudson berry bury mayo
    racine lemieux charlemagne larouche lamarche labrecque desbiens charette dupuy begin auclair
    duhamel boileau bowman laforce guerin lefebvre audet eastman compton cleveland windsor richmond
    melbourne stratford bedford warden upton dundee amherst wentworth gore beaumont irlande labelle
    champlain clermont vanier mercier beaupre chambord chandler stoke ogden bristol namur nantes
    frontenac brigham dunham lambton harrington howick inverness noyan plaisance colombier tracy
    sorel oka mansfield maskinonge berthier drummond victo lorrainville authier launay taschereau
    manseau villeroy marston weedon lingwick hampden sutton waterloo richelieu portneuf transition"""
_NEEDS_CUE_PHRASES = (
    "sainte catherine",
    "la plaine",
    "les rivieres",
    "les saules",
    "les coteaux",
    "les cedres",
    "les hauteurs",
    "la conception",
    "l ascension",
    "la motte",
    "la corne",
    "la patrie",
    "la martre",
    "la peche",
    "la baie",
    "le plateau",
    "the plateau",
    "saint louis",
    "saint paul",
    "saint pierre",
    "saint thomas",
    "saint jacques",
    "saint jean baptiste",
    "saint esprit",
    "saint martin",
    "saint marcel",
    "saint gabriel",
    "sainte croix",
    "saint david",
    "saint roch",
    "saint sauveur",
    "saint jude",
    "saint guy",
    "saint rene",
    "saint bernard",
    "saint jules",
    "saint julien",
    "saint victor",
    "saint pie",
    "saint aime",
    "saint robert",
    "saint edouard",
    "saint alban",
    "saint alexis",
    "saint albert",
    "saint augustin",
    "saint francois",
    "sainte rose",
    "saint louis",
    "le gardeur",
    "mile end",
    "sainte justine",
    "saint laurent",
    "saint vincent de paul",
)
NEEDS_CUE = word_set(_NEEDS_CUE_WORDS) | frozenset(_NEEDS_CUE_PHRASES)
"""Place names that are also first names, surnames or ordinary words: in free text they count
only right after "à", "in", "near"..."""

_CUES = word_set(
    "a au aux d in at near from to vers pres around dans region secteur ville town city coin "
    "area quartier arrondissement municipalite"
)
_GUARD_BEFORE = word_set(
    "rue boulevard boul blvd avenue av chemin ch autoroute route rang pont bridge metro station "
    "fleuve river universite university hopital hospital parc cegep college ecole school "
    "boulangerie restaurant bar pharmacie caisse street"
)
_LINKING = word_set("de des du la le l d")
_GUARD_AFTER = word_set("street blvd boulevard avenue ave road rd metro station bridge")
_PROVINCE_BEFORE = word_set("au du province partout across throughout all of in")
_MAX_NGRAM = 7
_TEXT_FUZZY_CUTOFF = 90.0
_LOOK_ALIKES_KEPT = 10_000  # words remembered with their closest place name (under 2 MB)
_RESOLVE_FUZZY_CUTOFF = 78.0
_SUGGEST_CUTOFF = 70.0


class _ByLength:
    """Place keys grouped by length, and the candidates of each length window, listed once:
    every word of every question asks for one of a few dozen windows."""

    def __init__(self, keys: list[str]) -> None:
        self._lengths: dict[int, list[str]] = defaultdict(list)
        for k in keys:
            self._lengths[len(k)].append(k)
        self._windows: dict[tuple[int, int], list[str]] = {}

    def near(self, word: str, cutoff: float) -> list[str]:
        """Keys long enough and short enough to reach ``cutoff`` with fuzz.ratio (skips the
        rest)."""
        c = cutoff / 100
        n = len(word)
        window = int(n * c / (2 - c)), int(n * (2 - c) / c) + 1
        found = self._windows.get(window)
        if found is None:
            lo, hi = window
            found = self._windows[window] = [
                k for length in range(lo, hi + 1) for k in self._lengths.get(length, ())]
        return found


def canonical_words(words: list[str]) -> list[str]:
    """Fold the abbreviations people use in place names (St, Ste, Mt) to full words."""
    return [_TOKEN_MAP.get(w, w) for w in words]


def place_key(name: str) -> str:
    """Normalised lookup key of a place name: "Ste-Foy (Québec)" -> "sainte foy"."""
    return " ".join(canonical_words(normalise(_PAREN_RE.sub("", name)).split()))


@dataclass(frozen=True)
class PlaceMatch:
    """A place found for a name or in a text, with the region(s) it belongs to."""

    name: str
    kind: str
    region_codes: tuple[str, ...]
    score: float
    start: int = 0
    end: int = 0


@dataclass(frozen=True)
class _Entry:
    name: str  # display name, may carry a "(qualifier)"
    base: str  # name without the qualifier
    label: str  # the name or alias this key came from, without qualifier
    kind: str
    region: str
    official: bool  # key came from the official name, not an alias


class Gazetteer:
    """Lookup of regions, municipalities, boroughs and postal-code prefixes."""

    def __init__(
        self,
        entries: list[tuple[str, str, str, tuple[str, ...]]],
        fsa: dict[str, tuple[str, ...]],
    ) -> None:
        """``entries``: (display name, kind, region code, aliases); ``fsa``: prefix -> regions."""
        self._by_key: dict[str, list[_Entry]] = defaultdict(list)
        self._by_compact: dict[str, list[_Entry]] = defaultdict(list)
        self._names: list[str] = []
        self._fsa = fsa
        self._stop = stopwords()
        self._needs_cue = NEEDS_CUE
        for name, kind, region, aliases in entries:
            base = _PAREN_RE.sub("", name).strip()
            for i, label in enumerate((name, *aliases)):
                plain = _PAREN_RE.sub("", label).strip()
                entry = _Entry(name, base, plain, kind, region, i == 0)
                self._add(place_key(label), entry)
                self._names.append(plain)
        self._keys_all = _ByLength(sorted(self._by_compact))
        self._keys_text = _ByLength(
            [k for k in sorted(self._by_compact) if self._fuzzy_ok_in_text(k)]
        )
        # A word's closest place name, once per word: the same few hundred words (needs, ages,
        # "jeune", "urgence") come back in question after question.
        self._look_alikes: dict[str, tuple[str, float] | None] = {}

    def _add(self, key: str, entry: _Entry) -> None:
        if not key:
            return
        variants = {key}
        words = key.split()
        if len(words) >= 3 and words[0] in _ARTICLES:
            variants.add(" ".join(words[1:]))
        # "Val-d'Or" typed without its apostrophe: "val-dor", "val dor".
        for i, word in enumerate(words[:-1]):
            if word in _ELIDED and i > 0:
                variants.add(" ".join([*words[:i], word + words[i + 1], *words[i + 2:]]))
        for k in variants:
            self._by_key[k].append(entry)
            self._by_compact[k.replace(" ", "")].append(entry)

    def _fuzzy_ok_in_text(self, compact: str) -> bool:
        if len(compact) < 5:
            return False
        keys = {place_key(e.label) for e in self._by_compact[compact]}
        return not any(k in self._needs_cue or k in self._stop for k in keys)

    # ----------------------------------------------------------------- building matches
    def _match(
        self,
        entries: list[_Entry],
        score: float,
        start: int = 0,
        end: int = 0,
        name: str | None = None,
    ) -> PlaceMatch:
        """One match for a set of entries sharing a key: regions unioned, best entry named."""
        best = min(entries, key=lambda e: (not e.official, KIND_ORDER[e.kind]))
        regions = tuple(dict.fromkeys(e.region for e in sorted(entries, key=self._rank)))
        display = best.label if len(regions) > 1 else best.name
        return PlaceMatch(name or display, best.kind, regions, score, start, end)

    @staticmethod
    def _rank(entry: _Entry) -> tuple[bool, int, str]:
        return (not entry.official, KIND_ORDER[entry.kind], entry.region)

    def _per_region(self, entries: list[_Entry], score: float) -> list[PlaceMatch]:
        groups: dict[str, list[_Entry]] = defaultdict(list)
        for e in sorted(entries, key=self._rank):
            groups[e.region].append(e)
        return [self._match(g, score) for g in groups.values()]

    # ------------------------------------------------------------------------ public API
    def resolve(self, name: str, limit: int = 5) -> list[PlaceMatch]:
        """Candidates for a place name, best first: exact (score 100) before fuzzy."""
        key = place_key(name)
        if not key:
            return []
        compact = key.replace(" ", "")
        if FSA_RE.match(compact[:3]) and (
            len(compact) == 3 or (len(compact) == 6 and compact[3].isdigit())
        ):
            regions = self.fsa_regions(compact[:3])
            if regions:
                return [PlaceMatch(compact[:3].upper(), "fsa", regions, 100.0)]
        exact = self._by_key.get(key) or self._by_compact.get(compact)
        out: list[PlaceMatch] = self._per_region(exact, 100.0) if exact else []
        if len(out) < limit and len(compact) >= 4:
            cutoff = _RESOLVE_FUZZY_CUTOFF if len(compact) >= 5 else 88.0
            seen = {(m.name, m.region_codes) for m in out}
            for cand, score, _ in process.extract(
                compact,
                self._keys_all.near(compact, cutoff),
                scorer=fuzz.ratio,
                limit=limit * 3,
                score_cutoff=cutoff,
            ):
                if cand == compact:
                    continue
                for m in self._per_region(self._by_compact[cand], round(score, 1)):
                    if (m.name, m.region_codes) not in seen:
                        seen.add((m.name, m.region_codes))
                        out.append(m)
        return out[:limit]

    def suggest(self, word: str, limit: int = 3) -> list[PlaceMatch]:
        """ "Did you mean" candidates for a word that matched no place."""
        compact = place_key(word).replace(" ", "")
        if len(compact) < 4:
            return []
        out: list[PlaceMatch] = []
        seen: set[tuple[str, tuple[str, ...]]] = set()
        for cand, score, _ in process.extract(
            compact,
            self._keys_all.near(compact, _SUGGEST_CUTOFF),
            scorer=fuzz.ratio,
            limit=limit * 4,
            score_cutoff=_SUGGEST_CUTOFF,
        ):
            for m in self._per_region(self._by_compact[cand], round(score, 1)):
                if (m.name, m.region_codes) not in seen:
                    seen.add((m.name, m.region_codes))
                    out.append(m)
        return out[:limit]

    def fsa_regions(self, fsa: str) -> tuple[str, ...]:
        """Regions a forward sortation area ("H2X", "j0e") may belong to; () if unknown."""
        code = normalise(fsa).replace(" ", "").upper()[:3]
        if len(code) < 2:
            return ()
        return self._fsa.get(code) or self._fsa.get(code[:2]) or ()

    def place_names(self) -> list[str]:
        """Every region name/alias and municipality/borough name/alias, original spelling."""
        return list(dict.fromkeys(self._names))

    def find_in_text(self, text: str) -> list[PlaceMatch]:
        """Places mentioned in free text, in order, without overlaps (longest match wins)."""
        toks = tokens(text)
        words = canonical_words([t.text for t in toks])
        out: list[PlaceMatch] = []
        i, n = 0, len(toks)
        while i < n:
            found = self._exact_at(text, toks, words, i) or self._fsa_at(toks, words, i)
            if found is None:
                found = self._fuzzy_at(text, toks, words, i)
            if found is None:
                i += 1
                continue
            match, length = found
            out.append(match)
            i += length
        return out

    # --------------------------------------------------------------------- scanning
    def _exact_at(self, text: str, toks: list[Token], words: list[str], i: int):
        for length in range(min(_MAX_NGRAM, len(words) - i), 0, -1):
            key = " ".join(words[i : i + length])
            entries = self._by_key.get(key)
            if entries is None and length == 1 and len(key) >= 6:
                entries = self._by_compact.get(key)
            if entries and self._allowed(key, words, i, length):
                start, end = toks[i].start, toks[i + length - 1].end
                return self._match(entries, 100.0, start, end), length
        return None

    def _fsa_at(self, toks: list[Token], words: list[str], i: int):
        word = words[i]
        if FSA_RE.match(word):
            regions = self.fsa_regions(word)
            if regions:
                return PlaceMatch(
                    word.upper(), "fsa", regions, 100.0, toks[i].start, toks[i].end
                ), 1
        return None

    def _fuzzy_at(self, text: str, toks: list[Token], words: list[str], i: int):
        for length in (3, 2, 1):
            chunk = words[i : i + length]
            if len(chunk) < length:
                continue
            if " ".join(chunk) in self._by_key:
                return None  # a real place name that the guards rejected here: no look-alike
            if not self._fuzzy_candidate(chunk):
                continue
            hit = self._look_alike("".join(chunk))
            if hit is None:
                continue
            entries = self._by_compact[hit[0]]
            if not self._allowed(place_key(entries[0].base), words, i, length, fuzzy=True):
                continue
            start, end = toks[i].start, toks[i + length - 1].end
            return self._match(entries, round(hit[1], 1), start, end), length
        return None

    def _look_alike(self, compact: str) -> tuple[str, float] | None:
        """The place key closest to ``compact`` (at least ``_TEXT_FUZZY_CUTOFF``), or None."""
        if compact in self._look_alikes:
            return self._look_alikes[compact]
        hit = process.extractOne(compact, self._keys_text.near(compact, _TEXT_FUZZY_CUTOFF),
                                 scorer=fuzz.ratio, score_cutoff=_TEXT_FUZZY_CUTOFF)
        if len(self._look_alikes) >= _LOOK_ALIKES_KEPT:
            self._look_alikes.clear()
        self._look_alikes[compact] = found = None if hit is None else (hit[0], hit[1])
        return found

    def _fuzzy_candidate(self, chunk: list[str]) -> bool:
        if chunk[0] in FUNCTION_WORDS or chunk[-1] in FUNCTION_WORDS:
            return False
        if any(not w.isalpha() for w in chunk):
            return False
        if len(chunk) == 1:
            return len(chunk[0]) >= 5 and chunk[0] not in self._stop
        return any(len(w) >= 5 and w not in self._stop for w in chunk)

    @staticmethod
    def _after_street_word(words: list[str], i: int) -> bool:
        """True after "rue", "boul. des", "métro", "hôpital de"...: a street or a building."""
        j = i - 1
        while j >= 0 and i - j <= 3 and words[j] in _LINKING:
            j -= 1
        return j >= 0 and words[j] in _GUARD_BEFORE

    def _allowed(
        self, key: str, words: list[str], i: int, length: int, fuzzy: bool = False
    ) -> bool:
        prev = words[i - 1] if i > 0 else ""
        nxt = words[i + length] if i + length < len(words) else ""
        if nxt in _GUARD_AFTER or self._after_street_word(words, i):
            return False
        if length == 1 and not fuzzy:
            word = words[i]
            if key in self._stop and key not in ABBREVIATIONS:
                return False
            if len(word) <= 3 and word not in ABBREVIATIONS:
                return False
        if key in self._needs_cue and prev not in _CUES:
            return False
        if key == "quebec" and (
            prev in _PROVINCE_BEFORE or (prev == "de" and i > 1 and words[i - 2] == "province")
        ):
            return False
        return not (key == "saint jean" and prev == "la")


@cache
def _fsa_table() -> dict[str, tuple[str, ...]]:
    with (DATA_DIR / "fsa.csv").open(encoding="utf-8", newline="") as f:
        return {row["prefix"].upper(): tuple(row["regions"].split()) for row in csv.DictReader(f)}


@cache
def load_gazetteer() -> Gazetteer:
    """The gazetteer built from the data files (built on first call, then shared)."""
    entries: list[tuple[str, str, str, tuple[str, ...]]] = []
    for region in load_regions().values():
        entries.append((region.name_fr, "region", region.code, (region.name_en, *region.aliases)))
    with (DATA_DIR / "municipalities.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            aliases = tuple(a for a in row["aliases"].split("|") if a)
            entries.append((row["name"], row["kind"], row["region"], aliases))
    return Gazetteer(entries, _fsa_table())
