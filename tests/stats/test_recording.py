"""What the figures record: the pure computations, a search's cells (counted by upsert, never
its words), and a search asked through the chat counted once per question."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.app import App
from bot.models.stats import SearchCount
from bot.services.directory.criteria import Criteria
from bot.services.directory.search import SearchOutcome, rank
from bot.services.stats.recording import (
    handoff_created_fields,
    hour_band,
    minutes_between,
    month_of,
    record_search,
    requester_region,
    search_cells,
    service_region,
)
from knowledge.seed import ensure_sample_directory
from tests.directory.conftest import NOW, capacity, entry, hours, index_of
from tests.support.chat import Chat

ZONE = ZoneInfo("America/Toronto")
SHELTER = "hebergement-urgence-jeunesse"
FOOD = "sante-mentale"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_minutes_round_and_never_go_negative() -> None:
    start = at("2026-01-15 15:00:00")
    assert minutes_between(start, start + timedelta(minutes=12, seconds=29)) == 12
    assert minutes_between(start, start + timedelta(minutes=12, seconds=31)) == 13
    assert minutes_between(start, start - timedelta(minutes=5)) == 0


def test_month_and_hour_band_are_local() -> None:
    # 03:30 UTC on February 1st is 22:30 on January 31st in Québec.
    assert month_of(at("2026-02-01 03:30"), ZONE) == "2026-01"
    assert month_of(at("2026-02-01 05:30"), ZONE) == "2026-02"
    local = {0: "night", 5: "night", 6: "morning", 11: "morning", 12: "afternoon",
             17: "afternoon", 18: "evening", 23: "evening"}
    for hour, band in local.items():
        moment = datetime(2026, 7, 1, hour, 30, tzinfo=ZONE).astimezone(UTC)
        assert hour_band(moment, ZONE) == band, hour


def test_requester_region_is_the_case_region_where_they_work_else_their_first() -> None:
    assert requester_region(["06", "13"], "13") == "13"
    assert requester_region(["13", "15"], "06") == "13"
    assert requester_region([], "06") is None
    fields = handoff_created_fields(created_at=at("2026-03-01 04:00"), zone=ZONE,
                                    requester_regions=["15"], case_region="06",
                                    service_regions=["13", "14"], needs=[SHELTER, FOOD])
    assert fields == {"month": "2026-02", "from_region": "15", "service_region": "13",
                      "need": SHELTER}
    assert handoff_created_fields(created_at=NOW, zone=ZONE, requester_regions=["06"],
                                  case_region=None, service_regions=[], needs=[])["need"] is None


def test_service_region_is_the_youth_region_when_served_else_the_service_first() -> None:
    assert service_region(["06", "13"], "13") == "13"
    assert service_region(["14", "13"], "06") == "13"
    assert service_region([], "06") == "06"


def test_search_cells_hold_codes_only() -> None:
    criteria = Criteria(regions=("16",), needs=(SHELTER, FOOD, SHELTER, "not-a-category"),
                        age=15, keywords=("fugue",), place="Longueuil")
    outcome = SearchOutcome(criteria=criteria, can_take_now=True, place_free=False)
    cells = search_cells(criteria, outcome, now=NOW, zone=ZONE)  # 10:00 in Québec
    assert cells == [("2026-01", "16", "*", "14-15", "morning", True, False),
                     ("2026-01", "16", SHELTER, "14-15", "morning", True, False),
                     ("2026-01", "16", FOOD, "14-15", "morning", True, False)]
    nowhere = Criteria(regions=("99",))
    assert search_cells(nowhere, SearchOutcome(criteria=nowhere), now=NOW, zone=ZONE) == [
        ("2026-01", "", "*", "unknown", "morning", False, False)]


def test_the_search_says_whether_the_region_could_take_the_youth_and_had_a_place() -> None:
    criteria = Criteria(regions=("16",), needs=(SHELTER,), age=15)
    free = entry(1, open_24_7=True, capacity=capacity(2, hours_ago=1))
    full = entry(2, open_24_7=True, capacity=capacity(0, hours_ago=1))
    stale = entry(3, open_24_7=True, capacity=capacity(3, hours_ago=30))
    closed = entry(4, openings=hours("20:00", "23:00"), capacity=capacity(4, hours_ago=1))
    elsewhere = entry(5, open_24_7=True, regions=frozenset({"13"}),
                      capacity=capacity(5, hours_ago=1))

    def facts(*entries) -> tuple[bool, bool]:  # type: ignore[no-untyped-def]
        outcome = rank(index_of(*entries), criteria, now=NOW)
        return outcome.can_take_now, outcome.place_free

    assert facts(free, full) == (True, True)
    assert facts(full, elsewhere) == (False, False)  # Laval's free bed is not the region's
    assert facts(full, stale) == (True, False)  # stale places: may take, shows no free place
    assert facts(full, closed) == (False, True)  # closed at 10:00, its free place still shown
    assert facts() == (False, False)


async def test_record_search_adds_one_to_each_cell(app: App) -> None:
    criteria = Criteria(regions=("06",), needs=(SHELTER, FOOD), age=17)
    outcome = SearchOutcome(criteria=criteria, can_take_now=False, place_free=False)
    only_shelter = Criteria(regions=("06",), needs=(SHELTER,), age=16)
    async with app.sessionmaker() as session:
        for _ in range(2):
            record_search(session, criteria, outcome, now=NOW, zone=ZONE)
        await session.commit()
    async with app.sessionmaker() as session:  # the cells exist: added to
        record_search(session, criteria, outcome, now=NOW, zone=ZONE)
        record_search(session, only_shelter, SearchOutcome(criteria=only_shelter),
                      now=NOW + timedelta(hours=10), zone=ZONE)  # 20:00 local
        await session.commit()
    morning = ("2026-01", "06", "*", "16-17", "morning", False, False)
    evening = ("2026-01", "06", "*", "16-17", "evening", False, False)
    assert await stored_searches(app) == {
        morning: 3, with_need(morning, SHELTER): 3, with_need(morning, FOOD): 3,
        evening: 1, with_need(evening, SHELTER): 1}


def with_need(cell: tuple, need: str) -> tuple:  # type: ignore[type-arg]
    return (*cell[:2], need, *cell[3:])


MONTREAL = {"fr": "hebergement urgence 15 ans montreal ce soir",
            "en": "emergency shelter for a 15 year old in montreal tonight"}
ST_JEROME = {"fr": "hebergement urgence 14 ans a st-jerome cette nuit",
             "en": "emergency shelter for a 14 year old in st-jerome tonight"}
NAMED = {"fr": "hebergement urgence montreal, il s'appelle Kevin Tremblay",
         "en": "emergency shelter in montreal, his name is Kevin Tremblay"}


async def stored_searches(app: App) -> dict[tuple, int]:  # type: ignore[type-arg]
    async with app.sessionmaker() as session:
        return {(r.month, r.region, r.need, r.age_band, r.hour_band, r.can_take_now,
                 r.place_free): r.count for r in await session.scalars(select(SearchCount))}


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_a_question_in_the_chat_is_counted_once_without_its_words(
        chat: Chat, app: App, lang: str) -> None:
    await ensure_sample_directory(app)
    await chat.register("alice", regions=("06",), lang=lang)
    await chat.say("alice", "bonjour" if lang == "fr" else "hello")  # small talk: no search
    await chat.say("alice", NAMED[lang])  # refused by the privacy screen: nothing read
    assert await stored_searches(app) == {}
    answer = (await chat.say("alice", MONTREAL[lang]))[-1].text
    assert "Boussole" in answer  # a shelter of the region with a free bed
    cell = ("2026-01", "06", "*", "14-15", "morning", True, True)
    assert await stored_searches(app) == {cell: 1, with_need(cell, SHELTER): 1}

    await chat.press("alice", "Plus de résultats" if lang == "fr" else "More results")
    await chat.press("alice", "ouvert maintenant" if lang == "fr" else "open now")  # corrected
    assert await stored_searches(app) == {cell: 1, with_need(cell, SHELTER): 1}

    await chat.say("alice", MONTREAL[lang])  # asked again: another question
    await chat.say("alice", ST_JEROME[lang])  # its one shelter is full: nothing can take now
    unmet = ("2026-01", "15", "*", "14-15", "morning", False, False)
    assert await stored_searches(app) == {cell: 2, with_need(cell, SHELTER): 2,
                                          unmet: 1, with_need(unmet, SHELTER): 1}
    async with app.sessionmaker() as session:
        values = {str(v) for r in await session.scalars(select(SearchCount)) for v in (
            r.month, r.region, r.need, r.age_band, r.hour_band)}
    assert values == {"2026-01", "06", "15", "*", SHELTER, "14-15", "morning"}  # codes only


async def test_counts_are_added_in_batches_beyond_one_statement(app: App) -> None:
    """More cells than one statement takes: every cell is created, then added to, exactly."""
    from bot.models.stats import SearchNeedCount
    from bot.services.stats.recording import NEED_CELL
    from bot.services.stats.upsert import PARAMETERS, add_counts

    cells = {("2026-11", f"{1 + i % 17:02d}", f"need-{i}", i % 2 == 0, i % 3 == 0): 1 + i % 4
             for i in range(PARAMETERS // len(NEED_CELL) * 2 + 7)}
    for _ in range(2):
        async with app.sessionmaker() as session:
            await add_counts(session, SearchNeedCount, NEED_CELL, cells)
            await session.commit()
    async with app.sessionmaker() as session:
        stored = {(r.month, r.region, r.need, r.can_take_now, r.place_free): r.count
                  for r in (await session.scalars(select(SearchNeedCount))).all()}
    assert stored == {cell: 2 * n for cell, n in cells.items()}
