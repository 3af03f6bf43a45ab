"""A search's counts go with the update's handled mark (``bot.db.late_writes``): on PostgreSQL in
the same statement, committed as it runs when nothing was written before; elsewhere just before
it, in its transaction. Nothing queued is lost at a commit, and nothing survives a rollback or a
refused mark."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from bot.app import App
from bot.models.core import ProcessedUpdate
from bot.models.stats import SearchCount, SearchNeedCount
from bot.services.directory.criteria import Criteria
from bot.services.directory.search import SearchOutcome
from bot.services.inbox import mark_handled
from bot.services.stats.recording import record_search
from tests.support.statements import statements

NOW = datetime(2026, 1, 15, 15, 0, tzinfo=UTC)
ZONE = ZoneInfo("America/Toronto")
BOT = 42
CRITERIA = Criteria(regions=("06",), needs=("hebergement-urgence-jeunesse",), age=16)


def count_search(session) -> None:  # type: ignore[no-untyped-def]
    record_search(session, CRITERIA, SearchOutcome(criteria=CRITERIA), now=NOW, zone=ZONE)


async def stored(app: App) -> tuple[int, int, list[int]]:
    """Searches counted (the "every need" cell), unmet-need cells added, updates marked."""
    async with app.sessionmaker() as session:
        searches = await session.scalar(
            select(func.coalesce(func.sum(SearchCount.count), 0)).where(SearchCount.need == "*"))
        needs = await session.scalar(select(func.coalesce(func.sum(SearchNeedCount.count), 0)))
        marks = list(await session.scalars(select(ProcessedUpdate.update_id)))
    return int(searches or 0), int(needs or 0), marks


async def test_the_counts_go_with_the_handled_mark(app: App, backend: str) -> None:
    async with app.sessionmaker() as session:
        await session.execute(text("SELECT 1"))
        with statements(app) as sent:
            count_search(session)
            await mark_handled(session, BOT, 1, NOW, kept=False)
        if backend == "postgresql":  # one statement, stored as it ran
            assert len(sent) == 1
            assert sent[0].startswith("WITH late0 AS (INSERT INTO stats_searches ")
            assert "late1 AS (INSERT INTO stats_search_needs " in sent[0]
            assert "INSERT INTO processed_updates " in sent[0]
            assert await stored(app) == (1, 2, [1])
        else:  # the counts, then the mark, in one transaction
            assert [s.split(" (")[0] for s in sent] == [
                "INSERT INTO stats_searches", "INSERT INTO stats_search_needs",
                "INSERT INTO processed_updates"]
        await session.commit()
    assert await stored(app) == (1, 2, [1])


async def test_counts_after_another_write_commit_with_it(app: App) -> None:
    async with app.sessionmaker() as session:
        await mark_handled(session, BOT, 1, NOW)  # kept: the mark and the copy's deletion
        count_search(session)
        await mark_handled(session, BOT, 2, NOW, kept=False)
        await session.rollback()
    assert await stored(app) == (0, 0, [])
    async with app.sessionmaker() as session:
        await mark_handled(session, BOT, 1, NOW)
        count_search(session)
        await mark_handled(session, BOT, 2, NOW, kept=False)
        await session.commit()
    assert await stored(app) == (1, 2, [1, 2])


async def test_counts_queued_without_a_last_statement_go_with_the_commit(app: App) -> None:
    async with app.sessionmaker() as session:
        count_search(session)
        count_search(session)  # twice on each table: sent one after the other
        await session.commit()
    assert await stored(app) == (2, 4, [])


async def test_two_counts_on_one_table_are_both_kept_with_the_mark(app: App) -> None:
    async with app.sessionmaker() as session:
        count_search(session)
        count_search(session)
        await mark_handled(session, BOT, 1, NOW, kept=False)
        await session.commit()
    assert await stored(app) == (2, 4, [1])


async def test_a_rollback_drops_the_queued_counts(app: App) -> None:
    async with app.sessionmaker() as session:
        count_search(session)
        await session.rollback()
        await session.commit()  # nothing left to send
    assert await stored(app) == (0, 0, [])


async def test_a_refused_mark_stores_no_count(app: App) -> None:
    async with app.sessionmaker() as session:
        await mark_handled(session, BOT, 1, NOW, kept=False)
        await session.commit()
    async with app.sessionmaker() as session:
        count_search(session)
        with pytest.raises(IntegrityError):  # handled meanwhile elsewhere
            await mark_handled(session, BOT, 1, NOW, kept=False)
            await session.commit()
        await session.rollback()
        await session.commit()
    assert await stored(app) == (0, 0, [1])
