"""An urgent request to up to three services at once: offered with the note's question (only
services someone receives for), sent as one group, and the first acceptance wins for all: the
others are withdrawn, their receivers' messages edited and a short notice sent."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.models.handoffs import Handoff
from tests.handoffs.conftest import add_case, add_service, offer_button
from tests.handoffs.test_chat import EN, FR

WORDS = {
    "fr": {"offer": "Urgent\u00a0: la demande peut aussi aller à deux autres services au plus",
           "sent": "à 3 services à la fois", "several": "Envoyée à plusieurs services à la fois",
           "withdrawn": "↪️ Retirée\u00a0: cette demande urgente a été envoyée à plusieurs "
                        "services, et un autre l'a acceptée en premier (Refuge C)",
           "notice": "demande retirée, un autre service l'a acceptée en premier",
           "alice": "demande acceptée en premier (fiche\u00a0: Refuge C); vos autres demandes "
                    "(Refuge A, Refuge B) ont donc été retirées",
           "too_late": "Trop tard", "at_most": "Deux autres services au plus",
           "routine": "Ordinaire"},
    "en": {"offer": "Urgent: it can also go to up to two more services of the same search",
           "sent": "to 3 services at once", "several": "Sent to several services at once",
           "withdrawn": "↪️ Withdrawn: this urgent request went to several services and "
                        "Refuge C accepted it first",
           "notice": "request withdrawn, another service accepted it first",
           "alice": "Refuge C accepted first, so your requests to Refuge A, Refuge B were "
                    "withdrawn and their receivers told",
           "too_late": "Too late", "at_most": "Two more services at most",
           "routine": "Routine"},
}


async def network(app, chat, lang):  # type: ignore[no-untyped-def]
    """alice asks; bob, carol, dora and emma receive for four shelters; nobody for a fifth."""
    alice = await chat.register("alice", org="Organisme A (fictif)", lang=lang)
    other = "en" if lang == "fr" else "fr"
    people = {name: await chat.register(name, org=f"Maison {name} (fictive)",
                                        lang=other if name == "dora" else lang)
              for name in ("bob", "carol", "dora", "emma")}
    services = {
        "A": await add_service(app, "Refuge A", receivers=(people["bob"],)),
        "B": await add_service(app, "Refuge B", receivers=(people["dora"],)),
        "C": await add_service(app, "Refuge C", receivers=(people["carol"],)),
        "D": await add_service(app, "Refuge D", receivers=(people["emma"],)),
        "X": await add_service(app, "Refuge X sans personne"),
    }
    case = await add_case(app, alice)
    return services, case


async def ask_urgent(chat, app, svc, case, words):  # type: ignore[no-untyped-def]
    await offer_button(app, chat, "alice", svc.id)
    await chat.press("alice", "Request handoff")
    await chat.press("alice", case.code)
    return await chat.press("alice", words["urgent"])


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_urgent_request_to_three_services_first_acceptance_wins(app, chat, lang):
    w, words = WORDS[lang], (FR if lang == "fr" else EN)
    services, case = await network(app, chat, lang)
    events = await ask_urgent(chat, app, services["A"], case, words)
    assert w["offer"] in chat.texts("alice", events)
    offered = chat.buttons("alice")
    assert offered == ["➕ Refuge B", "➕ Refuge C", "➕ Refuge D", words["without"]] or \
        sorted(offered[:3]) == ["➕ Refuge B", "➕ Refuge C", "➕ Refuge D"]
    assert not any("Refuge X" in b for b in offered)  # nobody receives for it

    await chat.press("alice", "Refuge B")
    await chat.press("alice", "Refuge C")
    assert "✅ Refuge B" in chat.buttons("alice") and "✅ Refuge C" in chat.buttons("alice")
    events = await chat.press("alice", "Refuge D")  # a third one: refused
    assert w["at_most"] in " ".join(e.text for e in events)
    assert "➕ Refuge D" in chat.buttons("alice")
    await chat.press("alice", "Refuge C")  # changed her mind, then back
    assert "➕ Refuge C" in chat.buttons("alice")
    await chat.press("alice", "Refuge C")

    events = await chat.say("alice", "arrive en autobus vers 22 h")
    assert w["sent"] in chat.texts("alice", events)
    for name in ("bob", "carol", "dora"):
        assert case.code in chat.texts(name, events)
    assert w["several"] in chat.texts("bob", events) and w["several"] in chat.texts("carol", events)
    assert ("Sent to several services" if lang == "fr" else "Envoyée à plusieurs services") \
        in chat.texts("dora", events)  # in dora's own language
    assert chat.texts("emma", events) == ""
    async with app.sessionmaker() as session:
        rows = (await session.scalars(select(Handoff).order_by(Handoff.id))).all()
    assert [h.service_name for h in rows] == ["Refuge A", "Refuge B", "Refuge C"]
    assert rows[0].group_key and len({h.group_key for h in rows}) == 1
    assert {h.priority for h in rows} == {"urgent"}

    bob_message = chat.telegram.latest_with_buttons(chat.user_id("bob"))
    bob_accept = bob_message["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    events = await chat.press("carol", words["accept"])
    assert w["withdrawn"] in chat.texts("bob", events)
    assert w["notice"] in chat.texts("bob", events)
    assert ("retirée, acceptée par un autre service" if lang == "fr" else
            "withdrawn, accepted by another service") in chat.texts("bob", events)
    assert [e.kind for e in chat.seen_by("bob", events)] == ["edit", "send"]
    assert chat.buttons("bob") == []
    dora_sees = chat.texts("dora", events)
    assert ("withdrawn" if lang == "fr" else "retirée") in dora_sees.lower()
    alice_sees = chat.texts("alice", events)
    assert ("acceptée par carol" if lang == "fr" else "accepted by carol") in alice_sees.lower()
    assert w["alice"] in alice_sees
    async with app.sessionmaker() as session:
        rows = (await session.scalars(select(Handoff).order_by(Handoff.id))).all()
    assert [(h.service_name, h.status, h.status_reason) for h in rows] == [
        ("Refuge A", "cancelled", "accepted-elsewhere"), ("Refuge B", "cancelled",
                                                          "accepted-elsewhere"),
        ("Refuge C", "accepted", None)]

    # bob's old Accept, pressed anyway: too late, and nothing changes
    chat.as_user("bob")
    start = len(chat.telegram.events)
    await chat.console.feed(chat.telegram.user_presses(chat.user_id("bob"), bob_message,
                                                       bob_accept))
    assert w["too_late"] in " ".join(e.text for e in chat.telegram.events[start:])
    async with app.sessionmaker() as session:
        assert (await session.get(Handoff, rows[0].id)).status == "cancelled"
    events = await chat.say("alice", f"/case {case.code}")
    assert ("un autre service l'a acceptée en premier" if lang == "fr" else
            "another service accepted first") in chat.texts("alice", events)


async def test_routine_requests_go_to_one_service(app, chat):
    services, case = await network(app, chat, "en")
    await offer_button(app, chat, "alice", services["A"].id)
    await chat.press("alice", "Request handoff")
    await chat.press("alice", case.code)
    events = await chat.press("alice", WORDS["en"]["routine"])
    assert WORDS["en"]["offer"] not in chat.texts("alice", events)
    assert chat.buttons("alice") == [EN["without"]]


async def test_a_decline_in_the_group_leaves_the_others_open(app, chat):
    services, case = await network(app, chat, "fr")
    await ask_urgent(chat, app, services["A"], case, FR)
    await chat.press("alice", "Refuge B")
    await chat.press("alice", FR["without"])
    await chat.press("bob", FR["decline"])
    await chat.press("bob", FR["no_capacity"])
    events = await chat.press("dora", EN["accept"])
    assert "Retirée" not in chat.texts("bob", events)  # declined already: stays so
    async with app.sessionmaker() as session:
        rows = (await session.scalars(select(Handoff).order_by(Handoff.id))).all()
    assert [(h.status, h.status_reason) for h in rows] == [("rejected", "no-capacity"),
                                                           ("accepted", None)]


async def test_a_stale_add_button_is_refused(app, chat):
    services, case = await network(app, chat, "en")
    await ask_urgent(chat, app, services["A"], case, EN)
    old = chat.telegram.latest_with_buttons(chat.user_id("alice"))
    add_b = old["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    await chat.press("alice", EN["without"])  # sent alone; the choice is over
    chat.as_user("alice")
    start = len(chat.telegram.events)
    await chat.console.feed(chat.telegram.user_presses(chat.user_id("alice"), old, add_b))
    assert "no longer current" in " ".join(e.text for e in chat.telegram.events[start:])
    async with app.sessionmaker() as session:
        assert len((await session.scalars(select(Handoff))).all()) == 1


async def test_only_possible_services_join_a_group(app, chat):
    """Service level: routine requests never group; a service nobody receives for, the same
    service twice or one already asked are left out, and a lone request has no group."""
    from bot.db.effects import commit
    from bot.models.core import Worker
    from bot.services.handoffs import creating

    services, case = await network(app, chat, "en")
    alice = await chat.worker("alice")

    async def ask(service, priority, also):  # type: ignore[no-untyped-def]
        async with app.sessionmaker() as session:
            sent = await creating.request(
                app, session, requester=await session.get(Worker, alice.id), case_id=case.id,
                service_id=services[service].id, priority=priority, note=None, criteria=None,
                also=[services[s].id for s in also])
            await commit(session, app.sessionmaker)
            return sent

    sent = await ask("A", "routine", ["B"])
    assert sent.also == () and sent.handoff.group_key is None
    sent = await ask("B", "urgent", ["X", "B", "A"])  # nobody / itself / already asked
    assert sent.also == () and sent.handoff.group_key is None
    sent = await ask("C", "urgent", ["D", "D", "X"])
    assert [h.service_name for h in sent.also] == ["Refuge D"]
    assert sent.handoff.group_key == sent.also[0].group_key is not None
    assert sent.notified == 2
