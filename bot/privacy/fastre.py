"""Writing word-list regexes so that Python's regex engine can skip ahead.

A pattern that starts with ``\\b`` or a look-behind (``\\b(?:avec|with|chez)``) is tried at
every position of the text, which costs about 15 ns a character for each pattern. A pattern
whose alternatives all start with a literal letter lets the engine jump from one candidate
letter to the next in C. :func:`word_alternation` writes ``\\b(?:a1|a2|...)`` in that form:
the alternatives grouped by their first letter, in their original order (so the first one that
matches still wins), each group checking the word boundary right after its letter:
``c(?<!\\wc)(?:rest1|rest2)``.
"""

from __future__ import annotations

from collections.abc import Iterable


def word_alternation(alternatives: Iterable[str], after: str | None = None) -> str:
    """``\b(?:alt1|alt2|...)`` as a fast group; every alternative must start with a literal
    lower-case letter (the rest may be any regex). With ``after`` (a fixed-width regex), the
    group is ``(?<=after)(?:alt1|alt2|...)`` instead."""
    groups: dict[str, list[str]] = {}
    for alt in alternatives:
        first = alt[0]
        if not ("a" <= first <= "z"):
            raise ValueError(f"alternative must start with a letter: {alt!r}")
        groups.setdefault(first, []).append(alt[1:])
    return "(?:" + "|".join(
        f"{c}{_boundary(c, after)}(?:{'|'.join(rests)})" for c, rests in groups.items()
    ) + ")"


def _boundary(letter: str, after: str | None) -> str:
    """The check, made right after ``letter``, that stands for ``\b`` (or ``(?<=after)``)
    before it."""
    return f"(?<!\\w{letter})" if after is None else f"(?<={after}{letter})"


def keyed_word_alternation(kinds: Iterable[tuple[str, Iterable[str], str]]) -> str:
    """One fast pattern for several kinds of word alternatives: ``kinds`` holds
    ``(kind, alternatives, suffix)``, most important kind first; a match's ``lastgroup`` is
    ``<kind><n>`` (see :func:`kind_of`). Like ``\\b(?:(?P<k1>(?:a|b)s1)|(?P<k2>(?:c|d)s2))``,
    with the alternatives grouped by first letter as in :func:`word_alternation`."""
    by_letter: dict[str, list[tuple[str, list[str], str]]] = {}
    for kind, alternatives, suffix in kinds:
        for alt in alternatives:
            entries = by_letter.setdefault(alt[0], [])
            if entries and entries[-1][0] == kind:
                entries[-1][1].append(alt[1:])
            else:
                entries.append((kind, [alt[1:]], suffix))
    groups = []
    number = 0
    for letter, entries in by_letter.items():
        inner = []
        for kind, rests, suffix in entries:
            number += 1
            inner.append(f"(?P<{kind}{number}>(?:{'|'.join(rests)}){suffix})")
        groups.append(f"{letter}{_boundary(letter, None)}(?:{'|'.join(inner)})")
    return "(?:" + "|".join(groups) + ")"


def kind_of(group_name: str | None) -> str:
    """The kind of a :func:`keyed_word_alternation` match, from its ``lastgroup``."""
    return (group_name or "").rstrip("0123456789")
