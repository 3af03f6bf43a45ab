"""Service level: create, accept, decline, moves with the right actor, history, case closing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.db.effects import commit
from bot.errors import NotAllowed, NotFound
from bot.models.cases import Case
from bot.models.core import AuditEntry, Worker
from bot.models.handoffs import Handoff, HandoffEvent, HandoffRecipient
from bot.services import crypto
from bot.services.handoffs import service
from bot.services.handoffs.lifecycle import (
    ENDED,
    REASONS,
    ReasonRequired,
    Side,
    Status,
    TransitionRefused,
    allowed_targets,
)
from tests.handoffs.conftest import add_case, add_service

S = Status


async def setup(app, chat):  # type: ignore[no-untyped-def]
    alice = await chat.register("alice", org="Organisme A (fictif)")
    bob = await chat.register("bob", org="Organisme B (fictif)")
    carol = await chat.register("carol", org="Organisme B (fictif)")
    svc = await add_service(app, "Hébergement Test", receivers=(bob, carol))
    case = await add_case(app, alice)
    return alice, bob, carol, svc, case


async def create(app, alice, case, svc, **kw):  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        requester = await session.get(Worker, alice.id)
        the_case = await session.get(Case, case.id)
        handoff = await service.create(app, session, requester=requester, case=the_case,
                                       service_id=svc.id, **kw)
        await commit(session, app.sessionmaker)
        return handoff.id


async def move(app, worker, handoff_id, target, reason=None, note=None):  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        actor = await session.get(Worker, worker.id)
        handoff = await service.transition(app, session, handoff_id, actor, target,
                                           reason=reason, note=note)
        await commit(session, app.sessionmaker)
        return handoff


async def load(app, handoff_id):  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        return await session.get(Handoff, handoff_id)


async def test_create_sends_to_every_receiver_with_an_encrypted_note(app, chat):
    alice, bob, carol, svc, case = await setup(app, chat)
    handoff_id = await create(app, alice, case, svc, priority="urgent", note="besoin ce soir")
    async with app.sessionmaker() as session:
        handoff = await session.get(Handoff, handoff_id)
        assert handoff.status == "requested" and handoff.owner_id is None
        assert handoff.note_enc and "besoin" not in handoff.note_enc
        assert crypto.decrypt(app, handoff.note_enc) == "besoin ce soir"
        rows = (await session.scalars(select(HandoffRecipient))).all()
        assert {r.worker_id for r in rows} == {bob.id, carol.id}
        assert all(r.message_id for r in rows)
        audit = (await session.scalars(select(AuditEntry).where(
            AuditEntry.action == "handoff.created"))).all()
        assert len(audit) == 1 and "besoin" not in str(audit[0].details)
    for name in ("bob", "carol"):
        seen = chat.seen_by(name)
        assert seen and seen[-1].protected
        assert case.code in seen[-1].text and "besoin ce soir" in seen[-1].text
        assert "URGENTE" in seen[-1].text
        assert chat.buttons(name) == ["Accepter", "Refuser", "Poser une question"]


async def test_consent_is_required(app, chat):
    alice, bob, carol, svc, _case = await setup(app, chat)
    no_consent = await add_case(app, alice, consent=None)
    with pytest.raises(NotAllowed):
        await create(app, alice, no_consent, svc)


async def test_only_a_participant_can_request(app, chat):
    alice, bob, carol, svc, case = await setup(app, chat)
    with pytest.raises(NotFound):
        await create(app, bob, case, svc)


async def test_no_receiver_is_refused_clearly(app, chat):
    alice, *_rest, case = await setup(app, chat)
    lonely = await add_service(app, "Service sans receveur")
    with pytest.raises(NotFound) as info:
        await create(app, alice, case, lonely)
    assert "receives handoffs" in info.value.message


async def test_organisation_workers_receive_without_being_named(app, chat):
    alice = await chat.register("alice", org="Organisme A (fictif)")
    dave = await chat.register("dave", org="Organisme D (fictif)")
    svc = await add_service(app, "Service D", org="Organisme D annuaire (fictif)")
    async with app.sessionmaker() as session:
        worker = await session.get(Worker, dave.id)
        worker.organisation.directory_org_id = svc.hsds_org
        await commit(session, app.sessionmaker)
    case = await add_case(app, alice)
    handoff_id = await create(app, alice, case, svc)
    async with app.sessionmaker() as session:
        rows = (await session.scalars(select(HandoffRecipient).where(
            HandoffRecipient.handoff_id == handoff_id))).all()
        assert [r.worker_id for r in rows] == [dave.id]


async def test_urgent_outside_hours_goes_to_on_call(app, chat):
    alice = await chat.register("alice", org="Organisme A (fictif)")
    bob = await chat.register("bob", org="Organisme B (fictif)")
    olga = await chat.register("olga", org="Organisme B (fictif)", on_call=True)
    svc = await add_service(app, "Service de jour", receivers=(bob,), open_24_7=False)
    from bot.models.directory import DirectorySchedule

    async with app.sessionmaker() as session:  # open Monday 9-10 only; the clock is Thursday
        session.add(DirectorySchedule(hsds_id="sched-test", service_id=svc.id, freq="WEEKLY",
                                      byday="MO", opens_at="09:00", closes_at="10:00"))
        await commit(session, app.sessionmaker)
    case = await add_case(app, alice)
    urgent = await create(app, alice, case, svc, priority="urgent")
    async with app.sessionmaker() as session:
        rows = (await session.scalars(select(HandoffRecipient).where(
            HandoffRecipient.handoff_id == urgent))).all()
        assert [(r.worker_id, r.role) for r in rows] == [(olga.id, "on_call")]
    case2 = await add_case(app, alice)
    routine = await create(app, alice, case2, svc, priority="routine")
    async with app.sessionmaker() as session:
        rows = (await session.scalars(select(HandoffRecipient).where(
            HandoffRecipient.handoff_id == routine))).all()
        assert [r.worker_id for r in rows] == [bob.id]


async def test_accept_makes_owner_a_participant_and_edits_the_others(app, chat):
    alice, bob, carol, svc, case = await setup(app, chat)
    handoff_id = await create(app, alice, case, svc, note="note privée")
    start = len(chat.telegram.events)
    await move(app, bob, handoff_id, S.ACCEPTED)
    events = chat.telegram.events[start:]
    handoff = await load(app, handoff_id)
    assert handoff.owner_id == bob.id and handoff.accepted_at is not None
    async with app.sessionmaker() as session:
        the_case = await session.get(Case, case.id)
        assert bob.id in the_case.participant_ids()
        assert carol.id not in the_case.participant_ids()
    carol_sees = chat.texts("carol", events)
    assert "Prise en charge acceptée par bob (Organisme B (fictif))" in carol_sees
    assert "note privée" not in carol_sees
    assert [e.kind for e in chat.seen_by("carol", events)] == ["edit"]
    assert chat.buttons("carol") == []  # her request lost its buttons
    assert "acceptée par bob" in chat.texts("alice", events).lower()
    with pytest.raises(TransitionRefused) as info:
        await move(app, carol, handoff_id, S.ACCEPTED)
    assert info.value.params["who"].startswith("bob")


async def test_every_move_with_its_actor(app, chat):
    """Walk the whole table: each allowed move by the right side, refused for the other."""
    alice, bob, carol, svc, case = await setup(app, chat)
    actors = {Side.REQUESTER: alice, Side.RECEIVER: bob}
    paths = {
        S.ACCEPTED: [S.ACCEPTED], S.REJECTED: [S.REJECTED], S.IN_PROGRESS: [S.ACCEPTED,
        S.IN_PROGRESS], S.ON_HOLD: [S.ACCEPTED, S.ON_HOLD],
    }
    for start, path in paths.items():
        for side in Side:
            for target in allowed_targets(start, side):
                fresh = await add_case(app, alice)
                handoff_id = await create(app, alice, fresh, svc)
                for step in path:
                    actor = actors[Side.RECEIVER]
                    await move(app, actor, handoff_id, step, next(iter(REASONS.get(step, {"x": 1}))))
                reason = next(iter(REASONS[target])) if target in REASONS else None
                other = actors[Side.REQUESTER if side is Side.RECEIVER else Side.RECEIVER]
                if target is not S.ENTERED_IN_ERROR and start is not S.REQUESTED:
                    with pytest.raises(TransitionRefused):
                        await move(app, other, handoff_id, target, reason)
                await move(app, actors[side], handoff_id, target, reason)
                assert (await load(app, handoff_id)).status == target.value
                if target in ENDED:
                    assert (await load(app, handoff_id)).ended_at is not None


async def test_reason_required_and_invalid_moves_refused(app, chat):
    alice, bob, carol, svc, case = await setup(app, chat)
    handoff_id = await create(app, alice, case, svc)
    with pytest.raises(ReasonRequired):
        await move(app, bob, handoff_id, S.REJECTED)
    with pytest.raises(TransitionRefused):
        await move(app, bob, handoff_id, S.COMPLETED)
    with pytest.raises(TransitionRefused):
        await move(app, alice, handoff_id, S.ACCEPTED)
    with pytest.raises(NotAllowed):
        stranger = await chat.register("zoe", org="Autre (fictif)")
        await move(app, stranger, handoff_id, S.CANCELLED, "other")


async def test_history_records_who_what_when_why(app, chat, clock):
    alice, bob, carol, svc, case = await setup(app, chat)
    handoff_id = await create(app, alice, case, svc)
    clock.advance(60)
    await move(app, bob, handoff_id, S.ACCEPTED)
    clock.advance(60)
    await move(app, bob, handoff_id, S.ON_HOLD, "waitlist")
    clock.advance(60)
    await move(app, bob, handoff_id, S.IN_PROGRESS)
    clock.advance(60)
    await move(app, bob, handoff_id, S.COMPLETED)
    async with app.sessionmaker() as session:
        events = (await session.scalars(select(HandoffEvent).where(
            HandoffEvent.handoff_id == handoff_id).order_by(HandoffEvent.id))).all()
        got = [(e.kind, e.from_status, e.to_status, e.reason, e.actor_id) for e in events]
        assert got == [
            ("created", None, "requested", None, alice.id),
            ("status", "requested", "accepted", None, bob.id),
            ("status", "accepted", "on-hold", "waitlist", bob.id),
            ("status", "on-hold", "in-progress", None, bob.id),
            ("status", "in-progress", "completed", None, bob.id),
        ]
        times = [e.at for e in events]
        assert times == sorted(times) and len(set(times)) == 5
        # the case is done: every handoff ended, the last one completed
        the_case = await session.get(Case, case.id)
        assert the_case.closed_at is not None and the_case.outcome == "handoffs_ended"


async def test_case_timeline_shows_handoff_events(app, chat):
    alice, bob, carol, svc, case = await setup(app, chat)
    handoff_id = await create(app, alice, case, svc)
    await move(app, bob, handoff_id, S.REJECTED, "no-capacity")
    from bot.services import cases

    async with app.sessionmaker() as session:
        the_case = await session.get(Case, case.id)
        entries = await cases.timeline(app, session, the_case)
        texts = [e.text.format(**e.params) for e in entries]
    assert "handoff requested to Hébergement Test by alice" in texts
    assert "handoff to Hébergement Test declined by bob: no capacity" in texts
    async with app.sessionmaker() as session:  # a rejected handoff can be re-routed: still open
        assert (await session.get(Case, case.id)).closed_at is None
