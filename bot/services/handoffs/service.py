"""Handoffs: create, accept, decline, move, cancel; SLA timers and the day-after follow-up.

Every change goes through :func:`transition`, which checks the lifecycle table and the actor's
side, then applies a conditional UPDATE (``WHERE status = <what the actor saw>``, and for an
accept ``AND owner_id IS NULL``) and checks its row count: of several receivers accepting at
once, exactly one becomes the owner, on SQLite and PostgreSQL alike. Each change is written to
``handoff_events`` and the audit log (never a note's text) and the other side is told.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.i18n import N_
from bot.models.cases import Case, ParticipantRole
from bot.models.core import Worker
from bot.models.directory import DirectoryService
from bot.models.handoffs import Handoff, HandoffEvent, HandoffRecipient
from bot.services import audit, cases, crypto
from bot.services.directory.criteria import stored_criteria
from bot.services.handoffs import notify, routing
from bot.services.handoffs.lifecycle import (
    ACTIVE,
    ENDED,
    OPEN,
    STATUS_LABELS,
    Priority,
    Side,
    Status,
    TransitionRefused,
    check,
)
from bot.services.handoffs.timers import (
    ESCALATE,
    EXPIRE,
    FOLLOWUP,
    REMIND,
    get_timers,
)

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

NOT_YOURS = N_("This handoff is not one of yours.")
FOLLOWUP_ANSWERS = {"yes": "arrived", "notyet": "not-yet", "no": "not-arrived"}


class AlreadyTaken(TransitionRefused):
    """Another receiver accepted first."""


# ---- reading -----------------------------------------------------------------------------------


async def get_handoff(session: AsyncSession, handoff_id: int) -> Handoff:
    handoff = await session.get(Handoff, handoff_id)
    if handoff is None:
        raise NotFound(NOT_YOURS)
    return handoff


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
    if not token:
        return None
    try:
        return crypto.decrypt(app, token)
    except crypto.UndecryptableText:
        return None


async def worker_by_id(session: AsyncSession, worker_id: int | None) -> Worker | None:
    return await session.get(Worker, worker_id) if worker_id else None


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


# ---- history -----------------------------------------------------------------------------------


def add_event(
    session: AsyncSession, handoff: Handoff, *, at: datetime, kind: str,
    actor: Worker | None = None, from_status: str | None = None, to_status: str | None = None,
    reason: str | None = None, note_enc: str | None = None, **details: Any,
) -> HandoffEvent:
    event = HandoffEvent(
        handoff_id=handoff.id, at=at, actor_id=actor.id if actor else None, kind=kind,
        from_status=from_status, to_status=to_status, reason=reason, note_enc=note_enc,
        details=details,
    )
    session.add(event)
    return event


async def history(session: AsyncSession, handoff_id: int) -> list[HandoffEvent]:
    return list((await session.scalars(select(HandoffEvent).where(
        HandoffEvent.handoff_id == handoff_id).order_by(HandoffEvent.at, HandoffEvent.id))).all())


async def _audit(session: AsyncSession, now: datetime, action: str, actor: Worker | None,
                 handoff: Handoff, **details: str | int | bool | None) -> None:
    await audit.record(session, at=now, action=action, actor=actor, subject_type="handoff",
                       subject_id=str(handoff.id), region=handoff.region, **details)


# ---- creating ----------------------------------------------------------------------------------


def criteria_from_case(case: Case, service: DirectoryService) -> dict[str, Any]:
    """Directory search criteria (``Criteria.to_dict()``) to search again with when a request
    is declined, from the case (its region, needs, age and first language; no free text)."""
    from bot.services.directory import Criteria

    region = case.region_current or (service.regions[0] if service.regions else None)
    return Criteria(
        regions=(region,) if region else (),
        needs=tuple(case.needs or service.categories),
        age=case.age,
        language=(case.languages or [None])[0],
    ).to_dict()


def stored_search(criteria: dict[str, Any] | None, case: Case,
                  service: DirectoryService) -> dict[str, Any]:
    """What a handoff keeps of the search it came from: the interpreted criteria only (regions,
    place, needs, age, language, flags, vocabulary keywords), never words the worker typed;
    the case's criteria when it came from no search."""
    if not criteria:
        return criteria_from_case(case, service)
    return stored_criteria(criteria)


