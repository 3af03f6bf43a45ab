"""``/handoffs``: the worker's handoffs (coordinators: those of their regions), and one of
them opened from the list.

Read on a phone: one entry per line (code, status in words, service cut at a word, time), and
buttons only to open the worker's own entries and the requests escalated to a coordinator,
labelled with their number and code."""

from __future__ import annotations

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.i18n import Text
from bot.models.core import Worker
from bot.models.handoffs import Handoff
from bot.services.handoffs import alerts, notify, queries, service
from bot.services.handoffs.lifecycle import status_label
from handlers.handoffs.common import SHOW, act, from_buttons, texts
from handlers.secure import sign
from handlers.ui import esc, keyboard

SERVICE_CHARS = 34
#: Room kept under Telegram's 4096 characters for the rest of the message.
TEXT_BUDGET = 3600
BUTTONS_PER_ROW = 3
OWN_SHOWN = 30


def clip(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters, cut at a word boundary with "…" (never mid-word,
    unless a single word is longer than the limit)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    if " " in cut and text[limit - 1] != " ":
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-–—(") + "…"


def entry_line(t: Text, lead: str, code: str, handoff: Handoff) -> str:
    """One entry: "1. K7-4QX · requested · Service name… · 2 déc. à 13 h 19"."""
    return "{lead} <code>{code}</code> · {status} · {service} · {since}".format(
        lead=lead, code=esc(code),
        status=_(status_label(handoff.status, handoff.status_reason)),
        service=esc(clip(handoff.service_name, SERVICE_CHARS)),
        since=t.datetime(handoff.updated_at, "short"))


async def list_handoffs(message: Message, app: App, session: AsyncSession,
                        worker: Worker) -> None:
    """``/handoffs``: the worker's open handoffs, each with a short button to open it;
    coordinators also see their regions' (codes, statuses and times only, no buttons)."""
    t = texts(app)
    overview = await queries.overview(session, worker)
    lines: list[str] = []
    buttons: list[tuple[str, str]] = []
    used = 0
    if overview.own:
        lines.append(_("<b>Your handoffs</b>"))
        for number, handoff in enumerate(overview.own[:OWN_SHOWN], 1):
            code = await queries.code_of(session, handoff)
            lines.append(entry_line(t, f"{number}.", code, handoff))
            used += len(lines[-1])
            buttons.append((f"{number}. {code}",
                            sign(app, SHOW, handoff.id, message.from_user.id)))
        if len(overview.own) > OWN_SHOWN:
            lines.append("…")
    if overview.regions is not None:
        if lines:
            lines.append("")
        lines.append(_("<b>Handoffs of your regions</b> (codes, statuses and times only)"))
        if not overview.regions:
            lines.append(_("None."))
        escalated = await queries.escalated_to(session, worker)
        for handoff in overview.regions:
            if used > TEXT_BUDGET:
                lines.append("…")
                break
            code = await queries.code_of(session, handoff)
            if handoff.id in escalated:  # escalated to them: open it to act on it
                number = len(buttons) + 1
                lines.append(entry_line(t, f"{number}. ⚠️", code, handoff))
                buttons.append((f"{number}. {code}",
                                sign(app, SHOW, handoff.id, message.from_user.id)))
            else:
                lines.append(entry_line(t, "•", code, handoff))
            used += len(lines[-1])
    if not lines:
        await message.answer(_("You have no open handoff. Search the directory and tap "
                               "\"Request handoff\" on a result."))
        return
    rows = [buttons[i:i + BUTTONS_PER_ROW] for i in range(0, len(buttons), BUTTONS_PER_ROW)]
    await message.answer("\n".join(lines), reply_markup=keyboard(rows) if rows else None,
                         protect_content=True)


async def show(
    query: CallbackQuery, object_id: int, app: App, session: AsyncSession, worker: Worker
) -> None:
    """A handoff of the list: the request (to answer it) or its summary and next moves; for
    a coordinator it was escalated to, the request with the escalation's actions."""
    if object_id in await queries.escalated_to(session, worker):
        handoff = await queries.get_handoff(session, object_id)
        case, t = await queries.case_of(session, handoff), texts(app)
        if case is not None:
            requester = await queries.worker_by_id(session, handoff.requester_id)
            await query.answer()
            await query.message.answer(
                alerts.escalation_text(app, t, handoff, case, requester, None, on_call=False),
                reply_markup=from_buttons(alerts.escalation_buttons(
                    app, t, handoff, query.from_user.id, on_call=False)),
                protect_content=True)
            return
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
