"""Reading the reviewable word lists kept in ``bot/privacy/data/`` (one entry a line).

Lines that are blank or start with ``#`` are ignored. See ``data/SOURCES.md`` for the origin
of every list.
"""

from __future__ import annotations

import functools
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


@functools.cache
def read_list(name: str) -> tuple[str, ...]:
    """Entries of ``data/<name>``, in file order, stripped, without comments."""
    entries: list[str] = []
    with (DATA_DIR / name).open(encoding="utf-8") as handle:
        for raw in handle:
            line = raw.strip()
            if line and not line.startswith("#"):
                entries.append(line)
    return tuple(entries)
