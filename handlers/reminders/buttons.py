"""The buttons of delivered jobs: done, snooze and cancel on reminders, the turning-18 services,
and the answers to the directory's checks (confirm in one tap, or say what changed in two).

Every button names a job id; the job's recipient must be the worker who pressed it (a forged or
forwarded button is refused by :func:`personal.own_reminder`).
"""

from __future__ import annotations

import html

from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.errors import NotAllowed
from bot.i18n import N_, Text
from bot.models.core import Worker
from bot.models.reminders import ScheduledJob
from bot.services.reminders import answers, personal, transition, wording
from handlers.reminders.common import text_for
from handlers.reminders.keys import ReminderButton
from handlers.reminders.listing import reminders_view
from handlers.replies import reply_after_commit
from handlers.ui import keyboard

SNOOZES = {"s1h": answers.IN_ONE_HOUR, "stm": answers.TOMORROW_MORNING}
DIRECTORY_ACTIONS = ("vok", "vfix", "vcc", "vcg", "vco", "cok", "cfix")


async def closed(query: CallbackQuery, status: str) -> None:
    """Show what happened under the reminder and remove its buttons."""
    original = query.message.html_text if query.message else ""
    await query.message.edit_text(f"{original}\n\n{status}", reply_markup=None)


async def reminder_button(
    query: CallbackQuery, callback_data: ReminderButton, app: App, session: AsyncSession,
    worker: Worker,
) -> None:
    """A button under a delivered job, pressed by its recipient."""
    job = await personal.own_reminder(session, worker, callback_data.job_id)
    now = app.clock.now()
    t = text_for(app, worker)
    action = callback_data.action
    if action == "done":
        await personal.mark_done(session, job, now)
        reply_after_commit(session, query.answer, _("Done."))
        reply_after_commit(session, closed, query, _("✅ Done."))
    elif action in SNOOZES:
        due = await answers.snooze(app, session, worker, job, SNOOZES[action], now)
        reply_after_commit(session, query.answer, _("Snoozed."))
        reply_after_commit(session, closed, query, _(
            "⏰ Snoozed: I will remind you again {when}.").format(when=wording.at(t, due, now)))
    elif action == "cancel":
        if not await answers.cancel(session, job, now):
            await query.answer(_("This reminder is no longer waiting."))
            return
        text, markup = await reminders_view(app, session, worker)
        reply_after_commit(session, query.answer, _("Reminder cancelled."))
        reply_after_commit(session, query.message.edit_text, text, reply_markup=markup)
    elif action == "t18":
        await query.answer()
        await query.message.answer(await transition_services(app, session, job, t))
    elif action in DIRECTORY_ACTIONS:
        await directory_button(query, app, session, job, action, t)
    else:
        raise NotAllowed(N_("This button is not valid."))


async def transition_services(app: App, session: AsyncSession, job: ScheduledJob, t: Text) -> str:
    """The transition services of the job's region, and how to ask for a handoff."""
    lines = [_("Transition to adulthood (18+) services:")]
    entries = await transition.transition_listings(session, job, app.clock.now())
    lines.extend("• " + html.escape(entry.display_name(t.lang)) for entry in entries)
    if not entries:
        lines.append(_("No listing found here."))
    lines.append(_("For details and to request a handoff: /find {query}").format(
        query=transition.find_query(job)))
    return "\n".join(lines)


async def directory_button(
    query: CallbackQuery, app: App, session: AsyncSession, job: ScheduledJob, action: str,
    t: Text,
) -> None:
    """An answer to a listing verification (``v...``) or a capacity nudge (``c...``)."""
    if not answers.awaits_answer(job):
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    now = app.clock.now()
    if action == "vok":
        await answers.confirm_listing(session, job, now.astimezone(t.zone).date(), now)
        await query.answer(_("Thank you!"))
        await closed(query, _("✅ Confirmed: the listing is marked as verified today."))
    elif action == "vfix":
        await query.answer()
        await query.message.edit_reply_markup(reply_markup=keyboard([
            [(_("Closed for now"), ReminderButton(action="vcc", job_id=job.id).pack())],
            [(_("No longer offered"), ReminderButton(action="vcg", job_id=job.id).pack())],
            [(_("Something else changed"),
              ReminderButton(action="vco", job_id=job.id).pack())],
        ]))
    elif action in answers.LISTING_CHANGES:
        change = answers.LISTING_CHANGES[action]
        await answers.correct_listing(session, job, change, now)
        reply_after_commit(session, query.answer, _("Thank you!"))
        status = {
            "closed": _("Noted: the service is shown as closed for now."),
            "gone": _("Noted: the service is no longer shown in searches."),
            "other": _("Noted: a coordinator of your region will contact you to update the "
                       "listing."),
        }[change]
        reply_after_commit(session, closed, query, status)
    elif action == "cok":
        await answers.confirm_capacity(session, job, now)
        reply_after_commit(session, query.answer, _("Thank you!"))
        reply_after_commit(session, closed, query, _("✅ Availability confirmed as of now."))
    else:  # cfix
        answers.capacity_changed(job)
        await query.answer()
        await closed(query, _("Update the availability from the service's listing in "
                              "/find, or tell your coordinator."))
