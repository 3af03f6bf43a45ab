""""Report an error" on a search result: the next message describes what is wrong.

The description is screened before anything else, its length included (an identifying one is
deleted and refused, and the user can write it again); :func:`reports.report_error` tells the
listing's owners and stores it for ``/reports`` (:mod:`.report_list`); the thanks go out once it
is stored. A report left for longer than its window is forgotten: the text is a question.
"""

from __future__ import annotations

import html

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.models.core import Worker
from bot.services.directory import receivers, reports
from handlers.directory.keyboards import ReportError
from handlers.directory.questions import handle_question
from handlers.privacy_reply import screened_or_refused
from handlers.replies import reply_after_commit
from handlers.ui import lang


class ReportStates(StatesGroup):
    """Waiting for the description of an error (for :data:`reports.REPORT_WINDOW` at most)."""

    description = State()


async def report_start(query: CallbackQuery, callback_data: ReportError, app: App,
                       session: AsyncSession, state: FSMContext) -> None:
    """"Report an error": ask what is wrong in the listing."""
    service = await receivers.get_service(session, callback_data.service_id)
    await state.set_state(ReportStates.description)
    await state.update_data(report_service=service.id, report_at=app.clock.now().timestamp())
    await query.answer()
    await query.message.answer(_(
        "What is wrong in the listing of <b>{name}</b>? Describe it in a few words "
        "(phone, hours, ages, closed...). Never write anything about a youth."
    ).format(name=html.escape(reports.listing_name(service.name, service, lang()))))


async def report_text(message: Message, app: App, session: AsyncSession, state: FSMContext,
                      worker: Worker) -> None:
    """The description of the error: sent to the listing's owners, and thanks."""
    data = await state.get_data()
    if reports.report_expired(float(data.get("report_at") or 0), app.clock.now()):
        await state.set_state(None)  # an old, forgotten report: this is a new question
        await handle_question(message, app, session, state, worker, message.text or "")
        return
    # Screened before the length check: an identifying report is deleted even when too long.
    text = await screened_or_refused(message, app, session, context="directory.error_report")
    if text is None:
        return  # refused and explained; the user can write it again
    if len(text) > reports.MAX_REPORT_CHARS:
        await message.answer(_("Please keep it under {max} characters.").format(
            max=reports.MAX_REPORT_CHARS))
        return
    told = await reports.report_error(app, session, worker, int(data.get("report_service", 0)),
                                      text)
    await state.set_state(None)
    if told:  # thanks once the report is stored
        reply_after_commit(session, message.answer, ngettext(
            "Thank you. Your report was sent to {n} person responsible for this listing.",
            "Thank you. Your report was sent to {n} people responsible for this listing.",
            told).format(n=told))
    else:
        reply_after_commit(session, message.answer, _(
            "Thank you. Nobody is registered for this listing yet; your report is recorded "
            "for the coordinators."))
