"""Months of live handoffs counted once and kept (``stats_live_months``) until one of their
handoffs changes: a kept month is read back as stored, and every kind of change (an UPDATE as
the handoff services make it, an ORM change, a new handoff, a purged one) counts it again."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import delete, func, select, update

from bot.models.handoffs import Handoff
from bot.models.stats import LiveMonthCount
from bot.services.stats.figures import compute
from tests.stats.test_figures import (
    NOW,
    PERIOD,
    ZONE,
    add_crafted,
    add_world,
    make_handoff,
    values,
)


async def view(app, regions=None, keep=True):  # type: ignore[no-untyped-def]
    """The figures as ``/stats`` reads them: counted months kept, committed with the view."""
    async with app.sessionmaker() as session:
        figures = await compute(session, PERIOD, regions, now=NOW, min_cell=5, zone=ZONE,
                                keep=keep)
        await session.commit()
    return figures


async def kept(app) -> dict[tuple[str, str], LiveMonthCount]:  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        rows = (await session.scalars(select(LiveMonthCount))).all()
    return {(row.month, row.scope): row for row in rows}


async def recounted(app, regions=None):  # type: ignore[no-untyped-def]
    """The figures counted afresh from the handoffs, nothing kept read."""
    async with app.sessionmaker() as session:
        await session.execute(delete(LiveMonthCount))
        figures = await compute(session, PERIOD, regions, now=NOW, min_cell=5, zone=ZONE,
                                keep=False)
        await session.rollback()
    return figures


async def test_a_view_keeps_each_month_per_scope_and_reads_it_back(app):
    await add_crafted(app)
    first = await view(app)
    await view(app, regions=["13"])
    rows = await kept(app)
    assert set(rows) == {(month, scope) for month in PERIOD.months for scope in ("*", "13")}
    assert rows[("2026-01", "*")].handoffs == 16  # 10 completed + 6 declined, stamp of January
    assert "Alice" not in rows[("2026-01", "*")].counts  # codes and numbers only
    # A kept month is read as stored while its stamp holds: make January's stored completed
    # handoffs 11 instead of 10 (in each table, which must agree), and the view says 16
    # (11 + 5 purged) rather than 15.
    stored = json.loads(rows[("2026-01", "*")].counts)
    for table in ("by_state", "by_place", "loops"):
        parts, numbers = stored[table]
        for place, key in enumerate(zip(*parts, strict=True)):
            if "completed" in key or "arrived" in key:
                numbers[place] += 1
    async with app.sessionmaker() as session:
        await session.execute(update(LiveMonthCount).where(
            LiveMonthCount.month == "2026-01", LiveMonthCount.scope == "*")
            .values(counts=json.dumps(stored)))
        await session.commit()
    assert values(first.states)["completed"] == 15
    assert values((await view(app)).states)["completed"] == 16
    assert values((await recounted(app)).states)["completed"] == 15


async def change_by_update(session) -> None:  # type: ignore[no-untyped-def]
    """As ``handoffs.service.apply`` does: a conditional UPDATE statement."""
    target = await session.scalar(select(Handoff.id).where(
        Handoff.month == "2026-02", Handoff.status == "accepted").limit(1))
    await session.execute(update(Handoff).where(Handoff.id == target)
                          .values(status="completed", closed_min=600)
                          .execution_options(synchronize_session=False))


async def change_by_orm(session) -> None:  # type: ignore[no-untyped-def]
    """As ``handoffs.outcomes`` does: an attribute set on a loaded handoff."""
    handoff = await session.scalar(select(Handoff).where(
        Handoff.month == "2026-02", Handoff.status == "accepted").limit(1))
    handoff.outcome = "arrived"


async def change_by_new_handoff(session) -> None:  # type: ignore[no-untyped-def]
    _worker, case = await add_world(session)
    session.add(make_handoff(case, month="2026-02", from_region="06", region="06",
                             status="requested"))


async def change_by_purge(session) -> None:  # type: ignore[no-untyped-def]
    """As the retention purge does: handoffs deleted (their counts folded elsewhere)."""
    await session.execute(delete(Handoff).where(
        Handoff.month == "2026-02", Handoff.status == "rejected"))


@pytest.mark.parametrize("change", [change_by_update, change_by_orm, change_by_new_handoff,
                                    change_by_purge])
async def test_any_change_to_a_month_counts_it_again(app, change):
    await add_crafted(app)
    before = await view(app)
    await view(app, regions=["13"])
    stamps = {key: (row.handoffs, row.versions) for key, row in (await kept(app)).items()}
    async with app.sessionmaker() as session:
        await change(session)
        await session.commit()
    after = await view(app)
    assert after == await recounted(app), "the kept months must equal a fresh count"
    assert after != before, "the change shows in the figures"
    assert await view(app, regions=["13"]) == await recounted(app, regions=["13"])
    now_kept = await kept(app)
    assert {key for key, row in now_kept.items()
            if (row.handoffs, row.versions) != stamps[key]} == {("2026-02", "*"),
                                                                  ("2026-02", "13")}


async def test_every_update_raises_the_handoffs_version(app):
    await add_crafted(app)
    async with app.sessionmaker() as session:
        total = await session.scalar(select(func.sum(Handoff.version)))
        await change_by_update(session)
        await session.commit()
        assert await session.scalar(select(func.sum(Handoff.version))) == total + 1
        await change_by_orm(session)
        await session.commit()
        assert await session.scalar(select(func.sum(Handoff.version))) == total + 2


async def test_counts_stored_in_another_layout_are_counted_again(app):
    await add_crafted(app)
    truth = await view(app)
    async with app.sessionmaker() as session:
        await session.execute(update(LiveMonthCount).values(counts='{"layout": 0}'))
        await session.commit()
    assert await view(app) == truth
    assert all('"layout":1' in row.counts for row in (await kept(app)).values())


async def test_a_reader_that_must_not_write_keeps_nothing(app):
    await add_crafted(app)
    await view(app, keep=False)
    assert await kept(app) == {}
