"""SLA timers with a FakeClock: remind at 30 min, escalate at 60, expire at 120 ("no response"),
through the durable scheduler and through the in-memory fallback; the day-after follow-up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.db.effects import commit
from bot.models.cases import Case
from bot.models.core import Worker
from bot.models.handoffs import Handoff, HandoffEvent
from bot.models.reminders import ScheduledJob
from bot.services.handoffs import service
from bot.services.handoffs.lifecycle import Status
from bot.services.handoffs.timers import MemoryTimers, SchedulerTimers, get_timers
from bot.services.reminders.dispatcher import run_once
from tests.handoffs.conftest import add_case, add_service


async def setup(app, chat, priority="urgent"):  # type: ignore[no-untyped-def]
    alice = await chat.register("alice", org="Organisme A (fictif)", lang="fr")
    bob = await chat.register("bob", org="Organisme B (fictif)", lang="fr")
    carol = await chat.register("carol", org="Organisme B (fictif)", lang="en")
    await chat.register("olga", org="Organisme B (fictif)", on_call=True, lang="fr")
    cora = await chat.register("cora", role="coordinator", org="Table régionale (fictive)",
                               lang="fr")
    svc = await add_service(app, "Hébergement Test", receivers=(bob, carol))
    await add_service(app, "Autre hébergement", receivers=(cora,))
    case = await add_case(app, alice)
    async with app.sessionmaker() as session:
        handoff = await service.create(
            app, session, requester=await session.get(Worker, alice.id),
            case=await session.get(Case, case.id), service_id=svc.id, priority=priority,
            note="note confidentielle")
        await commit(session, app.sessionmaker)
    return handoff.id, case


async def tick(app, chat, clock, minutes, memory=None):  # type: ignore[no-untyped-def]
    clock.advance(timedelta(minutes=minutes))
    start = len(chat.telegram.events)
    if memory is not None:
        await memory.run_due()
    else:
        await run_once(app)
    return chat.telegram.events[start:]


async def status_of(app, handoff_id):  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        handoff = await session.get(Handoff, handoff_id)
        return handoff.status, handoff.status_reason, handoff.sla_stage


@pytest.mark.parametrize("timers", ["scheduler", "memory"])
async def test_remind_escalate_expire(app, chat, clock, timers):
    memory = None
    if timers == "memory":
        memory = MemoryTimers(app)
        app.services["handoffs.timers"] = memory
    handoff_id, case = await setup(app, chat)
    assert isinstance(get_timers(app), MemoryTimers if memory else SchedulerTimers)
    if memory is None:
        async with app.sessionmaker() as session:
            jobs = (await session.scalars(select(ScheduledJob).order_by(ScheduledJob.due_at))).all()
            created = (await session.get(Handoff, handoff_id)).created_at
            assert [(j.kind, j.due_at - created) for j in jobs] == [
                ("handoff.remind", timedelta(minutes=30)),
                ("handoff.escalate", timedelta(minutes=60)),
                ("handoff.expire", timedelta(minutes=120)),
            ]
    events = await tick(app, chat, clock, 29, memory)
    assert chat.texts("bob", events) == "" and await status_of(app, handoff_id) == (
        "requested", None, 0)

    events = await tick(app, chat, clock, 1, memory)  # 30 min: the receivers are reminded
    assert "Rappel" in chat.texts("bob", events)
    assert "Reminder" in chat.texts("carol", events)
    assert chat.buttons("bob") == ["Accepter", "Refuser", "Poser une question"]
    assert chat.texts("olga", events) == "" and chat.texts("cora", events) == ""

    events = await tick(app, chat, clock, 30, memory)  # 60 min: on call and coordinator
    assert "Demande de prise en charge" in chat.texts("olga", events)
    assert chat.buttons("olga") == ["✅ Accepter au nom du service", "Refuser",
                                    "📞 Appeler le service", "↪️ Réassigner"]
    cora_sees = chat.texts("cora", events)
    assert "sans réponse" in cora_sees and case.code in cora_sees
    assert "note confidentielle" not in cora_sees  # coordinators never see notes
    assert "nous avons alerté" in chat.texts("alice", events)

    events = await tick(app, chat, clock, 59, memory)
    assert await status_of(app, handoff_id) == ("requested", None, 2)
    events = await tick(app, chat, clock, 1, memory)  # 120 min: expired, "no response"
    assert await status_of(app, handoff_id) == ("rejected", "no-response", 3)
    alice_sees = chat.texts("alice", events)
    assert "expirée, sans réponse" in alice_sees and case.code in alice_sees
    assert chat.buttons("alice") == ["Voir les services suivants"]
    assert "expiré" in chat.texts("bob", events)
    assert chat.buttons("bob") == []
    async with app.sessionmaker() as session:
        kinds = [e.kind for e in (await session.scalars(select(HandoffEvent).where(
            HandoffEvent.handoff_id == handoff_id).order_by(HandoffEvent.id))).all()]
    assert kinds == ["created", "reminded", "escalated", "status"]
    # nothing more happens later
    events = await tick(app, chat, clock, 600, memory)
    assert events == []


async def test_routine_counts_in_days(app, chat, clock):
    handoff_id, _case = await setup(app, chat, priority="routine")
    events = await tick(app, chat, clock, 60 * 24 * 2 - 1)
    assert chat.texts("bob", events) == ""
    events = await tick(app, chat, clock, 1)
    assert "Rappel" in chat.texts("bob", events)
    await tick(app, chat, clock, 60 * 24 * 5)
    assert await status_of(app, handoff_id) == ("rejected", "no-response", 3)


async def test_accepting_stops_the_clock_and_the_follow_up_comes_a_day_later(app, chat, clock):
    handoff_id, case = await setup(app, chat)
    clock.advance(timedelta(minutes=10))
    async with app.sessionmaker() as session:
        await service.transition(app, session, handoff_id, await session.get(Worker, (
            await chat.worker("bob")).id), Status.ACCEPTED)
        await commit(session, app.sessionmaker)
    events = await tick(app, chat, clock, 200)
    assert events == [] and (await status_of(app, handoff_id))[0] == "accepted"
    events = await tick(app, chat, clock, 60 * 24)
    alice_sees = chat.texts("alice", events)
    assert "comment cela s'est-il passé pour le ou la jeune?" in alice_sees and case.code in alice_sees
    assert chat.buttons("alice")[-1] == "⏳ Pas encore\u00a0: redemandez-moi demain"
    events = await chat.press("alice", "Arrivée ou admission")
    async with app.sessionmaker() as session:
        assert (await session.get(Handoff, handoff_id)).outcome == "arrived"
    assert "résultat noté par alice (Organisme A (fictif))\u00a0: arrivée ou admission" in chat.texts("bob", events)
