"""Safety: who may name receivers, every audit row names its actor, single-use invitations under
concurrent ``/start``."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.db.engine import make_engine, make_sessionmaker
from bot.models.core import AuditEntry, Invitation, Organisation, Worker
from bot.models.directory import ServiceReceiver
from bot.services import invitations, workers
from bot.services.directory import receivers
from handlers.runtime import stop_background
from handlers.secure import sign
from tests.handoffs.conftest import add_service
from tests.support.chat import Chat


@pytest.fixture(autouse=True)
def _postgres_first(request: pytest.FixtureRequest) -> None:
    """Create the PostgreSQL database outside the event loop (see tests/handoffs/conftest.py)."""
    if "backend" in request.fixturenames and request.getfixturevalue("backend") == "postgresql":
        request.getfixturevalue("postgres_database")


@pytest.fixture
async def quiet_chat(chat: Chat) -> AsyncIterator[Chat]:
    """The chat harness without background loops: only what the tests do happens."""
    await stop_background(chat.console.tasks)
    chat.console.tasks = []
    yield chat


async def press_data(chat: Chat, name: str, data: str) -> list:  # type: ignore[type-arg]
    """NAME presses a button carrying ``data`` (as a client can send any data it likes)."""
    chat.as_user(name)
    user_id = chat.user_id(name)
    message = {"message_id": 1, "date": 0, "chat": {"id": user_id, "type": "private"}}
    start = len(chat.telegram.events)
    await chat.console.feed(chat.telegram.user_presses(user_id, message, data))
    return chat.telegram.events[start:]


async def receiver_rows(app: App, service_id: int) -> list[int]:
    async with app.sessionmaker() as session:
        return list(await session.scalars(
            select(ServiceReceiver.worker_id).where(ServiceReceiver.service_id == service_id)))


# ---- 5a. receivers: coordinators manage only services of their regions ------------------------


async def test_coordinator_of_another_region_cannot_name_receivers(quiet_chat: Chat, app: App):
    chat = quiet_chat
    cora = await chat.register("cora09", role="coordinator", regions=("09",), lang="fr")
    wendy = await chat.register("wendy09", regions=("09",), lang="fr")
    boussole = await add_service(app, "Boussole", region="06")  # a Montréal service

    events = await chat.say("cora09", "/receivers Boussole")
    text = chat.texts("cora09", events)
    assert "Vous ne pouvez gérer les personnes responsables que des services de vos régions." \
        in text
    assert not any(e.buttons for e in events)

    # Even with a (well-signed) button in hand, the service refuses.
    events = await press_data(chat, "cora09", sign(app, "ho.rsv", boussole.id,
                                                   chat.user_id("cora09")))
    assert "services de vos régions" in chat.texts("cora09", events)
    events = await press_data(chat, "cora09", sign(app, "ho.rcv", boussole.id,
                                                   chat.user_id("cora09"), str(wendy.id)))
    assert "services de vos régions" in chat.texts("cora09", events)
    assert await receiver_rows(app, boussole.id) == []

    async with app.sessionmaker() as session:
        refused = list(await session.scalars(
            select(AuditEntry).where(AuditEntry.action == "directory.receivers_refused")))
    assert refused and all(e.actor_id == cora.id for e in refused)


async def test_receiver_must_work_in_the_region_or_the_organisation(quiet_chat: Chat, app: App):
    chat = quiet_chat
    await chat.register("ada", role="admin", regions=("06",), lang="en")
    cora = await chat.register("cora", role="coordinator", regions=("06", "09"), lang="en")
    wendy = await chat.register("wendy09", regions=("09",), lang="en")
    bob = await chat.register("bob06", regions=("06",), lang="en")
    staff = await chat.register("sam09", regions=("09",), org="Boussole (équipe)", lang="en")
    boussole = await add_service(app, "Boussole", region="06")
    async with app.sessionmaker() as session:  # sam's organisation is the service's own
        organisation = await session.get(Organisation, staff.organisation_id)
        organisation.directory_org_id = boussole.hsds_org
        await session.commit()

    await chat.say("cora", "/receivers Boussole")
    await chat.press("cora", "Boussole")
    offered = chat.buttons("cora")
    assert any("bob06" in b for b in offered) and any("sam09" in b for b in offered)
    assert not any("wendy09" in b for b in offered)  # region 09 only, another organisation
    # A button for wendy anyway (signed for cora): refused by the service.
    events = await press_data(chat, "cora", sign(app, "ho.rcv", boussole.id,
                                                 chat.user_id("cora"), str(wendy.id)))
    assert "cannot receive this service's handoffs" in chat.texts("cora", events)
    await chat.say("cora", "/receivers Boussole")
    await chat.press("cora", "Boussole")
    await chat.press("cora", "bob06")
    await chat.press("cora", "sam09")
    assert sorted(await receiver_rows(app, boussole.id)) == sorted([bob.id, staff.id])
    # Administrators manage every service, but the same rule holds for whom they name.
    events = await press_data(chat, "ada", sign(app, "ho.rcv", boussole.id,
                                                chat.user_id("ada"), str(wendy.id)))
    assert "cannot receive this service's handoffs" in chat.texts("ada", events)
    assert wendy.id not in await receiver_rows(app, boussole.id)
    async with app.sessionmaker() as session:
        added = list(await session.scalars(
            select(AuditEntry).where(AuditEntry.action == "directory.receiver_added")))
    assert {e.actor_id for e in added} == {cora.id}


async def test_receivers_search_lists_only_services_of_the_regions(quiet_chat: Chat, app: App):
    chat = quiet_chat
    await chat.register("cora09", role="coordinator", regions=("09",), lang="en")
    await add_service(app, "Hébergement Nord", region="09")
    await add_service(app, "Hébergement Centre", region="06")
    events = await chat.say("cora09", "/receivers Hébergement")
    assert chat.texts("cora09", events) == "Which service?"
    assert chat.buttons("cora09") == ["Hébergement Nord"]


# ---- 5b. every audit row names its actor -----------------------------------------------------


def link_token(text: str) -> str:
    match = re.search(r"\?start=([\w-]+)", text)
    assert match, text
    return match.group(1)


async def test_every_audit_row_names_its_actor(quiet_chat: Chat, app: App, clock):  # type: ignore[no-untyped-def]
    chat = quiet_chat
    cora = await chat.register("cora", role="coordinator", regions=("06",), lang="en")
    svc = await add_service(app, "Hébergement Audit", region="06")

    # A coordinator invites; the person registers; a stranger tries a forged link.
    await chat.say("cora", "/invite")
    await chat.press("cora", "worker")
    await chat.say("cora", "Maison Audit (fictive)")
    events = await chat.press("cora", "06")
    token = link_token(chat.texts("cora", events))
    await chat.say("nina", f"/start {token}", lang="en")
    nina = await chat.worker("nina")
    assert nina is not None
    await chat.say("eve", "/start forged-token-AAAAAAAAAAAAAAAAAAAA", lang="en")

    # Everyday actions of the new worker.
    await chat.say("nina", "/oncall")
    await chat.say("nina", "/language")
    await chat.press("nina", "Français")
    await chat.say("nina", "/remind dans 2 h rappeler la ressource")

    # The coordinator manages the team and the receivers.
    await chat.say("cora", "/workers")
    await chat.press("cora", "nina")
    await chat.press("cora", "Deactivate")
    await chat.press("cora", "Reactivate")
    await chat.press("cora", "Make coordinator")
    await chat.say("cora", "/receivers Audit")
    await chat.press("cora", "Hébergement Audit")
    await chat.press("cora", "nina")  # added
    await chat.press("cora", "nina")  # removed
    await chat.press("cora", "nina")  # added again
    await chat.say("nina", "/capacity")
    await chat.press("nina", "3")
    # Someone presses a button that was not made for them.
    await press_data(chat, "nina", sign(app, "ho.rsv", svc.id, chat.user_id("cora")))

    # The command line and the background jobs act as the system.
    async with app.sessionmaker() as session:
        await workers.add_admin(session, 4242, clock.now())
        await invitations.create_invitation(
            session, now=clock.now(), role="worker", organisation_name="CLI (fictive)",
            regions=["06"], ttl=timedelta(hours=1))
        await receivers.add_receiver(session, svc.id, cora, clock.now())
        await session.commit()

    async with app.sessionmaker() as session:
        rows = list(await session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    actions = {row.action for row in rows}
    assert {
        "invitation.created", "worker.registered", "invitation.rejected", "worker.on_call",
        "worker.language", "reminder.created", "worker.deactivated", "worker.activated",
        "worker.role", "directory.receiver_added", "directory.receiver_removed",
        "directory.capacity", "callback.forged", "worker.admin_added",
    } <= actions, actions
    nameless = [(row.action, row.details) for row in rows
                if row.actor_id is None and row.actor_telegram_id is None
                and not (row.details or {}).get("system")]
    assert nameless == []
    by_action = {}
    for row in rows:
        by_action.setdefault(row.action, []).append(row)
    assert {r.actor_id for r in by_action["directory.receiver_added"]} == {cora.id, None}
    assert [r.details.get("system") for r in by_action["directory.receiver_added"]
            if r.actor_id is None] == ["cli"]
    assert {r.actor_id for r in by_action["directory.receiver_removed"]} == {cora.id}
    assert {r.actor_id for r in by_action["worker.registered"]} == {nina.id}
    assert by_action["invitation.rejected"][0].actor_telegram_id == chat.user_id("eve")
    assert by_action["worker.admin_added"][0].details.get("system") == "cli"


# ---- 5c. one single-use invitation, two people at the same moment ------------------------------


async def make_invitation(app: App) -> str:
    async with app.sessionmaker() as session:
        created = await invitations.create_invitation(
            session, now=app.clock.now(), role="worker", organisation_name="Maison Course",
            regions=["06"], ttl=timedelta(hours=24))
        await session.commit()
    return created.token


async def count_workers(app: App) -> int:
    async with app.sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(Worker)) or 0


ROUNDS = 3
PEOPLE = 3


async def test_concurrent_redeems_register_exactly_one(app: App, db_url: str):
    engines = [make_engine(db_url) for _ in range(PEOPLE)]
    try:
        for round_ in range(ROUNDS):
            token = await make_invitation(app)
            start = asyncio.Event()

            async def redeem(engine, person: int, token=token, start=start,  # type: ignore[no-untyped-def]
                             round_=round_):
                async with make_sessionmaker(engine)() as session:
                    await start.wait()
                    try:
                        worker = await invitations.redeem_invitation(
                            session, token=token, now=app.clock.now(),
                            telegram_id=900_000 + round_ * 10 + person,
                            display_name=f"p{round_}-{person}", language=None)
                        await session.commit()
                        return worker.id
                    except invitations.InvitationUsed:
                        await session.rollback()
                        return None

            tasks = [asyncio.create_task(redeem(e, i)) for i, e in enumerate(engines)]
            await asyncio.sleep(0.05)
            start.set()
            winners = [w for w in await asyncio.gather(*tasks) if w is not None]
            assert len(winners) == 1, winners
            async with app.sessionmaker() as session:
                invitation = await session.scalar(
                    select(Invitation).where(Invitation.token_hash == invitations.hash_token(token)))
                assert invitation.used_by == winners[0] and invitation.used_at is not None
        assert await count_workers(app) == ROUNDS
    finally:
        for engine in engines:
            await engine.dispose()


async def test_concurrent_starts_through_the_chat(quiet_chat: Chat, app: App):
    chat = quiet_chat
    names = ("lea", "max", "noa")
    for _round in range(ROUNDS):
        token = await make_invitation(app)
        updates = []
        for name in names:
            chat.as_user(f"{name}{_round}", lang="fr")
            updates.append(chat.telegram.user_sends(chat.user_id(f"{name}{_round}"),
                                                    f"/start {token}"))
        start = len(chat.telegram.events)
        await asyncio.gather(*(chat.console.feed(update) for update in updates))
        events = chat.telegram.events[start:]
        welcomed = [n for n in names if "Bienvenue dans Relais" in chat.texts(f"{n}{_round}", events)]
        refused = [n for n in names if chat.texts(f"{n}{_round}", events) == (
            "Ce lien d'invitation a déjà servi. Demandez-en un nouveau à votre "
            "coordonnatrice ou coordonnateur.")]
        assert len(welcomed) == 1, [e.text for e in events]
        assert sorted(welcomed + refused) == sorted(names), [e.text for e in events]
    assert await count_workers(app) == ROUNDS
