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


NEIGHBOURS: dict[str, tuple[str, ...]] = {
    "01": ("12", "11"),
    "02": ("03", "09", "04", "10"),
    "03": ("12", "04", "02", "09"),
    "04": ("17", "03", "14", "15", "02", "08", "10"),
    "05": ("17", "16", "12"),
    "06": ("13", "16", "14"),
    "07": ("15", "08"),
    "08": ("10", "07", "15", "04"),
    "09": ("02", "03", "10"),
    "10": ("02", "08", "04", "09"),
    "11": ("01",),
    "12": ("03", "17", "05", "01"),
    "13": ("06", "15", "14"),
    "14": ("06", "13", "15", "04"),
    "15": ("13", "14", "07", "04", "08"),
    "16": ("06", "17", "05"),
    "17": ("16", "04", "05", "12"),
}
"""Neighbouring administrative regions, nearest first: so that a search never dead-ends at a
regional border (a youth who ran away from Montréal does not care that the free bed is in Laval).

Public geography: two regions are neighbours when they share a land border or are joined by a
road bridge (Montréal–Laval, Montréal–Longueuil, Québec–Lévis, Trois-Rivières–Bécancour);
ferries do not count. The order is by road distance between the regions' main population
centres (e.g. from Montréal: Laval, then Longueuil, then Terrebonne/Repentigny), so the first
neighbour is the one a worker would drive the youth to. ``data/regions.json`` lists the same
pairs (a test keeps them equal)."""


@cache
def _neighbours() -> dict[str, tuple[str, ...]]:
    return dict(NEIGHBOURS)


def region_name(code: str, lang: str = "fr") -> str:
    """Display name of a region in ``lang`` ("fr" or "en"); KeyError for an unknown code."""
    region = load_regions()[code]
    return region.name_en if lang.startswith("en") else region.name_fr


def neighbours(code: str) -> tuple[str, ...]:
    """Codes of the regions bordering ``code`` (land border or road bridge), nearest first;
    KeyError for an unknown code."""
    return _neighbours()[code]
