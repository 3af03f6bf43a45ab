"""Who answers for a listing: its receiving workers (handoffs, capacity), else the coordinators
of its regions (error reports)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.i18n import N_
from bot.models.core import Role, Worker, WorkerRegion
from bot.models.directory import (
    DirectoryOrganization,
    DirectoryService,
    DirectoryUnit,
    ServiceCapacity,
    ServiceReceiver,
    ServiceRegion,
)
from bot.services import audit
from bot.services.directory.index import Capacity, holder_for
from bot.services.directory.state import bump_version, current_version

DEFAULT_UNIT_ID = "relais-unit-place"
MAX_CAPACITY = 999
MAX_ID = 2**31 - 1  # database ids are 32-bit integers; anything larger was made up


class NotYourService(NotAllowed):
    """A coordinator manages the receivers of the services of their regions only."""

    message = N_("You can only manage the receivers of services in your regions.")
    audit_action = "directory.receivers_refused"


class CannotReceive(NotAllowed):
    """Receivers work in one of the service's regions, or for the service's organisation."""

    message = N_("This person cannot receive this service's handoffs: they work neither in one "
                 "of its regions nor for its organisation.")


async def get_service(session: AsyncSession, service_id: int) -> DirectoryService:
    service = None
    if 0 < service_id <= MAX_ID:
        service = await session.get(DirectoryService, service_id)
    if service is None:
        raise NotFound(N_("This service is no longer in the directory."))
    return service


def manages_service(coordinator: Worker, service: DirectoryService) -> bool:
    """Admins manage every service's receivers; coordinators those of their regions' services."""
    if coordinator.is_admin:
        return True
    if not coordinator.is_coordinator:
        return False
    return bool(set(coordinator.regions) & set(service.regions))


async def managed_service(
    session: AsyncSession, coordinator: Worker, service_id: int
) -> DirectoryService:
    """A service whose receivers ``coordinator`` may manage, or a refusal (audited)."""
    service = await get_service(session, service_id)
    if not manages_service(coordinator, service):
        raise NotYourService()
    return service


async def may_receive(session: AsyncSession, worker: Worker, service: DirectoryService) -> bool:
    """Whether ``worker`` may be named a receiver: they work in one of the service's regions,
    or their organisation is the service's own (linked by its directory id)."""
    if set(worker.regions) & set(service.regions):
        return True
    org = worker.organisation
    if org is None or not org.directory_org_id:
        return False
    hsds_org = await session.scalar(select(DirectoryOrganization.hsds_id).where(
        DirectoryOrganization.id == service.organization_id))
    return hsds_org == org.directory_org_id


async def receivers_of(session: AsyncSession, service_id: int) -> list[Worker]:
    """Active workers who receive this service's handoffs."""
    query = (
        select(Worker)
        .join(ServiceReceiver, ServiceReceiver.worker_id == Worker.id)
        .where(ServiceReceiver.service_id == service_id, Worker.active.is_(True))
        .order_by(Worker.id)
    )
    return list((await session.scalars(query)).all())


async def services_of(session: AsyncSession, worker: Worker) -> list[DirectoryService]:
    """The services this worker receives for, by name."""
    query = (
        select(DirectoryService)
        .join(ServiceReceiver, ServiceReceiver.service_id == DirectoryService.id)
        .where(ServiceReceiver.worker_id == worker.id)
        .order_by(DirectoryService.name, DirectoryService.id)
    )
    return list((await session.scalars(query)).all())


async def add_receiver(
    session: AsyncSession, service_id: int, worker: Worker, now: datetime, *,
    actor: Worker | None = None,
) -> None:
    """Make ``worker`` a receiver of the service (idempotent, audited).

    ``actor`` is the coordinator or admin doing it: they must manage the service, and
    ``worker`` must be able to receive for it (:func:`may_receive`). Without an actor it is the
    command line (an operator's decision, recorded as the system).
    """
    service = await get_service(session, service_id)
    if actor is not None:
        if not manages_service(actor, service):
            raise NotYourService()
        if not await may_receive(session, worker, service):
            raise CannotReceive()
    if await session.get(ServiceReceiver, (service_id, worker.id)) is None:
        session.add(ServiceReceiver(service_id=service_id, worker_id=worker.id, created_at=now))
        await audit.record(session, at=now, action="directory.receiver_added", actor=actor,
                           subject_type="service", subject_id=str(service_id),
                           worker_id=worker.id, **({} if actor else {"system": "cli"}))
        await session.flush()


