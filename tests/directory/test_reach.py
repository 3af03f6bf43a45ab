"""Who can receive a handoff for a service: ``reach.receivable`` agrees with the routing."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from bot.models.core import Organisation, Worker
from bot.models.directory import DirectoryOrganization, DirectoryService
from bot.services.directory import receivers
from bot.services.directory.reach import receivable, receivable_ids
from bot.services.handoffs.routing import recipients_for

SHELTER = "Refuge Rive-Sud – urgence 12-17"


async def _services(session, *names: str) -> list[DirectoryService]:  # type: ignore[no-untyped-def]
    rows = (await session.scalars(
        select(DirectoryService).where(DirectoryService.name.in_(names)))).all()
    assert len(rows) == len(names)
    return sorted(rows, key=lambda s: names.index(s.name))


async def _agrees(app: App, session, services: list[DirectoryService]) -> set[int]:  # type: ignore[no-untyped-def]
    now = app.clock.now()
    found = await receivable(session, services, now=now)
    for service in services:
        reached = await recipients_for(session, service, urgent=True, now=now)
        assert (service.id in found) == bool(reached), service.name
    return found


async def test_fresh_directory_has_no_receivable_service(seeded: App) -> None:
    async with seeded.sessionmaker() as session:
        services = list((await session.scalars(select(DirectoryService).limit(40))).all())
        assert await _agrees(seeded, session, services) == set()
        assert await receivable_ids(session, [s.id for s in services], now=seeded.clock.now()) == set()


async def test_named_receiver_and_organisation_workers(seeded: App) -> None:
    now = seeded.clock.now()
    async with seeded.sessionmaker() as session:
        (shelter,) = await _services(session, SHELTER)
        other = await session.scalar(select(DirectoryService).where(
            DirectoryService.organization_id != shelter.organization_id).order_by(
            DirectoryService.id).limit(1))
        assert other is not None
        rita = Worker(telegram_id=701, display_name="rita", created_at=now)
        session.add(rita)
        await session.flush()
        await receivers.add_receiver(session, shelter.id, rita, now)
        assert await _agrees(seeded, session, [shelter, other]) == {shelter.id}
        # A worker of the other service's organisation receives for it too.
        hsds = await session.scalar(select(DirectoryOrganization.hsds_id).where(
            DirectoryOrganization.id == other.organization_id))
        org = Organisation(name="Org du répertoire (fictif)", sector="community", regions=[],
                           created_at=now, directory_org_id=hsds)
        session.add(org)
        await session.flush()
        olga = Worker(telegram_id=702, display_name="olga", organisation_id=org.id, created_at=now)
        session.add(olga)
        await session.flush()
        assert await _agrees(seeded, session, [shelter, other]) == {shelter.id, other.id}
        # Nobody active: nobody receives.
        rita.active = False
        olga.active = False
        await session.flush()
        assert await _agrees(seeded, session, [shelter, other]) == set()


async def test_on_call_workers_do_not_make_an_unstaffed_service_receivable(seeded: App) -> None:
    now = seeded.clock.now()
    async with seeded.sessionmaker() as session:
        (shelter,) = await _services(session, SHELTER)
        session.add(Worker(telegram_id=703, display_name="owen", on_call=True, created_at=now))
        await session.flush()
        assert await _agrees(seeded, session, [shelter]) == set()
