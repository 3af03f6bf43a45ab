"""Birth dates written in words or given indirectly.

- in words after a birth cue: ``née le trois mars deux mille neuf``, ``born on the fourth of
  october 2009``, ``née le 3 mars deux mille neuf``;
- through a birthday: ``elle a eu 16 ans le 3 mars``, ``she turned 16 on october 4th``,
  ``she just turned fifteen on the twelfth of july``, ``she'll be 16 on december 2nd``,
  ``il aura 18 ans le 2 février``, ``sa fête c'est le 12 juillet``.

An age alone (``elle a eu 16 ans la semaine passée``) and dates of meetings or trainings carry no
birth cue and pass. The regexes are built on first use (``functools.cache``), not at import.
"""

from __future__ import annotations

import functools
import re

from bot.privacy.fastre import word_alternation

Span = tuple[int, int, str]

_FR_UNITS = ("un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf")
_EN_UNITS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_EN_ORD_UNITS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
                 "ninth")
_FR_TEENS = ("dix", "onze", "douze", "treize", "quatorze", "quinze", "seize", "dix-sept",
             "dix-huit", "dix-neuf")
_EN_TEENS = ("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
             "seventeen", "eighteen", "nineteen")
_EN_ORD_TEENS = ("tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth",
                 "sixteenth", "seventeenth", "eighteenth", "nineteenth")
MONTHS = (
    r"(?:janvier|janv|fevrier|fevr|fev|mars|avril|avr|mai|juin|juillet|juil|aout|septembre"
    r"|sept|octobre|oct|novembre|nov|decembre|dec|january|jan|february|feb|march|mar|april|apr"
    r"|may|june|jun|july|jul|august|aug|september|sep|october|november|december)"
)
DAY_DIGITS = r"(?:1er|[0-3]?\d)(?:er|st|nd|rd|th|e)?"
YEAR_DIGITS = r"(?:19|20)\d\d"


def _alt(words: list[str]) -> str:
    """Regex alternation, longest first, hyphens and spaces interchangeable."""
    ordered = sorted(set(words), key=len, reverse=True)
    return "(?:" + "|".join(re.sub(r"[ -]", "[ -]", w) for w in ordered) + ")"


def _fr_1_to_31() -> list[str]:
    words = [*_FR_UNITS, *_FR_TEENS, "vingt", "trente", "premier", "vingt et un", "trente et un"]
    words += [f"vingt-{u}" for u in _FR_UNITS[1:]]
    return words


def _en_1_to_31() -> list[str]:
    words = [*_EN_UNITS, *_EN_TEENS, "twenty", "thirty", "thirty-one"]
    words += [f"twenty-{u}" for u in _EN_UNITS]
    words += [*_EN_ORD_UNITS, *_EN_ORD_TEENS, "twentieth", "thirtieth", "thirty-first"]
    words += [f"twenty-{u}" for u in _EN_ORD_UNITS]
    return words


def _years_in_words() -> str:
    fr_small = [*_FR_UNITS, *_FR_TEENS, "vingt", "vingt et un", *(f"vingt-{u}" for u in
                                                                   _FR_UNITS[1:])]
    en_small = [*_EN_UNITS, *_EN_TEENS, "twenty", *(f"twenty-{u}" for u in _EN_UNITS)]
    return (
        rf"(?:deux mille(?:[ -]{_alt(fr_small)})?"
        rf"|two thousand(?: and)?(?:[ -]{_alt(en_small)})?"
        rf"|twenty[ -](?:oh[ -]{_alt(list(_EN_UNITS))}|{_alt([*_EN_TEENS, *en_small[9:]])})"
        rf"|(?:mille|mil) neuf cent quatre[ -]vingt[ -](?:dix[ -](?:sept|huit|neuf)|seize"
        r"|quinze|quatorze|treize|douze|onze|dix))"
    )


