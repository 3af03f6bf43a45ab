"""Questions between the two sides of a handoff, before or after it is accepted.

Only people who take part in the handoff ask, and only of one another: the requester, the
owner and the request's recipients. A question is written to the handoff's history (who asked
whom, never its text) and reaches the other person once the transaction commits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import NotAllowed
from bot.i18n import N_
from bot.models.cases import Case
from bot.models.core import Worker
from bot.models.handoffs import Handoff
from bot.services.handoffs import notify
from bot.services.handoffs.events import add_event
from bot.services.handoffs.lifecycle import Side
from bot.services.handoffs.queries import NOT_YOURS, for_actor, recipients
from bot.services.handoffs.service import mark_seen

if TYPE_CHECKING:
    from bot.app import App


async def addressee(app: App, session: AsyncSession, handoff_id: int, worker: Worker,
                    named: int | None = None) -> tuple[Handoff, int]:
    """Whom ``worker`` is about to ask: a receiver asks the requester (having seen the request);
    the requester asks the worker ``named`` by the button, else the owner."""
    handoff, side = await for_actor(session, handoff_id, worker)
    if side is Side.RECEIVER:
        await mark_seen(app, session, handoff, worker)
        to = handoff.requester_id
    else:
        to = named if named is not None else handoff.owner_id
    if not to:
        raise NotAllowed(N_("There is nobody to ask yet."))
    return handoff, to


async def ask(app: App, session: AsyncSession, handoff_id: int, asker: Worker, to_id: int,
              text: str, *, answer: bool = False) -> Worker:
    """Send ``text`` (already screened) to ``to_id`` about the handoff; the person asked.

    With ``answer`` it is the answer to their question, labelled as such (and recorded as an
    ``answer`` event). Refused, the same way whatever the reason, when the asker has no part in
    the handoff, or the person asked has none or is the asker."""
    handoff, _side = await for_actor(session, handoff_id, asker)
    to = await session.get(Worker, to_id)
    allowed = {handoff.requester_id, handoff.owner_id} | {
        r.worker_id for r in await recipients(session, handoff.id)}
    if to is None or to.id not in allowed or to.id == asker.id:
        raise NotAllowed(NOT_YOURS)
    case = await session.get(Case, handoff.case_id)
    await notify.send_question(app, session, handoff, case, to, asker, text, answer=answer)
    add_event(session, handoff, at=app.clock.now(), kind="answer" if answer else "question",
              actor=asker, to_worker=to.id)
    return to
