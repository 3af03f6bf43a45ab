"""Handoff test support: a tiny directory of invented services, cases with consent, timers."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from bot.app import App
from bot.messenger import Button, OutgoingMessage
from bot.models.cases import Case
from bot.models.core import Worker
from bot.models.directory import (
    DirectoryOrganization,
    DirectoryService,
    ServiceCategory,
    ServiceReceiver,
    ServiceRegion,
)
from bot.services import cases
from bot.services.directory.state import bump_version
from bot.services.handoffs.timers import SERVICE_KEY, MemoryTimers

_ids = itertools.count(1)
NEED = "hebergement-urgence-jeunesse"


@dataclass
class Svc:
    id: int
    name: str
    hsds_org: str


async def add_service(
    app: App, name: str, *, region: str = "06", needs: tuple[str, ...] = (NEED,),
    org: str | None = None, receivers: tuple[Worker, ...] = (), open_24_7: bool = True,
    name_en: str | None = None,
) -> Svc:
    """An invented service (and its organisation) serving ``region``."""
    number = next(_ids)
    async with app.sessionmaker() as session:
        org_name = org or f"Organisme {name} (fictif)"
        organisation = await session.scalar(
            select(DirectoryOrganization).where(DirectoryOrganization.name == org_name))
        if organisation is None:
            organisation = DirectoryOrganization(hsds_id=f"org-test-{number}", name=org_name)
            session.add(organisation)
            await session.flush()
        service = DirectoryService(
            hsds_id=f"svc-test-{number}", organization_id=organisation.id, name=name,
            name_en=name_en, status="active", open_24_7=open_24_7, timezone="America/Toronto",
        )
        service.region_links = [ServiceRegion(region=region)]
        service.category_links = [ServiceCategory(category=n) for n in needs]
        session.add(service)
        await session.flush()
        for worker in receivers:
            session.add(ServiceReceiver(service_id=service.id, worker_id=worker.id,
                                        created_at=app.clock.now()))
        await bump_version(session, app.clock.now())
        await session.commit()
        return Svc(service.id, name, organisation.hsds_id)


async def add_case(app: App, creator: Worker, *, consent: bool | None = True,
                   region: str = "06", needs: tuple[str, ...] = (NEED,)) -> Case:
    async with app.sessionmaker() as session:
        creator = await session.get(Worker, creator.id)
        case = await cases.create_case(
            session, creator=creator, now=app.clock.now(),
            draft=cases.CaseDraft(age=15, languages=["fr"], region_current=region,
                                  region_origin=region, needs=list(needs), consent=consent),
        )
        await session.commit()
        return case


async def offer_button(app: App, chat, name: str, service_id: int) -> None:  # type: ignore[no-untyped-def]
    """Put a search result's "Request handoff" button (the directory's callback data) in
    NAME's chat, as the directory's answer does."""
    from handlers.handoffs import RequestHandoff

    await app.messenger.send(OutgoingMessage(
        chat_id=chat.user_id(name), text="1. result",
        buttons=[[Button("Demander une prise en charge / Request handoff",
                         RequestHandoff(service_id=service_id).pack())]]))


@pytest.fixture
def memory_timers(app: App) -> MemoryTimers:
    timers = MemoryTimers(app)
    app.services[SERVICE_KEY] = timers
    return timers


@pytest.fixture(autouse=True)
def _postgres_first(request: pytest.FixtureRequest) -> None:
    """Create the PostgreSQL test database outside the event loop: the shared
    ``postgres_database`` fixture calls ``asyncio.run``, which fails when it is first requested
    from inside the async ``db_url`` fixture."""
    if "backend" in request.fixturenames and request.getfixturevalue("backend") == "postgresql":
        request.getfixturevalue("postgres_database")


@pytest.fixture
async def chat(app: App):  # type: ignore[no-untyped-def]
    """The shared harness, without the background dispatcher: handoff conversations are
    asserted message by message and its periodic messages (directory checks to receivers) would
    interleave; timer tests run the dispatcher themselves (``run_once``)."""
    from handlers.runtime import stop_background
    from tests.support.chat import Chat

    harness = Chat(app)
    await harness.start()
    await stop_background(harness.console.tasks)
    harness.console.tasks = []
    try:
        yield harness
    finally:
        await harness.close()