async def remove_receiver(
    session: AsyncSession, service_id: int, worker: Worker, now: datetime, *, actor: Worker
) -> None:
    """``worker`` no longer receives the service's handoffs (idempotent, audited)."""
    if not manages_service(actor, await get_service(session, service_id)):
        raise NotYourService()
    row = await session.get(ServiceReceiver, (service_id, worker.id))
    if row is not None:
        await session.delete(row)
        await audit.record(session, at=now, action="directory.receiver_removed", actor=actor,
                           subject_type="service", subject_id=str(service_id),
                           worker_id=worker.id)
        await session.flush()


async def toggle_receiver(
    session: AsyncSession, service_id: int, worker: Worker, now: datetime, *, actor: Worker
) -> bool:
    """Add ``worker`` as a receiver, or remove them if they already are; True when added."""
    if await session.get(ServiceReceiver, (service_id, worker.id)) is not None:
        await remove_receiver(session, service_id, worker, now, actor=actor)
        return False
    await add_receiver(session, service_id, worker, now, actor=actor)
    return True


async def find_services(
    session: AsyncSession, words: str, limit: int = 8, *, regions: list[str] | None = None
) -> list[DirectoryService]:
    """Services by number, or whose French or English name contains ``words``; only those
    serving one of ``regions`` when given."""
    query = select(DirectoryService).order_by(DirectoryService.name).limit(limit)
    if regions is not None:
        query = query.where(DirectoryService.id.in_(
            select(ServiceRegion.service_id).where(ServiceRegion.region.in_(regions))))
    if words.isdigit():
        if int(words) > MAX_ID:
            return []
        query = query.where(DirectoryService.id == int(words))
    else:
        like = f"%{words}%"
        query = query.where(
            or_(DirectoryService.name.ilike(like), DirectoryService.name_en.ilike(like))
        )
    return list((await session.scalars(query)).all())


async def owners_of(session: AsyncSession, service: DirectoryService) -> list[Worker]:
    """Who must hear about an error in a listing: receivers, else the regions' coordinators."""
    receivers = [w for w in await receivers_of(session, service.id) if w.can_receive]
    if receivers:
        return receivers
    regions = select(ServiceRegion.region).where(ServiceRegion.service_id == service.id)
    query = (
        select(Worker)
        .where(
            Worker.active.is_(True),
            Worker.blocked_bot.is_(False),
            Worker.role.in_((Role.COORDINATOR.value, Role.ADMIN.value)),
            Worker.id.in_(select(WorkerRegion.worker_id).where(WorkerRegion.region.in_(regions))),
        )
        .order_by(Worker.id)
    )
    return list((await session.scalars(query)).all())


async def set_capacity(
    session: AsyncSession, worker: Worker, service_id: int, available: int, now: datetime
) -> ServiceCapacity:
    """A receiver records how many places are free now; the index is updated in place."""
    service = await get_service(session, service_id)
    if await session.get(ServiceReceiver, (service_id, worker.id)) is None and not worker.is_admin:
        raise NotAllowed(N_("Only the receiving workers of this service can update its capacity."))
    if not 0 <= available <= MAX_CAPACITY:
        raise InvalidInput(N_("Capacity must be between 0 and {max}."), max=MAX_CAPACITY)
    capacity = await session.scalar(
        select(ServiceCapacity).where(ServiceCapacity.service_id == service_id)
        .order_by(ServiceCapacity.updated.desc()).limit(1)
    )
    if capacity is None:
        unit = await session.scalar(select(DirectoryUnit).where(DirectoryUnit.hsds_id == DEFAULT_UNIT_ID))
        if unit is None:
            unit = DirectoryUnit(hsds_id=DEFAULT_UNIT_ID, name="place")
            session.add(unit)
            await session.flush()
        capacity = ServiceCapacity(
            hsds_id=f"relais-capacity-{service.hsds_id}"[:64], service_id=service_id,
            unit_id=unit.id, unit=unit, available=available, maximum=None, updated=now,
        )
        session.add(capacity)
    else:
        capacity.available = available
        capacity.updated = now
        if capacity.maximum is not None and available > capacity.maximum:
            capacity.maximum = available
    await audit.record(session, at=now, action="directory.capacity", actor=worker,
                       subject_type="service", subject_id=str(service_id), available=available)
    await session.flush()
    before = await current_version(session)
    await bump_version(session, now)
    holder = holder_for(session)
    if holder.index is not None:
        unit_name = (await session.get(DirectoryUnit, capacity.unit_id)).name  # type: ignore[union-attr]
        holder.index.set_capacity(
            service_id, Capacity(capacity.available, capacity.maximum, unit_name, now)
        )
        if holder.index.version == before:
            holder.index.version = before + 1
    return capacity
