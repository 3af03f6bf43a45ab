"""An honest "Request handoff": a button for a service nobody can receive for (forged, or from an
old message) is refused clearly, with the card's number, before any case is created."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select

from bot.models.cases import Case
from bot.models.directory import DirectoryPhone, ServiceReceiver
from bot.models.handoffs import Handoff
from bot.services.directory.state import bump_version
from handlers.handoffs.common import NEW_CASE
from handlers.secure import sign
from tests.handoffs.conftest import add_case, add_service, offer_button

WORDS = {
    "fr": {"refused": "Personne ne reçoit les demandes de prise en charge pour ce service dans "
                      "Relais (fiche\u00a0: <b>Ligne Test</b>)\u00a0: aucune demande n'a été "
                      "envoyée et aucun dossier n'a été créé.",
           "call": "Appelez plutôt le service\u00a0: 1-800-555-0100",
           "no_phone": "Joignez le service directement", "new": "Nouveau dossier",
           "consent": "Oui, le ou la jeune consent"},
    "en": {"refused": "Nobody receives handoffs for <b>Ligne Test</b> through Relais, so no "
                      "request was sent and no case was created.",
           "call": "Call the service instead: 1-800-555-0100",
           "no_phone": "Contact them directly", "new": "New case", "consent": "Yes"},
}


async def cases_count(app) -> int:  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(Case))


async def add_phone(app, service_id: int) -> None:  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        session.add(DirectoryPhone(hsds_id=f"phone-{service_id}", service_id=service_id,
                                   number="1-800-555-0100"))
        await bump_version(session, app.clock.now())
        await session.commit()


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_request_to_a_service_nobody_receives_is_refused_with_its_number(app, chat, lang):
    w = WORDS[lang]
    await chat.register("alice", org="Organisme A (fictif)", lang=lang)
    svc = await add_service(app, "Ligne Test")
    await add_phone(app, svc.id)
    await offer_button(app, chat, "alice", svc.id)  # forged, or from before
    events = await chat.press("alice", "Request handoff")
    alice_sees = chat.texts("alice", events)
    assert w["refused"].replace("<b>", "").replace("</b>", "") in alice_sees
    assert w["call"] in alice_sees
    assert w["new"] not in " ".join(chat.buttons("alice"))  # no case picker
    assert await cases_count(app) == 0


async def test_without_a_number_the_card_is_pointed_to(app, chat):
    await chat.register("alice", org="Organisme A (fictif)", lang="en")
    svc = await add_service(app, "Ligne Test")
    await offer_button(app, chat, "alice", svc.id)
    events = await chat.press("alice", "Request handoff")
    assert WORDS["en"]["no_phone"] in chat.texts("alice", events)


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_receiver_removed_meanwhile_refused_before_the_case_is_created(app, chat, lang):
    w = WORDS[lang]
    await chat.register("alice", org="Organisme A (fictif)", lang=lang)
    bob = await chat.register("bob", org="Maison B (fictive)", lang=lang)
    svc = await add_service(app, "Ligne Test", receivers=(bob,))
    await offer_button(app, chat, "alice", svc.id)
    await chat.press("alice", "Request handoff")
    await chat.press("alice", w["new"])
    consent = chat.telegram.latest_with_buttons(chat.user_id("alice"))
    async with app.sessionmaker() as session:  # bob stops receiving for it
        await session.execute(delete(ServiceReceiver))
        await session.commit()
    events = await chat.press("alice", w["consent"])
    assert w["refused"].replace("<b>", "").replace("</b>", "") in chat.texts("alice", events)
    assert await cases_count(app) == 0
    # the same consent button, signed for her, pressed again later: still nothing created
    chat.as_user("alice")
    data = sign(app, NEW_CASE, svc.id, chat.user_id("alice"), "y")
    await chat.console.feed(chat.telegram.user_presses(chat.user_id("alice"), consent, data))
    assert await cases_count(app) == 0


async def test_an_old_case_button_for_a_service_nobody_receives_is_refused(app, chat):
    alice = await chat.register("alice", org="Organisme A (fictif)", lang="en")
    bob = await chat.register("bob", org="Maison B (fictive)", lang="en")
    svc = await add_service(app, "Ligne Test", receivers=(bob,))
    case = await add_case(app, alice)
    await offer_button(app, chat, "alice", svc.id)
    await chat.press("alice", "Request handoff")
    async with app.sessionmaker() as session:
        await session.execute(delete(ServiceReceiver))
        await session.commit()
    events = await chat.press("alice", case.code)
    assert "no request was sent" in chat.texts("alice", events)
    assert "Priority" not in chat.texts("alice", events)
    async with app.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Handoff)) == 0


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_new_case_is_announced_once_stored(app, chat, lang):
    """The "case created" line and the priority question come after the case is stored."""
    w = WORDS[lang]
    await chat.register("alice", org="Organisme A (fictif)", lang=lang)
    bob = await chat.register("bob", org="Maison B (fictive)", lang=lang)
    svc = await add_service(app, "Ligne Test", receivers=(bob,))
    await offer_button(app, chat, "alice", svc.id)
    await chat.press("alice", "Request handoff")
    await chat.press("alice", w["new"])
    events = await chat.press("alice", w["consent"])
    async with app.sessionmaker() as session:
        case = await session.scalar(select(Case))
    kinds = [(e.kind, case.code in e.text) for e in chat.seen_by("alice", events)]
    assert ("edit", True) in kinds and ("send", True) in kinds
    assert chat.buttons("alice")[0] == ("🔴 Urgente" if lang == "fr" else "🔴 Urgent")
