"""After a handoff: the day-after follow-up's answer, and the next services after a decline."""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.models.core import Worker
from bot.services.directory.criteria import stored_criteria
from bot.services.handoffs import queries, service
from handlers.handoffs.common import PICK_CASE, act, texts
from handlers.replies import reply_after_commit
from handlers.secure import Verified, sign
from handlers.ui import esc, keyboard


async def followup(
    query: CallbackQuery, secure: Verified, object_id: int, app: App, session: AsyncSession,
    worker: Worker,
) -> None:
    """"Did the youth arrive?": yes / not yet / no."""
    await act(service.answer_followup(app, session, object_id, worker, secure.extra))
    reply_after_commit(session, query.answer, _("Thank you, noted."))
    reply_after_commit(session, query.message.edit_reply_markup, reply_markup=None)


async def next_services(
    query: CallbackQuery, object_id: int, app: App, session: AsyncSession, worker: Worker,
    state: FSMContext,
) -> None:
    """"See the next services": the same search without the services already tried."""
    handoff, results = await act(queries.next_services_for(app, session, object_id, worker))
    await state.update_data(ho_criteria=stored_criteria(handoff.criteria) or None)
    await query.answer()
    if not results:
        await query.message.answer(_("No other service matches the same search. Try a "
                                     "wider search (another region or fewer needs)."))
        return
    lang = texts(app).lang
    lines, rows = [_("Next services for case <code>{code}</code>:").format(
        code=esc(await queries.code_of(session, handoff)))], []
    for number, result in enumerate(results, 1):
        entry = result.entry
        name = (entry.name_en or entry.name) if lang == "en" else entry.name
        org = (entry.organization_en or entry.organization) if lang == "en" else \
            entry.organization
        lines.append(f"{number}. <b>{esc(name)}</b> — {esc(org)}")
        rows.append([(_("Request handoff: {n}").format(n=number)[:60],
                      sign(app, PICK_CASE, handoff.case_id, query.from_user.id,
                           str(entry.id)))])
    await query.message.answer("\n".join(lines), reply_markup=keyboard(rows),
                               protect_content=True)
