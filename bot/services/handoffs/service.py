"""Handoffs: accept, decline, move, cancel; "seen"; the first acceptance of a group.

Every change goes through :func:`transition`, which checks the lifecycle table and the actor's
side, then applies a conditional UPDATE (``WHERE status = <what the actor saw>``, and for an
accept ``AND owner_id IS NULL``) and checks its row count: of several receivers accepting at
once, exactly one becomes the owner, on SQLite and PostgreSQL alike. Each change is written to
``handoff_events`` and the audit log (never a note's text) and the other side is told.

An urgent request sent to several services at once (one ``group_key``, :mod:`.group`) is won by
its first acceptance: the accepting transaction locks the group's rows in id order first (so two
receivers of two of its services queue instead of deadlocking), and the others are withdrawn
(cancelled, reason ``accepted-elsewhere``) in the same transaction.

Creating a request is :mod:`.creating` (``create`` is kept here by name for callers); what a due
timer does is :mod:`.sla`; look-ups are :mod:`.queries`; the requester's outcome is
:mod:`.outcomes`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import NotAllowed
from bot.i18n import N_
from bot.models.cases import Case, ParticipantRole
from bot.models.core import Worker
from bot.models.handoffs import Handoff
from bot.services import cases, crypto
from bot.services.handoffs import group, notify
from bot.services.handoffs.creating import create as create
from bot.services.handoffs.events import add_event, audit
from bot.services.handoffs.lifecycle import (
    ENDED,
    REASONS,
    Side,
    Status,
    TransitionRefused,
    check,
    status_label,
)
from bot.services.handoffs.queries import (
    NOT_YOURS,
    case_handoffs,
    for_actor,
    note_of,
    recipient_row,
    worker_by_id,
)
from bot.services.handoffs.routing import ACTING_ROLES
from bot.services.handoffs.timers import get_timers
from bot.services.stats.recording import status_fields

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

class AlreadyTaken(TransitionRefused):
    """Another receiver accepted first."""


# ---- seeing ------------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class View:
    """A handoff as one worker may see it: the request itself while they may still answer it,
    else its summary; ``note`` is None when they may not read it."""

    handoff: Handoff
    side: Side
    case: Case
    requester: Worker | None
    owner: Worker | None
    note: str | None
    is_request: bool


async def open_for(app: App, session: AsyncSession, handoff_id: int, worker: Worker) -> View:
    """What ``worker`` sees of a handoff they opened (a receiver opening a request has seen it)."""
    handoff, side = await for_actor(session, handoff_id, worker)
    case = await session.get(Case, handoff.case_id)
    if case is None:
        raise NotAllowed(NOT_YOURS)
    requester = await worker_by_id(session, handoff.requester_id)
    note = note_of(app, handoff.note_enc)
    if handoff.status == Status.REQUESTED.value and side is Side.RECEIVER:
        await mark_seen(app, session, handoff, worker)
        return View(handoff, side, case, requester, None, note, True)
    owner = await worker_by_id(session, handoff.owner_id)
    shown = note if note and cases.is_participant(case, worker) else None
    return View(handoff, side, case, requester, owner, shown, False)


# ---- moving ------------------------------------------------------------------------------------


async def accept(app: App, session: AsyncSession, handoff_id: int, worker: Worker) -> Handoff:
    """A receiver takes the request (having seen it): they become a participant of the case."""
    handoff = await session.get(Handoff, handoff_id)
    if handoff is not None:
        if handoff.group_key:  # before "seen" writes a row of the group: see group.lock
            await group.lock(session, handoff.group_key)
        await mark_seen(app, session, handoff, worker)
    return await transition(app, session, handoff_id, worker, Status.ACCEPTED)


async def check_move(session: AsyncSession, handoff_id: int, worker: Worker, target: Status
                     ) -> tuple[Handoff, Side]:
    """Refuse a move before asking for its reason or note, not after."""
    await explain_if_answered(session, handoff_id, worker)
    handoff, side = await for_actor(session, handoff_id, worker)
    check(handoff.status, target, side, next(iter(REASONS.get(target, {"": ""}))) or None,
          current_reason=handoff.status_reason)
    return handoff, side


async def prepare_reason(app: App, session: AsyncSession, handoff_id: int, worker: Worker,
                         target: Status) -> Handoff:
    """Before the reasons of a move are offered: checked, and a receiver has seen the request."""
    handoff, side = await check_move(session, handoff_id, worker, target)
    if side is Side.RECEIVER:
        await mark_seen(app, session, handoff, worker)
    return handoff


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
    check(previous, target, side, reason, current_reason=handoff.status_reason)
    return await apply(app, session, handoff, case, actor, previous, target,
                       reason=reason, note=note)


async def explain_if_answered(session: AsyncSession, handoff_id: int, actor: Worker) -> None:
    """A receiver pressing an old request's button learns what happened to it."""
    handoff = await session.get(Handoff, handoff_id)
    if handoff is None or handoff.status == Status.REQUESTED.value or actor.id in (
            handoff.owner_id, handoff.requester_id):
        return
    row = await recipient_row(session, handoff.id, actor.id)
    if row is None or row.role not in ACTING_ROLES:
        return
    if handoff.owner_id is not None or handoff.status_reason == group.ACCEPTED_ELSEWHERE:
        raise await _taken(session, handoff)
    raise TransitionRefused(N_("This handoff changed meanwhile: it is now {status}."),
                            status=status_label(handoff.status, handoff.status_reason))


