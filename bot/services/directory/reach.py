"""Whether anyone can receive a handoff for a service: the honest "Request handoff" button.

A handoff is offered only where a request would reach a worker (its named receivers, the workers
of its organisation, or on-call routing); elsewhere the answer offers the card's phone number.
:func:`receivable` agrees with :func:`bot.services.handoffs.routing.recipients_for`: a service is
receivable iff an urgent request to it, at ``now``, would reach at least one worker. The common
cases (someone named or a worker of the organisation) are answered in one query for the whole
answer; routing is asked service by service only when on-call workers exist at all.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.short_statements import short, short_rows
from bot.models.core import Organisation, Worker
from bot.models.directory import DirectoryOrganization, DirectoryService, ServiceReceiver


@functools.cache
def _reach_query() -> Any:
    """Built once (every answer runs it): for each service id, whether a named receiver or a
    worker of its organisation is active, and whether anyone at all is on call, in one query."""
    service = DirectoryService
    named = (select(ServiceReceiver.service_id)
             .join(Worker, Worker.id == ServiceReceiver.worker_id)
             .where(ServiceReceiver.service_id == service.id, Worker.active.is_(True)))
    staffed = (select(Worker.id)
               .join(Organisation, Organisation.id == Worker.organisation_id)
               .join(DirectoryOrganization,
                     DirectoryOrganization.hsds_id == Organisation.directory_org_id)
               .where(DirectoryOrganization.id == service.organization_id,
                      Worker.active.is_(True)))
    on_call = (select(Worker.id).where(Worker.on_call.is_(True), Worker.active.is_(True))
               .limit(1).scalar_subquery())
    return short(select(service.id, or_(named.exists(), staffed.exists()), on_call)
                 .where(service.id.in_(bindparam("ids", expanding=True))))


async def receivable(
    session: AsyncSession, services: Sequence[DirectoryService], *, now: datetime
) -> set[int]:
    """Ids of the ``services`` for which someone can receive a handoff at ``now``."""
    found, rest, on_call = await _reach(session, [s.id for s in services])
    if rest and on_call:
        found |= await _routed(session, [s for s in services if s.id in rest], now)
    return found


async def receivable_ids(session: AsyncSession, service_ids: Iterable[int], *,
                         now: datetime) -> set[int]:
    """:func:`receivable` for service ids (search results carry ids, not rows): services are
    loaded only when routing has to be asked."""
    found, rest, on_call = await _reach(session, list(set(service_ids)))
    if rest and on_call:
        services = (await session.scalars(
            select(DirectoryService).where(DirectoryService.id.in_(rest)))).all()
        found |= await _routed(session, services, now)
    return found


async def _reach(session: AsyncSession, ids: list[int]) -> tuple[set[int], set[int], bool]:
    """Of the services ``ids``: those with a named active receiver or an active worker in
    their organisation (the common cases), the rest, and whether anyone is on call (otherwise
    routing can add no one to the rest)."""
    if not ids:
        return set(), set(), False
    rows = await short_rows(session, _reach_query(), {"ids": ids})
    found = {service_id for service_id, reached, _ in rows if reached}
    rest = {service_id for service_id, reached, _ in rows if not reached}
    on_call = bool(rows) and rows[0][2] is not None  # the same in every row
    return found, rest, on_call


async def _routed(session: AsyncSession, services: Sequence[DirectoryService], now: datetime
                  ) -> set[int]:
    """Of ``services``, those an urgent request would reach through routing (on call)."""
    from bot.services.handoffs.routing import recipients_for

    return {service.id for service in services
            if await recipients_for(session, service, urgent=True, now=now)}
