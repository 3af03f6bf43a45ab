"""Whether anyone can receive a handoff for a service: the honest "Request handoff" button.

A handoff is offered only where a request would reach a worker (its named receivers, the workers
of its organisation, or on-call routing); elsewhere the answer offers the card's phone number.
:func:`receivable` agrees with :func:`bot.services.handoffs.routing.recipients_for`: a service is
receivable iff an urgent request to it, at ``now``, would reach at least one worker. The common
cases (someone named or a worker of the organisation) are answered in two queries for the whole
answer; routing is asked service by service only when on-call workers exist at all.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models.core import Organisation, Worker
from bot.models.directory import DirectoryOrganization, DirectoryService, ServiceReceiver


@functools.cache
def _queries() -> tuple[Any, Any, Any, Any]:
    """Built once (every answer runs them): the services' organisations, the services with a
    named active receiver, the organisations with an active worker, anyone on call."""
    ids = bindparam("ids", expanding=True)
    return (
        select(DirectoryService.id, DirectoryService.organization_id)
        .where(DirectoryService.id.in_(ids)),
        select(ServiceReceiver.service_id)
        .join(Worker, Worker.id == ServiceReceiver.worker_id)
        .where(ServiceReceiver.service_id.in_(ids), Worker.active.is_(True)),
        select(DirectoryOrganization.id)
        .join(Organisation, Organisation.directory_org_id == DirectoryOrganization.hsds_id)
        .join(Worker, Worker.organisation_id == Organisation.id)
        .where(DirectoryOrganization.id.in_(ids), Worker.active.is_(True)),
        select(Worker.id).where(Worker.on_call.is_(True), Worker.active.is_(True)).limit(1),
    )


async def receivable(
    session: AsyncSession, services: Sequence[DirectoryService], *, now: datetime
) -> set[int]:
    """Ids of the ``services`` for which someone can receive a handoff at ``now``."""
    found = await _named_or_staffed(session, {s.id: s.organization_id for s in services})
    rest = [s for s in services if s.id not in found]
    if rest and await _anyone_on_call(session):
        found |= await _routed(session, rest, now)
    return found


async def receivable_ids(session: AsyncSession, service_ids: Iterable[int], *,
                         now: datetime) -> set[int]:
    """:func:`receivable` for service ids (search results carry ids, not rows): services are
    loaded only when routing has to be asked."""
    ids = list(set(service_ids))
    if not ids:
        return set()
    organisations = dict((await session.execute(_queries()[0], {"ids": ids})).all())
    found = await _named_or_staffed(session, organisations)
    rest = set(organisations) - found
    if rest and await _anyone_on_call(session):
        services = (await session.scalars(
            select(DirectoryService).where(DirectoryService.id.in_(rest)))).all()
        found |= await _routed(session, services, now)
    return found


async def _named_or_staffed(session: AsyncSession, organisations: dict[int, int]) -> set[int]:
    """Of the services (id: organisation id), those with a named active receiver or an active
    worker in their organisation: the common cases, two queries for a whole answer."""
    if not organisations:
        return set()
    _, named, staffed_orgs, _ = _queries()
    found = set((await session.scalars(named, {"ids": list(organisations)})).all())
    rest = {sid: org for sid, org in organisations.items() if sid not in found}
    if rest:
        staffed = set((await session.scalars(
            staffed_orgs, {"ids": list(set(rest.values()))})).all())
        found |= {sid for sid, org in rest.items() if org in staffed}
    return found


async def _routed(session: AsyncSession, services: Sequence[DirectoryService], now: datetime
                  ) -> set[int]:
    """Of ``services``, those an urgent request would reach through routing (on call)."""
    from bot.services.handoffs.routing import recipients_for

    return {service.id for service in services
            if await recipients_for(session, service, urgent=True, now=now)}


async def _anyone_on_call(session: AsyncSession) -> bool:
    """Whether any active worker is on call (otherwise routing can add no one)."""
    return await session.scalar(_queries()[3]) is not None
