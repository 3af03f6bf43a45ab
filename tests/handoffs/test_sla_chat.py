"""Conversations of an unanswered urgent request with short timers (as seen in ``relais try``
with RELAIS_URGENT_ACCEPT_MINUTES=1 and RELAIS_URGENT_EXPIRE_MINUTES=3): the requester hears of
each step with the next services one tap away; the expiry reads "expired, no response"
everywhere; the escalation carries the request, a date in words and its actions (accept for the
service, call, reassign)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.db.effects import commit
from bot.models.cases import Case
from bot.models.core import Worker
from bot.models.directory import DirectoryPhone
from bot.models.handoffs import Handoff
from bot.services.directory.state import bump_version
from bot.services.handoffs import service
from bot.services.reminders.dispatcher import run_once
from tests.handoffs.conftest import add_case, add_service

NOTE = "arrive en bus vers 22 h"
PHONE = "514 555-0100"
W = {
    "fr": {"reminded": "nous avons relancé les personnes qui reçoivent les demandes",
           "alerted": "nous avons alerté 1 personne de garde du service et la coordination "
                      "de la région",
           "next": "Voir les services suivants", "expired": "expirée, sans réponse",
           "declined": "refusée", "on_call": "Vous êtes de garde",
           "unanswered": "Demande sans réponse", "since": "depuis le 15 janvier à 10 h.",
           "accept_for": "✅ Accepter au nom du service", "decline": "Refuser",
           "call": "📞 Appeler le service", "reassign": "↪️ Réassigner",
           "request": "Demande de prise en charge", "accepted_by": "acceptée par cora",
           "sent_by": "Demande transmise par cora", "waiting_for": "En attente de réponse",
           "write": "Écrire dans le fil", "accept": "Accepter",
           "history": "prise en charge par Hébergement Test expirée, sans réponse",
           "history_alerted": "personne de garde et coordination alertées"},
    "en": {"reminded": "we reminded the receiving workers",
           "alerted": "we alerted 1 on-call worker of the service and the region's "
                      "coordination",
           "next": "See the next services", "expired": "expired, no response",
           "declined": "declined", "on_call": "You are on call",
           "unanswered": "Unanswered request", "since": "since January 15 at 10:00 AM.",
           "accept_for": "✅ Accept for the service", "decline": "Decline",
           "call": "📞 Call the service", "reassign": "↪️ Reassign",
           "request": "Handoff request", "accepted_by": "accepted by cora",
           "sent_by": "Request sent to you by cora", "waiting_for": "Now waiting for",
           "write": "Write in the thread", "accept": "Accept",
           "history": "handoff to Hébergement Test expired, no response",
           "history_alerted": "on-call worker and coordination alerted"},
}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The timers seen in ``relais try``: remind at 1 minute, escalate at 2, expire at 3."""
    return settings.model_copy(update={"urgent_accept_minutes": 1, "urgent_expire_minutes": 3})


async def setup(app, chat, lang):  # type: ignore[no-untyped-def]
    """alice asks for an urgent handoff to bob's service; olga is on call at bob's
    organisation; cora coordinates the region. The clock reads January 15, 10:00 (Montréal)."""
    alice = await chat.register("alice", org="Organisme A (fictif)", lang=lang)
    bob = await chat.register("bob", org="Maison B (fictive)", lang=lang)
    await chat.register("olga", org="Maison B (fictive)", on_call=True, lang=lang)
    await chat.register("cora", role="coordinator", org="Table régionale (fictive)", lang=lang)
    svc = await add_service(app, "Hébergement Test", receivers=(bob,))
    async with app.sessionmaker() as session:
        session.add(DirectoryPhone(hsds_id=f"phone-{svc.id}", service_id=svc.id, number=PHONE))
        await bump_version(session, app.clock.now())
        await session.commit()
    case = await add_case(app, alice)
    async with app.sessionmaker() as session:
        handoff = await service.create(
            app, session, requester=await session.get(Worker, alice.id),
            case=await session.get(Case, case.id), service_id=svc.id, priority="urgent",
            note=NOTE)
        await commit(session, app.sessionmaker)
    return handoff.id, case