async def create(
    app: App, session: AsyncSession, *, requester: Worker, case: Case, service_id: int,
    priority: str = Priority.ROUTINE.value, note: str | None = None,
    criteria: dict[str, Any] | None = None,
) -> Handoff:
    """Send a request for ``case`` to the receiving workers of a service.

    ``note`` must already be screened (the chat layer does it); it is stored encrypted.
    """
    now = app.clock.now()
    if not cases.is_participant(case, requester):
        raise NotFound(cases.NOT_VISIBLE)
    cases.require_open(case)
    cases.require_consent(case)
    if priority not in {p.value for p in Priority}:
        raise InvalidInput(N_("Unknown priority."))
    service = await session.get(DirectoryService, service_id)
    if service is None or service.status not in ("active", None):
        raise NotFound(N_("This service is no longer in the directory."))
    duplicate = await session.scalar(select(Handoff.id).where(
        Handoff.case_id == case.id, Handoff.service_id == service.id,
        Handoff.status.in_([s.value for s in OPEN])))
    if duplicate is not None:
        raise InvalidInput(N_("Case {code} already has an open handoff to this service."),
                           code=case.code)
    targets = await routing.recipients_for(
        session, service, urgent=priority == Priority.URGENT.value, now=now,
        exclude=requester.id)
    if not targets:
        raise NotFound(N_(
            "Nobody at this service receives handoffs through Relais yet. Contact them by "
            "phone, or ask your coordinator to add a receiving worker (/receivers)."))
    handoff = Handoff(
        case_id=case.id, service_id=service.id, service_name=service.name,
        directory_org_id=await routing.service_hsds_org(session, service),
        region=case.region_current or (service.regions[0] if service.regions else None)
        or (requester.regions[0] if requester.regions else None),
        requester_id=requester.id, owner_id=None, status=Status.REQUESTED.value,
        priority=priority, note_enc=crypto.encrypt(app, note) if note else None,
        needs=list(case.needs or []), criteria=stored_search(criteria, case, service),
        sla_stage=0, created_at=now, updated_at=now,
    )
    session.add(handoff)
    await session.flush()
    add_event(session, handoff, at=now, kind="created", actor=requester,
              to_status=Status.REQUESTED.value, priority=priority,
              recipients=len(targets))
    rows = []
    for worker, role in targets:
        row = HandoffRecipient(handoff_id=handoff.id, worker_id=worker.id, role=role)
        session.add(row)
        rows.append((worker, row))
    await session.flush()
    await _audit(session, now, "handoff.created", requester, handoff, case=case.code,
                 priority=priority, recipients=len(targets))
    await get_timers(app).schedule_sla(session, handoff)
    for worker, row in rows:
        await send_request(app, session, handoff, case, worker, row, note=note)
    return handoff


async def send_request(
    app: App, session: AsyncSession, handoff: Handoff, case: Case, worker: Worker,
    row: HandoffRecipient, *, note: str | None, reminder: bool = False,
) -> None:
    t = notify.text_for(app, worker)
    requester = await worker_by_id(session, handoff.requester_id)
    text = notify.request_text(app, t, handoff, case, requester, note)
    if reminder:
        text = t.gettext("⏰ Reminder: this request is still waiting for an answer.") + "\n" + text
    if reminder and row.message_id is not None:  # the reminder replaces the first copy
        notify.delete(app, session, row)
    notify.send(app, session, worker, text,
                notify.request_buttons(app, t, handoff, worker.telegram_id), record=row)


async def mark_seen(app: App, session: AsyncSession, handoff: Handoff, worker: Worker) -> None:
    """A receiver opened the request: "seen" is a timestamp, not a status."""
    row = await recipient_row(session, handoff.id, worker.id)
    if row is None or row.seen_at is not None:
        return
    now = app.clock.now()
    row.seen_at = now
    if handoff.seen_at is None:
        handoff.seen_at = now
        add_event(session, handoff, at=now, kind="seen", actor=worker)


