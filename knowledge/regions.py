"""The 17 administrative regions of Québec: official codes, names in both languages, the
informal names workers use, and which regions border each other (to widen a search)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Region:
    """One administrative region; ``aliases`` are informal, English or sub-regional names."""

    code: str
    name_fr: str
    name_en: str
    aliases: tuple[str, ...]


@cache
def _raw() -> dict:
    return json.loads((DATA_DIR / "regions.json").read_text(encoding="utf-8"))


@cache
def load_regions() -> dict[str, Region]:
    """All regions keyed by code ("01".."17"), in code order."""
    return {
        r["code"]: Region(r["code"], r["name_fr"], r["name_en"], tuple(r["aliases"]))
        for r in _raw()["regions"]
    }


@cache
def _neighbours() -> dict[str, tuple[str, ...]]:
    return {r["code"]: tuple(r["neighbours"]) for r in _raw()["regions"]}


def region_name(code: str, lang: str = "fr") -> str:
    """Display name of a region in ``lang`` ("fr" or "en"); KeyError for an unknown code."""
    region = load_regions()[code]
    return region.name_en if lang.startswith("en") else region.name_fr


def neighbours(code: str) -> tuple[str, ...]:
    """Codes of the regions bordering ``code`` (land border or road bridge)."""
    return _neighbours()[code]
