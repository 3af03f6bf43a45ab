"""What the team commands decide, without a chat: on-call, who sees and changes whom."""

from __future__ import annotations

import zlib

import pytest
from sqlalchemy import select

from bot.errors import NotAllowed, NotFound
from bot.models.core import AuditEntry, Worker
from bot.services import workers
from bot.services.organisations import get_or_create_organisation


async def add_worker(session, app, name: str, *, role: str = "worker",  # type: ignore[no-untyped-def]
                     regions: tuple[str, ...] = ("06",)) -> Worker:
    organisation = await get_or_create_organisation(session, "Organisme test (fictif)",
                                                    now=app.clock.now())
    worker = Worker(telegram_id=zlib.crc32(name.encode()), display_name=name, role=role,
                    organisation=organisation, created_at=app.clock.now())
    worker.set_regions(list(regions))
    session.add(worker)
    await session.flush()
    return worker


async def test_toggle_on_call_flips_and_audits(app):
    async with app.sessionmaker() as session:
        olga = await add_worker(session, app, "olga")
        assert await workers.toggle_on_call(session, olga, app.clock.now()) is True
        assert await workers.toggle_on_call(session, olga, app.clock.now()) is False
        await session.commit()
        actions = list(await session.scalars(
            select(AuditEntry.action).where(AuditEntry.action == "worker.on_call")))
    assert actions == ["worker.on_call", "worker.on_call"]


async def test_team_is_the_coordinators_regions_and_refused_to_workers(app):
    async with app.sessionmaker() as session:
        coord = await add_worker(session, app, "coord", role="coordinator", regions=("06",))
        inside = await add_worker(session, app, "inside", regions=("06",))
        outside = await add_worker(session, app, "outside", regions=("02",))
        admin = await add_worker(session, app, "admin", role="admin", regions=())
        team = await workers.managed_team(session, coord)
        assert inside in team and outside not in team
        assert outside in await workers.managed_team(session, admin)
        with pytest.raises(NotAllowed):
            await workers.managed_team(session, inside)
        with pytest.raises(NotFound):
            await workers.coordinated_worker(session, coord, outside.id)
        with pytest.raises(NotAllowed):
            await workers.coordinated_worker(session, inside, coord.id)


async def test_change_worker_applies_a_button_and_refuses_unknown_ones(app):
    async with app.sessionmaker() as session:
        coord = await add_worker(session, app, "coord", role="coordinator")
        inside = await add_worker(session, app, "inside")
        now = app.clock.now()
        assert (await workers.change_worker(session, coord, inside.id, "deactivate", now)).active \
            is False
        assert (await workers.change_worker(session, coord, inside.id, "role-coordinator", now)
                ).role == "coordinator"
        with pytest.raises(NotAllowed):
            await workers.change_worker(session, coord, inside.id, "role-admin", now)
        with pytest.raises(NotAllowed):
            await workers.change_worker(session, coord, inside.id, "explode", now)
        with pytest.raises(NotAllowed):
            await workers.change_worker(session, coord, coord.id, "deactivate", now)
        await session.commit()
        actions = set(await session.scalars(select(AuditEntry.action)))
    assert {"worker.deactivated", "worker.role"} <= actions