# ---- moving ------------------------------------------------------------------------------------


async def transition(
    app: App, session: AsyncSession, handoff_id: int, actor: Worker, target: Status | str, *,
    reason: str | None = None, note: str | None = None,
) -> Handoff:
    """Move a handoff to ``target`` as ``actor`` (checked), record it and tell the other side.

    ``note`` must already be screened; it is stored encrypted with the event.
    """
    target = Status(target)
    await explain_if_answered(session, handoff_id, actor)
    handoff, side = await for_actor(session, handoff_id, actor)
    case = await session.get(Case, handoff.case_id)
    if case is None:
        raise NotAllowed(NOT_YOURS)
    if side is Side.REQUESTER and not cases.is_participant(case, actor):
        raise NotAllowed(NOT_YOURS)
    if target is Status.ENTERED_IN_ERROR and reason is None:
        reason = "error"
    previous = Status(handoff.status)
    if previous is not Status.REQUESTED and target is Status.ACCEPTED and handoff.owner_id:
        raise await _taken(session, handoff)
    check(previous, target, side, reason)
    return await apply(app, session, handoff, case, actor, previous, target,
                       reason=reason, note=note)


async def explain_if_answered(session: AsyncSession, handoff_id: int, actor: Worker) -> None:
    """A receiver pressing an old request's button learns what happened to it."""
    handoff = await session.get(Handoff, handoff_id)
    if handoff is None or handoff.status == Status.REQUESTED.value or actor.id in (
            handoff.owner_id, handoff.requester_id):
        return
    row = await recipient_row(session, handoff.id, actor.id)
    if row is None or row.role not in routing.ACTING_ROLES:
        return
    if handoff.owner_id is not None:
        raise await _taken(session, handoff)
    raise TransitionRefused(N_("This handoff changed meanwhile: it is now {status}."),
                            status=STATUS_LABELS[Status(handoff.status)])


async def _taken(session: AsyncSession, handoff: Handoff) -> AlreadyTaken:
    owner = await worker_by_id(session, handoff.owner_id)
    return AlreadyTaken(N_("Too late: {who} already took this request."),
                        who=f"{owner.display_name} ({notify.org_name(owner)})" if owner else "?")


