"""A service that loses its last receiver: its regions' coordinators are told.

A service is "received" when a handoff request to it would reach a worker
(:func:`bot.services.directory.reach.receivable`). When a coordinator removes its last receiver in
``/receivers``, or deactivates the last worker who received for it, search answers stop offering
"Request handoff" on it and show its phone number instead: the coordinators of its regions must
know, so that they name someone. The change is watched in two steps (what was received before,
then what is not any more) inside the transaction that makes it; the news goes out as one
scheduled job per coordinator (:data:`KIND`), so it is sent once the change is stored, in each
coordinator's language and quiet hours, and not at all if someone receives again by then.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.messenger import Button, OutgoingMessage
from bot.models.core import Organisation, Role, Worker, WorkerRegion
from bot.models.directory import DirectoryOrganization, DirectoryService, ServiceReceiver
from bot.services import crypto, scheduler
from bot.services.directory.reach import receivable

if TYPE_CHECKING:
    from bot.app import App
    from bot.i18n import Text
    from bot.models.reminders import ScheduledJob

KIND = "directory.receiver_lost"
#: the ``/receivers`` button of a service (handlers.handoffs.common.RECEIVER_SERVICE)
RECEIVER_SERVICE = "ho.rsv"


@dataclass(frozen=True)
class Watch:
    """Services that may stop being received by a change, and those received before it."""

    services: tuple[DirectoryService, ...]
    before: frozenset[int]
    now: datetime


async def watch(session: AsyncSession, services: Sequence[DirectoryService], *,
                now: datetime) -> Watch:
    """Before a change: which of ``services`` someone receives for now."""
    return Watch(tuple(services), frozenset(await receivable(session, services, now=now)), now)


async def watch_worker(session: AsyncSession, worker: Worker, *, now: datetime) -> Watch:
    """Before ``worker`` stops working: the services they receive for, by name or through
    their organisation (on-call routing goes through the same people)."""
    conditions = [DirectoryService.id.in_(
        select(ServiceReceiver.service_id).where(ServiceReceiver.worker_id == worker.id))]
    if worker.organisation_id is not None:
        conditions.append(DirectoryService.organization_id.in_(
            select(DirectoryOrganization.id)
            .join(Organisation, Organisation.directory_org_id == DirectoryOrganization.hsds_id)
            .where(Organisation.id == worker.organisation_id)))
    services = (await session.scalars(
        select(DirectoryService).where(or_(*conditions)).order_by(DirectoryService.id))).all()
    return await watch(session, services, now=now)


async def tell_lost(session: AsyncSession, watched: Watch, *, actor: Worker | None = None
                    ) -> list[DirectoryService]:
    """After the change: the services nobody receives for any more; their regions' coordinators
    (``actor`` excepted: they are told in their reply) get a notice once it is stored."""
    if not watched.before:
        return []
    await session.flush()
    still = await receivable(session, [s for s in watched.services if s.id in watched.before],
                             now=watched.now)
    lost = [s for s in watched.services if s.id in watched.before and s.id not in still]
    for service in lost:
        for coordinator in await coordinators_of(session, service):
            if actor is not None and coordinator.id == actor.id:
                continue
            await scheduler.schedule(
                session, KIND, watched.now, now=watched.now, worker=coordinator,
                ref=f"service:{service.id}", payload={"service_id": service.id},
                key=f"{KIND}:{service.id}:{coordinator.id}", replace=True)
    return lost


async def coordinators_of(session: AsyncSession, service: DirectoryService) -> list[Worker]:
    """Active coordinators of any of the service's regions (they manage its receivers)."""
    if not service.regions:
        return []
    query = select(Worker).where(
        Worker.role == Role.COORDINATOR.value, Worker.active.is_(True),
        Worker.id.in_(select(WorkerRegion.worker_id).where(
            WorkerRegion.region.in_(service.regions))),
    ).order_by(Worker.id)
    return list((await session.scalars(query)).all())


def lost_text(t: Text, name: str) -> str:
    """The notice, in the language of ``t``; ``name`` is HTML-escaped already."""
    return t.gettext(
        "⚠️ Nobody receives handoffs for <b>{service}</b> any more. Workers who find it now see "
        "its phone number instead of \"Request handoff\". Name a receiver so that requests "
        "reach someone again.", service=name)


async def render_lost(app: App, session: AsyncSession, job: ScheduledJob
                      ) -> list[OutgoingMessage] | None:
    """The coordinator's notice, unless someone receives for the service again by now."""
    service = await session.get(DirectoryService, int((job.payload or {}).get("service_id", 0)))
    worker = job.worker
    if service is None or worker is None:
        return None
    if await receivable(session, [service], now=job.updated_at):
        return None
    t = scheduler.text_for(app, worker)
    name = (service.name_en or service.name) if t.lang == "en" else service.name
    return [OutgoingMessage(
        chat_id=worker.telegram_id,
        text=scheduler.late_line(t, job) + lost_text(t, html.escape(name)),
        buttons=[[Button(t.gettext("Name a receiver"), crypto.sign_callback(
            app, RECEIVER_SERVICE, service.id, worker.telegram_id))]],
    )]


JOB_KINDS = {KIND: render_lost}
