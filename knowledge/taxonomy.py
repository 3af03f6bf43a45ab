"""Relais service categories: bilingual labels, the words workers use for each need, and the
mapping of other directories' taxonomy terms onto our codes (for HSDS import)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rapidfuzz import fuzz, process

from knowledge.text import normalise
from knowledge.vocab import stopwords

DATA_DIR = Path(__file__).parent / "data"
_FUZZY_MIN_LEN = 6
_FUZZY_CUTOFF = 88.0


@dataclass(frozen=True)
class Category:
    """One service category; ``synonyms`` are French and English words/phrases for it."""

    code: str
    label_fr: str
    label_en: str
    synonyms: tuple[str, ...]


class Taxonomy:
    """Categories plus a phrase index to spot needs in free text."""

    def __init__(self, categories: list[Category], external: dict[str, str]) -> None:
        self.categories: dict[str, Category] = {c.code: c for c in categories}
        self._phrases: dict[tuple[str, ...], list[str]] = {}
        self._terms: dict[str, str] = {}
        for cat in categories:
            for text in (cat.code, cat.label_fr, cat.label_en, *cat.synonyms):
                words = tuple(normalise(text).split())
                if words:
                    codes = self._phrases.setdefault(words, [])
                    if cat.code not in codes:
                        codes.append(cat.code)
            for text in (cat.code, cat.label_fr, cat.label_en):
                self._terms.setdefault(normalise(text), cat.code)
        for term, code in external.items():
            self._terms.setdefault(normalise(term), code)
        self._max_len = max(len(p) for p in self._phrases)
        self._vocab = frozenset(w for p in self._phrases for w in p)
        self._long_vocab = sorted(
            w for w in self._vocab if len(w) >= _FUZZY_MIN_LEN and w.isalpha()
        )
        self._stop = stopwords()

    @property
    def vocabulary(self) -> frozenset[str]:
        """Every normalised word used in a category phrase."""
        return self._vocab

    def label(self, code: str, lang: str = "fr") -> str:
        """Category label in ``lang`` ("fr" or "en")."""
        cat = self.categories[code]
        return cat.label_en if lang.startswith("en") else cat.label_fr

    def _canonical(self, word: str) -> str:
        """The vocabulary word a typed word stands for (typo tolerance for long words only)."""
        if word in self._vocab or len(word) < _FUZZY_MIN_LEN or word in self._stop:
            return word
        hit = process.extractOne(
            word, self._long_vocab, scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF
        )
        return hit[0] if hit else word

    def match_spans(self, words: list[str]) -> list[tuple[int, int, list[str]]]:
        """(first word, end word, codes) for each phrase found in normalised ``words``."""
        canon = [self._canonical(w) for w in words]
        out = []
        i = 0
        while i < len(canon):
            for length in range(min(self._max_len, len(canon) - i), 0, -1):
                codes = self._phrases.get(tuple(canon[i : i + length]))
                if codes:
                    out.append((i, i + length, codes))
                    i += length
                    break
            else:
                i += 1
        return out

    def match(self, text: str) -> list[str]:
        """Category codes mentioned in ``text``, in order of appearance, without repeats."""
        found: list[str] = []
        for _, _, codes in self.match_spans(normalise(text).split()):
            found.extend(c for c in codes if c not in found)
        return found

    def resolve_term(self, code_or_name: str) -> str | None:
        """Our category code for an external taxonomy term code or name (French or English)."""
        if code_or_name in self.categories:
            return code_or_name
        key = normalise(code_or_name)
        if not key:
            return None
        if key in self._terms:
            return self._terms[key]
        # hierarchical codes (AIRS/211 style "RP-1500.1400-800.50"): try the parents
        parts = re.split(r"[.\-]", code_or_name.strip())
        for cut in range(len(parts) - 1, 0, -1):
            prefix = normalise(" ".join(parts[:cut]))
            if prefix in self._terms and any(ch.isdigit() for ch in prefix):
                return self._terms[prefix]
        codes = self.match(code_or_name)
        return codes[0] if codes else None


@cache
def load_taxonomy() -> Taxonomy:
    """The Relais taxonomy from ``data/taxonomy.json`` (built on first call, then shared)."""
    raw = json.loads((DATA_DIR / "taxonomy.json").read_text(encoding="utf-8"))
    categories = []
    external: dict[str, str] = {}
    for c in raw["categories"]:
        categories.append(Category(c["code"], c["label_fr"], c["label_en"], tuple(c["synonyms"])))
        for term in c.get("external", []):
            external[term] = c["code"]
    return Taxonomy(categories, external)
