"""Whether anyone can receive a handoff for a service: the honest "Request handoff" button.

A handoff is offered only where a request would reach a worker (its named receivers, the workers
of its organisation, or on-call routing); elsewhere the answer offers the card's phone number.
:func:`receivable` agrees with :func:`bot.services.handoffs.routing.recipients_for`: a service is
receivable iff an urgent request to it, at ``now``, would reach at least one worker. The common
cases (someone named or a worker of the organisation) are answered in two queries for the whole
answer; routing is asked service by service only when on-call workers exist at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models.core import Organisation, Worker
from bot.models.directory import DirectoryOrganization, DirectoryService, ServiceReceiver


async def receivable(
    session: AsyncSession, services: Sequence[DirectoryService], *, now: datetime
) -> set[int]:
    """Ids of the ``services`` for which someone can receive a handoff at ``now``."""
    ids = {s.id for s in services}
    if not ids:
        return set()
    found: set[int] = set((await session.scalars(
        select(ServiceReceiver.service_id)
        .join(Worker, Worker.id == ServiceReceiver.worker_id)
        .where(ServiceReceiver.service_id.in_(ids), Worker.active.is_(True))
    )).all())
    rest = [s for s in services if s.id not in found]
    if rest:
        org_ids = {s.organization_id for s in rest}
        staffed = set((await session.scalars(
            select(DirectoryOrganization.id)
            .join(Organisation, Organisation.directory_org_id == DirectoryOrganization.hsds_id)
            .join(Worker, Worker.organisation_id == Organisation.id)
            .where(DirectoryOrganization.id.in_(org_ids), Worker.active.is_(True))
        )).all())
        found |= {s.id for s in rest if s.organization_id in staffed}
        rest = [s for s in rest if s.id not in found]
    if rest and await _anyone_on_call(session):
        from bot.services.handoffs.routing import recipients_for

        for service in rest:
            if await recipients_for(session, service, urgent=True, now=now):
                found.add(service.id)
    return found


async def receivable_ids(session: AsyncSession, service_ids: Iterable[int], *,
                         now: datetime) -> set[int]:
    """:func:`receivable` for service ids (search results carry ids, not rows)."""
    ids = set(service_ids)
    if not ids:
        return set()
    services = (await session.scalars(
        select(DirectoryService).where(DirectoryService.id.in_(ids)))).all()
    return await receivable(session, services, now=now)


async def _anyone_on_call(session: AsyncSession) -> bool:
    """Whether any active worker is on call (otherwise routing can add no one)."""
    return await session.scalar(
        select(Worker.id).where(Worker.on_call.is_(True), Worker.active.is_(True)).limit(1)
    ) is not None
