"""Allowed terms: organisations, helplines and place names that must never be flagged as people.

Terms are matched as whole word sequences, ignoring case, accents and punctuation, with the usual
abbreviations expanded (``St-Jérôme`` = ``Saint-Jérôme``). Matching walks a token trie, so the
cost does not grow with the number of terms (a gazetteer of a few thousand names is fine).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.privacy.folding import fold

WORD_RE = re.compile(r"[a-z0-9]+")
ABBREVIATIONS = {"st": "saint", "ste": "sainte", "mt": "mont", "stn": "station"}
_END = ""  # trie key marking the end of a term (never a token: tokens are non-empty)


def term_tokens(text: str) -> list[str]:
    """Folded word tokens of ``text`` with abbreviations expanded."""
    return [ABBREVIATIONS.get(t, t) for t in WORD_RE.findall(fold(text))]


class AllowedTerms:
    """A set of multi-word terms, found in text by :meth:`find`."""

    def __init__(self, terms: Iterable[str]) -> None:
        self._trie: dict = {}
        self.single_words: set[str] = set()
        count = 0
        for term in terms:
            tokens = term_tokens(term)
            if not tokens:
                continue
            node = self._trie
            for token in tokens:
                node = node.setdefault(token, {})
            node[_END] = True
            if len(tokens) == 1:
                self.single_words.add(tokens[0])
            count += 1
        self.count = count
        _add_abbreviations(self._trie)

    def find(self, folded: str) -> list[tuple[int, int, int]]:
        """``(start, end, number_of_words)`` of every allowed term in already folded text.

        Where terms overlap, the longest one starting at a given word wins.
        """
        words = WORD_RE.findall(folded)
        trie = self._trie
        found: list[tuple[int, int, int]] = []
        spans: list[tuple[int, int]] = []
        i = 0
        n = len(words)
        while i < n:
            node = trie.get(words[i])
            if node is None:
                i += 1
                continue
            best = i if _END in node else -1
            j = i + 1
            while j < n and words[j] in node:
                node = node[words[j]]
                if _END in node:
                    best = j
                j += 1
            if best >= 0:
                if not spans:  # word offsets, computed only once a term is found
                    spans = [m.span() for m in WORD_RE.finditer(folded)]
                found.append((spans[i][0], spans[best][1], best - i + 1))
                i = best + 1
            else:
                i += 1
        return found


def _add_abbreviations(node: dict) -> None:
    """Let every abbreviation lead where its full word leads ("st" -> "saint"), at every level
    of the trie, so that text words need no rewriting when matched."""
    for child in list(node.values()):
        if isinstance(child, dict):
            _add_abbreviations(child)
    for short, full in ABBREVIATIONS.items():
        if full in node and short not in node:
            node[short] = node[full]
