"""Word lists shared by the gazetteer and the query parser (loaded once, on first use)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"


def word_set(text: str) -> frozenset[str]:
    """A frozenset of the whitespace-separated words of ``text`` (keeps word lists readable)."""
    return frozenset(text.split())


@cache
def stopwords() -> frozenset[str]:
    """Ordinary French/English words (normalised) that are never places nor search terms."""
    out: set[str] = set()
    for line in (DATA_DIR / "stopwords.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        out.update(line.split())
    return frozenset(out)


FUNCTION_WORDS = word_set(
    "a au aux avec ce ces cet cette d dans de des du elle en est et il j je l la le les leur "
    "lui m ma me mes mon n ne ou par pas pour qu que qui s sa se ses son sur t ta te tu un une "
    "y the an and or of to in on at for from by with is are was be it this that she he they "
    "her his we you i my any some"
)
"""Words that may sit inside a place name ("Saint-Jean-sur-Richelieu") but never start or end one."""