@functools.cache
def _word_date_re() -> re.Pattern[str]:
    day = rf"(?:{DAY_DIGITS}|{_alt(_fr_1_to_31() + _en_1_to_31())})"
    year = rf"(?:{YEAR_DIGITS}|{_years_in_words()})"
    return re.compile(
        rf"(?<![\w-])(?:(?:the )?{day} (?:de |of )?{MONTHS}\.?(?:,? (?:de |of |en |in )?{year})?"
        rf"|{MONTHS}\.? (?:the )?{day}(?:,? {year})?"
        rf"|{MONTHS}\.? (?:de |of |en |in )?{year})(?![\w-])"
    )


BIRTH_CUE_RE = re.compile(word_alternation((
    "nee?s?", r"ne\(e\)", "naissance", r"naiss\.?", "ddn", "dob", "born", "birth ?date", "birth",
    "birthday", "bday", "b-day", "anniversaire",
    *(rf"{whose} fete\b(?! d[eu'])"
      for whose in ("sa", "son", "ta", "ton", "leur", "her", "his", "their")),
)) + r"\b")


@functools.cache
def _turned_re() -> re.Pattern[str]:
    """"a eu 16 ans le", "turned sixteen on", "aura dix-huit ans le": an age reached on a day."""
    ages = _alt([*_FR_TEENS, *_EN_TEENS, "vingt", "twenty", "vingt et un", "twenty-one"])
    reached = word_alternation((
        "a eu", "aura", "va avoir", "vient d'avoir", "venait d'avoir", "fete(?:ra)? ses",
        "feter ses", "turned", "turns", "will turn", "is turning", "was turning", "turning",
        "will be", *(f"{who}'ll (?:be|turn)" for who in ("she", "he", "they")),
        "going to (?:be|turn)", "gonna (?:be|turn)",
    ))
    return re.compile(
        reached + rf" (?:\d{{1,2}} ?(?:ans|an|years? old|years|yo)?|{ages}(?: (?:ans|an|years? old|years))?)"
        r"(?: (?:le|on|the|ce|this|next))? "
    )


NOT_BIRTH_BETWEEN_RE = re.compile(
    r"\b(?:rencontre|meeting|rendez|rdv|formation|training|audience|hearing|cour|court"
    r"|arrivee|arrived|admission|placement|depuis|since|fugue)\b"
)
WINDOW = 60
# Words of which at least one must be in a message for these rules to run at all.
DATE_TRIGGERS = frozenset({
    "nee", "nees", "ne", "nes", "naissance", "naiss", "ddn", "dob", "born", "birth", "birthdate",
    "birthday", "bday", "day", "anniversaire", "fete", "eu", "aura", "avoir", "feter", "fetera",
    "turned", "turns", "turn", "turning", "be",
})


def word_dobs(text: str, folded: str) -> list[Span]:
    """Birth dates in words after a birth cue, and dates of a birthday ("a eu 16 ans le ...")."""
    out: list[Span] = []
    date_re = _word_date_re()
    for cue in BIRTH_CUE_RE.finditer(folded):
        word = cue.group(0)
        if word in ("ne", "nes") and "é" not in text[cue.start():cue.end()].lower():
            continue  # the negation "ne", not "né"
        end = _clause_end(folded, cue.end())
        m = date_re.search(folded, cue.end(), end)
        if m and not NOT_BIRTH_BETWEEN_RE.search(folded, cue.end(), m.start()):
            out.append((m.start(), m.end(), "DOB"))
    for turned in _turned_re().finditer(folded):
        m = date_re.match(folded, turned.end())
        if m and _has_day(m.group(0)):
            out.append((m.start(), m.end(), "DOB"))
    return out


MONTH_YEAR_RE = re.compile(rf"{MONTHS}\.? (?:de |of |en |in )?{YEAR_DIGITS}")


def _has_day(date: str) -> bool:
    """"16 ans le 3 mars" is a birthday; "16 ans en mars 2026" is not precise enough."""
    return MONTH_YEAR_RE.fullmatch(date) is None


def _clause_end(folded: str, start: int) -> int:
    limit = min(len(folded), start + WINDOW)
    for i in range(start, limit):
        if folded[i] in "!?\n;":
            return i
    return limit
