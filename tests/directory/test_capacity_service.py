"""Places available now, as a service: set, one more or one less from what searches show."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import App
from bot.errors import NotAllowed
from bot.models.core import AuditEntry, Worker
from bot.models.directory import DirectoryService
from bot.services.directory import receivers
from bot.services.directory.capacity import current_capacity, update_capacity

SHELTER = "Refuge Rive-Sud – urgence 12-17"


async def setup(app: App) -> tuple[int, int, int]:
    """The shelter's id, a receiver of it and another worker."""
    async with app.sessionmaker() as session:
        service_id = await session.scalar(select(DirectoryService.id).where(
            DirectoryService.name == SHELTER))
        receiver = Worker(telegram_id=601, display_name="rita", created_at=app.clock.now())
        other = Worker(telegram_id=602, display_name="oscar", created_at=app.clock.now())
        session.add_all([receiver, other])
        await session.flush()
        await receivers.add_receiver(session, service_id, receiver, app.clock.now())
        await session.commit()
        return service_id, receiver.id, other.id


async def change(app: App, worker_id: int, service_id: int, op: str, value: int) -> int:
    async with app.sessionmaker() as session:
        worker = await session.get(Worker, worker_id)
        saved = await update_capacity(app, session, worker, service_id, op, value)
        assert saved.service.id == service_id
        await session.commit()
    async with app.sessionmaker() as session:
        shown = await current_capacity(app, session, service_id)
    assert shown is not None and shown.available == saved.available
    return saved.available


async def test_set_then_one_more_or_less_never_below_zero(seeded: App) -> None:
    service_id, rita, _ = await setup(seeded)
    assert await change(seeded, rita, service_id, "set", 3) == 3
    assert await change(seeded, rita, service_id, "add", 1) == 4
    assert await change(seeded, rita, service_id, "add", -5) == 0
    async with seeded.sessionmaker() as session:
        stored = (await session.scalars(select(AuditEntry.details).where(
            AuditEntry.action == "directory.capacity").order_by(AuditEntry.id))).all()
    assert [d["available"] for d in stored] == [3, 4, 0]


async def test_only_receivers_change_it(seeded: App) -> None:
    service_id, _, oscar = await setup(seeded)
    async with seeded.sessionmaker() as session:
        worker = await session.get(Worker, oscar)
        with pytest.raises(NotAllowed):
            await update_capacity(seeded, session, worker, service_id, "set", 2)
