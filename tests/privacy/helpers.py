"""Helpers shared by the privacy-screen tests."""

from __future__ import annotations

import json
from pathlib import Path

from bot.privacy import Screen

REPO = Path(__file__).resolve().parents[2]
DEV_CORPUS = Path(__file__).resolve().parent / "data" / "dev-corpus.jsonl"
HELDOUT = Path(__file__).resolve().parent / "data" / "heldout.jsonl"


def load_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def found(screen: Screen, text: str) -> list[tuple[str, str]]:
    """(kind, covered text) for every span the screen reports, in order."""
    return [(kind, text[start:end]) for start, end, kind in screen.scan(text).spans]
