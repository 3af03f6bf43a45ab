"""Closing the loop from the requester's end: the outcome of an accepted handoff.

The requester records what became of the youth (arrived or admitted, did not show up, placed
elsewhere, other) from the handoff's controls at any time after acceptance, or when the day-after
follow-up asks; "not yet" records no outcome and asks again a day later. The receiver's statuses
stay their own. An outcome is a code in ``handoffs.outcome``, with a ``followup`` event (the case
timeline's line) and an audit entry; the owner is told. :func:`counts` gives the figures.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import InvalidInput
from bot.i18n import N_
from bot.models.cases import Case
from bot.models.core import Worker
from bot.models.handoffs import Handoff
from bot.services.handoffs import notify
from bot.services.handoffs.events import add_event, audit
from bot.services.handoffs.lifecycle import (
    ACTIVE,
    LEGACY_OUTCOMES,
    NOT_YET,
    OUTCOMES,
    Side,
    Status,
    TransitionRefused,
)
from bot.services.handoffs.queries import for_actor, worker_by_id
from bot.services.handoffs.timers import get_timers
from bot.services.stats.recording import close_on_outcome

if TYPE_CHECKING:
    from bot.app import App

#: The extras of the buttons of follow-ups sent before the outcomes (yes / not yet / no).
OLD_ANSWERS = {"yes": "arrived", "notyet": NOT_YET, "no": "no-show"}
ONLY_REQUESTER = N_("Only the worker who asked for this handoff can do that.")
#: What :func:`counts` calls the accepted handoffs without an outcome (or only "not yet").
UNRECORDED = "unrecorded"


def outcome_code(stored: str | None) -> str | None:
    """A stored outcome as today's code ("not-arrived" of earlier versions is "no-show");
    None for none or "not yet"."""
    if stored is None or stored == NOT_YET:
        return None
    code = LEGACY_OUTCOMES.get(stored, stored)
    return code if code in OUTCOMES else None


async def record(app: App, session: AsyncSession, handoff_id: int, actor: Worker,
                 answer: str) -> Handoff:
    """The requester records the outcome (or "not yet", which asks again in a day).

    Only the worker who asked, and only once the handoff was accepted; a new answer replaces the
    previous one (the history keeps both)."""
    code = OLD_ANSWERS.get(answer, answer)
    if code not in OUTCOMES and code != NOT_YET:
        raise InvalidInput(N_("Please choose one of the answers."))
    handoff, side = await for_actor(session, handoff_id, actor)
    if side is not Side.REQUESTER:
        raise TransitionRefused(ONLY_REQUESTER)
    if handoff.accepted_at is None or handoff.status == Status.ENTERED_IN_ERROR.value:
        raise TransitionRefused(N_("An outcome can be recorded once the handoff is accepted."))
    now = app.clock.now()
    previous = handoff.outcome
    handoff.outcome = code
    handoff.updated_at = now
    close_on_outcome(handoff, outcome_code(code), now)
    add_event(session, handoff, at=now, kind="followup", actor=actor, outcome=code,
              previous=previous)
    await audit(session, now, "handoff.outcome", actor, handoff, outcome=code)
    timers = get_timers(app)
    await timers.cancel_followup(session, handoff)
    if code == NOT_YET and handoff.status in {s.value for s in ACTIVE}:
        await timers.schedule_followup(session, handoff)
    case = await session.get(Case, handoff.case_id)
    owner = await worker_by_id(session, handoff.owner_id)
    if owner is not None and case is not None and owner.id != actor.id:
        await notify.tell_owner_followup(app, session, handoff, case, owner, actor)
    return handoff


async def counts(session: AsyncSession, *, regions: Collection[str] | None, start: datetime,
                 end: datetime) -> dict[str, int]:
    """Handoffs accepted in ``[start, end)`` in ``regions`` (every region for None), by outcome
    code: each of :data:`OUTCOMES` (zero included) and :data:`UNRECORDED`. Entered in error ones
    are left out; earlier versions' codes count as today's."""
    query = (select(Handoff.outcome, func.count()).where(
        Handoff.accepted_at.is_not(None), Handoff.accepted_at >= start, Handoff.accepted_at < end,
        Handoff.status != Status.ENTERED_IN_ERROR.value).group_by(Handoff.outcome))
    if regions is not None:
        query = query.where(Handoff.region.in_(list(regions)))
    result = dict.fromkeys((*OUTCOMES, UNRECORDED), 0)
    for stored, number in (await session.execute(query)).all():
        result[outcome_code(stored) or UNRECORDED] += number
    return result
