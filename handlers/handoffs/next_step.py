""""See the next services": after a decline, an expiry, or while a request waits, the requester's
one tap to the next services of the same search (widened to the neighbouring regions and the
province-wide lines, each marked), keeping the case: a result's button offers the handoff for
the same case. When nothing at all is left, it says what to do instead of a dead end."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.i18n import Text
from bot.models.core import Worker
from bot.services.directory.criteria import stored_criteria
from bot.services.directory.format import capacity_text, kind_text, open_text, short
from bot.services.directory.reach import receivable_ids
from bot.services.directory.search import province_lines as directory_lines
from bot.services.handoffs import queries
from handlers.handoffs.common import PICK_CASE, act, texts
from handlers.secure import sign
from handlers.ui import esc, keyboard

#: Province-wide 24/7 lines named when nothing else is left.
LINES_SHOWN = 2


def result_lines(number: int, result: Any, t: Text, receivable: bool, now: datetime
                 ) -> list[str]:
    """One result: name and organisation, its mark (neighbouring region, province-wide line),
    open now and free places, and the phone when no handoff can be asked there."""
    entry = result.entry
    lines = [f"{number}. <b>{esc(short(entry.display_name(t.lang), 90))}</b> — "
             f"{esc(short(entry.display_organization(t.lang), 60))}"]
    if (mark := kind_text(result, t)) is not None:
        lines.append("   " + esc(mark))
    status = open_text(result, t)
    if (places := capacity_text(entry, now, t)) is not None:
        status += " · " + places
    lines.append("   " + esc(status))
    if not receivable and entry.phone:
        lines.append("   📞 " + esc(entry.phone) + " — " + esc(_("call: no handoff here")))
    return lines


async def province_lines(session: AsyncSession, t: Text) -> list[str]:
    """A few province-wide 24/7 lines of the directory, with their numbers."""
    return [_("• call a province-wide 24/7 line: {line}").format(
        line=f"{esc(short(e.display_name(t.lang), 80))} — 📞 {esc(e.phone)}")
        for e in await directory_lines(session, LINES_SHOWN)]


async def next_services(
    query: CallbackQuery, object_id: int, app: App, session: AsyncSession, worker: Worker,
    state: FSMContext,
) -> None:
    """The same search without the services already tried for the case, widened; or what to
    do when nothing is left."""
    handoff, results = await act(queries.next_services_for(app, session, object_id, worker))
    await state.update_data(ho_criteria=stored_criteria(handoff.criteria) or None)
    await query.answer()
    t = texts(app)
    code = esc(await queries.code_of(session, handoff))
    if not results:
        lines = [_("Nothing else matches this search for case <code>{code}</code>, even in the "
                   "neighbouring regions.").format(code=code), "", _("What you can do now:")]
        lines.extend(await province_lines(session, t))
        lines.append(_("• search again with fewer needs or in another region: type what you "
                       "are looking for, as usual."))
        await query.message.answer("\n".join(lines), protect_content=True)
        return
    can_receive = await receivable_ids(session, [r.service_id for r in results],
                                       now=app.clock.now())
    lines = [_("Next services for case <code>{code}</code>:").format(code=code)]
    rows = []
    for number, result in enumerate(results, 1):
        receivable = result.service_id in can_receive
        lines.extend(result_lines(number, result, t, receivable, app.clock.now()))
        if receivable:
            rows.append((_("Request handoff: {n}").format(n=number)[:60],
                         sign(app, PICK_CASE, handoff.case_id, query.from_user.id,
                              str(result.service_id))))
    markup = keyboard([rows[i:i + 2] for i in range(0, len(rows), 2)]) if rows else None
    await query.message.answer("\n".join(lines), reply_markup=markup, protect_content=True)
