"""Closing the loop from the requester's end: the outcome of an accepted handoff, recorded from
its controls at any time or when the day-after follow-up asks ("not yet" asks again), stored as
a code with an event and an audit entry, told to the receiver, and counted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.db.effects import commit
from bot.errors import NotAllowed
from bot.models.core import AuditEntry, Worker
from bot.models.handoffs import Handoff, HandoffEvent
from bot.services.handoffs import outcomes
from bot.services.handoffs.notify import FOLLOWUP, sign
from tests.handoffs.conftest import add_case, add_service
from tests.handoffs.test_chat import EN, FR, request

WORDS = {
    "fr": {"record": "Noter le résultat", "elsewhere": "Prise en charge ailleurs",
           "noshow": "Ne s'est pas présenté(e)", "notyet": "Pas encore",
           "question": "comment cela s'est-il passé pour le ou la jeune?",
           "saved": "Résultat noté\u00a0: Prise en charge ailleurs",
           "bob_told": "résultat noté par alice (Organisme A (fictif))\u00a0: prise en charge du "
                       "ou de la jeune ailleurs",
           "again": "Nous redemanderons demain",
           "bob_noshow": "pas de présentation du ou de la jeune",
           "timeline": "prise en charge du ou de la jeune ailleurs"},
    "en": {"record": "Record the outcome", "elsewhere": "Placed elsewhere",
           "noshow": "Did not show up", "notyet": "Not yet",
           "question": "how did it go for the youth?",
           "saved": "Outcome recorded: Placed elsewhere",
           "bob_told": "alice (Organisme A (fictif)) recorded the outcome: the youth was placed "
                       "elsewhere",
           "again": "We will ask again tomorrow",
           "bob_noshow": "the youth did not show up",
           "timeline": "the youth was placed elsewhere"},
}


async def accepted(app, chat, lang):  # type: ignore[no-untyped-def]
    words = FR if lang == "fr" else EN
    alice = await chat.register("alice", org="Organisme A (fictif)", lang=lang)
    bob = await chat.register("bob", org="Maison B (fictive)", lang=lang)
    svc = await add_service(app, "Hébergement Test", receivers=(bob,))
    case = await add_case(app, alice)
    await request(chat, app, "alice", svc, case, words)
    assert not any("📋" in b for b in chat.buttons("alice"))  # nothing to record before
    await chat.press("bob", words["accept"])
    return alice, bob, case


async def stored(app):  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        handoff = await session.scalar(select(Handoff))
        events = [(e.kind, (e.details or {}).get("outcome")) for e in (await session.scalars(
            select(HandoffEvent).where(HandoffEvent.kind == "followup")
            .order_by(HandoffEvent.id))).all()]
        audits = [(a.action, (a.details or {}).get("outcome")) for a in (await session.scalars(
            select(AuditEntry).where(AuditEntry.action == "handoff.outcome")
            .order_by(AuditEntry.id))).all()]
    return handoff, events, audits


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_requester_records_the_outcome_from_the_controls(app, chat, lang):
    w = WORDS[lang]
    _alice, _bob, case = await accepted(app, chat, lang)
    assert any(w["record"] in b for b in chat.buttons("alice"))  # on the accepted message
    events = await chat.press("alice", w["record"])
    assert case.code in chat.texts("alice", events)
    assert chat.buttons("alice")[:4] == [
        "✅ Arrivée ou admission", "❌ Ne s'est pas présenté(e)", "↪️ Prise en charge ailleurs",
        "Autre"] if lang == "fr" else [
        "✅ Arrived or admitted", "❌ Did not show up", "↪️ Placed elsewhere", "Other"]
    assert not any(w["notyet"] in b for b in chat.buttons("alice"))  # only the follow-up has it

    events = await chat.press("alice", w["elsewhere"])
    assert w["saved"] in chat.texts("alice", events)
    assert w["bob_told"] in chat.texts("bob", events)
    handoff, kinds, audits = await stored(app)
    assert handoff.outcome == "placed-elsewhere" and handoff.status == "accepted"  # bob's stays
    assert kinds == [("followup", "placed-elsewhere")]
    assert audits == [("handoff.outcome", "placed-elsewhere")]
    events = await chat.say("alice", f"/case {case.code}")
    assert w["timeline"] in chat.texts("alice", events)

    # Recorded again later (a correction): the last one counts, the history keeps both.
    events = await chat.say("alice", "/handoffs")
    await chat.press("alice", case.code)
    await chat.press("alice", w["record"])
    assert ("Noté jusqu'ici" if lang == "fr" else "Recorded so far") in chat.texts("alice")
    await chat.press("alice", w["noshow"])
    handoff, kinds, _audits = await stored(app)
    assert handoff.outcome == "no-show"
    assert kinds == [("followup", "placed-elsewhere"), ("followup", "no-show")]


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_the_day_after_asks_the_outcome_and_not_yet_asks_again(app, chat, clock, lang):
    from bot.services.reminders.dispatcher import run_once

    w = WORDS[lang]
    _alice, _bob, case = await accepted(app, chat, lang)

    async def day() -> list:  # type: ignore[type-arg]
        clock.advance(timedelta(days=1, minutes=1))
        start = len(chat.telegram.events)
        await run_once(app)
        return chat.telegram.events[start:]

    events = await day()
    assert w["question"] in chat.texts("alice", events) and case.code in chat.texts("alice", events)
    assert len(chat.buttons("alice")) == 5 and w["notyet"] in chat.buttons("alice")[-1]
    events = await chat.press("alice", w["notyet"])
    assert w["again"] in chat.texts("alice", events)
    assert w["again"] in chat.texts("bob", events)
    handoff, _kinds, _audits = await stored(app)
    assert handoff.outcome == "not-yet"

    events = await day()  # asked again
    assert w["question"] in chat.texts("alice", events)
    events = await chat.press("alice", w["noshow"])
    assert w["bob_noshow"] in chat.texts("bob", events)
    handoff, kinds, _audits = await stored(app)
    assert handoff.outcome == "no-show" and handoff.status == "accepted"
    assert kinds == [("followup", "not-yet"), ("followup", "no-show")]
    events = await day()  # an outcome is recorded: no more questions
    assert chat.texts("alice", events) == ""


async def test_buttons_of_an_older_follow_up_still_record(app, chat):
    alice, _bob, _case = await accepted(app, chat, "fr")
    async with app.sessionmaker() as session:
        handoff = await session.scalar(select(Handoff))
    message = chat.telegram.latest_with_buttons(chat.user_id("alice"))
    chat.as_user("alice")
    for extra, code in (("yes", "arrived"), ("notyet", "not-yet"), ("no", "no-show")):
        data = sign(app, FOLLOWUP, handoff.id, chat.user_id("alice"), extra)
        await chat.console.feed(chat.telegram.user_presses(chat.user_id("alice"), message, data))
        async with app.sessionmaker() as session:
            assert (await session.get(Handoff, handoff.id)).outcome == code
    assert alice is not None


async def test_only_the_requester_records_and_only_after_acceptance(app, chat):
    alice = await chat.register("alice", org="Organisme A (fictif)", lang="fr")
    bob = await chat.register("bob", org="Maison B (fictive)", lang="fr")
    svc = await add_service(app, "Hébergement Test", receivers=(bob,))
    case = await add_case(app, alice)
    await request(chat, app, "alice", svc, case, FR)
    async with app.sessionmaker() as session:
        handoff_id = (await session.scalar(select(Handoff))).id

    async def record(worker, code):  # type: ignore[no-untyped-def]
        async with app.sessionmaker() as session:
            await outcomes.record(app, session, handoff_id, await session.get(Worker, worker.id),
                                  code)
            await commit(session, app.sessionmaker)

    with pytest.raises(NotAllowed):  # not accepted yet
        await record(alice, "arrived")
    await chat.press("bob", "Accepter")
    with pytest.raises(NotAllowed):  # the receiver keeps their statuses, not the outcome
        await record(bob, "arrived")
    with pytest.raises(Exception, match="choose"):
        await record(alice, "teleported")
    await record(alice, "arrived")
    handoff, _kinds, _audits = await stored(app)
    assert handoff.outcome == "arrived"


async def test_counts_by_outcome_for_regions_and_a_period(app, chat):
    alice = await chat.register("alice", org="Organisme A (fictif)")
    now = datetime(2026, 12, 1, 12, tzinfo=UTC)
    rows = [  # region, accepted, outcome, status
        ("06", now, "arrived", "accepted"), ("06", now, "not-arrived", "completed"),
        ("06", now, "no-show", "failed"), ("06", now, "not-yet", "accepted"),
        ("06", now, None, "in-progress"), ("06", now, "placed-elsewhere", "entered-in-error"),
        ("06", None, None, "rejected"), ("13", now, "arrived", "accepted"),
        ("06", now - timedelta(days=40), "other", "completed"),
    ]
    case = await add_case(app, alice)
    async with app.sessionmaker() as session:
        for region, at, outcome, status in rows:
            session.add(Handoff(case_id=case.id, service_name="S", region=region, status=status,
                                priority="routine", requester_id=alice.id, outcome=outcome,
                                accepted_at=at, created_at=now - timedelta(days=60),
                                updated_at=now))
        await session.commit()
        month = {"start": now - timedelta(days=30), "end": now + timedelta(days=1)}
        assert await outcomes.counts(session, regions=["06"], **month) == {
            "arrived": 1, "no-show": 2, "placed-elsewhere": 0, "other": 0, "unrecorded": 2}
        assert (await outcomes.counts(session, regions=None, **month))["arrived"] == 2
        assert (await outcomes.counts(session, regions=["06"], start=now - timedelta(days=90),
                                      end=now + timedelta(days=1)))["other"] == 1
        assert sum((await outcomes.counts(session, regions=[], **month)).values()) == 0