async def _taken(session: AsyncSession, handoff: Handoff) -> AlreadyTaken:
    if handoff.owner_id is None and handoff.status_reason == group.ACCEPTED_ELSEWHERE:
        winner = await group.winner(session, handoff)
        owner = await worker_by_id(session, winner.owner_id if winner else None)
        return AlreadyTaken(
            N_("Too late: this urgent request went to several services and {service} accepted "
               "it first ({who})."), service=winner.service_name if winner else "?",
            who=f"{owner.display_name} ({notify.org_name(owner)})" if owner else "?")
    owner = await worker_by_id(session, handoff.owner_id)
    return AlreadyTaken(N_("Too late: {who} already took this request."),
                        who=f"{owner.display_name} ({notify.org_name(owner)})" if owner else "?")


async def apply(
    app: App, session: AsyncSession, handoff: Handoff, case: Case, actor: Worker | None,
    previous: Status, target: Status, *, reason: str | None = None, note: str | None = None,
    quiet: bool = False,
) -> Handoff:
    """The conditional UPDATE and what follows it (no permission check: callers do that);
    ``quiet`` leaves the telling to the caller (a withdrawn request of a group)."""
    now = app.clock.now()
    if target is Status.ACCEPTED and handoff.group_key:
        await group.lock(session, handoff.group_key)
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
    values.update(status_fields(handoff, target, by_worker=actor is not None, now=now))
    result = await session.execute(
        update(Handoff).where(*conditions).values(**values)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        await session.refresh(handoff)
        if target is Status.ACCEPTED and (handoff.owner_id is not None or handoff.status_reason
                                          == group.ACCEPTED_ELSEWHERE):
            raise await _taken(session, handoff)
        raise TransitionRefused(N_("This handoff changed meanwhile: it is now {status}."),
                                status=status_label(handoff.status, handoff.status_reason))
    await session.refresh(handoff)
    add_event(session, handoff, at=now, kind="status", actor=actor, from_status=previous.value,
              to_status=target.value, reason=values["status_reason"], note_enc=note_enc)
    await audit(session, now, f"handoff.{target.value}", actor, handoff, reason=reason,
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
    if not quiet:
        await announce(app, session, handoff, case, actor, previous, target, note=note)
    if target is Status.ACCEPTED and handoff.group_key:
        await withdraw_group(app, session, handoff, case)
    if target in ENDED:
        await maybe_close_case(app, session, case)
    return handoff


async def withdraw_group(app: App, session: AsyncSession, winner: Handoff, case: Case) -> None:
    """The first acceptance wins for the whole group: its other open requests are cancelled
    (``accepted-elsewhere``), their receivers told, and the requester told once."""
    withdrawn = []
    for other in await group.members(session, winner.group_key or ""):
        if other.id == winner.id or other.status != Status.REQUESTED.value:
            continue
        try:
            await apply(app, session, other, case, None, Status.REQUESTED, Status.CANCELLED,
                        reason=group.ACCEPTED_ELSEWHERE, quiet=True)
        except TransitionRefused:  # answered meanwhile (declined, expired): it stays so
            continue
        await group.tell_withdrawn(app, session, other, case, winner)
        withdrawn.append(other)
    requester = await worker_by_id(session, winner.requester_id)
    if withdrawn and requester is not None:
        await group.tell_requester(app, session, winner, case, requester, withdrawn)


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
    requester = await worker_by_id(session, handoff.requester_id)
    owner = await worker_by_id(session, handoff.owner_id)
    if previous is Status.REQUESTED:
        await notify.update_request_messages(app, session, handoff, case, actor)
    if target is Status.ACCEPTED:
        if requester is not None:
            await notify.tell_requester_accepted(app, session, handoff, case, requester, owner)
        return
    if target is Status.REJECTED:
        if requester is not None:
            await notify.tell_requester_declined(app, session, handoff, case, requester, actor,
                                                 note)
        return
    # Other moves: the other side is told (the requester, or the owner).
    other = owner if actor is not None and actor.id == handoff.requester_id else requester
    if other is not None and (actor is None or other.id != actor.id):
        await notify.tell_status(app, session, handoff, case, other, actor, note)
