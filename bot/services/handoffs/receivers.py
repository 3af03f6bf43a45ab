"""Who receives a service's handoffs, as coordinators manage it (``/receivers``).

Coordinators name and remove the receiving workers of their regions' services (admins: of every
service); a receiver works in one of the service's regions or for its organisation. The
directory keeps the list and audits each change (:mod:`bot.services.directory.receivers`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import NotAllowed
from bot.i18n import N_
from bot.models.core import Worker
from bot.models.directory import DirectoryService
from bot.services import workers
from bot.services.directory import receiver_loss
from bot.services.directory import receivers as directory_receivers

COORDINATORS_ONLY = N_("This command is for coordinators.")
TEAM_SHOWN = 30


def require_coordinator(worker: Worker) -> None:
    if not worker.is_coordinator:
        raise NotAllowed(COORDINATORS_ONLY)


async def find(session: AsyncSession, coordinator: Worker, words: str) -> list[DirectoryService]:
    """The services named by ``words`` whose receivers the coordinator manages; a refusal when
    the only matches are elsewhere (so a service out of their regions is not mistaken for a
    missing one)."""
    found = await directory_receivers.find_services(
        session, words, regions=None if coordinator.is_admin else coordinator.regions)
    if not found and await directory_receivers.find_services(session, words, limit=1):
        raise directory_receivers.NotYourService()
    return found


async def managed(session: AsyncSession, coordinator: Worker, service_id: int
                  ) -> DirectoryService:
    """A service whose receivers the coordinator may manage, or a refusal."""
    require_coordinator(coordinator)
    return await directory_receivers.managed_service(session, coordinator, service_id)


async def team(session: AsyncSession, coordinator: Worker, service: DirectoryService
               ) -> list[tuple[Worker, bool]]:
    """The service's current receivers (to remove them) and the coordinator's workers who may
    receive for it, each with whether they receive now."""
    current = {w.id for w in await directory_receivers.receivers_of(session, service.id)}
    people = await workers.workers_in_regions(
        session, None if coordinator.is_admin else coordinator.regions, include_inactive=False)
    people = [w for w in people
              if w.id in current or await directory_receivers.may_receive(session, w, service)]
    return [(w, w.id in current) for w in people[:TEAM_SHOWN]]


@dataclass(frozen=True)
class Toggled:
    """A service after a receiver was added or removed; ``lost``: nobody receives for it any
    more (the other coordinators of its regions will be told, the one who did it is told now)."""

    service: DirectoryService
    lost: bool


async def toggle(session: AsyncSession, coordinator: Worker, service_id: int, worker_id: int,
                 now: datetime) -> Toggled:
    """Name a worker receiver of the service, or remove them if they are one (audited)."""
    service = await managed(session, coordinator, service_id)
    target = await workers.managed_worker(session, coordinator, worker_id)
    watched = await receiver_loss.watch(session, [service], now=now)
    await directory_receivers.toggle_receiver(session, service.id, target, now, actor=coordinator)
    lost = await receiver_loss.tell_lost(session, watched, actor=coordinator)
    return Toggled(service, bool(lost))
