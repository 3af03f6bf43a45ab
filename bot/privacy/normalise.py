"""A matching copy of a message, with disguises undone, and the way back to the original offsets.

People who hide an identifier from a filter write it with invisible characters inside
(``Jes\\u200bsica``), with look-alike letters from other alphabets (Cyrillic ``е``, Greek ``ο``),
in fullwidth or "mathematical" letters (``ｊｅｓｓ``, ``𝐉𝐞𝐬𝐬``), or with its letters spaced out
(``J E S S I C A``, ``K.a.y.l.a``). The detectors run on a normalised copy in which these are
undone; :meth:`Normalised.to_original` maps every span found in the copy back to the text as the
user typed it, which is what callers keep and what ``ScreenResult.spans`` index.

Plain text takes a fast path: :func:`normalise` returns None (nothing to undo) after one or two
C-level scans, so the cost for ordinary messages is a few microseconds.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

Span = tuple[int, int, str]

# Characters that render as nothing (or nearly) and can be slipped inside a word.
_INVISIBLE = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e007f"
)
# Everything the slow path has work to do for: invisible characters, combining marks, Greek,
# Cyrillic, Armenian, phonetic small capitals, super/subscripts, letter-like symbols, number
# forms, circled and fullwidth forms, ligatures, mathematical letters, regional indicators,
# and decimal digits of other scripts.
_SUSPECT_RE = re.compile(
    f"[{_INVISIBLE}\u00b2\u00b3\u00b9\u0300-\u036f\u0370-\u03ff\u0400-\u052f\u0530-\u058f"
    "\u0660-\u0669\u06f0-\u06f9\u0966-\u096f\u1d00-\u1dbf\u1f00-\u1fff\u2070-\u209f"
    "\u2100-\u218f\u2460-\u24ff\u2776-\u2793\u3000\ufb00-\ufb06\uff00-\uffef"
    "\U0001d400-\U0001d7ff\U0001f100-\U0001f1ff]"
)
_INVISIBLE_RE = re.compile(f"[{_INVISIBLE}]")

# Look-alikes of Latin letters in other alphabets (the subset of Unicode's confusables that
# people actually use to dodge filters). Hand-made; a letter missing here is simply not folded.
_CONFUSABLES = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "ё": "e", "ѐ": "e", "і": "i", "ї": "i", "ј": "j", "к": "k",
    "о": "o", "р": "p", "с": "c", "ѕ": "s", "у": "y", "ў": "y", "х": "x", "һ": "h", "ԁ": "d",
    "ԛ": "q", "ԝ": "w", "ӏ": "l", "ɡ": "g", "т": "t", "м": "m", "н": "h", "ь": "b", "г": "r",
    "А": "A", "В": "B", "Е": "E", "Ё": "E", "І": "I", "Ї": "I", "Ј": "J", "К": "K", "М": "M",
    "Н": "H", "О": "O", "Р": "P", "С": "C", "Ѕ": "S", "Т": "T", "У": "Y", "Ү": "Y", "Х": "X",
    "Ԁ": "D", "Ԛ": "Q", "Ԝ": "W", "Һ": "H", "Ӏ": "I", "З": "3",
    # Greek
    "α": "a", "β": "b", "γ": "y", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ς": "s", "ϲ": "c", "ά": "a", "έ": "e", "ί": "i",
    "ό": "o", "ύ": "u",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "Ϲ": "C",
    # Armenian
    "օ": "o", "ս": "u", "հ": "h", "ո": "n", "ց": "g", "զ": "q",
    # Latin oddities
    "ı": "i", "ȷ": "j", "ℓ": "l",
}
_REGIONAL_A = 0x1F1E6  # regional indicator symbols 🇦..🇿 read as letters

# Single letters separated by one repeated separator: "J E S S I C A", "K.a.y.l.a", "T-R-E-M".
# Bounded: at most 41 letters per run.
_SPACED_RE = re.compile(
    r"(?<![\w'’.\-])[^\W\d_](?P<sep> {1,2}|\. ?|-|_|\*|·|/)[^\W\d_]"
    r"(?:(?P=sep)[^\W\d_]){1,39}(?![\w'’])"
)
# What every run above holds (a lone letter between separators, then a letter that ends a
# word); starting on a separator, this cheap pre-check skips most text.
_SPACED_HINT_RE = re.compile(r"[ .\-_*·/][^\W\d_][ .\-_*·/]{1,2}[^\W\d_](?![^\W\d_])")


@functools.cache
def _mapped(ch: str) -> str:
    """What one suspect character reads as: '' for invisible ones, Latin for look-alikes."""
    if _INVISIBLE_RE.match(ch):
        return ""
    if ch in _CONFUSABLES:
        return _CONFUSABLES[ch]
    cp = ord(ch)
    if _REGIONAL_A <= cp <= _REGIONAL_A + 25:
        return chr(ord("A") + cp - _REGIONAL_A)
    digit = unicodedata.decimal(ch, None)
    if digit is not None:
        return str(digit)
    out = unicodedata.normalize("NFKC", ch)
    return "".join(_CONFUSABLES.get(c, c) for c in out)


@dataclass(frozen=True, slots=True)
class Normalised:
    """``text`` is the matching copy; ``origin[i]`` is the original index of ``text[i]``."""

    text: str
    origin: list[int]

    def to_original(self, spans: list[Span]) -> list[Span]:
        """Spans over :attr:`text` -> spans over the original message."""
        out: list[Span] = []
        for start, end, kind in spans:
            if end <= start:
                continue
            out.append((self.origin[start], self.origin[end - 1] + 1, kind))
        return out


def normalise(text: str) -> Normalised | None:
    """The matching copy of ``text``, or None when there is nothing to undo (the usual case)."""
    suspect = not text.isascii() and _SUSPECT_RE.search(text) is not None
    if not suspect and (_SPACED_HINT_RE.search(text) is None or _SPACED_RE.search(text) is None):
        return None
    chars, origin = _map_characters(text) if suspect else (text, list(range(len(text))))
    chars, origin = _join_spaced_letters(chars, origin)
    if chars == text:
        return None
    return Normalised(chars, origin)


def _map_characters(text: str) -> tuple[str, list[int]]:
    """Undo invisible, look-alike, fullwidth and decomposed characters, keeping offsets."""
    out: list[str] = []
    origin: list[int] = []
    pos = 0
    for m in _SUSPECT_RE.finditer(text):
        i = m.start()
        if i > pos:
            out.append(text[pos:i])
            origin.extend(range(pos, i))
        pos = i + 1
        ch = text[i]
        if unicodedata.combining(ch):
            _attach_mark(out, ch)
            continue
        repl = _mapped(ch)
        if repl:
            out.append(repl)
            origin.extend([i] * len(repl))
    if pos < len(text):
        out.append(text[pos:])
        origin.extend(range(pos, len(text)))
    return "".join(out), origin


def _attach_mark(out: list[str], mark: str) -> None:
    """Compose a combining accent with the letter before it (``e`` + U+0301 -> ``é``), or drop
    it: matching ignores accents, and stray marks ("zalgo" text) would split words."""
    if not out or not out[-1]:
        return
    composed = unicodedata.normalize("NFC", out[-1][-1] + mark)
    if len(composed) == 1:
        out[-1] = out[-1][:-1] + composed


def _join_spaced_letters(text: str, origin: list[int]) -> tuple[str, list[int]]:
    """``J E S S I C A`` -> ``Jessica``; ``K.a.y.l.a`` -> ``Kayla``; ``C.L.S.C.`` -> ``CLSC``.

    A run needs four letters, or three capitals ("L E A"), so that French single-letter words
    ("il y a à ...") are left alone.
    """
    if _SPACED_HINT_RE.search(text) is None or _SPACED_RE.search(text) is None:
        return text, origin
    out: list[str] = []
    new_origin: list[int] = []
    pos = 0
    for m in _SPACED_RE.finditer(text):
        sep = m.group("sep")
        letters = _upper_prefix(m.group(0)[::len(sep) + 1])
        if len(letters) < 3 or (len(letters) == 3 and not letters.isupper()):
            continue
        out.append(text[pos:m.start()])
        new_origin.extend(origin[pos:m.start()])
        if letters.isupper() and "." not in sep:
            letters = letters[0] + letters[1:].lower()
        out.append(letters)
        step = len(sep) + 1
        end = m.start() + (len(letters) - 1) * step + 1
        new_origin.extend(origin[m.start():end:step])
        pos = end
    out.append(text[pos:])
    new_origin.extend(origin[pos:])
    return "".join(out), new_origin


def _upper_prefix(letters: str) -> str:
    """``TREMBLAYa`` (from "T R E M B L A Y a appelé") -> ``TREMBLAY``: a spelled-out name in
    capitals does not swallow the French word "a" or "à" after it."""
    if len(letters) < 4 or not letters[0].isupper():
        return letters
    k = 0
    while k < len(letters) and letters[k].isupper():
        k += 1
    if k >= 3 and letters[k:].islower():
        return letters[:k]
    return letters
