"""Sending a previewed announcement, cancelling it while it goes, and who did not receive it.

Delivery is the outbox's job (``bot.jobs.broadcasts``); the author's progress message is edited
in place and ends with a report. What announces a stored broadcast (the progress message, the
"cancelling" notice) goes out after the update's commit (:mod:`bot.db.effects`).
"""

from __future__ import annotations

import html
from functools import partial

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.db.effects import after_commit
from bot.i18n import N_
from bot.models.broadcasts import DeliveryStatus
from bot.models.core import Worker
from bot.services.broadcasts import drafts, outbox, sending
from bot.services.broadcasts.outbox import Counts
from bot.services.broadcasts.progress import progress_buttons, progress_text
from handlers.broadcasts.compose import ask_audience, coordinator_draft
from handlers.broadcasts.keys import BcConfirm, BroadcastCancel, BroadcastMissed
from handlers.messenger import markup
from handlers.replies import reply_after_commit
from handlers.ui import lang

MISSED_REASONS = {
    DeliveryStatus.BLOCKED.value: N_("blocked the bot"),
    DeliveryStatus.FAILED.value: N_("delivery failed"),
    DeliveryStatus.CANCELLED.value: N_("not sent (cancelled)"),
}


async def show_progress(app: App, message: Message, broadcast_id: int, text: str,
                        buttons: InlineKeyboardMarkup | None) -> None:
    """After the commit: the author's progress message; then its id is kept and the deliveries
    go (even when the message could not be sent)."""
    message_id = None
    try:
        message_id = (await message.answer(text, reply_markup=buttons)).message_id
    finally:
        await sending.progress_shown(app, broadcast_id, message_id)


async def confirm(
    query: CallbackQuery, callback_data: BcConfirm, app: App, session: AsyncSession,
    worker: Worker, state: FSMContext,
) -> None:
    """Send, change the audience, or discard the draft."""
    if callback_data.action == "discard":
        drafts.require_coordinator(worker)
        await state.clear()
        await query.answer()
        await query.message.answer(_("Announcement discarded. Nothing was sent."))
        return
    data = await coordinator_draft(worker, state)
    if callback_data.action == "audience":
        await query.answer()
        await ask_audience(query.message, worker, state)
        return
    broadcast = await sending.start(app, session, worker, data, author_language=lang())
    await state.clear()
    t = app.translator.text(lang())
    reply_after_commit(session, query.answer, _("Sending…"))
    after_commit(session, partial(
        show_progress, app, query.message, broadcast.id,
        progress_text(t, broadcast, Counts(total=broadcast.total)),
        markup(progress_buttons(t, broadcast)),
    ))


async def cancel_sending(
    query: CallbackQuery, callback_data: BroadcastCancel, app: App, session: AsyncSession,
    worker: Worker,
) -> None:
    """"Cancel sending" under the progress message: the rest is not sent."""
    broadcast = await sending.stop(app, session, worker, callback_data.broadcast_id)
    if broadcast is None:
        await query.answer(_("This announcement has already been fully sent."))
        return
    counts = await outbox.counts(session, broadcast.id)
    t = app.translator.text(lang())
    reply_after_commit(session, query.answer,
                       _("Cancelling: workers who have not received it yet won't."))
    reply_after_commit(session, query.message.edit_text, progress_text(t, broadcast, counts),
                       reply_markup=None)
    sending.wake_after_commit(app, session)


async def missed(
    query: CallbackQuery, callback_data: BroadcastMissed, session: AsyncSession, worker: Worker,
) -> None:
    """"Who did not receive it" under the report: their names and why."""
    broadcast = await outbox.get_managed(session, worker, callback_data.broadcast_id)
    rows = await outbox.not_received(session, broadcast.id)
    await query.answer()
    if not rows:
        await query.message.answer(_("Everyone received it."))
        return
    lines = [_("Workers who did not receive the announcement:")]
    for person, delivery in rows:
        name = html.escape(person.display_name) if person else "—"
        org = html.escape(person.organisation.name) if person and person.organisation else "—"
        lines.append(f"• {name} — {org} · {_(MISSED_REASONS.get(delivery.status, ''))}")
    await send_chunks(query.message, lines)


async def send_chunks(message: Message, lines: list[str], limit: int = 4000) -> None:
    """Send ``lines`` in as few messages of at most ``limit`` characters as possible."""
    chunk: list[str] = []
    size = 0
    for line in lines:
        if chunk and size + len(line) + 1 > limit:
            await message.answer("\n".join(chunk))
            chunk, size = [], 0
        chunk.append(line[:limit])
        size += len(line) + 1
    if chunk:
        await message.answer("\n".join(chunk))