async def tick(app, chat, clock, minutes=1):  # type: ignore[no-untyped-def]
    clock.advance(timedelta(minutes=minutes))
    start = len(chat.telegram.events)
    await run_once(app)
    return chat.telegram.events[start:]


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_requester_hears_each_step_and_expiry_reads_expired(app, chat, clock, lang):
    w = W[lang]
    handoff_id, case = await setup(app, chat, lang)

    events = await tick(app, chat, clock)  # 1 min: bob reminded, alice told so
    alice_sees = chat.texts("alice", events)
    assert w["reminded"] in alice_sees and case.code in alice_sees
    assert chat.buttons("alice") == [w["next"]]
    assert chat.texts("bob", events)

    events = await tick(app, chat, clock)  # 2 min: on call and coordination alerted
    alice_sees = chat.texts("alice", events)
    assert w["alerted"] in alice_sees and case.code in alice_sees
    assert chat.buttons("alice") == [w["next"]]

    events = await tick(app, chat, clock)  # 3 min: expired
    alice_sees = chat.texts("alice", events)
    assert w["expired"] in alice_sees and case.code in alice_sees
    assert w["declined"] not in alice_sees.lower()
    assert chat.buttons("alice") == [w["next"]]
    events = await chat.press("alice", w["next"])  # still one tap after the expiry
    assert case.code in chat.texts("alice", events)
    for name in ("bob", "olga", "cora"):  # every copy of the request is edited
        edited = [e for e in chat.seen_by(name) if e.kind == "edit"]
        assert edited and w["expired"] in edited[-1].text, name
        assert w["declined"] not in edited[-1].text.lower()

    # the case card's history and the coordinator's /handoffs read it the same way
    events = await chat.say("alice", f"/case {case.code}")
    card = chat.texts("alice", events)
    assert w["history"] in card and w["declined"] not in card.lower()
    assert w["history_alerted"] in card
    events = await chat.say("cora", "/handoffs")
    listing = chat.texts("cora", events)
    assert case.code in listing and w["expired"] in listing
    assert w["declined"] not in listing.lower()

    async with app.sessionmaker() as session:  # the stored lifecycle is unchanged
        handoff = await session.get(Handoff, handoff_id)
        assert (handoff.status, handoff.status_reason) == ("rejected", "no-response")


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_escalation_carries_the_request_a_date_in_words_and_actions(app, chat, clock,
                                                                         lang):
    w = W[lang]
    _handoff_id, case = await setup(app, chat, lang)
    await tick(app, chat, clock)
    events = await tick(app, chat, clock)

    olga_sees = chat.texts("olga", events)  # on call: never shown the request before
    assert w["on_call"] in olga_sees and w["request"] in olga_sees
    assert case.code in olga_sees and NOTE in olga_sees  # she acts for the service
    assert "⏰" not in olga_sees  # no "still waiting" about a request never shown to her
    assert w["since"] in olga_sees
    assert chat.buttons("olga") == [w["accept_for"], w["decline"], w["call"], w["reassign"]]

    cora_sees = chat.texts("cora", events)
    assert w["unanswered"] in cora_sees and w["request"] in cora_sees
    assert case.code in cora_sees and NOTE not in cora_sees  # coordinators never see notes
    assert w["since"] in cora_sees
    assert not re.search(r"\d{4}-\d{2}-\d{2}", cora_sees) and ".." not in cora_sees
    assert "2026" not in cora_sees  # this year: no year
    assert chat.buttons("cora") == [w["accept_for"], w["call"], w["reassign"]]

    events = await chat.press("cora", w["call"])
    assert PHONE in chat.texts("cora", events)

    # the coordinator finds it again in /handoffs, with the same actions one tap away
    events = await chat.say("cora", "/handoffs")
    assert f"1. ⚠️ {case.code}" in chat.texts("cora", events)
    assert chat.buttons("cora") == [f"1. {case.code}"]
    events = await chat.press("cora", case.code)
    assert w["unanswered"] in chat.texts("cora", events)
    assert NOTE not in chat.texts("cora", events)
    assert chat.buttons("cora") == [w["accept_for"], w["call"], w["reassign"]]


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_coordinator_accepts_for_the_service_and_becomes_owner(app, chat, clock, lang):
    w = W[lang]
    handoff_id, case = await setup(app, chat, lang)
    await tick(app, chat, clock, 2)
    events = await chat.press("cora", w["accept_for"])
    assert w["accepted_by"] in chat.texts("alice", events).lower()
    assert w["accepted_by"] in chat.texts("olga", events).lower()
    assert w["write"] in " ".join(chat.buttons("cora"))
    assert NOTE in chat.texts("cora", events)  # now the receiving worker: the note is theirs
    async with app.sessionmaker() as session:
        handoff = await session.get(Handoff, handoff_id)
        cora = await chat.worker("cora")
        assert handoff.status == "accepted" and handoff.owner_id == cora.id
    # nothing expires later
    assert not [e for e in await tick(app, chat, clock, 5) if e.chat_id == chat.user_id("alice")
                and w["expired"] in (e.text or "")]


