"""What a handoff's due timer does: remind the receivers, escalate, expire, ask the follow-up.

These are the handlers of the ``handoff.*`` job kinds (:mod:`.jobs`), found by the scheduler
by kind name. They may use the moves of :mod:`.service`, which only schedules timers by name
(:mod:`.timers`) and never imports this module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from bot.models.cases import Case
from bot.models.directory import DirectoryService
from bot.models.handoffs import Handoff, HandoffRecipient
from bot.services.handoffs import alerts, notify, routing
from bot.services.handoffs.events import add_event
from bot.services.handoffs.lifecycle import ACTIVE, Status
from bot.services.handoffs.queries import recipients, worker_by_id
from bot.services.handoffs.service import apply
from bot.services.handoffs.timers import ESCALATE, EXPIRE, FOLLOWUP, REMIND, running

if TYPE_CHECKING:
    from bot.app import App


async def run_job(app: App, session: AsyncSession, job: object) -> list:
    """Scheduler handler of the four ``handoff.*`` kinds: messages go out through
    ``app.messenger`` directly (to several people), so nothing is returned to send."""
    handoff_id = int(job.payload["handoff_id"])  # type: ignore[attr-defined]
    with running(job.kind, handoff_id):  # type: ignore[attr-defined]
        await run_timer(app, session, job.kind, handoff_id)  # type: ignore[attr-defined]
    return []


async def run_timer(app: App, session: AsyncSession, kind: str, handoff_id: int) -> None:
    """What a due timer does; idempotent (re-reads the state and the SLA stage)."""
    handoff = await session.get(Handoff, handoff_id)
    if handoff is None:
        return
    case = await session.get(Case, handoff.case_id)
    if case is None:
        return
    now = app.clock.now()
    if kind == FOLLOWUP:
        if handoff.status in {s.value for s in ACTIVE} and handoff.outcome in (None, "not-yet"):
            requester = await worker_by_id(session, handoff.requester_id)
            if requester is not None:
                await notify.ask_followup(app, session, handoff, case, requester)
                add_event(session, handoff, at=now, kind="followup.asked")
        return
    if handoff.status != Status.REQUESTED.value:
        return
    requester = await worker_by_id(session, handoff.requester_id)
    if kind == REMIND and handoff.sla_stage < 1:
        handoff.sla_stage = 1
        add_event(session, handoff, at=now, kind="reminded")
        await notify.remind_receivers(app, session, handoff, case)
        if requester is not None:
            await alerts.tell_requester_reminded(app, session, handoff, case, requester)
    elif kind == ESCALATE and handoff.sla_stage < 2:
        handoff.sla_stage = 2
        on_call, coordinators = await escalate(app, session, handoff, case)
        add_event(session, handoff, at=now, kind="escalated",
                  recipients=on_call + coordinators, on_call=on_call, coordinators=coordinators)
        if requester is not None:
            await alerts.tell_requester_escalated(app, session, handoff, case, requester,
                                                  on_call=on_call, coordinators=coordinators)
    elif kind == EXPIRE:
        handoff.sla_stage = 3
        await apply(app, session, handoff, case, None, Status.REQUESTED, Status.REJECTED,
                    reason="no-response")


async def escalate(app: App, session: AsyncSession, handoff: Handoff, case: Case
                   ) -> tuple[int, int]:
    """Send the request to the organisation's on-call workers and the region's coordinators,
    with what they may do (accept for the service, call it, reassign it). Returns how many
    on-call workers and coordinators were added."""
    service = await session.get(DirectoryService, handoff.service_id) if handoff.service_id else None
    known = {r.worker_id for r in await recipients(session, handoff.id)}
    known.add(handoff.requester_id or 0)
    on_call = coordinators = 0
    if service is not None:
        receivers = await routing.service_receivers(session, service)
        for worker in await routing.on_call_workers(session, service, receivers,
                                                    now=app.clock.now()):
            if worker.id in known:
                continue
            row = HandoffRecipient(handoff_id=handoff.id, worker_id=worker.id,
                                   role=routing.ON_CALL)
            session.add(row)
            await session.flush()  # its id keeps the id of the message sent to it
            known.add(worker.id)
            on_call += 1
            await alerts.send_escalation(app, session, handoff, case, worker, row, on_call=True)
    for worker in await routing.coordinators(session, handoff.region):
        if worker.id in known:
            continue
        row = HandoffRecipient(handoff_id=handoff.id, worker_id=worker.id,
                               role=routing.COORDINATOR)
        session.add(row)
        await session.flush()
        known.add(worker.id)
        coordinators += 1
        await alerts.send_escalation(app, session, handoff, case, worker, row, on_call=False)
    await session.flush()
    return on_call, coordinators
