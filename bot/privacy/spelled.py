"""Phone numbers (and cued SINs) written to dodge a filter: spaced, split in odd groups, with
letters for digits, or spelled out in French or English words.

``5 1 4 5 5 5 1 2 3 4``, ``514 555 12 34``, ``5l4-555-O142``, ``cinq un quatre cinq cinq cinq
zéro un quatre deux``, ``four one eight five five five…``, ``quatre-un-huit``, ``cinq cent
quatorze, cinq cent cinquante-cinq…``, number words glued together or to digits
(``fourthreeeight fivefivefive``, ``four1eight``), and mixes of words and digits (``quatre trois
huit, 555, zéro un trente-trois``: a comma may stand next to a number word) are read as one
*run* of digits ("zéro cent quarante-six" is 0, 146). A run holding a plausible North-American number (10 digits, or 11 starting with 1, whose
area code and exchange fit the NANP plan) is a PHONE; a run of 7 digits is one only after a phone
cue ("son cell", "text her at"). Plain digit groups count only when every group is short (at
most 4 digits), so "dossier 2024-118734" or a court number is not read as a phone.

Cost: without number words only the neighbourhood of digit clusters is read (one regex pass
that starts on digits); with number words, one pass over digit-like tokens. The grammar runs on
those tokens alone, and not again on runs that the plain phone pattern already found.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

Span = tuple[int, int, str]

UNITS = {
    "zero": 0, "oh": 0, "o": 0, "un": 1, "one": 1, "deux": 2, "two": 2, "trois": 3, "three": 3,
    "quatre": 4, "four": 4, "cinq": 5, "five": 5, "six": 6, "sept": 7, "seven": 7, "huit": 8,
    "eight": 8, "neuf": 9, "nine": 9,
}
TEENS = {
    "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15, "seize": 16,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
TENS = {
    "vingt": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60, "septante": 70,
    "huitante": 80, "octante": 80, "nonante": 90, "twenty": 20, "thirty": 30, "forty": 40,
    "fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}
HUNDREDS = frozenset({"cent", "cents", "hundred"})
NUMBER_WORDS = frozenset({*UNITS, *TEENS, *TENS} - {"o", "oh"})
GLUE = frozenset({"et", "and"})
REPEAT = {"double": 2, "triple": 3}
LOOKALIKE = str.maketrans({"o": "0", "l": "1", "i": "1", "s": "5"})
LOOKALIKE_LETTERS = frozenset("olis")

# Gaps allowed inside a run: spaces and the punctuation people put between digit groups.
SEPARATORS = frozenset(" \t\n-.()/+*_|~")
MAX_GAP = 4
PHONE_CUE_RE = re.compile(
    r"\b(?:t[eé]l[eé]?(?:phone)?|tel\.?|phone|cell(?:ulaire)?|num[eé]ro de (?:cell|t[eé]l\w*)"
    r"|number|appel\w*|call|text\w*|texto|rejoin\w*|reach|joindre|sms|whatsapp)\b"
)
SIN_CUE_RE = re.compile(r"\b(?:nas|sin|assurance sociale|social insurance|numero social)\b")
EXTENSION_RE = re.compile(r",? ?(?:poste|post|p\.|ext\.?|extension|x|#) ?\d{1,6}(?!\d)")


# Number words that may be glued together or to digits: "fourthreeeight", "four1eight".
GLUED_WORDS = frozenset({*UNITS, *TEENS, *TENS} - {"o"})


def _alternation(words: frozenset[str] | set[str]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


@functools.cache
def _candidate_re() -> re.Pattern[str]:
    """Tokens that can stand for digits (built on first use, not at import): digits and
    look-alike letters, number words, and number words glued to each other or to digits."""
    words = _alternation(CANDIDATE_WORDS)
    return re.compile(
        r"(?<![a-z0-9])(?:(?:(?=[olis]{0,11}[0-9])[0-9olis]{1,23}|[olis]{1,4}|"
        + words + r")(?![a-z0-9])"
        rf"|(?:{_alternation(GLUED_WORDS)}|[0-9]{{1,12}}+){{2,12}}(?![a-z0-9]))"
    )


@functools.cache
def _segment_re() -> re.Pattern[str]:
    """One piece of a glued token: a number word or a group of digits."""
    return re.compile(rf"{_alternation(GLUED_WORDS)}|[0-9]{{1,4}}")


@functools.cache
def _glued_word_re() -> re.Pattern[str]:
    """A word made only of glued number words ("fivefivefive", "zeroonenineone")."""
    return re.compile(rf"(?:{_alternation(GLUED_WORDS)}){{2,12}}")


GLUED_PREFIXES = frozenset(w[:3] for w in GLUED_WORDS)
CANDIDATE_WORDS = frozenset({*UNITS, *TEENS, *TENS, *HUNDREDS, *GLUE, *REPEAT})


@dataclass(slots=True)
class Piece:
    """Consecutive tokens read as digits; ``plain`` when written with digits only."""

    start: int
    end: int
    digits: str
    plain: bool


def _nanp(digits: str) -> bool:
    """A 10-digit North-American number: area code and exchange in the numbering plan."""
    return (
        digits[0] in "23456789" and digits[1] != "9" and digits[1:3] != "11"
        and digits[3] in "23456789" and digits[4:6] != "11"
    )


def _words_to_pieces(text: str, tokens: list[tuple[int, int, str]]) -> list[Piece | None]:
    """Read one run of tokens; None marks a token that breaks the run (a bare "et")."""
    out: list[Piece | None] = []
    i = 0
    n = len(tokens)
    while i < n:
        start, end, word = tokens[i]
        if any(c.isdigit() for c in word):
            digits = word.translate(LOOKALIKE)
            out.append(Piece(start, end, digits, plain=word.isdigit()))
            i += 1
            continue
        if len(word) > 1 and set(word) <= LOOKALIKE_LETTERS and word not in UNITS:
            # "SSS", "OI": look-alike capitals; in lower case these are words ("so", "lis")
            upper = text[start:end].isupper()
            out.append(Piece(start, end, word.translate(LOOKALIKE), plain=False) if upper
                       else None)
            i += 1
            continue
        if word in LOOKALIKE_LETTERS:
            out.append(Piece(start, end, word.translate(LOOKALIKE), plain=False))
            i += 1
            continue
        if word in REPEAT and i + 1 < n and tokens[i + 1][2] in UNITS:
            digit = str(UNITS[tokens[i + 1][2]])
            out.append(Piece(start, tokens[i + 1][1], digit * REPEAT[word], plain=False))
            i += 2
            continue
        value, width, j = _number(tokens, i)
        if j == i:
            out.append(None)
            i += 1
            continue
        out.append(Piece(start, tokens[j - 1][1], str(value).zfill(width), plain=False))
        i = j
    return out


def _word(tokens: list[tuple[int, int, str]], i: int) -> str:
    return tokens[i][2] if i < len(tokens) else ""


def _number(tokens: list[tuple[int, int, str]], i: int) -> tuple[int, int, int]:
    """``(value, digits, next index)`` of the number in words at ``i``; ``next == i`` if none.

    Handles units, teens, tens (with "et"/"-" and the French 70/80/90 forms) and hundreds.
    """
    w = _word(tokens, i)
    nxt = _word(tokens, i + 1)
    if w in UNITS and UNITS[w] and nxt in HUNDREDS:  # "zéro cent quarante" is 0, 140
        rest, width, j = _below_hundred(tokens, i + 2)
        return UNITS[w] * 100 + (rest if width else 0), 3, j
    if w in HUNDREDS:
        rest, width, j = _below_hundred(tokens, i + 1)
        return 100 + (rest if width else 0), 3, j
    value, width, j = _below_hundred(tokens, i)
    return value, width, j


def _below_hundred(tokens: list[tuple[int, int, str]], i: int) -> tuple[int, int, int]:
    w = _word(tokens, i)
    nxt = _word(tokens, i + 1)
    if w == "quatre" and nxt in ("vingt", "vingts"):
        rest, width, j = _teen_or_unit(tokens, i + 2)
        return 80 + rest, 2, j
    if w in TENS:
        value = TENS[w]
        j = i + 1
        if _word(tokens, j) in GLUE and _word(tokens, j + 1) in ("un", "one", "onze"):
            j += 1
        rest, width, k = _teen_or_unit(tokens, j) if value in (60, 80) else _unit(tokens, j)
        if width and rest:
            return value + rest, 2, k
        return value, 2, j if j == i + 1 else i + 1
    if w in TEENS:
        value, _, j = _teen_or_unit(tokens, i)
        return value, 2, j
    if w in UNITS:
        return UNITS[w], 1, i + 1
    return 0, 0, i


def _teen_or_unit(tokens: list[tuple[int, int, str]], i: int) -> tuple[int, int, int]:
    w = _word(tokens, i)
    if w == "dix" and _word(tokens, i + 1) in ("sept", "huit", "neuf"):
        return 10 + UNITS[_word(tokens, i + 1)], 2, i + 2
    if w in TEENS:
        return TEENS[w], 2, i + 1
    return _unit(tokens, i)


def _unit(tokens: list[tuple[int, int, str]], i: int) -> tuple[int, int, int]:
    w = _word(tokens, i)
    if w in UNITS and w not in ("oh", "o"):
        return UNITS[w], 1, i + 1
    return 0, 0, i


# Where digits cluster: a run written with digits (and look-alikes) always holds one of these.
# Starting on a digit lets the regex engine skip ahead cheaply.
DIGIT_REGION_RE = re.compile(r"[0-9][0-9olis \t\n\-.()/+*_|~,]{3,80}")
REGION_MARGIN = 16


DIGITISH_RE = re.compile(r"[0-9olis](?<![a-z0-9][0-9olis])[0-9olis]{0,22}(?![a-z0-9])")


def _regions(folded: str) -> list[tuple[int, int]]:
    """The neighbourhood of each cluster of digits."""
    out: list[tuple[int, int]] = []
    for m in DIGIT_REGION_RE.finditer(folded):
        lo, hi = max(0, m.start() - REGION_MARGIN), min(len(folded), m.end() + REGION_MARGIN)
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return out


Token = tuple[int, int, str]


def _tokens(folded: str, spelled: bool) -> Iterator[Token]:
    """Digit-like tokens: anywhere when number words are present (``spelled``), else only
    where digits cluster (then only digits and look-alike letters can be part of a number).
    A glued token ("four1eight") is split into its pieces."""
    if spelled:
        for m in _candidate_re().finditer(folded):
            word = m.group(0)
            if word in CANDIDATE_WORDS or DIGITISH_RE.fullmatch(word):
                yield m.start(), m.end(), word
                continue
            for piece in _segment_re().finditer(folded, m.start(), m.end()):
                yield piece.start(), piece.end(), piece.group(0)
        return
    for lo, hi in _regions(folded):
        for m in DIGITISH_RE.finditer(folded, lo, hi):
            yield m.start(), m.end(), m.group(0)


def _glued(words: frozenset[str]) -> bool:
    """A word made of number words glued together ("fivefivefive") is among ``words``."""
    return any(len(w) >= 6 and w[:3] in GLUED_PREFIXES and _glued_word_re().fullmatch(w)
               for w in words)


def _runs(folded: str, spelled: bool) -> list[list[Token]]:
    """Groups of digit-like tokens separated only by short runs of separators."""
    runs: list[list[Token]] = []
    current: list[Token] = []
    for token in _tokens(folded, spelled):
        if current and not _joins(folded[current[-1][1]:token[0]], current[-1][2], token[2]):
            runs.append(current)
            current = []
        current.append(token)
    if current:
        runs.append(current)
    # one token is a number only if long ("5l45550l42"); short lone tokens are counts and times
    kept = [_trim(folded, run) for run in runs if len(run) > 1 or len(run[0][2]) >= 7]
    return [run for run in kept if run]


def _trim(folded: str, run: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Drop lone look-alike letters at the edges of a run ("number's 4 3 8...": the "s" of
    the possessive is not a 5) and any token glued to an apostrophe."""
    lo, hi = 0, len(run)
    while lo < hi and (run[lo][2] in LOOKALIKE_LETTERS or folded[run[lo][0] - 1:run[lo][0]] == "'"):
        lo += 1
    while hi > lo and run[hi - 1][2] in LOOKALIKE_LETTERS:
        hi -= 1
    return run[lo:hi]


