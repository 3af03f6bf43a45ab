"""What the people alerted at escalation may do with an unanswered request.

An on-call worker of the service or a coordinator of the region (a recipient of the request with
the role ``on_call`` or ``coordinator``) may accept it for the service (they become its owner and
a participant of the case), read the service's phone number to call it, or send the request to
one of the service's receivers. Each move re-checks their part and that the request still waits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import NotAllowed
from bot.i18n import N_
from bot.models.cases import Case
from bot.models.core import Worker
from bot.models.handoffs import Handoff, HandoffRecipient
from bot.services.handoffs import alerts, routing, service
from bot.services.handoffs.events import add_event, audit
from bot.services.handoffs.lifecycle import Status, TransitionRefused, status_label
from bot.services.handoffs.notify import org_name
from bot.services.handoffs.queries import (
    NOT_YOURS,
    directory_service,
    recipient_row,
    side_of,
    worker_by_id,
)

if TYPE_CHECKING:
    from bot.app import App

#: Recipient roles of the people alerted at escalation.
ALERTED = (routing.ON_CALL, routing.COORDINATOR)
NOT_A_RECEIVER = N_("This person no longer receives this service's requests.")


async def alerted_row(session: AsyncSession, handoff_id: int, worker: Worker
                      ) -> tuple[Handoff, HandoffRecipient]:
    """The request and the worker's row as a person alerted about it; refused otherwise (the
    same refusal whether the request exists or not)."""
    handoff = await session.get(Handoff, handoff_id)
    row = await recipient_row(session, handoff_id, worker.id) if handoff is not None else None
    if handoff is None or row is None or row.role not in ALERTED:
        raise NotAllowed(NOT_YOURS)
    return handoff, row


async def still_waiting(session: AsyncSession, handoff: Handoff) -> None:
    """Refuse, saying what happened, once the request was answered, cancelled or expired."""
    if handoff.status == Status.REQUESTED.value:
        return
    owner = await worker_by_id(session, handoff.owner_id)
    if owner is not None:
        raise service.AlreadyTaken(N_("Too late: {who} already took this request."),
                                   who=f"{owner.display_name} ({org_name(owner)})")
    raise TransitionRefused(N_("This handoff changed meanwhile: it is now {status}."),
                            status=status_label(handoff.status, handoff.status_reason))


async def accept_for_service(app: App, session: AsyncSession, handoff_id: int, worker: Worker
                             ) -> Handoff:
    """An on-call worker or a coordinator accepts the request on the service's behalf: they
    become its owner (first acceptance wins, as for receivers)."""
    handoff, row = await alerted_row(session, handoff_id, worker)
    await still_waiting(session, handoff)
    if row.role == routing.ON_CALL:  # a receiver of the service: the usual accept
        return await service.accept(app, session, handoff_id, worker)
    case = await session.get(Case, handoff.case_id)
    if case is None:
        raise NotAllowed(NOT_YOURS)
    now = app.clock.now()
    row.seen_at = row.seen_at or now
    await audit(session, now, "handoff.accepted_for_service", worker, handoff, case=case.code)
    return await service.apply(app, session, handoff, case, worker, Status.REQUESTED,
                               Status.ACCEPTED)


async def service_phone(app: App, session: AsyncSession, handoff_id: int, worker: Worker
                        ) -> tuple[Handoff, str | None]:
    """The phone number of the request's service (as the directory shows it), for anyone who
    takes part in the request."""
    handoff = await session.get(Handoff, handoff_id)
    if handoff is None or (await recipient_row(session, handoff_id, worker.id) is None
                           and await side_of(session, handoff, worker) is None):
        raise NotAllowed(NOT_YOURS)
    if handoff.service_id is None:
        return handoff, None
    from bot.services.directory.index import get_index

    index = await get_index(session)
    position = index.by_id.get(handoff.service_id)
    return handoff, index.entries[position].phone if position is not None else None


async def candidates(app: App, session: AsyncSession, handoff_id: int, worker: Worker
                     ) -> tuple[Handoff, list[Worker]]:
    """The service's receivers the request may be sent to (not the worker themself, not the
    requester)."""
    handoff, _row = await alerted_row(session, handoff_id, worker)
    await still_waiting(session, handoff)
    svc = await directory_service(session, handoff.service_id or 0)
    found = await routing.service_receivers(session, svc)
    return handoff, [w for w in found if w.id not in (worker.id, handoff.requester_id)]


async def reassign(app: App, session: AsyncSession, handoff_id: int, worker: Worker,
                   target_id: int) -> tuple[Handoff, Worker]:
    """Send the request to one of the service's receivers (in place of the copy they may have),
    and tell the requester who it went to."""
    handoff, people = await candidates(app, session, handoff_id, worker)
    target = next((w for w in people if w.id == target_id), None)
    if target is None:
        raise NotAllowed(NOT_A_RECEIVER)
    case = await session.get(Case, handoff.case_id)
    if case is None:
        raise NotAllowed(NOT_YOURS)
    row = await recipient_row(session, handoff.id, target.id)
    if row is None:
        row = HandoffRecipient(handoff_id=handoff.id, worker_id=target.id, role=routing.RECEIVER)
        session.add(row)
        await session.flush()  # its id keeps the id of the message sent to it
    elif row.role not in routing.ACTING_ROLES:
        row.role = routing.RECEIVER
    now = app.clock.now()
    add_event(session, handoff, at=now, kind="reassigned", actor=worker, to_worker=target.id)
    await audit(session, now, "handoff.reassigned", worker, handoff, case=case.code,
                to_worker=target.id)
    await alerts.send_reassigned(app, session, handoff, case, target, row, worker)
    requester = await worker_by_id(session, handoff.requester_id)
    if requester is not None:
        await alerts.tell_requester_reassigned(app, session, handoff, case, requester, worker,
                                               target)
    return handoff, target
