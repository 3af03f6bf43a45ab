"""Receivers of the three services of one urgent group accept at once, each through its own
engine and connection: exactly one request is accepted, the two others withdrawn, no deadlock."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.db.effects import commit
from bot.db.engine import make_engine, make_sessionmaker
from bot.models.cases import Case
from bot.models.core import Worker
from bot.models.handoffs import Handoff, HandoffEvent
from bot.services.handoffs import creating, service
from bot.services.handoffs.lifecycle import Status, TransitionRefused
from tests.handoffs.conftest import add_case, add_service

ROUNDS = 3


async def test_concurrent_accepts_in_a_group_make_exactly_one_winner(app, chat, db_url):
    alice = await chat.register("alice", org="Organisme A (fictif)")
    teams, services = [], []
    for letter in "ABC":
        team = [await chat.register(f"{letter}{i}", org=f"Maison {letter} (fictive)")
                for i in range(2)]
        teams.append(team)
        services.append(await add_service(app, f"Refuge {letter}", receivers=tuple(team)))
    receivers = [w for team in teams for w in team]
    engines = [make_engine(db_url) for _ in receivers]
    try:
        for _round in range(ROUNDS):
            case = await add_case(app, alice)
            async with app.sessionmaker() as session:
                sent = await creating.request(
                    app, session, requester=await session.get(Worker, alice.id), case_id=case.id,
                    service_id=services[0].id, priority="urgent", note=None, criteria=None,
                    also=[services[1].id, services[2].id])
                await commit(session, app.sessionmaker)
            ids = [sent.handoff.id, *(h.id for h in sent.also)]
            assert len(ids) == 3
            start = asyncio.Event()

            async def accept(engine, worker_id, handoff_id, start=start):  # type: ignore[no-untyped-def]
                async with make_sessionmaker(engine)() as session:
                    worker = await session.get(Worker, worker_id)
                    await start.wait()
                    try:
                        if worker_id % 2:  # "Accept" in chat: seen, then accepted
                            await service.accept(app, session, handoff_id, worker)
                        else:
                            await service.transition(app, session, handoff_id, worker,
                                                     Status.ACCEPTED)
                        await commit(session, app.sessionmaker)
                        return worker_id
                    except TransitionRefused:  # AlreadyTaken included
                        await session.rollback()
                        return None

            tasks = [asyncio.create_task(accept(engines[i], w.id, ids[i // 2]))
                     for i, w in enumerate(receivers)]
            await asyncio.sleep(0.05)
            start.set()
            winners = [w for w in await asyncio.gather(*tasks) if w is not None]
            assert len(winners) == 1, winners
            async with app.sessionmaker() as session:
                rows = (await session.scalars(select(Handoff).where(Handoff.id.in_(ids))
                                              .order_by(Handoff.id))).all()
                states = sorted((h.status, h.status_reason, h.owner_id) for h in rows)
                assert states == sorted([("accepted", None, winners[0]),
                                         ("cancelled", "accepted-elsewhere", None),
                                         ("cancelled", "accepted-elsewhere", None)])
                accepted = await session.scalar(select(func.count()).select_from(HandoffEvent)
                                                 .where(HandoffEvent.handoff_id.in_(ids),
                                                        HandoffEvent.to_status == "accepted"))
                assert accepted == 1
                joined = set((await session.get(Case, case.id)).participant_ids()) \
                    & {w.id for w in receivers}
                assert joined == {winners[0]}
    finally:
        for engine in engines:
            await engine.dispose()