def _joins(gap: str, left: str, right: str) -> bool:
    """Whether two tokens belong to the same run given the text between them."""
    if not gap:
        return True  # pieces of one glued token ("four1eight")
    if len(gap) <= MAX_GAP and all(c in SEPARATORS for c in gap):
        return True
    # "cinq, un, quatre", "huit, 555, zéro": a comma may follow or precede a number word,
    # never separate two bare digit groups
    words = not left[0].isdigit() or not right[0].isdigit()
    return words and len(gap) <= MAX_GAP and all(c in SEPARATORS or c == "," for c in gap)


class SpelledNumbers:
    """Finds disguised phone numbers (and cued SINs), skipping the allowed public lines."""

    def __init__(self, allowed_phones: frozenset[str]) -> None:
        self.allowed_phones = allowed_phones

    def scan(
        self, text: str, folded: str, words: list[str], word_set: frozenset[str],
        found: Sequence[tuple[int, int]] = (),
    ) -> list[Span]:
        """``words``/``word_set``: the message's folded words (letters only), to skip work
        early; ``found``: phone numbers already found, whose runs are not read again."""
        number_words = sum(map(NUMBER_WORDS.__contains__, words))
        if number_words < 3 and sum(map(folded.count, "0123456789")) < 3:
            if not _glued(word_set):
                return []  # not enough digits or number words to hold a number
            spelled = True
        else:
            spelled = number_words > 0 or _glued(word_set)
        spans: list[Span] = []
        for run in _runs(folded, spelled):
            if len(run) == 1 and not run[0][2][0].isdigit():
                continue  # a lone number word: "cinq places", "three beds"
            if any(s <= run[0][0] and run[-1][1] <= e for s, e in found):
                continue  # inside a number the plain patterns found
            for segment in _split(_words_to_pieces(text, run)):
                spans += self._phones(folded, segment)
        return spans

    def _phones(self, folded: str, pieces: list[Piece]) -> list[Span]:
        out: list[Span] = []
        total = sum(len(p.digits) for p in pieces)
        if total < 7:
            return out
        i = 0
        while i < len(pieces):
            found = self._window(pieces, i)
            if found is None:
                i += 1
                continue
            j, number = found
            if number not in self.allowed_phones:
                out.append((_opening(folded, pieces[i].start), pieces[j].end, "PHONE"))
            i = j + 1
        if not out and total in (7, 9) and _phone_like(pieces):
            out += self._short(folded, pieces)
        return out

    @staticmethod
    def _window(pieces: list[Piece], i: int) -> tuple[int, str] | None:
        """``(last piece, E.164)`` of a plausible 10/11-digit number starting at piece ``i``."""
        acc = ""
        for j in range(i, min(len(pieces), i + 24)):
            acc += pieces[j].digits
            if len(acc) == 10 and _nanp(acc) and _phone_like(pieces[i:j + 1]):
                return j, "+1" + acc
            if len(acc) == 11 and acc[0] == "1" and _nanp(acc[1:]) \
                    and _phone_like(pieces[i:j + 1]):
                return j, "+" + acc
            if len(acc) >= 11:
                return None
        return None

    def _short(self, folded: str, pieces: list[Piece]) -> list[Span]:
        """7 digits after a phone cue; 9 Luhn-valid digits after a SIN cue."""
        digits = "".join(p.digits for p in pieces)
        start, end = pieces[0].start, pieces[-1].end
        if len(digits) == 7 and digits[0] in "23456789" and self._cued(folded, start, "PHONE"):
            return [(start, end, "PHONE")]
        if len(digits) == 9 and luhn_ok(digits) and self._cued(folded, start, "SIN"):
            return [(start, end, "SIN")]
        return []

    @staticmethod
    def _cued(folded: str, start: int, kind: str) -> bool:
        cue = PHONE_CUE_RE if kind == "PHONE" else SIN_CUE_RE
        return cue.search(folded, max(0, start - 45), start) is not None


def _opening(folded: str, start: int) -> int:
    """Start of a phone span, moved back over "(" and "+" written just before it."""
    while start > 0 and folded[start - 1] in "(+":
        start -= 1
    return start


def _split(pieces: list[Piece | None]) -> list[list[Piece]]:
    out: list[list[Piece]] = [[]]
    for p in pieces:
        if p is None:
            if out[-1]:
                out.append([])
        else:
            out[-1].append(p)
    return [seg for seg in out if seg]


def _phone_like(pieces: list[Piece]) -> bool:
    """Plain digit groups must be short (or one 10/11-digit block) to read as a phone."""
    if len(pieces) == 1:
        return True
    return all(len(p.digits) <= 4 for p in pieces if p.plain)


def extend_with_extension(folded: str, end: int) -> int:
    """End of a phone span, extended over an extension ("poste 22", "ext. 204", "x12")."""
    m = EXTENSION_RE.match(folded, end)
    return m.end() if m else end


def luhn_ok(digits: str) -> bool:
    """The check-digit rule of Canadian social insurance numbers."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0
