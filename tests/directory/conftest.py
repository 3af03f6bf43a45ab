"""Directory test support: the sample directory loaded into the test database, hand-made index
entries for ranking tests, and the official HSDS example."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import App
from bot.services.directory.hours import compile_schedule
from bot.services.directory.index import Capacity, DirectoryIndex, Entry
from knowledge.seed import ensure_sample_directory

HSDS = Path(__file__).resolve().parents[1] / "data" / "hsds"  # official example (CC BY-SA 4.0)
NOW = datetime(2026, 1, 15, 15, 0, tzinfo=UTC)  # the FakeClock's start: Thursday 10:00 in Québec


@pytest.fixture
def hsds_dir() -> Path:
    """The official HSDS 3.0 example and schemas, kept in the repository: missing is a failure."""
    assert (HSDS / "csv" / "datapackage.json").is_file(), f"HSDS test data missing from {HSDS}"
    return HSDS


@pytest.fixture
async def seeded(app: App) -> App:
    """The app with the invented sample directory loaded."""
    loaded = await ensure_sample_directory(app)
    assert loaded > 100
    return app


def entry(ident: int, **changes) -> Entry:  # type: ignore[no-untyped-def]
    """A hand-made index entry: an active 12-17 shelter of region 16 unless told otherwise."""
    base = Entry(
        id=ident, hsds_id=f"svc-{ident}", name=f"Service {ident}", name_en=None,
        organization=f"Org {ident}", organization_en=None, description=None, description_en=None,
        eligibility=None, eligibility_en=None, status="active",
        categories=frozenset({"hebergement-urgence-jeunesse"}), regions=frozenset({"16"}),
        province_wide=False, min_age=12, max_age=17, languages=("fr",), open_24_7=False,
        timezone="America/Toronto", openings=(), capacity=None, assured_date=None, phone=None,
        city=None, address=None, confidential=False, tokens=frozenset(),
    )
    return replace(base, **changes)


def index_of(*entries: Entry) -> DirectoryIndex:
    return DirectoryIndex.from_entries(list(entries))


def hours(opens: str, closes: str, days: str = "MO,TU,WE,TH,FR,SA,SU") -> tuple:  # type: ignore[type-arg]
    return tuple(compile_schedule(freq="WEEKLY", byday=days, opens_at=opens, closes_at=closes))


def capacity(available: int, hours_ago: float, unit: str = "lit") -> Capacity:
    return Capacity(available, 10, unit, NOW - timedelta(hours=hours_ago))


def verified(days_ago: int) -> date:
    return (NOW - timedelta(days=days_ago)).date()
