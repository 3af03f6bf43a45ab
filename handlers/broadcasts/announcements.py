"""``/announcements``: the recent announcements of the worker's regions, and each in full."""

from __future__ import annotations

import html

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.models.core import Worker
from bot.services.broadcasts import outbox, reading
from bot.services.broadcasts.compose import render
from handlers.broadcasts.keys import AnnouncementRead
from handlers.ui import keyboard, lang

SHORT = 600  # characters of an announcement shown in the list


async def announcements(message: Message, app: App, session: AsyncSession, worker: Worker) -> None:
    """``/announcements``: the five most recent, long ones shortened with a button to read on."""
    items = await outbox.recent_for(session, worker, limit=5)
    if not items:
        await message.answer(_("No recent announcement for your regions."))
        return
    code = lang()
    t = app.translator.text(code)
    blocks = [_("Recent announcements:")]
    buttons = []
    for number, item in enumerate(items, 1):
        body = item.text_for(code)
        short = body if len(body) <= SHORT else body[:SHORT].rstrip() + "…"
        blocks.append(
            f"<b>{number}.</b> {html.escape(t.datetime(item.created_at, 'short'))} · "
            f"{html.escape(item.author_label)}\n{html.escape(short)}"
        )
        if short != body:
            buttons.append([(_("Read no. {number} in full").format(number=number),
                             AnnouncementRead(broadcast_id=item.id).pack())])
    await message.answer("\n\n".join(blocks),
                         reply_markup=keyboard(buttons) if buttons else None)


async def read_one(
    query: CallbackQuery, callback_data: AnnouncementRead, app: App, session: AsyncSession,
    worker: Worker,
) -> None:
    """"Read no. N in full": the whole announcement, if the worker may still read it."""
    item = await reading.readable(session, worker, callback_data.broadcast_id)
    if item is None:
        await query.answer(_("This announcement is no longer available."), show_alert=True)
        return
    await query.answer()
    await query.message.answer(render(app.translator.text(lang()), item.author_label,
                                      item.text_for(lang())))
