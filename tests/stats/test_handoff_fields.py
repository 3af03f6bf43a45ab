"""A handoff's anonymous columns, set as it moves: its local month, the requester's region, its
first need, and the minutes to the first answer by a receiver, to acceptance and to the loop's
closing (an end or an outcome, whichever comes first). Also filled in by the 0011 migration
for handoffs made before it."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from bot.db.effects import commit
from bot.db.migrate import upgrade_sync
from bot.models.cases import Case
from bot.models.core import Worker
from bot.models.handoffs import Handoff
from bot.services.handoffs import creating, escalation, outcomes, service
from bot.services.handoffs.lifecycle import Status
from tests.handoffs import conftest as handoff_support
from tests.handoffs.conftest import NEED, add_case, add_service
from tests.handoffs.test_chat import FR, request

# The handoff tests' fixtures: a chat without background loops, timers kept in memory.
chat = handoff_support.chat
memory_timers = handoff_support.memory_timers
_postgres_first = handoff_support._postgres_first

COLUMNS = ("month", "from_region", "need", "response_min", "accept_min", "closed_min")


async def columns(app, handoff_id):  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        handoff = await session.get(Handoff, handoff_id)
        return {name: getattr(handoff, name) for name in COLUMNS}


async def only_handoff(app) -> int:  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        return (await session.scalars(select(Handoff.id))).one()


async def ask(app, requester, case, svc, **kw) -> int:  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        handoff = await creating.create(
            app, session, requester=await session.get(Worker, requester.id),
            case=await session.get(Case, case.id), service_id=svc.id, **kw)
        await commit(session, app.sessionmaker)
        return handoff.id


async def move(app, worker, handoff_id, target, reason=None):  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        await service.transition(app, session, handoff_id, await session.get(Worker, worker.id),
                                 target, reason=reason)
        await commit(session, app.sessionmaker)


async def record(app, worker, handoff_id, answer):  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        await outcomes.record(app, session, handoff_id, await session.get(Worker, worker.id),
                              answer)
        await commit(session, app.sessionmaker)


async def test_requested_accepted_after_12_minutes_then_an_outcome(app, chat, clock):
    alice = await chat.register("alice", org="Organisme A (fictif)", regions=("06", "13"))
    bob = await chat.register("bob", org="Maison B (fictive)")
    svc = await add_service(app, "Hébergement Test", receivers=(bob,))
    case = await add_case(app, alice, region="13")
    await request(chat, app, "alice", svc, case, FR)
    handoff_id = await only_handoff(app)
    assert await columns(app, handoff_id) == {
        "month": "2026-01", "from_region": "13", "need": NEED,
        "response_min": None, "accept_min": None, "closed_min": None}

    clock.advance(timedelta(minutes=12))
    await chat.press("bob", FR["accept"])
    assert await columns(app, handoff_id) == {
        "month": "2026-01", "from_region": "13", "need": NEED,
        "response_min": 12, "accept_min": 12, "closed_min": None}

    clock.advance(timedelta(days=1))
    await record(app, alice, handoff_id, "not-yet")  # no outcome: the loop is still open
    assert (await columns(app, handoff_id))["closed_min"] is None
    clock.advance(timedelta(days=1))
    await record(app, alice, handoff_id, "arrived")
    assert (await columns(app, handoff_id))["closed_min"] == 12 + 2 * 24 * 60

    clock.advance(timedelta(days=3))
    await record(app, alice, handoff_id, "no-show")  # a correction: the loop closed before
    await move(app, bob, handoff_id, Status.COMPLETED)
    assert await columns(app, handoff_id) == {
        "month": "2026-01", "from_region": "13", "need": NEED,
        "response_min": 12, "accept_min": 12, "closed_min": 12 + 2 * 24 * 60}


async def test_decline_cancel_and_expiry(app, chat, clock, memory_timers):
    alice = await chat.register("alice", regions=("13", "15"))  # not where the case is
    bob = await chat.register("bob", org="Maison B (fictive)")
    shelters = [await add_service(app, f"Refuge {n}", receivers=(bob,)) for n in "ABC"]
    case = await add_case(app, alice, region="06", needs=())
    # 03:30 UTC on February 1st is still January 31st in Québec.
    clock.set(datetime(2026, 2, 1, 3, 30, tzinfo=UTC))
    declined, cancelled, expired = [await ask(app, alice, case, svc) for svc in shelters]
    clock.advance(timedelta(minutes=30))
    await move(app, bob, declined, Status.REJECTED, reason="no-capacity")
    clock.advance(timedelta(minutes=15))
    await move(app, alice, cancelled, Status.CANCELLED, reason="no-longer-needed")
    clock.advance(timedelta(days=7, minutes=-45))  # the expiry's due time
    assert await memory_timers.run_due() > 0

    base = {"month": "2026-01", "from_region": "13", "need": None, "accept_min": None}
    assert await columns(app, declined) == {**base, "response_min": 30, "closed_min": 30}
    assert await columns(app, cancelled) == {**base, "response_min": None, "closed_min": 45}
    async with app.sessionmaker() as session:
        gone = await session.get(Handoff, expired)
        assert (gone.status, gone.status_reason) == ("rejected", "no-response")
    # An expiry is no answer; the loop closed when the request expired (7 days).
    assert await columns(app, expired) == {**base, "response_min": None,
                                           "closed_min": 7 * 24 * 60}


async def test_urgent_group_first_acceptance_and_withdrawn_requests(app, chat, clock):
    alice = await chat.register("alice", regions=("06",))
    bob = await chat.register("bob", org="Maison B (fictive)")
    carol = await chat.register("carol", org="Maison C (fictive)")
    first = await add_service(app, "Refuge A", receivers=(bob,))
    second = await add_service(app, "Refuge B", receivers=(bob,))
    third = await add_service(app, "Refuge C", receivers=(carol,))
    case = await add_case(app, alice)
    async with app.sessionmaker() as session:
        sent = await creating.request(
            app, session, requester=await session.get(Worker, alice.id), case_id=case.id,
            service_id=first.id, priority="urgent", note=None, criteria=None,
            also=(second.id, third.id))
        await commit(session, app.sessionmaker)
    ids = [sent.handoff.id, *(h.id for h in sent.also)]
    assert len(ids) == 3
    clock.advance(timedelta(minutes=7))
    async with app.sessionmaker() as session:
        await service.accept(app, session, ids[2], await session.get(Worker, carol.id))
        await commit(session, app.sessionmaker)

    base = {"month": "2026-01", "from_region": "06", "need": NEED}
    assert await columns(app, ids[2]) == {**base, "response_min": 7, "accept_min": 7,
                                          "closed_min": None}
    for withdrawn in ids[:2]:  # closed by the group's first acceptance, answered by nobody
        assert await columns(app, withdrawn) == {**base, "response_min": None,
                                                 "accept_min": None, "closed_min": 7}


def test_the_migration_fills_in_handoffs_made_before_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade_sync(url, "0010_loop")
    db = sqlite3.connect(tmp_path / "m.db")
    db.executescript("""
        INSERT INTO workers (id, telegram_id, display_name, role, on_call, active, blocked_bot,
            quiet_start, quiet_end, created_at)
            VALUES (1, 11, 'a', 'worker', 0, 1, 0, '21:00', '08:00', '2026-01-01 00:00:00');
        INSERT INTO worker_regions (worker_id, region) VALUES (1, '15'), (1, '13');
        INSERT INTO cases (id, code, status, age_band, languages, needs, created_at, updated_at)
            VALUES (1, 'KA-AAA', 'open', 'unknown', '[]', '[]', '2026-01-01 00:00:00',
                    '2026-01-01 00:00:00');
        INSERT INTO handoffs (id, case_id, service_name, status, priority, needs, criteria,
            sla_stage, requester_id, created_at, updated_at, accepted_at, ended_at)
            VALUES (1, 1, 's', 'completed', 'routine', '["dpj", "cavac"]', '{}', 0, 1,
                    '2026-02-01 03:30:00', '2026-02-01 03:30:00', '2026-02-01 03:42:00',
                    '2026-02-03 03:30:00');
        INSERT INTO handoffs (id, case_id, service_name, status, status_reason, priority, needs,
            criteria, sla_stage, requester_id, created_at, updated_at, ended_at)
            VALUES (2, 1, 's', 'rejected', 'no-response', 'urgent', '[]', '{}', 0, 1,
                    '2026-02-01 12:00:00', '2026-02-01 12:00:00', '2026-02-01 14:00:00'),
                   (3, 1, 's', 'rejected', 'not-eligible', 'urgent', '[]', '{}', 0, 1,
                    '2026-02-01 12:00:00', '2026-02-01 12:00:00', '2026-02-01 12:20:00');
    """)
    db.commit()
    upgrade_sync(url)
    rows = db.execute(f"SELECT id, {', '.join(COLUMNS)} FROM handoffs ORDER BY id").fetchall()
    db.close()
    assert rows == [
        (1, "2026-01", "13", "dpj", 12, 12, 2 * 24 * 60),
        (2, "2026-02", "13", None, None, None, 120),  # expired: no answer
        (3, "2026-02", "13", None, 20, None, 20),
    ]


async def test_a_coordinator_accepting_after_escalation_is_the_first_answer(
        app, chat, clock, memory_timers):
    alice = await chat.register("alice", regions=("06",))
    bob = await chat.register("bob", org="Maison B (fictive)")
    coord = await chat.register("coord", role="coordinator", regions=("06",))
    svc = await add_service(app, "Refuge A", receivers=(bob,))
    case = await add_case(app, alice)
    handoff_id = await ask(app, alice, case, svc)
    clock.advance(timedelta(days=4))  # reminded after 2 days, escalated after 4
    assert await memory_timers.run_due() == 2
    clock.advance(timedelta(minutes=5))
    async with app.sessionmaker() as session:
        await escalation.accept_for_service(app, session, handoff_id,
                                            await session.get(Worker, coord.id))
        await commit(session, app.sessionmaker)
    minutes = 4 * 24 * 60 + 5
    assert await columns(app, handoff_id) == {
        "month": "2026-01", "from_region": "06", "need": NEED,
        "response_min": minutes, "accept_min": minutes, "closed_min": None}
