"""``/reminders``: the worker's waiting reminders, each with a button to cancel it."""

from __future__ import annotations

import html

from aiogram.fsm.context import FSMContext
from aiogram.types import InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.models.core import Worker
from bot.services import scheduler
from bot.services.reminders import personal
from handlers.reminders.common import text_for
from handlers.reminders.keys import ReminderButton
from handlers.ui import keyboard

LIST_LIMIT = 10


async def reminders_view(
    app: App, session: AsyncSession, worker: Worker
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The list's text and its cancel buttons (the first ``LIST_LIMIT`` reminders)."""
    jobs = await personal.list_reminders(session, worker)
    if not jobs:
        return _("You have no reminders waiting. Set one with /remind."), None
    t = text_for(app, worker)
    now = app.clock.now()
    lines = [_("Your reminders:")]
    rows = []
    for number, job in enumerate(jobs[:LIST_LIMIT], 1):
        code, text = personal.subject(app, job)
        about = " — ".join(x for x in (code, html.escape(text or "")) if x)
        lines.append(f"{number}. {scheduler.when(t, job.due_at, now)} — {about}")
        rows.append((_("❌ Cancel {n}").format(n=number),
                     ReminderButton(action="cancel", job_id=job.id).pack()))
    if len(jobs) > LIST_LIMIT:
        lines.append(_("…and {n} more.").format(n=len(jobs) - LIST_LIMIT))
    return "\n".join(lines), keyboard([rows[i:i + 2] for i in range(0, len(rows), 2)])


async def list_reminders(
    message: Message, app: App, session: AsyncSession, worker: Worker, state: FSMContext
) -> None:
    """``/reminders``: held ones are released first, then the list."""
    await state.clear()
    await scheduler.release_held(session, worker, app.clock.now())
    text, markup = await reminders_view(app, session, worker)
    await message.answer(text, reply_markup=markup)
