"""Who receives a handoff request: the service's receivers, its organisation's workers, the
on-call worker out of hours (urgent), and the region's coordinators (escalation)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models.core import Organisation, Role, Worker, WorkerRegion
from bot.models.directory import (
    DirectoryOrganization,
    DirectorySchedule,
    DirectoryService,
    ServiceReceiver,
)

if TYPE_CHECKING:
    from bot.app import App

RECEIVER = "receiver"
ON_CALL = "on_call"
COORDINATOR = "coordinator"
#: Recipient roles that may accept or decline.
ACTING_ROLES = (RECEIVER, ON_CALL)


async def service_hsds_org(session: AsyncSession, service: DirectoryService) -> str | None:
    return await session.scalar(
        select(DirectoryOrganization.hsds_id).where(
            DirectoryOrganization.id == service.organization_id)
    )


async def service_receivers(
    session: AsyncSession, service: DirectoryService, *, exclude: int | None = None
) -> list[Worker]:
    """Workers named as receivers of the service, or of its organisation (by HSDS id)."""
    hsds_org = await service_hsds_org(session, service)
    named = select(ServiceReceiver.worker_id).where(ServiceReceiver.service_id == service.id)
    conditions = [Worker.id.in_(named)]
    if hsds_org:
        org_ids = select(Organisation.id).where(Organisation.directory_org_id == hsds_org)
        conditions.append(Worker.organisation_id.in_(org_ids))
    query = select(Worker).where(or_(*conditions), Worker.active.is_(True)).order_by(Worker.id)
    if exclude is not None:
        query = query.where(Worker.id != exclude)
    return list((await session.scalars(query)).all())


async def on_call_workers(
    session: AsyncSession, service: DirectoryService, receivers: list[Worker],
    *, exclude: int | None = None, now: datetime | None = None,
) -> list[Worker]:
    """On-call workers of the receiving organisation(s) whose on-call has not ended at ``now``.

    Pass ``now``: an on-call whose end (``Worker.on_call_until``) has passed is ignored. Without
    it, only the ``on_call`` flag counts, which the end-of-on-call job clears at the end
    (:mod:`bot.services.oncall`), possibly a little late."""
    hsds_org = await service_hsds_org(session, service)
    org_ids = {w.organisation_id for w in receivers if w.organisation_id is not None}
    conditions = []
    if org_ids:
        conditions.append(Worker.organisation_id.in_(org_ids))
    if hsds_org:
        conditions.append(Worker.organisation_id.in_(
            select(Organisation.id).where(Organisation.directory_org_id == hsds_org)))
    if not conditions:
        return []
    query = select(Worker).where(
        or_(*conditions), Worker.on_call.is_(True), Worker.active.is_(True)
    ).order_by(Worker.id)
    if now is not None:
        query = query.where(or_(Worker.on_call_until.is_(None), Worker.on_call_until > now))
    if exclude is not None:
        query = query.where(Worker.id != exclude)
    return list((await session.scalars(query)).all())


async def coordinators(session: AsyncSession, region: str | None) -> list[Worker]:
    """Coordinators of a region (active)."""
    if not region:
        return []
    query = select(Worker).where(
        Worker.role == Role.COORDINATOR.value,
        Worker.active.is_(True),
        Worker.id.in_(select(WorkerRegion.worker_id).where(WorkerRegion.region == region)),
    ).order_by(Worker.id)
    return list((await session.scalars(query)).all())


async def is_open(session: AsyncSession, service: DirectoryService, now: datetime) -> bool:
    """Whether the service is open now by the directory's hours (unknown hours count as open)."""
    if service.open_24_7:
        return True
    from bot.services.directory import hours

    rows = (await session.scalars(
        select(DirectorySchedule).where(DirectorySchedule.service_id == service.id))).all()
    openings: list[hours.Opening] = []
    for row in rows:
        openings.extend(hours.compile_schedule(
            freq=row.freq, byday=row.byday, opens_at=row.opens_at, closes_at=row.closes_at,
            valid_from=row.valid_from, valid_to=row.valid_to))
    result = hours.is_open(tuple(openings), service.open_24_7, service.timezone, now)
    return True if result is None else result


async def recipients_for(
    session: AsyncSession, service: DirectoryService, *, urgent: bool, now: datetime,
    exclude: int | None = None,
) -> list[tuple[Worker, str]]:
    """(worker, role) pairs a new request goes to."""
    receivers = await service_receivers(session, service, exclude=exclude)
    if urgent and not await is_open(session, service, now):
        on_call = await on_call_workers(session, service, receivers, exclude=exclude,
                                        now=now)
        if on_call:
            return [(w, ON_CALL) for w in on_call]
    return [(w, RECEIVER) for w in receivers]


async def rerun_search(
    app: App, session: AsyncSession, criteria: dict[str, Any], *, exclude: set[int],
    limit: int = 3,
) -> list[Any]:
    """The directory's best results (``Result``) for stored criteria, without ``exclude``:
    the same search as the worker's, widened the same way (the neighbouring regions' services,
    marked with ``via_region``, when fewer than three left can take the youth now)."""
    from bot.services.directory import Criteria, search

    wanted = Criteria.from_dict(criteria)
    outcome = await search(session, wanted, now=app.clock.now(), limit=limit,
                           exclude=frozenset(exclude))
    return [r for r in outcome.results if r.service_id not in exclude][:limit]