async def apply(
    app: App, session: AsyncSession, handoff: Handoff, case: Case, actor: Worker | None,
    previous: Status, target: Status, *, reason: str | None = None, note: str | None = None,
) -> Handoff:
    """The conditional UPDATE and what follows it (no permission check: callers do that)."""
    now = app.clock.now()
    note_enc = crypto.encrypt(app, note) if note else None
    values: dict[str, Any] = {
        "status": target.value, "updated_at": now,
        "status_reason": reason if target in (Status.REJECTED, Status.CANCELLED, Status.ON_HOLD,
                                              Status.FAILED, Status.ENTERED_IN_ERROR) else None,
        "status_note_enc": note_enc,
    }
    conditions = [Handoff.id == handoff.id, Handoff.status == previous.value]
    if target is Status.ACCEPTED:
        assert actor is not None
        values.update(owner_id=actor.id, accepted_at=now)
        conditions.append(Handoff.owner_id.is_(None))
    if target in ENDED:
        values["ended_at"] = now
    result = await session.execute(
        update(Handoff).where(*conditions).values(**values)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        await session.refresh(handoff)
        if target is Status.ACCEPTED and handoff.owner_id is not None:
            raise await _taken(session, handoff)
        raise TransitionRefused(N_("This handoff changed meanwhile: it is now {status}."),
                                status=STATUS_LABELS[Status(handoff.status)])
    await session.refresh(handoff)
    add_event(session, handoff, at=now, kind="status", actor=actor, from_status=previous.value,
              to_status=target.value, reason=values["status_reason"], note_enc=note_enc)
    await _audit(session, now, f"handoff.{target.value}", actor, handoff, reason=reason,
                 case=case.code)
    timers = get_timers(app)
    if target is not Status.REQUESTED and previous is Status.REQUESTED:
        await timers.cancel_sla(session, handoff)
    if target is Status.ACCEPTED:
        assert actor is not None
        await cases.add_participant(session, case, actor.id, added_by=actor, now=now,
                                    role=ParticipantRole.RECEIVER.value)
        await timers.schedule_followup(session, handoff)
    if target in ENDED:
        await timers.cancel_followup(session, handoff)
    await announce(app, session, handoff, case, actor, previous, target, note=note)
    if target in ENDED:
        await maybe_close_case(app, session, case)
    return handoff


async def maybe_close_case(app: App, session: AsyncSession, case: Case) -> bool:
    """Close the case when every handoff ended and the case is done (one came to an end that
    is not re-routable: completed, failed or cancelled), so retention applies."""
    handoffs = await case_handoffs(session, case.id)
    if not handoffs or any(h.status not in {s.value for s in ENDED} for h in handoffs):
        return False
    done = {Status.COMPLETED.value, Status.FAILED.value, Status.CANCELLED.value}
    last = max(handoffs, key=lambda h: (h.ended_at or h.updated_at, h.id))
    if last.status not in done:
        return False
    return await cases.close_case(session, case, by=None, now=app.clock.now(),
                                  outcome="handoffs_ended")


# ---- telling the other side --------------------------------------------------------------------


async def announce(
    app: App, session: AsyncSession, handoff: Handoff, case: Case, actor: Worker | None,
    previous: Status, target: Status, *, note: str | None = None,
) -> None:
    from bot.services.handoffs import notify as messages

    requester = await worker_by_id(session, handoff.requester_id)
    owner = await worker_by_id(session, handoff.owner_id)
    if previous is Status.REQUESTED:
        await messages.update_request_messages(app, session, handoff, case, actor)
    if target is Status.ACCEPTED:
        if requester is not None:
            await messages.tell_requester_accepted(app, session, handoff, case, requester, owner)
        return
    if target is Status.REJECTED:
        if requester is not None:
            await messages.tell_requester_declined(app, session, handoff, case, requester, actor,
                                                   note)
        return
    # Other moves: the other side is told (the requester, or the owner).
    other = owner if actor is not None and actor.id == handoff.requester_id else requester
    if other is not None and (actor is None or other.id != actor.id):
        await messages.tell_status(app, session, handoff, case, other, actor, note)


# ---- timers ------------------------------------------------------------------------------------


async def run_timer(app: App, session: AsyncSession, kind: str, handoff_id: int) -> None:
    """What a due timer does; idempotent (re-reads the state and the SLA stage)."""
    from bot.services.handoffs import notify as messages

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
                await messages.ask_followup(app, session, handoff, case, requester)
                add_event(session, handoff, at=now, kind="followup.asked")
        return
    if handoff.status != Status.REQUESTED.value:
        return
    if kind == REMIND and handoff.sla_stage < 1:
        handoff.sla_stage = 1
        add_event(session, handoff, at=now, kind="reminded")
        await messages.remind_receivers(app, session, handoff, case)
    elif kind == ESCALATE and handoff.sla_stage < 2:
        handoff.sla_stage = 2
        escalated = await escalate(app, session, handoff, case)
        add_event(session, handoff, at=now, kind="escalated", recipients=escalated)
    elif kind == EXPIRE:
        handoff.sla_stage = 3
        await apply(app, session, handoff, case, None, Status.REQUESTED, Status.REJECTED,
                    reason="no-response")


async def escalate(app: App, session: AsyncSession, handoff: Handoff, case: Case) -> int:
    """Send the request to the organisation's on-call workers (who may accept) and tell the
    region's coordinators (who may chase it). Returns how many were added."""
    from bot.services.handoffs import notify as messages

    service = await session.get(DirectoryService, handoff.service_id) if handoff.service_id else None
    known = {r.worker_id for r in await recipients(session, handoff.id)}
    known.add(handoff.requester_id or 0)
    added = 0
    if service is not None:
        receivers = await routing.service_receivers(session, service)
        for worker in await routing.on_call_workers(session, service, receivers):
            if worker.id in known:
                continue
            row = HandoffRecipient(handoff_id=handoff.id, worker_id=worker.id,
                                   role=routing.ON_CALL)
            session.add(row)
            await session.flush()  # its id keeps the id of the message sent to it
            known.add(worker.id)
            added += 1
            await send_request(app, session, handoff, case, worker, row,
                               note=note_of(app, handoff.note_enc), reminder=True)
    for worker in await routing.coordinators(session, handoff.region):
        if worker.id in known:
            continue
        row = HandoffRecipient(handoff_id=handoff.id, worker_id=worker.id,
                               role=routing.COORDINATOR)
        session.add(row)
        await session.flush()
        known.add(worker.id)
        added += 1
        await messages.tell_coordinator_escalated(app, session, handoff, case, worker, row)
    await session.flush()
    return added


# ---- follow-up ---------------------------------------------------------------------------------


async def answer_followup(app: App, session: AsyncSession, handoff_id: int, actor: Worker,
                          answer: str) -> Handoff:
    """The requester says whether the youth arrived (yes / not yet / no)."""
    from bot.services.handoffs import notify as messages

    if answer not in FOLLOWUP_ANSWERS:
        raise InvalidInput(N_("Please choose one of the answers."))
    handoff, side = await for_actor(session, handoff_id, actor)
    if side is not Side.REQUESTER:
        raise TransitionRefused(N_("Only the worker who asked for this handoff can do that."))
    now = app.clock.now()
    handoff.outcome = FOLLOWUP_ANSWERS[answer]
    handoff.updated_at = now
    add_event(session, handoff, at=now, kind="followup", actor=actor, outcome=handoff.outcome)
    await _audit(session, now, "handoff.followup", actor, handoff, outcome=handoff.outcome)
    if answer == "notyet" and handoff.status in {s.value for s in ACTIVE}:
        timers = get_timers(app)
        await timers.cancel_followup(session, handoff)
        await timers.schedule_followup(session, handoff)
    case = await session.get(Case, handoff.case_id)
    owner = await worker_by_id(session, handoff.owner_id)
    if owner is not None and case is not None:
        await messages.tell_owner_followup(app, session, handoff, case, owner, actor)
    return handoff


# ---- re-routing --------------------------------------------------------------------------------


async def next_services(app: App, session: AsyncSession, handoff: Handoff, *, limit: int = 3
                        ) -> list[Any]:
    """The next best services for the same search, without the ones already tried."""
    tried = set((await session.scalars(select(Handoff.service_id).where(
        Handoff.case_id == handoff.case_id))).all())
    tried.discard(None)
    return await routing.rerun_search(app, session, handoff.criteria or {}, exclude=tried,
                                      limit=limit)


def sla_deadline(app: App, handoff: Handoff) -> datetime:
    if handoff.priority == Priority.URGENT.value:
        return handoff.created_at + timedelta(minutes=app.settings.urgent_expire_minutes)
    return handoff.created_at + timedelta(days=app.settings.routine_expire_days)


async def quick_case(
    session: AsyncSession,
    worker: Worker,
    service: DirectoryService,
    criteria: dict[str, Any] | None,
    *,
    now: datetime,
) -> Case:
    """A new case, with consent recorded, for a handoff asked from a search result.

    What the search already says (the youth's age and language, the region, the needs) fills
    the case, so the receiving worker sees it without the requester typing it again.
    """
    criteria = criteria or {}
    searched_regions = [r for r in criteria.get("regions") or () if r in service.regions]
    region = next(iter(searched_regions), None) or next(
        (r for r in service.regions if r in worker.regions), None
    ) or (worker.regions[0] if worker.regions else None)
    language = criteria.get("language")
    draft = cases.CaseDraft(
        age=criteria.get("age"),
        languages=[language] if language in cases.LANGUAGE_NAMES else [],
        region_current=region,
        region_origin=region,
        needs=list(criteria.get("needs") or service.categories)[:3],
        consent=True,
    )
    return await cases.create_case(session, creator=worker, draft=draft, now=now)
