"""Read-only look-ups of handoffs: who takes part, on which side, what they may see.

Nothing here writes or sends, so the messages (:mod:`.notify`) and the moves (:mod:`.service`)
both build on it without depending on each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import NotAllowed, NotFound
from bot.i18n import N_
from bot.models.cases import Case
from bot.models.core import Worker
from bot.models.directory import DirectoryService
from bot.models.handoffs import Handoff, HandoffEvent, HandoffRecipient
from bot.services import crypto
from bot.services.handoffs import routing
from bot.services.handoffs.lifecycle import OPEN, Side, Status

if TYPE_CHECKING:
    from bot.app import App

NOT_YOURS = N_("This handoff is not one of yours.")
SERVICE_GONE = N_("This service is no longer in the directory.")


async def get_handoff(session: AsyncSession, handoff_id: int) -> Handoff:
    handoff = await session.get(Handoff, handoff_id)
    if handoff is None:
        raise NotFound(NOT_YOURS)
    return handoff


async def directory_service(session: AsyncSession, service_id: int) -> DirectoryService:
    """A directory service a request is about; gone services are refused."""
    service = await session.get(DirectoryService, service_id)
    if service is None:
        raise NotFound(SERVICE_GONE)
    return service


async def recipient_row(
    session: AsyncSession, handoff_id: int, worker_id: int
) -> HandoffRecipient | None:
    return await session.scalar(select(HandoffRecipient).where(
        HandoffRecipient.handoff_id == handoff_id, HandoffRecipient.worker_id == worker_id))


async def recipients(session: AsyncSession, handoff_id: int) -> list[HandoffRecipient]:
    return list((await session.scalars(select(HandoffRecipient).where(
        HandoffRecipient.handoff_id == handoff_id).order_by(HandoffRecipient.id))).all())


async def side_of(session: AsyncSession, handoff: Handoff, worker: Worker) -> Side | None:
    """The side ``worker`` acts on for this handoff, or None when they have no part in it."""
    if handoff.requester_id == worker.id:
        return Side.REQUESTER
    if handoff.owner_id is not None:
        return Side.RECEIVER if handoff.owner_id == worker.id else None
    row = await recipient_row(session, handoff.id, worker.id)
    if row is not None and row.role in routing.ACTING_ROLES:
        return Side.RECEIVER
    return None


async def for_actor(session: AsyncSession, handoff_id: int, worker: Worker) -> tuple[Handoff, Side]:
    """The handoff and the worker's side; the same refusal whether it exists or not."""
    handoff = await session.get(Handoff, handoff_id)
    side = await side_of(session, handoff, worker) if handoff is not None else None
    if handoff is None or side is None:
        raise NotAllowed(NOT_YOURS)
    return handoff, side


def note_of(app: App, token: str | None) -> str | None:
    """A stored note in clear, or None when there is none or it no longer decrypts."""
    if not token:
        return None
    try:
        return crypto.decrypt(app, token)
    except crypto.UndecryptableText:
        return None


async def worker_by_id(session: AsyncSession, worker_id: int | None) -> Worker | None:
    return await session.get(Worker, worker_id) if worker_id else None


async def case_of(session: AsyncSession, handoff: Handoff) -> Case | None:
    return await session.get(Case, handoff.case_id)


async def code_of(session: AsyncSession, handoff: Handoff) -> str:
    """The case code a handoff is shown with ("?" when the case is gone)."""
    case = await case_of(session, handoff)
    return case.code if case else "?"


async def case_handoffs(session: AsyncSession, case_id: int) -> list[Handoff]:
    return list((await session.scalars(
        select(Handoff).where(Handoff.case_id == case_id).order_by(Handoff.id))).all())


async def worker_handoffs(session: AsyncSession, worker: Worker, *, open_only: bool = True
                          ) -> list[Handoff]:
    """Handoffs the worker asked for or owns (open ones by default), newest first."""
    query = select(Handoff).where(
        (Handoff.requester_id == worker.id) | (Handoff.owner_id == worker.id))
    if open_only:
        query = query.where(Handoff.status.in_([s.value for s in OPEN]))
    return list((await session.scalars(query.order_by(Handoff.updated_at.desc()))).all())


async def pending_for(session: AsyncSession, worker: Worker) -> list[Handoff]:
    """Requests sent to the worker that nobody accepted yet."""
    query = (select(Handoff).join(HandoffRecipient, HandoffRecipient.handoff_id == Handoff.id)
             .where(HandoffRecipient.worker_id == worker.id,
                    HandoffRecipient.role.in_(routing.ACTING_ROLES),
                    Handoff.status == Status.REQUESTED.value)
             .order_by(Handoff.created_at))
    return list((await session.scalars(query)).all())


async def region_handoffs(session: AsyncSession, regions: list[str] | None, *, limit: int = 50
                          ) -> list[Handoff]:
    """Coordinators' view: handoffs of their regions (all regions for ``None``)."""
    query = select(Handoff)
    if regions is not None:
        query = query.where(Handoff.region.in_(regions))
    return list((await session.scalars(
        query.order_by(Handoff.updated_at.desc()).limit(limit))).all())


async def escalated_to(session: AsyncSession, worker: Worker) -> set[int]:
    """Ids of the requests still waiting that were escalated to the worker as a coordinator
    (they may act on them from ``/handoffs``)."""
    return set((await session.scalars(
        select(Handoff.id).join(HandoffRecipient, HandoffRecipient.handoff_id == Handoff.id)
        .where(HandoffRecipient.worker_id == worker.id,
               HandoffRecipient.role == routing.COORDINATOR,
               Handoff.status == Status.REQUESTED.value))).all())


@dataclass(frozen=True)
class Overview:
    """What ``/handoffs`` lists: the worker's own (pending first), and for coordinators the
    handoffs of their regions (``None`` for a worker who is not one)."""

    own: list[Handoff]
    regions: list[Handoff] | None


async def overview(session: AsyncSession, worker: Worker) -> Overview:
    """The worker's handoffs, and their regions' when they coordinate (admins: all regions)."""
    mine = await worker_handoffs(session, worker)
    pending = [h for h in await pending_for(session, worker)
               if h.id not in {m.id for m in mine}]
    regions = None
    if worker.is_coordinator:
        regions = await region_handoffs(session, None if worker.is_admin else worker.regions)
    return Overview([*pending, *mine], regions)


async def history(session: AsyncSession, handoff_id: int) -> list[HandoffEvent]:
    return list((await session.scalars(select(HandoffEvent).where(
        HandoffEvent.handoff_id == handoff_id).order_by(HandoffEvent.at, HandoffEvent.id))).all())


async def next_services(app: App, session: AsyncSession, handoff: Handoff, *, limit: int = 3
                        ) -> list[Any]:
    """The next best services for the same search, without the ones already tried."""
    tried = set((await session.scalars(select(Handoff.service_id).where(
        Handoff.case_id == handoff.case_id))).all())
    tried.discard(None)
    return await routing.rerun_search(app, session, handoff.criteria or {}, exclude=tried,
                                      limit=limit)


async def next_services_for(app: App, session: AsyncSession, handoff_id: int, worker: Worker
                            ) -> tuple[Handoff, list[Any]]:
    """After a decline, the requester (only them) sees the next services of the same search."""
    handoff, side = await for_actor(session, handoff_id, worker)
    if side is not Side.REQUESTER:
        raise NotAllowed(NOT_YOURS)
    return handoff, await next_services(app, session, handoff)
