"""Which Québec regions a service covers, for search: from its codes, areas or addresses.

In order of trust: explicit ``x_regions`` codes, then the places named by its service areas,
then its addresses. A service that resolves to no region is still imported, with a note saying
it will not appear in searches.
"""

from __future__ import annotations

from typing import Any

from knowledge.hsds_common import PROVINCE_CODES
from knowledge.regions import load_regions
from knowledge.text import normalise

PROVINCE_WORDS = frozenset({
    "qc", "quebec", "province de quebec", "province of quebec", "tout le quebec",
    "ensemble du quebec", "partout au quebec", "all of quebec", "whole province", "province",
    "province wide", "provincial", "quebec province", "le quebec", "across quebec",
})
QUEBEC_PROVINCE = frozenset({"qc", "quebec", "pq", "que"})


def service_regions(gazetteer: Any, hsds: str, row: dict[str, Any], areas: list[dict[str, Any]],
                    addresses: list[Any]) -> tuple[set[str], bool, list[str]]:
    """The service's region codes, whether it is province-wide, and notes on what did not map."""
    every = set(load_regions())
    label = f"service {hsds} ({row.get('name')})"
    codes = row.get("x_regions")
    if codes:
        if any(c.upper() in PROVINCE_CODES for c in codes):
            return every, True, []
        return {c.zfill(2) for c in codes}, False, []
    notes: list[str] = []
    found: set[str] = set()
    for area in areas:
        texts = [t for t in (area.get("name"), area.get("description")) if t]
        if any(normalise(t) in PROVINCE_WORDS for t in texts):
            return every, True, []
        regions = set()
        if area.get("name"):
            regions = _place_regions(gazetteer, area["name"])
        if not regions:
            for text in texts:
                for match in gazetteer.find_in_text(text):
                    regions.update(match.region_codes)
        if regions:
            found |= regions
        else:
            notes.append(f"{label}: service area {_short(area.get('name') or area.get('description') or area['id'])!r} "
                         "is no Québec place")
    if found:
        return found, found == every, []
    for address in addresses:
        regions = _address_regions(gazetteer, address)
        where = ", ".join(p for p in (address.city, address.state_province, address.postal_code,
                                      address.country) if p)
        if regions:
            found |= regions
        else:
            notes.append(f"{label}: address in {where!r} is not a Québec place")
    if found:
        return found, found == every, []
    notes.append(f"{label}: no region (set x_regions, a Québec service area or address); "
                 "it will not appear in searches")
    return set(), False, notes


def _place_regions(gazetteer: Any, name: str) -> set[str]:
    """The regions of the best exact place match for a service area name (none if no match)."""
    matches = [m for m in gazetteer.resolve(name) if m.score >= 100]
    if not matches:
        return set()
    return set(matches[0].region_codes)


def _address_regions(gazetteer: Any, address: Any) -> set[str]:
    """The regions of a Québec address, from its city and postal code (FSA) together."""
    province = normalise(address.state_province or "")
    country = normalise(address.country or "")
    if province and province not in QUEBEC_PROVINCE:
        return set()
    if country and country not in ("ca", "can", "canada"):
        return set()
    fsa = set(gazetteer.fsa_regions(address.postal_code)) if address.postal_code else set()
    city = set()
    if address.city:
        for match in gazetteer.resolve(address.city):
            if match.score >= 100:
                city.update(match.region_codes)
    if city and fsa and city & fsa:
        return city & fsa
    if city:
        matches = [m for m in gazetteer.resolve(address.city) if m.score >= 100]
        return set(matches[0].region_codes) if len(matches) == 1 else city
    if len(fsa) == 1:
        return fsa
    return set()


def _short(text: str, limit: int = 60) -> str:
    """One line of at most ``limit`` characters, for quoting a cell in a note."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
