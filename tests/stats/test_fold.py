"""The retention purge folds the handoffs of the cases it deletes into monthly counts: the figures
are the same after a purge as before it, the rollup rows hold only codes and counts, and a later
purge adds to the same cells."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, inspect, select

from bot.cli.privacy import format_report
from bot.db.effects import commit
from bot.models.cases import Case
from bot.models.core import Worker
from bot.models.handoffs import Handoff, HandoffEvent, HandoffRecipient
from bot.models.stats import HandoffMonthCount, HandoffTimeCount
from bot.services import cases, retention
from bot.services.handoffs import creating, outcomes, service
from bot.services.handoffs.lifecycle import DECLINE_REASONS, OUTCOMES, Status
from bot.services.stats.figures import compute
from bot.services.stats.periods import period_range
from bot.services.stats.states import STATES
from knowledge.regions import load_regions
from knowledge.taxonomy import load_taxonomy
from tests.handoffs import conftest as handoff_support
from tests.handoffs.conftest import NEED, add_case, add_service

chat = handoff_support.chat
memory_timers = handoff_support.memory_timers
_postgres_first = handoff_support._postgres_first

ZONE = ZoneInfo("America/Toronto")
PERIOD = period_range("2026-01", "2026-12")
S = Status


class Network:
    """alice asks; bob (service A, region 06), carol (B, region 13), dora (C, region 06)."""

    def __init__(self, app, chat) -> None:  # type: ignore[no-untyped-def]
        self.app, self.chat = app, chat

    async def setup(self) -> None:
        self.alice = await self.chat.register("alice", regions=("06",))
        self.bob = await self.chat.register("bob", org="Maison B (fictive)")
        self.carol = await self.chat.register("carol", org="Maison C (fictive)", regions=("13",))
        self.dora = await self.chat.register("dora", org="Maison D (fictive)")
        self.a = await add_service(self.app, "Refuge A", receivers=(self.bob,))
        self.b = await add_service(self.app, "Refuge B", region="13", receivers=(self.carol,))
        self.c = await add_service(self.app, "Refuge C", receivers=(self.dora,))

    async def ask(self, case, svc) -> int:  # type: ignore[no-untyped-def]
        async with self.app.sessionmaker() as session:
            handoff = await creating.create(
                self.app, session, requester=await session.get(Worker, self.alice.id),
                case=await session.get(Case, case.id), service_id=svc.id)
            await commit(session, self.app.sessionmaker)
            return handoff.id

    async def move(self, worker, handoff_id, target, reason=None) -> None:  # type: ignore[no-untyped-def]
        async with self.app.sessionmaker() as session:
            actor = await session.get(Worker, worker.id)
            if target == "outcome":
                await outcomes.record(self.app, session, handoff_id, actor, reason)
            else:
                await service.transition(self.app, session, handoff_id, actor, target,
                                         reason=reason)
            await commit(session, self.app.sessionmaker)

    async def close(self, case) -> None:  # type: ignore[no-untyped-def]
        async with self.app.sessionmaker() as session:
            the_case = await session.get(Case, case.id)
            await cases.close_case(session, the_case, by=None, now=self.app.clock.now())
            await session.commit()


async def figures(app, regions=None, min_cell=1):  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        found = await compute(session, PERIOD, regions, now=app.clock.now(), min_cell=min_cell,
                              zone=ZONE)
    return dataclasses.replace(found, health=None)  # the directory's health: not handoffs


async def all_figures(app):  # type: ignore[no-untyped-def]
    return [await figures(app, regions, min_cell) for regions in (None, ("06",), ("13",))
            for min_cell in (1, 5)]


async def purge(app, dry_run=False):  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        report = await retention.purge(session, now=app.clock.now(), retention_days=90,
                                       dry_run=dry_run, zone=ZONE)
        await session.commit()
    return report


async def rows(app, model):  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        return list((await session.scalars(select(model))).all())


async def count(app, model) -> int:  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_purge_folds_handoffs_and_the_figures_do_not_move(app, chat, clock, memory_timers):
    net = Network(app, chat)
    await net.setup()
    first = await add_case(app, net.alice)
    h1 = await net.ask(first, net.a)
    h2 = await net.ask(first, net.b)
    h3 = await net.ask(first, net.c)
    later = await add_case(app, net.alice)  # the same cell as h2, for the next purge
    h8 = await net.ask(later, net.b)
    clock.advance(timedelta(minutes=10))
    await net.move(net.bob, h1, S.ACCEPTED)
    clock.advance(timedelta(minutes=10))
    await net.move(net.carol, h2, S.REJECTED, "no-capacity")
    await net.move(net.carol, h8, S.REJECTED, "no-capacity")
    await net.move(net.alice, h3, S.CANCELLED, "no-longer-needed")
    clock.advance(timedelta(days=1))
    await net.move(net.alice, h1, "outcome", "arrived")
    await net.move(net.bob, h1, S.COMPLETED)

    clock.advance(timedelta(days=20))  # February: another month
    second = await add_case(app, net.alice)
    await net.ask(second, net.a)  # h4: never answered
    h5 = await net.ask(second, net.b)
    h6 = await net.ask(second, net.c)
    clock.advance(timedelta(minutes=60))
    await net.move(net.carol, h5, S.ACCEPTED)
    await net.move(net.alice, h5, S.ENTERED_IN_ERROR)  # left out of every figure
    await net.move(net.dora, h6, S.ACCEPTED)
    clock.advance(timedelta(days=7))
    assert await memory_timers.run_due() > 0  # h4 expires, unanswered
    clock.advance(timedelta(days=3))
    await net.move(net.dora, h6, S.COMPLETED)  # closed after 10 days, no outcome

    still_open = await add_case(app, net.alice)
    h7 = await net.ask(still_open, net.a)
    for case in (first, second):
        await net.close(case)
    clock.advance(timedelta(days=91))

    before = await all_figures(app)
    assert before[0].states.total.value == 7  # h5, in error, is not counted
    assert before[0].closed_7d.value == 4  # h1 (its outcome), h2, h3, h8; h4 took 7 d 1 h
    dry = await purge(app, dry_run=True)
    assert (dry.cases, dry.handoffs) == (2, 5)
    assert "relais: would fold 5 handoff(s) of these cases" in "\n".join(format_report(dry, 90))
    assert await count(app, Handoff) == 8 and await count(app, HandoffMonthCount) == 0

    report = await purge(app)
    assert (report.cases, report.handoffs) == (2, 5)
    assert await all_figures(app) == before
    async with app.sessionmaker() as session:
        left = set((await session.scalars(select(Handoff.id))).all())
        events = set((await session.scalars(select(HandoffEvent.handoff_id))).all())
        recipients = set((await session.scalars(select(HandoffRecipient.handoff_id))).all())
    assert left == {h7, h8} and events <= left and recipients <= left
    months = {(r.month, r.region, r.state, r.reason, r.outcome, r.closed_7d): r.count
              for r in await rows(app, HandoffMonthCount)}
    assert months == {
        ("2026-01", "06", "completed", "", "arrived", True): 1,
        ("2026-01", "13", "declined", "no-capacity", "", True): 1,  # the service's region
        ("2026-01", "06", "cancelled", "no-longer-needed", "", True): 1,
        ("2026-02", "06", "expired", "no-response", "", False): 1,
        ("2026-02", "06", "completed", "", "unrecorded", False): 1,
    }
    times = {(r.month, r.measure, r.minutes): r.count for r in await rows(app, HandoffTimeCount)}
    assert times == {("2026-01", "response", 10): 1, ("2026-01", "accept", 10): 1,
                     ("2026-01", "response", 20): 1,
                     ("2026-02", "response", 60): 1, ("2026-02", "accept", 60): 1}
    await nothing_ties_back(app, [first, second], [net.alice, net.bob, net.carol, net.dora])

    # The next purge adds to the same cells: the figures still do not move.
    await net.close(later)
    clock.advance(timedelta(days=91))
    before = await all_figures(app)
    assert (await purge(app)).handoffs == 1
    assert await all_figures(app) == before
    declined = [r for r in await rows(app, HandoffMonthCount) if r.state == "declined"]
    assert [(r.month, r.count) for r in declined] == [("2026-01", 2)]
    assert {(r.measure, r.minutes, r.count) for r in await rows(app, HandoffTimeCount)
            if r.month == "2026-01"} == {("response", 10, 1), ("accept", 10, 1),
                                         ("response", 20, 2)}


async def nothing_ties_back(app, purged, workers) -> None:  # type: ignore[no-untyped-def]
    """Rollup rows have no column that could point at a case, a worker or a text, and every
    value is a code of a known list, a month, or a number."""
    for model, extra in ((HandoffMonthCount, {"state", "reason", "outcome", "closed_7d"}),
                         (HandoffTimeCount, {"measure", "minutes"})):
        names = {c.key for c in inspect(model).columns}
        assert names == {"id", "month", "from_region", "region", "priority", "need", "count"} | extra
    codes = (set(load_regions()) | set(load_taxonomy().categories) | set(STATES)
             | set(DECLINE_REASONS) | set(OUTCOMES) | {"", "unrecorded", "no-response",
                                                        "no-longer-needed", "routine", "urgent",
                                                        "response", "accept", "2026-01", "2026-02"})
    values = {getattr(r, c) for model in (HandoffMonthCount, HandoffTimeCount)
              for r in await rows(app, model)
              for c in ("month", "from_region", "region", "priority", "need", "state", "reason",
                        "outcome", "measure") if hasattr(r, c)}
    assert values <= codes and NEED in values
    assert not values & {case.code for case in purged}
    assert not values & {str(w.id) for w in workers}
