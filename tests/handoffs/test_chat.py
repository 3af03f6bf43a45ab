"""Conversations: request → accept → thread → complete, and request → decline → next service,
in French and English, with two and three local users; refusals to people who may not act."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.models.cases import Case
from bot.models.handoffs import Handoff
from tests.handoffs.conftest import add_case, add_service, offer_button

FR = {"request": "Demander une prise en charge", "urgent": "Urgente", "accept": "Accepter",
      "decline": "Refuser", "write": "Écrire dans le fil", "done": "Terminée",
      "in_progress": "En cours", "no_capacity": "Pas de place", "next": "Voir les services",
      "without": "Envoyer sans note"}
EN = {"request": "Request handoff", "urgent": "Urgent", "accept": "Accept",
      "decline": "Decline", "write": "Write in the thread", "done": "Completed",
      "in_progress": "In progress", "no_capacity": "No capacity", "next": "See the next",
      "without": "Send without a note"}


async def request(chat, app, name, svc, case, words, note=None):  # type: ignore[no-untyped-def]
    """NAME taps "Request handoff" on a result, picks the case, urgent, and a note or none."""
    await offer_button(app, chat, name, svc.id)
    await chat.press(name, "Request handoff")
    assert case.code in chat.buttons(name)[0]
    await chat.press(name, case.code)
    await chat.press(name, words["urgent"])
    if note is None:
        return await chat.press(name, words["without"])
    return await chat.say(name, note)


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_two_users_request_accept_thread_complete(app, chat, lang):
    words = FR if lang == "fr" else EN
    alice = await chat.register("alice", org="Organisme A (fictif)", lang=lang)
    bob = await chat.register("bob", org="Maison B (fictive)", lang=lang)
    svc = await add_service(app, "Hébergement Test", name_en="Test Shelter", receivers=(bob,))
    case = await add_case(app, alice)

    events = await request(chat, app, "alice", svc, case, words, note="arrive en bus ce soir")
    alice_sees, bob_sees = chat.texts("alice", events), chat.texts("bob", events)
    assert case.code in alice_sees
    assert ("1 personne avisée" if lang == "fr" else "1 receiving worker notified") in alice_sees
    assert ("Demande de prise en charge" if lang == "fr" else "Handoff request") in bob_sees
    assert "URGENT" in bob_sees and "arrive en bus ce soir" in bob_sees
    assert chat.seen_by("bob", events)[-1].protected
    assert chat.buttons("bob") == ([words["accept"], words["decline"], "Poser une question"]
                                   if lang == "fr" else
                                   [words["accept"], words["decline"], "Ask a question"])

    events = await chat.press("bob", words["accept"])
    accepted = "acceptée par bob" if lang == "fr" else "accepted by bob"
    assert accepted in chat.texts("alice", events).lower()
    assert "Maison B (fictive)" in chat.texts("alice", events)
    assert [e.kind for e in chat.seen_by("bob", events)] == ["edit", "notice"]
    assert words["write"] in " ".join(chat.buttons("bob"))

    await chat.press("bob", words["write"])
    events = await chat.say("bob", "On l'attend à 19 h, lit réservé.")
    assert "On l'attend à 19 h, lit réservé." in chat.texts("alice", events)
    assert "bob" in chat.texts("alice", events)

    await chat.press("alice", "Répondre" if lang == "fr" else "Reply")  # under the relayed one
    events = await chat.say("alice", "Parfait, merci!")
    assert "Parfait, merci!" in chat.texts("bob", events)

    events = await chat.say("bob", "/handoffs")
    await chat.press("bob", case.code)
    events = await chat.press("bob", words["in_progress"])
    assert ("en cours" if lang == "fr" else "in progress") in chat.texts("alice", events)
    events = await chat.press("bob", words["done"])
    done = "terminée" if lang == "fr" else "completed"
    assert done in chat.texts("alice", events)

    events = await chat.say("alice", f"/case {case.code}")
    card = chat.texts("alice", events)
    if lang == "fr":
        assert "prise en charge par Hébergement Test demandée par alice" in card
        assert "prise en charge par Hébergement Test acceptée par bob" in card
        assert "prise en charge par Hébergement Test terminée (bob)" in card
    else:
        assert "handoff requested to Hébergement Test by alice" in card
        assert "handoff to Hébergement Test accepted by bob" in card
        assert "handoff to Hébergement Test completed (bob)" in card
    async with app.sessionmaker() as session:
        assert (await session.get(Case, case.id)).closed_at is not None


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_three_users_first_accept_wins_and_the_other_sees_who(app, chat, lang):
    words = FR if lang == "fr" else EN
    alice = await chat.register("alice", org="Organisme A (fictif)", lang=lang)
    bob = await chat.register("bob", org="Maison B (fictive)", lang=lang)
    carol = await chat.register("carol", org="Maison B (fictive)",
                                lang="en" if lang == "fr" else "fr")
    svc = await add_service(app, "Hébergement Test", receivers=(bob, carol))
    case = await add_case(app, alice)
    await request(chat, app, "alice", svc, case, words)

    carol_words = EN if lang == "fr" else FR
    events = await chat.press("carol", carol_words["accept"])
    bob_sees = chat.texts("bob", events)
    assert ("acceptée par carol" if lang == "fr" else "accepted by carol") in bob_sees.lower()
    assert chat.buttons("bob") == []  # his buttons went
    # his stale button (pressed anyway) says who took it
    bob_message = next(m for (c, _i), m in chat.telegram.messages.items()
                       if c == chat.user_id("bob"))
    assert "reply_markup" not in bob_message

    await chat.press("carol", carol_words["write"])
    events = await chat.say("carol", "Bienvenue, on a une place.")
    assert "Bienvenue, on a une place." in chat.texts("alice", events)
    assert "Bienvenue" not in chat.texts("bob", events)  # not a participant
    events = await chat.press("carol", carol_words["done"])
    assert ("terminée" if lang == "fr" else "completed") in chat.texts("alice", events)
    events = await chat.say("bob", f"/case {case.code}")
    assert case.code not in chat.texts("bob", events) or "Aucun" in chat.texts("bob", events) \
        or "No case" in chat.texts("bob", events)


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_decline_with_reason_then_next_service(app, chat, lang):
    words = FR if lang == "fr" else EN
    alice = await chat.register("alice", org="Organisme A (fictif)", lang=lang)
    bob = await chat.register("bob", org="Maison B (fictive)", lang=lang)
    dora = await chat.register("dora", org="Maison D (fictive)", lang=lang)
    svc = await add_service(app, "Hébergement B", receivers=(bob,))
    await add_service(app, "Hébergement D", receivers=(dora,))
    case = await add_case(app, alice)
    await request(chat, app, "alice", svc, case, words)

    await chat.press("bob", words["decline"])
    reasons = chat.buttons("bob")
    assert words["no_capacity"] in reasons and len(reasons) == 5
    events = await chat.press("bob", words["no_capacity"])
    alice_sees = chat.texts("alice", events).lower()
    assert ("refusé" if lang == "fr" else "declined") in alice_sees
    assert words["no_capacity"].lower() in alice_sees

    events = await chat.press("alice", words["next"])
    listing = chat.texts("alice", events)
    assert "Hébergement D" in listing and "Hébergement B" not in listing
    await chat.press("alice", "1")
    await chat.press("alice", words["urgent"])
    events = await chat.press("alice", words["without"])
    assert "Hébergement D" in chat.texts("dora", events)
    assert chat.buttons("dora")[0] == words["accept"]
    async with app.sessionmaker() as session:
        statuses = [(h.service_name, h.status, h.status_reason) for h in (await session.scalars(
            select(Handoff).order_by(Handoff.id))).all()]
    assert statuses == [("Hébergement B", "rejected", "no-capacity"),
                        ("Hébergement D", "requested", None)]


async def test_decline_other_needs_a_screened_note(app, chat):
    alice = await chat.register("alice", org="Organisme A (fictif)", lang="fr")
    bob = await chat.register("bob", org="Maison B (fictive)", lang="fr")
    svc = await add_service(app, "Hébergement B", receivers=(bob,))
    case = await add_case(app, alice)
    await request(chat, app, "alice", svc, case, FR)
    await chat.press("bob", "Refuser")
    await chat.press("bob", chat.buttons("bob").index("Autre") + 1)  # not "…un autre service"
    events = await chat.say("bob", "Sa mère Julie Tremblay a appelé au 514-555-0199")
    assert "Julie" not in chat.texts("alice", events)
    async with app.sessionmaker() as session:
        assert (await session.scalar(select(Handoff))).status == "requested"
    events = await chat.say("bob", "Hors de notre territoire")
    assert "Autre" in chat.texts("alice", events)
    assert "Hors de notre territoire" in chat.texts("alice", events)


async def test_refusals_non_participant_and_other_users_button(app, chat):
    alice = await chat.register("alice", org="Organisme A (fictif)", lang="fr")
    bob = await chat.register("bob", org="Maison B (fictive)", lang="fr")
    await chat.register("zoe", org="Autre (fictif)", lang="fr")
    svc = await add_service(app, "Hébergement B", receivers=(bob,))
    case = await add_case(app, alice)
    await request(chat, app, "alice", svc, case, FR, note="note privée")
    bob_message = chat.telegram.latest_with_buttons(chat.user_id("bob"))
    accept_data = bob_message["reply_markup"]["inline_keyboard"][0][0]["callback_data"]

    # zoe presses bob's Accept button (data signed for bob): refused, nothing changes
    chat.as_user("zoe")
    start = len(chat.telegram.events)
    await chat.console.feed(chat.telegram.user_presses(chat.user_id("zoe"), bob_message,
                                                       accept_data))
    notices = [e.text for e in chat.telegram.events[start:]]
    assert any("pas valide pour vous" in t for t in notices), notices
    # crafted data with a made-up signature
    await chat.console.feed(chat.telegram.user_presses(chat.user_id("zoe"), bob_message,
                                                       "sx:ho.mv:1:accepted:AAAAAAAAAAAAAAAA"))
    async with app.sessionmaker() as session:
        assert (await session.scalar(select(Handoff))).status == "requested"

    # zoe is no participant: /case refuses, /handoffs shows nothing of it
    events = await chat.say("zoe", f"/case {case.code}")
    assert "note privée" not in chat.texts("zoe", events)
    assert case.code not in chat.texts("zoe", events).replace(f"/case {case.code}", "")
    events = await chat.say("zoe", "/handoffs")
    assert case.code not in chat.texts("zoe", events)

    # the requester cannot accept her own request, the receiver cannot cancel it
    async with app.sessionmaker() as session:
        handoff = await session.scalar(select(Handoff))
    from bot.services.handoffs.notify import MOVE, sign

    for name, extra in (("alice", "accepted"), ("bob", "cancelled.other")):
        chat.as_user(name)
        data = sign(app, MOVE, handoff.id, chat.user_id(name), extra)
        start = len(chat.telegram.events)
        await chat.console.feed(chat.telegram.user_presses(chat.user_id(name), bob_message, data))
        notices = " ".join(e.text for e in chat.telegram.events[start:])
        assert ("Seule la personne" in notices), notices


async def test_coordinator_sees_region_handoffs_without_notes(app, chat):
    alice = await chat.register("alice", org="Organisme A (fictif)", lang="fr")
    bob = await chat.register("bob", org="Maison B (fictive)", lang="fr")
    await chat.register("cora", role="coordinator", regions=("06",), lang="fr")
    await chat.register("cole", role="coordinator", regions=("03",), lang="fr")
    svc = await add_service(app, "Hébergement B", receivers=(bob,))
    case = await add_case(app, alice)
    await request(chat, app, "alice", svc, case, FR, note="note privée")
    events = await chat.say("cora", "/handoffs")
    seen = chat.texts("cora", events)
    assert case.code in seen and "demandée" in seen and "note privée" not in seen
    events = await chat.say("cole", "/handoffs")
    assert case.code not in chat.texts("cole", events)


async def test_receivers_command_makes_a_worker_receiver(app, chat):
    await chat.register("cora", role="coordinator", regions=("06",), lang="fr")
    await chat.register("bob", org="Maison B (fictive)", regions=("06",), lang="fr")
    await add_service(app, "Hébergement Zèbre")
    await chat.say("cora", "/receivers zèbre")
    await chat.press("cora", "Hébergement Zèbre")
    events = await chat.press("cora", "bob")
    assert "✅ bob" in chat.buttons("cora")
    assert events
    await chat.register("walt", org="W (fictif)", lang="fr")
    events = await chat.say("walt", "/receivers zèbre")
    assert "coordination" in chat.texts("walt", events)


async def test_receivers_search_that_identifies_someone_is_deleted(app, chat):
    await chat.register("cora", role="coordinator", regions=("06",), lang="en")
    await add_service(app, "Hébergement Zèbre")
    events = await chat.say("cora", "/receivers Jessica Tremblay 514-555-0142")
    assert any(e.kind == "delete" for e in events)
    reply = chat.texts("cora", [e for e in events if e.kind == "send"])
    assert "a person's name and a phone number" in reply
    assert "Jessica" not in reply and "Which service?" not in reply


async def test_coordinator_names_and_removes_receivers(app, chat):
    from bot.models.core import AuditEntry
    from bot.services.directory.receivers import receivers_of

    await chat.register("cora", role="coordinator", lang="en")
    await chat.register("bob", lang="fr")
    svc = await add_service(app, "Hébergement Test", name_en="Test Shelter")
    events = await chat.say("cora", "/receivers Hébergement Test")
    assert chat.texts("cora", events) == "Which service?"
    await chat.press("cora", "Test Shelter")  # the name in cora's language
    assert "bob" in chat.buttons("cora")
    await chat.press("cora", "bob")
    assert "✅ bob" in chat.buttons("cora")
    async with app.sessionmaker() as session:
        assert [w.display_name for w in await receivers_of(session, svc.id)] == ["bob"]
    await chat.press("cora", "bob")
    assert "✅ bob" not in chat.buttons("cora")
    async with app.sessionmaker() as session:
        assert await receivers_of(session, svc.id) == []
        actions = list(await session.scalars(select(AuditEntry.action)))
    assert {"directory.receiver_added", "directory.receiver_removed"} <= set(actions)
    # A worker cannot name receivers.
    events = await chat.say("bob", "/receivers Hébergement")
    assert chat.texts("bob", events) == "Cette commande est réservée à la coordination."
