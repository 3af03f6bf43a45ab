"""Service level: what the chat's handoff buttons ask of the services (accepting, opening a
handoff, the next services, who may see the coordinators' list, naming receivers)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.db.effects import commit
from bot.errors import NotAllowed
from bot.models.core import AuditEntry, Worker
from bot.models.directory import DirectoryService
from bot.models.handoffs import HandoffEvent
from bot.services.handoffs import creating, queries, receivers, service
from tests.handoffs.conftest import add_case, add_service


async def setup(app, chat, note=None):  # type: ignore[no-untyped-def]
    alice = await chat.register("alice", org="Organisme A (fictif)")
    bob = await chat.register("bob", org="Organisme B (fictif)")
    svc = await add_service(app, "Hébergement Test", receivers=(bob,))
    case = await add_case(app, alice)
    async with app.sessionmaker() as session:
        sent = await creating.request(
            app, session, requester=await session.get(Worker, alice.id), case_id=case.id,
            service_id=svc.id, priority="routine", note=note, criteria=None)
        await commit(session, app.sessionmaker)
    assert sent.notified == 1 and sent.case.id == case.id
    return alice, bob, svc, sent.handoff.id


async def as_worker(app, worker, call):  # type: ignore[no-untyped-def]
    """``call(session, worker)`` in its own committed transaction."""
    async with app.sessionmaker() as session:
        result = await call(session, await session.get(Worker, worker.id))
        await commit(session, app.sessionmaker)
        return result


async def test_accept_records_that_the_receiver_saw_it_first(app, chat):
    alice, bob, _svc, handoff_id = await setup(app, chat)
    handoff = await as_worker(app, bob, lambda s, w: service.accept(app, s, handoff_id, w))
    assert handoff.owner_id == bob.id
    async with app.sessionmaker() as session:
        kinds = [e.kind for e in (await session.scalars(select(HandoffEvent).where(
            HandoffEvent.handoff_id == handoff_id).order_by(HandoffEvent.id))).all()]
    assert kinds == ["created", "seen", "status"]


async def test_opening_a_handoff_shows_what_each_side_may_see(app, chat):
    alice, bob, _svc, handoff_id = await setup(app, chat, note="arrive en bus")
    view = await as_worker(app, bob, lambda s, w: service.open_for(app, s, handoff_id, w))
    assert view.is_request and view.note == "arrive en bus" and view.requester.id == alice.id
    await as_worker(app, bob, lambda s, w: service.accept(app, s, handoff_id, w))
    view = await as_worker(app, alice, lambda s, w: service.open_for(app, s, handoff_id, w))
    assert not view.is_request and view.owner.id == bob.id and view.note == "arrive en bus"
    zoe = await chat.register("zoe", org="Autre (fictif)")
    with pytest.raises(NotAllowed):
        await as_worker(app, zoe, lambda s, w: service.open_for(app, s, handoff_id, w))


async def test_only_the_requester_sees_the_next_services(app, chat):
    alice, bob, _svc, handoff_id = await setup(app, chat)
    await add_service(app, "Autre hébergement", receivers=(bob,))
    with pytest.raises(NotAllowed):
        await as_worker(app, bob, lambda s, w: queries.next_services_for(app, s, handoff_id, w))
    _handoff, results = await as_worker(
        app, alice, lambda s, w: queries.next_services_for(app, s, handoff_id, w))
    assert [r.entry.name for r in results] == ["Autre hébergement"]


async def test_overview_shows_the_regions_to_coordinators_only(app, chat):
    alice, bob, _svc, handoff_id = await setup(app, chat)
    cora = await chat.register("cora", role="coordinator", regions=("06",))
    mine = await as_worker(app, bob, lambda s, w: queries.overview(s, w))
    assert [h.id for h in mine.own] == [handoff_id] and mine.regions is None
    theirs = await as_worker(app, cora, lambda s, w: queries.overview(s, w))
    assert theirs.own == [] and [h.id for h in theirs.regions] == [handoff_id]


async def test_coordinators_name_receivers_and_workers_cannot(app, chat):
    cora = await chat.register("cora", role="coordinator", regions=("06",))
    dan = await chat.register("dan", org="Maison D (fictive)", regions=("06",))
    svc = await add_service(app, "Hébergement Zèbre")

    async def team(session, worker):  # type: ignore[no-untyped-def]
        return [(w.id, on) for w, on in await receivers.team(
            session, worker, await session.get(DirectoryService, svc.id))]

    assert (dan.id, False) in await as_worker(app, cora, team)
    await as_worker(app, cora, lambda s, w: receivers.toggle(s, w, svc.id, dan.id,
                                                              app.clock.now()))
    assert (dan.id, True) in await as_worker(app, cora, team)
    async with app.sessionmaker() as session:
        assert "directory.receiver_added" in set(await session.scalars(select(AuditEntry.action)))
    with pytest.raises(NotAllowed):
        await as_worker(app, dan, lambda s, w: receivers.managed(s, w, svc.id))
    found = await as_worker(app, cora, lambda s, w: receivers.find(s, w, "zèbre"))
    assert [f.id for f in found] == [svc.id]


async def test_a_case_without_consent_cannot_be_requested_for(app, chat):
    alice = await chat.register("alice", org="Organisme A (fictif)")
    case = await add_case(app, alice, consent=None)
    with pytest.raises(NotAllowed):
        await as_worker(app, alice, lambda s, w: creating.requestable_case(
            s, w, case.id, now=app.clock.now()))
