"""Several receivers accept at once, each through its own engine and connection: one owner."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.db.effects import commit
from bot.db.engine import make_engine, make_sessionmaker
from bot.models.cases import Case
from bot.models.core import Worker
from bot.models.handoffs import Handoff, HandoffEvent
from bot.services.handoffs import service
from bot.services.handoffs.lifecycle import Status
from bot.services.handoffs.service import AlreadyTaken
from tests.handoffs.conftest import add_case, add_service

RECEIVERS = 6
ROUNDS = 3


async def test_concurrent_accepts_make_exactly_one_owner(app, chat, db_url):
    alice = await chat.register("alice", org="Organisme A (fictif)")
    receivers = [await chat.register(f"r{i}", org="Organisme R (fictif)") for i in range(RECEIVERS)]
    svc = await add_service(app, "Service disputé", receivers=tuple(receivers))
    engines = [make_engine(db_url) for _ in receivers]
    try:
        for _round in range(ROUNDS):
            case = await add_case(app, alice)
            async with app.sessionmaker() as session:
                handoff = await service.create(
                    app, session, requester=await session.get(Worker, alice.id),
                    case=await session.get(Case, case.id), service_id=svc.id)
                await commit(session, app.sessionmaker)
                handoff_id = handoff.id
            start = asyncio.Event()

            async def accept(engine, worker_id, start=start, handoff_id=handoff_id):  # type: ignore[no-untyped-def]
                async with make_sessionmaker(engine)() as session:
                    worker = await session.get(Worker, worker_id)
                    await start.wait()
                    try:
                        await service.transition(app, session, handoff_id, worker,
                                                 Status.ACCEPTED)
                        await commit(session, app.sessionmaker)
                        return worker_id
                    except AlreadyTaken:
                        await session.rollback()
                        return None

            tasks = [asyncio.create_task(accept(e, w.id)) for e, w in zip(engines, receivers,
                                                                          strict=True)]
            await asyncio.sleep(0.05)
            start.set()
            winners = [w for w in await asyncio.gather(*tasks) if w is not None]
            assert len(winners) == 1, winners
            async with app.sessionmaker() as session:
                handoff = await session.get(Handoff, handoff_id)
                assert handoff.status == "accepted" and handoff.owner_id == winners[0]
                accepted = await session.scalar(select(func.count()).select_from(HandoffEvent)
                                                 .where(HandoffEvent.handoff_id == handoff_id,
                                                        HandoffEvent.to_status == "accepted"))
                assert accepted == 1
                case_row = await session.get(Case, case.id)
                joined = set(case_row.participant_ids()) & {w.id for w in receivers}
                assert joined == {winners[0]}
    finally:
        for engine in engines:
            await engine.dispose()
