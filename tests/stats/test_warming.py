"""The months of every scope a view can ask for are counted ahead of views and kept."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot.jobs import stats as stats_job
from bot.models.core import Organisation, Worker
from bot.models.stats import LiveMonthCount
from bot.services.stats.warming import MONTHS, recent_months, scopes, warm
from handlers.runtime import BACKGROUND_MODULES
from tests.stats.test_figures import NOW, ZONE, add_crafted
from tests.stats.test_live_months import recounted, view


async def add_coordinators(app) -> None:  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        org = Organisation(name="Table régionale (fictive)", sector="community", created_at=NOW)
        session.add(org)
        await session.flush()
        for number, (role, regions, active) in enumerate([
                ("coordinator", ["12", "03"], True), ("coordinator", ["06"], True),
                ("coordinator", ["03", "12"], True), ("coordinator", ["08", "10"], False),
                ("worker", ["13", "16"], True)]):
            worker = Worker(telegram_id=7100 + number, display_name=f"Personne {number}",
                            role=role, organisation_id=org.id, created_at=NOW, active=active)
            worker.set_regions(regions)
            session.add(worker)
        await session.commit()


def test_recent_months_end_with_this_month_in_local_time():
    months = recent_months(NOW, ZONE)
    assert len(months) == MONTHS and months[-1] == "2026-04" and months[0] == "2024-05"


async def test_scopes_are_every_region_each_region_and_each_coordinators_regions(app):
    await add_coordinators(app)
    async with app.sessionmaker() as session:
        found = await scopes(session)
    assert found[0] is None
    assert found[1:18] == [(f"{n:02d}",) for n in range(1, 18)]
    assert found[18:] == [("03", "12")]  # once; inactive coordinators and workers left out


async def test_warming_keeps_each_scopes_months_as_a_view_would_count_them(app):
    await add_crafted(app)
    await add_coordinators(app)
    assert await warm(app.sessionmaker, now=NOW, zone=ZONE) == 19
    async with app.sessionmaker() as session:
        rows = (await session.scalars(select(LiveMonthCount))).all()
    assert len(rows) == 19 * MONTHS
    assert {row.scope for row in rows} >= {"*", "06", "03,12"}
    for regions in (None, ["13"], ["03", "12"]):
        assert await view(app, regions) == await recounted(app, regions)
    async with app.sessionmaker() as session:
        again = (await session.scalars(select(LiveMonthCount))).all()
    assert {(r.month, r.scope, r.handoffs, r.versions) for r in again} == {
        (r.month, r.scope, r.handoffs, r.versions) for r in rows}, "views read what was kept"


async def test_the_background_job_warms_and_stops_when_cancelled(app, clock, monkeypatch):
    assert "bot.jobs.stats" in BACKGROUND_MODULES
    await add_crafted(app)
    clock.set(NOW)
    rounds = asyncio.Event()

    async def one_round(*args, **kwargs):  # type: ignore[no-untyped-def]
        done = await warm(*args, **kwargs)
        rounds.set()
        return done

    monkeypatch.setattr(stats_job, "FIRST_DELAY_SECONDS", 0.0)
    monkeypatch.setattr(stats_job, "warm", one_round)
    task = asyncio.create_task(stats_job.run(app))
    try:
        await asyncio.wait_for(rounds.wait(), timeout=60)
    finally:
        task.cancel()  # between rounds: asleep until the next one
        await asyncio.gather(task, return_exceptions=True)
    assert task.cancelled()
    async with app.sessionmaker() as session:
        assert await session.scalar(select(LiveMonthCount.id).where(
            LiveMonthCount.scope == "*", LiveMonthCount.month == "2026-02"))
