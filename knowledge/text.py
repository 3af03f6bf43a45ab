"""Text folding shared by the gazetteer, the taxonomy and the query parser.

Everything that compares words goes through here so that "Trois-Rivières", "trois rivieres"
and "TROIS-RIVIERES" are the same three tokens everywhere, and spans can be mapped back to the
original text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

_SPECIAL = {"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "ł": "l", "đ": "d", "ı": "i"}
_TOKEN_RE = re.compile(r"[a-z0-9]+")


@cache
def _fold_char(char: str) -> str:
    """Lower-case one character and strip its accents (may return 0-2 characters)."""
    low = char.lower()
    out = []
    for c in low:
        if c in _SPECIAL:
            out.append(_SPECIAL[c])
            continue
        for d in unicodedata.normalize("NFKD", c):
            if not unicodedata.combining(d):
                out.append(d)
    return "".join(out)


def fold(text: str) -> tuple[str, list[int]]:
    """Lower-cased, accent-free copy of ``text`` and, for each of its characters, the index of
    the original character it came from (so spans found in the folded text map back)."""
    if text.isascii():
        return text.lower(), list(range(len(text)))
    pieces = [_fold_char(char) for char in text]
    if all(len(piece) == 1 for piece in pieces):  # the usual case: accents dropped one for one
        return "".join(pieces), list(range(len(text)))
    offsets = [i for i, piece in enumerate(pieces) for _ in piece]  # "œ" gives two, a mark none
    return "".join(pieces), offsets


def normalise(text: str) -> str:
    """Lower case, accents stripped, apostrophes, hyphens and other punctuation to spaces,
    whitespace collapsed: the form every comparison uses."""
    folded, _ = fold(text)
    return " ".join(_TOKEN_RE.findall(folded))


@dataclass(frozen=True, slots=True)
class Token:
    """A word of the normalised text and where it sits in the original text."""

    text: str
    start: int
    end: int


def tokens(text: str) -> list[Token]:
    """Words (runs of ASCII letters/digits after folding) with their spans in ``text``."""
    folded, offsets = fold(text)
    out = []
    for m in _TOKEN_RE.finditer(folded):
        start = offsets[m.start()]
        end = offsets[m.end() - 1] + 1
        out.append(Token(m.group(), start, end))
    return out


def words(text: str) -> list[str]:
    """Just the normalised words of ``text``."""
    return normalise(text).split()
