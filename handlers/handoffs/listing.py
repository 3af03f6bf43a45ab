"""``/handoffs``: the worker's handoffs (coordinators: those of their regions), and one of
them opened from the list."""

from __future__ import annotations

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.models.core import Worker
from bot.services.handoffs import notify, queries, service
from bot.services.handoffs.lifecycle import STATUS_LABELS, Status
from handlers.handoffs.common import SHOW, act, from_buttons, texts
from handlers.secure import sign
from handlers.ui import esc, keyboard


async def list_handoffs(message: Message, app: App, session: AsyncSession,
                        worker: Worker) -> None:
    """``/handoffs``: the worker's open handoffs as buttons; coordinators also see their
    regions' (codes, statuses and times only)."""
    t = texts(app)
    overview = await queries.overview(session, worker)
    lines, rows = [], []
    if overview.own:
        lines.append(_("<b>Your handoffs</b>"))
        for handoff in overview.own:
            code = await queries.code_of(session, handoff)
            label = f"{code} → {handoff.service_name}"[:40] + " · " + _(
                STATUS_LABELS[Status(handoff.status)])
            lines.append("• " + esc(label))
            rows.append([(label[:60], sign(app, SHOW, handoff.id, message.from_user.id))])
    if overview.regions is not None:
        lines.append("")
        lines.append(_("<b>Handoffs of your regions</b> (codes, statuses and times only)"))
        if not overview.regions:
            lines.append(_("None."))
        for handoff in overview.regions:
            lines.append("• {code} → {service} · {status} · {since}".format(
                code=esc(await queries.code_of(session, handoff)),
                service=esc(handoff.service_name),
                status=_(STATUS_LABELS[Status(handoff.status)]),
                since=t.datetime(handoff.updated_at, "short")))
    if not lines:
        await message.answer(_("You have no open handoff. Search the directory and tap "
                               "\"Request handoff\" on a result."))
        return
    await message.answer("\n".join(lines), reply_markup=keyboard(rows) if rows else None,
                         protect_content=True)


async def show(
    query: CallbackQuery, object_id: int, app: App, session: AsyncSession, worker: Worker
) -> None:
    """A handoff of the list: the request (to answer it) or its summary and next moves."""
    view = await act(service.open_for(app, session, object_id, worker))
    handoff, case, t = view.handoff, view.case, texts(app)
    if view.is_request:
        text = notify.request_text(app, t, handoff, case, view.requester, view.note)
        buttons = notify.request_buttons(app, t, handoff, query.from_user.id)
    else:
        text = notify.summary(app, t, handoff, case) + "\n" + _("Requested by: {who}").format(
            who=notify.who(view.requester))
        if view.owner is not None:
            text += "\n" + _("Taken by: {who}").format(who=notify.who(view.owner))
        if view.note:
            text += "\n" + _("Note: {note}").format(note=esc(view.note))
        buttons = notify.control_buttons(app, t, handoff, case, worker, view.side)
    await query.answer()
    await query.message.answer(text, reply_markup=from_buttons(buttons), protect_content=True)
