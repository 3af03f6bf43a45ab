"""Reading the reviewable word lists kept in ``bot/privacy/data/`` (one entry a line).

Lines that are blank or start with ``#`` are ignored. See ``data/SOURCES.md`` for the origin
of every list.
"""

from __future__ import annotations

import functools
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


@functools.cache
def read_list(name: str) -> tuple[str, ...]:
    """Entries of ``data/<name>``, in file order, stripped, without comments."""
    return tuple(_entries(name))


def _entries(name: str) -> Iterator[str]:
    with (DATA_DIR / name).open(encoding="utf-8") as handle:
        for raw in handle:
            line = raw.strip()
            if line and not line.startswith("#"):
                yield line


class WordSet:
    """Membership over a large word list in little memory (8 bytes a word, not ~60): the
    sorted 64-bit hashes of the words. ``hash`` is stable within a process, which is all this
    needs; a false hit is about one chance in 10**14 per lookup."""

    def __init__(self, words: Iterable[str]) -> None:
        self._hashes = array("q", sorted({hash(w) for w in words}))

    def __contains__(self, word: object) -> bool:
        h = hash(word)
        i = bisect_left(self._hashes, h)
        return i < len(self._hashes) and self._hashes[i] == h

    def __len__(self) -> int:
        return len(self._hashes)


@functools.cache
def read_word_set(name: str) -> WordSet:
    """Entries of ``data/<name>`` (already folded) as a :class:`WordSet`."""
    return WordSet(_entries(name))
