"""Accepting a handoff to a service that shows free places offers the receiver one tap to update
them: "−1" or keep the current count, stored by the directory once the accept is stored."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.models.core import AuditEntry, Worker
from bot.models.directory import ServiceCapacity
from bot.services.directory.capacity import current_capacity
from bot.services.directory.receivers import set_capacity
from tests.handoffs.conftest import add_case, add_service
from tests.handoffs.test_chat import EN, FR, request

WORDS = {
    "fr": {"offer": "Places affichées (fiche\u00a0: Hébergement Test)\u00a0: 3 places",
           "minus": "−1 → 2 places", "keep": "Garder 3 places", "saved": "2 places"},
    "en": {"offer": "Places shown for Hébergement Test: 3 places",
           "minus": "−1 → 2 places", "keep": "Keep 3 places", "saved": "2 places"},
}


async def with_places(app, chat, lang, places):  # type: ignore[no-untyped-def]
    alice = await chat.register("alice", org="Organisme A (fictif)", lang=lang)
    bob = await chat.register("bob", org="Maison B (fictive)", lang=lang)
    svc = await add_service(app, "Hébergement Test", receivers=(bob,))
    if places is not None:
        async with app.sessionmaker() as session:
            await set_capacity(session, await session.get(Worker, bob.id), svc.id, places,
                               app.clock.now())
            await session.commit()
    case = await add_case(app, alice)
    await request(chat, app, "alice", svc, case, FR if lang == "fr" else EN)
    return svc


async def available(app, service_id):  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        stored = await session.scalar(select(ServiceCapacity.available).where(
            ServiceCapacity.service_id == service_id))
        shown = await current_capacity(app, session, service_id)
        return stored, shown.available if shown else None


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_accept_offers_minus_one_and_it_is_stored(app, chat, lang):
    w = WORDS[lang]
    svc = await with_places(app, chat, lang, 3)
    events = await chat.press("bob", FR["accept"] if lang == "fr" else EN["accept"])
    bob_sees = chat.texts("bob", events)
    assert w["offer"] in bob_sees
    assert chat.buttons("bob") == [w["minus"], w["keep"]]
    assert "Places" not in chat.texts("alice", events)  # only the receiver is asked
    events = await chat.press("bob", w["minus"])
    assert w["saved"] in chat.texts("bob", events)
    assert await available(app, svc.id) == (2, 2)  # what searches now show


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_keep_confirms_the_count(app, chat, clock, lang):
    from datetime import timedelta

    w = WORDS[lang]
    svc = await with_places(app, chat, lang, 3)
    await chat.press("bob", FR["accept"] if lang == "fr" else EN["accept"])
    clock.advance(timedelta(minutes=5))
    await chat.press("bob", w["keep"])
    assert await available(app, svc.id) == (3, 3)
    async with app.sessionmaker() as session:
        audits = list(await session.scalars(select(AuditEntry.action).where(
            AuditEntry.action == "directory.capacity")))
    assert len(audits) == 2  # set up, then confirmed now


async def test_no_figure_no_offer(app, chat):
    await with_places(app, chat, "en", None)
    events = await chat.press("bob", EN["accept"])
    assert "Places shown" not in chat.texts("bob", events)


async def test_zero_places_offers_keep_only(app, chat):
    await with_places(app, chat, "en", 0)
    events = await chat.press("bob", EN["accept"])
    assert "Places shown for Hébergement Test: 0 places" in chat.texts("bob", events)
    assert chat.buttons("bob") == ["Keep 0 places"]


async def test_an_organisation_worker_who_may_not_store_places_is_not_offered(app, chat):
    """Workers of the service's organisation receive without being named; the directory lets
    only named receivers store places, so they are not offered a button that would refuse."""
    from bot.models.core import Organisation

    alice = await chat.register("alice", org="Organisme A (fictif)", lang="en")
    bob = await chat.register("bob", org="Maison B (fictive)", lang="en")
    svc = await add_service(app, "Hébergement Test", receivers=(bob,), org="Maison B (fictive)")
    olga = await chat.register("olga", org="Maison B (fictive)", lang="en")
    async with app.sessionmaker() as session:
        org = await session.get(Organisation, (await session.get(Worker, olga.id)).organisation_id)
        org.directory_org_id = svc.hsds_org
        await set_capacity(session, await session.get(Worker, bob.id), svc.id, 3, app.clock.now())
        await session.commit()
    case = await add_case(app, alice)
    await request(chat, app, "alice", svc, case, EN)
    events = await chat.press("olga", EN["accept"])
    assert "accepted" in chat.texts("alice", events).lower()
    assert "Places shown" not in chat.texts("olga", events)
