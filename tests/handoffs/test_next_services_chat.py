"""After a decline, "See the next services" lists the same search widened to the neighbouring
regions (each marked with its region), keeps the case (a result's button asks the handoff for
the same case), offers a handoff only where someone receives it (else the phone), and when
nothing at all is left says what to do instead of a dead end."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.models.directory import DirectoryPhone
from bot.models.handoffs import Handoff
from bot.services.directory.state import bump_version
from tests.handoffs.conftest import add_case, add_service
from tests.handoffs.test_chat import EN, FR, request

W = {
    "fr": {"mark": "Région voisine", "call": "à appeler", "request_n": "Demander une prise en "
           "charge", "priority": "Priorité", "nothing": "Plus rien ne correspond",
           "todo": "chercher de nouveau avec moins de besoins ou dans une autre région",
           "old": "Aucun autre service"},
    "en": {"mark": "Neighbouring region", "call": "call: no handoff here",
           "request_n": "Request handoff", "priority": "Priority",
           "nothing": "Nothing else matches", "todo": "search again with fewer needs or in "
           "another region", "old": "No other service"},
}
PHONE = "450 555-0123"


async def decline(chat, app, lang):  # type: ignore[no-untyped-def]
    """alice (Montréal) asks bob's Montréal shelter; bob declines (no capacity)."""
    words = FR if lang == "fr" else EN
    alice = await chat.register("alice", org="Organisme A (fictif)", lang=lang)
    bob = await chat.register("bob", org="Maison B (fictive)", lang=lang)
    svc = await add_service(app, "Hébergement Montréal Test", receivers=(bob,))
    case = await add_case(app, alice)
    await request(chat, app, "alice", svc, case, words)
    await chat.press("bob", words["decline"])
    await chat.press("bob", words["no_capacity"])
    return case, words


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_next_services_widen_to_neighbours_marked_and_keep_the_case(app, chat, lang):
    w = W[lang]
    dora = await chat.register("dora", org="Refuge L (fictif)", lang=lang)
    await add_service(app, "Refuge Laval Test", region="13", receivers=(dora,))
    far = await add_service(app, "Maison Montérégie Test", region="16")  # nobody receives
    async with app.sessionmaker() as session:
        session.add(DirectoryPhone(hsds_id=f"phone-{far.id}", service_id=far.id, number=PHONE))
        await bump_version(session, app.clock.now())
        await session.commit()
    case, words = await decline(chat, app, lang)

    events = await chat.press("alice", words["next"])
    listing = chat.texts("alice", events)
    assert case.code in listing and w["old"] not in listing
    assert "Refuge Laval Test" in listing and f"{w['mark']}" in listing and "Laval" in listing
    assert "Hébergement Montréal Test" not in listing  # already tried
    assert "Maison Montérégie Test" in listing  # with its phone, no handoff button
    assert PHONE in listing and w["call"] in listing
    buttons = chat.buttons("alice")
    assert len(buttons) == 1 and w["request_n"] in buttons[0]

    events = await chat.press("alice", buttons[0])  # the same case, straight to the priority
    assert case.code in chat.texts("alice", events) and w["priority"] in chat.texts("alice",
                                                                                     events)
    await chat.press("alice", words["urgent"])
    events = await chat.press("alice", words["without"])
    assert "Refuge Laval Test" in chat.texts("dora", events)
    async with app.sessionmaker() as session:
        handoffs = (await session.scalars(select(Handoff).order_by(Handoff.id))).all()
    assert [(h.service_name, h.case_id) for h in handoffs] == [
        ("Hébergement Montréal Test", case.id), ("Refuge Laval Test", case.id)]


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_nothing_left_says_what_to_do(app, chat, lang):
    w = W[lang]
    case, words = await decline(chat, app, lang)
    events = await chat.press("alice", words["next"])
    seen = chat.texts("alice", events)
    assert w["nothing"] in seen and case.code in seen and w["todo"] in seen
    assert w["old"] not in seen
