"""Figures on crafted handoffs and searches with known answers (both backends): states, months,
regions, flows, outcomes, loops closed, exact times, searches, rollups added, scope, and
suppression of what the figures would otherwise reveal."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.errors import NotAllowed
from bot.models.cases import Case
from bot.models.core import Organisation, Worker
from bot.models.handoffs import Handoff
from bot.models.stats import HandoffMonthCount, HandoffTimeCount
from bot.services.stats.figures import (
    Figures,
    compute,
    median_of,
    percentile_of,
    regions_for,
    timing_of,
)
from bot.services.stats.periods import period_range
from bot.services.stats.recording import add_searches
from bot.services.stats.states import STATES
from bot.services.stats.suppression import TOTAL, Count, Table
from tests.stats.test_suppression import determined_cells

ZONE = ZoneInfo("America/Toronto")
NOW = datetime(2026, 4, 10, 15, 0, tzinfo=UTC)
SHELTER, MENTAL = "hebergement-urgence-jeunesse", "sante-mentale"
PERIOD = period_range("2026-01", "2026-03")
_codes = itertools.count(1)

#: (how many, month, from_region, region, status, reason, fields): the crafted handoffs.
HANDOFFS = [
    (10, "2026-01", "06", "06", "completed", None,
     {"priority": "urgent", "outcome": "arrived", "accepted": True, "accept_min": 30,
      "response_min": 20, "closed_min": 600}),
    (6, "2026-01", "06", "06", "rejected", "no-capacity",
     {"response_min": 60, "closed_min": 60}),
    (5, "2026-02", "06", "13", "rejected", "no-response", {"closed_min": 3000}),
    (7, "2026-02", "06", "13", "accepted", None,
     {"priority": "urgent", "accepted": True, "accept_min": 90, "response_min": 90}),
    (5, "2026-03", "13", "06", "requested", None, {"need": MENTAL}),
    (5, "2026-03", "06", "16", "cancelled", "accepted-elsewhere",
     {"priority": "urgent", "closed_min": 10}),
    (5, "2026-03", "16", "16", "cancelled", "no-longer-needed", {"closed_min": 10}),
    # Never counted: entered in error, and a month outside the period.
    (1, "2026-03", "06", "06", "entered-in-error", "error", {}),
    (1, "2025-12", "06", "06", "completed", None, {"accepted": True}),
]
#: Purged handoffs (rollup rows): 5 completed in January, no-show, accepted in 120 minutes.
ROLLUP = {"month": "2026-01", "from_region": "06", "region": "06", "priority": "routine",
          "need": "", "state": "completed", "reason": "", "outcome": "no-show",
          "closed_7d": True, "count": 5}
#: (region, need, can_take_now, place_free, count) in February.
SEARCHES = [
    ("06", "*", True, True, 8), ("06", "*", True, False, 4), ("06", "*", False, False, 10),
    ("06", SHELTER, True, True, 8), ("06", SHELTER, True, False, 4),
    ("06", SHELTER, False, False, 6), ("06", MENTAL, False, False, 4),
    ("13", "*", False, False, 5), ("13", SHELTER, False, False, 5),
]


async def add_world(session) -> tuple[Worker, Case]:  # type: ignore[no-untyped-def]
    """A worker and a case the handoffs hang on (the figures never read them)."""
    org = Organisation(name=f"Organisme {next(_codes)} (fictif)", sector="community",
                       created_at=NOW)
    session.add(org)
    await session.flush()
    worker = Worker(telegram_id=9000 + next(_codes), display_name="Alice", role="coordinator",
                    organisation_id=org.id, created_at=NOW)
    worker.set_regions(["06"])
    session.add(worker)
    case = Case(code=f"T{next(_codes):05d}", created_at=NOW, updated_at=NOW)
    session.add(case)
    await session.flush()
    return worker, case


def make_handoff(case: Case, *, month: str, from_region: str | None, region: str | None,
                 status: str, reason: str | None = None, priority: str = "routine",
                 need: str | None = SHELTER, outcome: str | None = None, accepted: bool = False,
                 accept_min: int | None = None, response_min: int | None = None,
                 closed_min: int | None = None) -> Handoff:
    created = datetime(int(month[:4]), int(month[5:]), 10, 15, 0, tzinfo=UTC)
    return Handoff(
        case_id=case.id, service_name="Service (fictif)", region=region, service_region=region,
        from_region=from_region, month=month, status=status, status_reason=reason,
        priority=priority, needs=[need] if need else [], need=need, outcome=outcome,
        accepted_at=created if accepted else None, accept_min=accept_min,
        response_min=response_min, closed_min=closed_min, created_at=created,
        updated_at=created)


async def add_handoffs(session, case: Case, specs=HANDOFFS) -> None:  # type: ignore[no-untyped-def]
    for number, month, from_region, region, status, reason, fields in specs:
        for _ in range(number):
            session.add(make_handoff(case, month=month, from_region=from_region, region=region,
                                     status=status, reason=reason, **fields))
    await session.flush()


async def add_crafted(app) -> None:  # type: ignore[no-untyped-def]
    """The crafted handoffs, the purged rollup rows and the searches."""
    async with app.sessionmaker() as session:
        _worker, case = await add_world(session)
        await add_handoffs(session, case)
        session.add(HandoffMonthCount(**ROLLUP))
        session.add(HandoffTimeCount(month="2026-01", from_region="06", region="06",
                                     priority="routine", need="", measure="accept", minutes=120,
                                     count=5))
        await add_searches(session, {("2026-02", region, need, "14-15", "evening", now, free):
                                     count for region, need, now, free, count in SEARCHES})
        await session.commit()


async def figures_of(app, regions=None, min_cell=5, period=PERIOD) -> Figures:  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        return await compute(session, period, regions, now=NOW, min_cell=min_cell, zone=ZONE)


def values(table: Table, col: str = "count") -> dict[str, int | None]:
    return {row: table.cells[(row, col)].value for row in table.rows}


def row(table: Table, code: str) -> dict[str, int | None]:
    return {col: table.cells[(code, col)].value for col in table.cols
            if table.cells[(code, col)].value or table.cells[(code, col)].hidden}


async def test_known_answers_every_region(app):
    await add_crafted(app)
    figures = await figures_of(app)
    assert figures.regions is None and figures.min_cell == 5
    assert values(figures.states) == {
        "waiting": 5, "active": 7, "completed": 15, "failed": 0, "declined": 6, "expired": 5,
        "withdrawn": 5, "cancelled": 5}
    assert figures.states.total == Count(48)
    assert figures.by_month.rows == ["2026-01", "2026-02", "2026-03"]
    assert row(figures.by_month, "2026-01") == {"completed": 15, "declined": 6}
    assert row(figures.by_month, "2026-02") == {"expired": 5, "active": 7}
    assert row(figures.by_month, "2026-03") == {"waiting": 5, "withdrawn": 5, "cancelled": 5}
    assert figures.by_month.row_totals["2026-01"] == Count(21)
    assert values(figures.declined) == {"not-eligible": 0, "no-capacity": 6, "no-contact": 0,
                                        "referred-elsewhere": 0, "other": 0}
    assert values(figures.outcomes) == {"arrived": 10, "no-show": 5, "placed-elsewhere": 0,
                                        "other": 0, "unrecorded": 7}
    assert figures.accepted == Count(22) and figures.outcomes.total == Count(22)
    assert figures.closed_7d == Count(36)
    assert row(figures.by_priority, "urgent") == {"completed": 10, "active": 7, "withdrawn": 5}
    assert figures.by_priority.row_totals["routine"] == Count(26)
    assert row(figures.by_service_region, "13") == {"expired": 5, "active": 7}
    assert row(figures.by_requester_region, "16") == {"cancelled": 5}
    assert figures.by_service_region.rows == ["06", "13", "16"]  # the regions with handoffs
    assert figures.by_need.rows == [SHELTER, MENTAL, ""]
    assert figures.by_need.row_totals[""] == Count(5)  # the purged ones: no need kept
    assert figures.flows.rows == ["06", "13"] and figures.flows.cols == ["06", "13", "16"]
    assert {k: c.value for k, c in figures.flows.cells.items() if c.value} == {
        ("06", "13"): 12, ("13", "06"): 5, ("06", "16"): 5}
    assert figures.flows.total == Count(22)
    # Exact times: accept 10 x 30, 7 x 90, 5 x 120 (purged); response 10 x 20, 6 x 60, 7 x 90.
    assert (figures.accept_time.n, figures.accept_time.median, figures.accept_time.p90) == (
        22, 90.0, 120.0)
    assert (figures.response_time.n, figures.response_time.median,
            figures.response_time.p90) == (23, 60.0, 90.0)
    assert figures.accept_by_month["2026-01"].n == 15
    assert figures.accept_by_month["2026-01"].median == 30.0
    assert figures.accept_by_month["2026-03"].n == 0
    assert figures.accept_by_month["2026-03"].median is None
    assert values(figures.searches) == {"all": 27, "can_take_now": 12, "place_free": 8}
    assert figures.searched.cols == [SHELTER, MENTAL]
    assert figures.searched.cells[("13", SHELTER)] == Count(5)
    assert not determined_cells([figures.searched]) and not determined_cells([figures.unmet])
    assert figures.searched.cells[("06", MENTAL)] == Count(None, "small")
    assert figures.searched.cells[("06", SHELTER)] == Count(None, "protect")  # 22 - 18 = 4
    assert figures.unmet.cells[("06", SHELTER)].value is None  # protects the small one
    assert figures.unmet.cells[("06", MENTAL)] == Count(None, "small")
    assert figures.unmet.cells[("13", SHELTER)] == Count(5)


async def test_a_region_counts_handoffs_asked_from_it_or_to_it(app):
    await add_crafted(app)
    figures = await figures_of(app, regions=["13"])
    assert figures.regions == ("13",)
    assert values(figures.states) == {
        "waiting": 5, "active": 7, "completed": 0, "failed": 0, "declined": 0, "expired": 5,
        "withdrawn": 0, "cancelled": 0}
    assert figures.by_service_region.rows == ["06", "13"]
    assert figures.by_requester_region.rows == ["06", "13"]
    assert values(figures.searches) == {"all": 5, "can_take_now": 0, "place_free": 0}
    assert figures.searched.rows == ["13"] and figures.searched.cols == [SHELTER]
    assert figures.accept_time == timing_of({90: 7}, 5)


async def test_small_counts_and_what_they_would_reveal_are_hidden(app):
    async with app.sessionmaker() as session:
        _worker, case = await add_world(session)
        await add_handoffs(session, case, [
            (20, "2026-01", "06", "06", "completed", None, {"accepted": True, "closed_min": 60}),
            (3, "2026-01", "06", "06", "failed", "did-not-arrive",
             {"accepted": True, "closed_min": 60}),
            (12, "2026-02", "06", "06", "rejected", "no-capacity", {"closed_min": 60}),
            (9, "2026-02", "06", "13", "rejected", "not-eligible", {"closed_min": 20000}),
        ])
        await session.commit()
    figures = await figures_of(app)
    states = figures.states
    assert states.cells[("failed", "count")] == Count(None, "small")
    hidden = [s for s in STATES if states.cells[(s, "count")].value is None]
    assert len(hidden) >= 2  # the failed 3 and one more, so the total gives nothing away
    assert states.total == Count(44)
    for table in (figures.states, figures.by_month, figures.by_service_region,
                  figures.by_priority, figures.by_need, figures.declined, figures.outcomes):
        assert not determined_cells([table])
        # The columns by state have the states table's counts as totals, hidden alike.
        if table.cols == list(STATES):
            assert table.col_totals == {s: states.cells[(s, "count")] for s in STATES}
    assert not determined_cells([figures.states, figures.by_month, figures.by_service_region,
                                 figures.by_requester_region, figures.by_priority,
                                 figures.by_need], links=_state_links())
    # 35 of 44 closed within 7 days: the 9 not closed are no secret; 3 accepted ones failed.
    assert figures.closed_7d == Count(35)
    assert figures.accepted == Count(23)
    assert figures.outcomes.cells[("unrecorded", "count")] == Count(23)
    # Cross-region: 9, same region: 35.
    assert figures.flows.total == Count(9)


def _state_links() -> list:
    links = []
    for key in ("by_month", "by_service_region", "by_requester_region", "by_priority",
                "by_need"):
        links += [(("states", s, "count"), (key, TOTAL, s)) for s in STATES]
        links.append((("states", TOTAL, TOTAL), (key, TOTAL, TOTAL)))
    return links


async def test_a_total_minus_small_complement_is_hidden(app):
    """47 handoffs asked, 44 accepted: "3 never accepted" would show by subtraction."""
    async with app.sessionmaker() as session:
        _worker, case = await add_world(session)
        await add_handoffs(session, case, [
            (44, "2026-01", "06", "06", "completed", None,
             {"accepted": True, "outcome": "arrived", "closed_min": 60}),
            (3, "2026-01", "06", "06", "requested", None, {}),
        ])
        await session.commit()
    figures = await figures_of(app)
    assert figures.states.cells[("waiting", "count")] == Count(None, "small")
    assert figures.accepted.value is None and figures.accepted.hidden == "protect"
    assert figures.closed_7d.value is None  # 44 of 47: 3 still open
    assert figures.outcomes.total.value is None
    assert figures.states.total.value is None or figures.states.cells[
        ("completed", "count")].value is None


async def test_purged_rollup_and_live_counts_add_up(app):
    await add_crafted(app)
    figures = await figures_of(app, period=period_range("2026-01", "2026-01"))
    assert figures.states.cells[("completed", "count")] == Count(15)
    assert figures.outcomes.cells[("no-show", "count")] == Count(5)
    assert figures.by_month.rows == ["2026-01"]


def test_percentiles_are_exact_on_the_histogram():
    assert median_of({10: 1, 20: 1, 30: 1}) == 20.0
    assert median_of({10: 2, 20: 1, 40: 1}) == 15.0  # 10 10 20 40: mean of the middle two
    assert median_of({7: 4}) == 7.0
    assert median_of({}) is None
    # Nearest rank: the smallest value with at least 90% of the values at or below it.
    values = {minute: 1 for minute in range(1, 11)}  # 1..10
    assert percentile_of(values, 0.9) == 9.0
    assert percentile_of({1: 9, 100: 1}, 0.9) == 1.0
    assert percentile_of({1: 8, 100: 2}, 0.9) == 100.0
    assert timing_of({5: 4}, 5).median is None and timing_of({5: 4}, 5).n == 4
    assert timing_of({5: 5}, 5).median == 5.0


@pytest.mark.parametrize("role", ["worker"])
def test_plain_workers_have_no_figures(role):
    worker = Worker(telegram_id=1, display_name="W", role=role, created_at=NOW)
    with pytest.raises(NotAllowed):
        regions_for(worker)


def test_coordinators_see_their_regions_and_admins_all():
    coordinator = Worker(telegram_id=2, display_name="C", role="coordinator", created_at=NOW)
    coordinator.set_regions(["13", "06"])
    assert regions_for(coordinator) == ("06", "13")
    admin = Worker(telegram_id=3, display_name="A", role="admin", created_at=NOW)
    assert regions_for(admin) is None
