"""The order of region and need codes in figures' tables: the official order of regions, the
taxonomy's order of needs, unknown codes after them and "" (not stated) last."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from knowledge.regions import load_regions
from knowledge.taxonomy import load_taxonomy


def _ordered(codes: Iterable[str], known: list[str]) -> list[str]:
    codes = set(codes)
    return ([code for code in known if code in codes] + sorted(codes - set(known) - {""})
            + ([""] if "" in codes else []))


def region_order(codes: Iterable[str]) -> list[str]:
    """Region codes in the official order ("01".."17"), unknown ones after, "" last."""
    return _ordered(codes, list(load_regions()))


def need_order(codes: Iterable[str]) -> list[str]:
    """Need codes in the taxonomy's order, unknown ones after, "" (none stated) last."""
    return _ordered(codes, list(load_taxonomy().categories))


def region_rows(seen: Iterable[str], regions: Sequence[str] | None) -> list[str]:
    """The rows of a table by region: the regions in scope (none named for admins, whose
    ``regions`` is None) and any other region that has counts."""
    return region_order({*(regions or ()), *seen})
