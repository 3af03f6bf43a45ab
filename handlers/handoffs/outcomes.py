"""Closing the loop: the requester records the outcome of an accepted handoff, from its
controls ("Record the outcome") or from the day-after follow-up (which adds "not yet")."""

from __future__ import annotations

from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.models.core import Worker
from bot.services.handoffs import notify, outcomes, queries
from bot.services.handoffs.lifecycle import OUTCOMES, Side, TransitionRefused
from handlers.handoffs.common import act, from_buttons, texts
from handlers.replies import reply_after_commit
from handlers.secure import Verified
from handlers.ui import esc


async def ask_outcome(
    query: CallbackQuery, object_id: int, app: App, session: AsyncSession, worker: Worker,
) -> None:
    """"Record the outcome": the choices, with the one recorded so far."""
    handoff, side = await act(queries.for_actor(session, object_id, worker))
    if side is not Side.REQUESTER:
        raise TransitionRefused(outcomes.ONLY_REQUESTER)
    text = _("What became of the youth? (case <code>{code}</code> → {service})").format(
        code=esc(await queries.code_of(session, handoff)), service=esc(handoff.service_name))
    recorded = outcomes.outcome_code(handoff.outcome)
    if recorded is not None:
        text += "\n" + _("Recorded so far: {outcome}.").format(outcome=_(OUTCOMES[recorded]))
    await query.answer()
    await query.message.answer(text, reply_markup=from_buttons(notify.outcome_buttons(
        app, texts(app), handoff, query.from_user.id)), protect_content=True)


async def followup(
    query: CallbackQuery, secure: Verified, object_id: int, app: App, session: AsyncSession,
    worker: Worker,
) -> None:
    """An outcome button (or "not yet", or an older follow-up's yes / not yet / no): stored,
    then the message says what was recorded, without its buttons."""
    handoff = await act(outcomes.record(app, session, object_id, worker, secure.extra))
    code = outcomes.outcome_code(handoff.outcome)
    if code is None:
        said = _("⏳ Noted: not yet. We will ask again tomorrow.")
    else:
        said = _("📋 Outcome recorded: {outcome}. Thank you.").format(outcome=_(OUTCOMES[code]))
    if handoff.owner_id and handoff.owner_id != worker.id:
        said += " " + _("The receiving worker was told.")
    reply_after_commit(session, query.answer, _("Thank you, noted."))
    reply_after_commit(session, query.message.edit_text,
                       f"<code>{esc(await queries.code_of(session, handoff))}</code> → "
                       f"{esc(handoff.service_name)}\n{said}")