async def test_on_call_accepts_for_the_service(app, chat, clock):
    handoff_id, _case = await setup(app, chat, "fr")
    await tick(app, chat, clock, 2)
    events = await chat.press("olga", W["fr"]["accept_for"])
    assert "acceptée par olga" in chat.texts("alice", events).lower()
    async with app.sessionmaker() as session:
        handoff = await session.get(Handoff, handoff_id)
        assert handoff.owner_id == (await chat.worker("olga")).id


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_coordinator_reassigns_to_a_receiver(app, chat, clock, lang):
    w = W[lang]
    handoff_id, case = await setup(app, chat, lang)
    await tick(app, chat, clock, 2)
    await chat.press("cora", w["reassign"])
    assert chat.buttons("cora") == ["bob (Maison B (fictive))"]
    events = await chat.press("cora", "bob")
    bob_sees = chat.texts("bob", events)
    assert w["sent_by"] in bob_sees and case.code in bob_sees and NOTE in bob_sees
    assert chat.buttons("bob")[0] == w["accept"]
    alice_sees = chat.texts("alice", events)
    assert w["waiting_for"] in alice_sees and "bob" in alice_sees
    events = await chat.press("bob", w["accept"])
    async with app.sessionmaker() as session:
        handoff = await session.get(Handoff, handoff_id)
        assert handoff.owner_id == (await chat.worker("bob")).id


async def test_escalation_buttons_refuse_people_who_were_not_alerted(app, chat, clock):
    from bot.services.handoffs.notify import ESC_ACCEPT, sign

    handoff_id, _case = await setup(app, chat, "fr")
    await chat.register("zoe", org="Autre (fictif)", lang="fr")
    await tick(app, chat, clock, 2)
    message = chat.telegram.latest_with_buttons(chat.user_id("cora"))
    chat.as_user("zoe")
    start = len(chat.telegram.events)
    await chat.console.feed(chat.telegram.user_presses(
        chat.user_id("zoe"), message, sign(app, ESC_ACCEPT, handoff_id, chat.user_id("zoe"))))
    assert "ne fait pas partie des vôtres" in " ".join(e.text for e in chat.telegram.events[start:])
    async with app.sessionmaker() as session:
        assert (await session.scalar(select(Handoff))).status == "requested"


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_requester_told_when_nobody_else_can_be_alerted(app, chat, clock, lang):
    alice = await chat.register("alice", org="Organisme A (fictif)", lang=lang)
    bob = await chat.register("bob", org="Maison B (fictive)", lang=lang)
    svc = await add_service(app, "Hébergement Seul", receivers=(bob,))
    case = await add_case(app, alice)
    async with app.sessionmaker() as session:
        await service.create(app, session, requester=await session.get(Worker, alice.id),
                             case=await session.get(Case, case.id), service_id=svc.id,
                             priority="urgent", note=None)
        await commit(session, app.sessionmaker)
    await tick(app, chat, clock)
    events = await tick(app, chat, clock)
    seen = chat.texts("alice", events)
    assert case.code in seen
    assert ("nous ne pouvons alerter personne d'autre" if lang == "fr"
            else "nobody else can be alerted") in seen
    assert chat.buttons("alice") == [W[lang]["next"]]


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_a_late_accept_on_an_expired_request_says_expired(app, chat, clock, lang):
    """A receiver who still has the request open and accepts after the expiry reads why not:
    "expired, no response", never "declined"."""
    w = W[lang]
    handoff_id, _case = await setup(app, chat, lang)
    for _ in range(3):
        await tick(app, chat, clock)
    async with app.sessionmaker() as session:
        bob = (await session.scalars(select(Worker).where(Worker.display_name == "bob"))).one()
        with pytest.raises(service.TransitionRefused) as refused:
            await service.accept(app, session, handoff_id, bob)
    error = refused.value
    said = app.translator.text(lang).gettext(error.message, **{
        key: app.translator.text(lang).gettext(value) for key, value in error.params.items()})
    assert w["expired"] in said and w["declined"] not in said.lower()
