"""``/remind``, ``/reminders`` and the buttons of reminders (done, snooze, cancel, checks).

- :mod:`.remind`: setting a reminder; :mod:`.listing`: ``/reminders``; :mod:`.buttons`: the
  buttons of delivered jobs; :mod:`.keys`: their callback data; :mod:`.common`: shared helpers.
- Writing to the bot releases reminders held while the worker had blocked it
  (:class:`.held.ReleaseHeld`, on the dispatcher, and ``/reminders`` calls
  ``scheduler.release_held``).
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command as CommandFilter

from bot.i18n import N_
from handlers.commands import Command
from handlers.reminders import buttons, listing, remind
from handlers.reminders.keys import ReminderButton, WhenChoice
from handlers.reminders.remind import RemindStates

__all__ = ["COMMANDS", "ReminderButton", "build_router"]

COMMANDS = (
    Command("remind", N_("Set a reminder (a case code or a short text)")),
    Command("reminders", N_("Your reminders: see or cancel them")),
)


def build_router() -> Router:
    """Register the reminders' handlers."""
    router = Router(name="reminders")
    router.message.register(remind.remind, CommandFilter("remind"))
    router.message.register(remind.remind_subject, RemindStates.subject, F.text,
                            ~F.text.startswith("/"))
    router.callback_query.register(remind.remind_when, WhenChoice.filter())
    router.message.register(remind.remind_custom, RemindStates.custom, F.text,
                            ~F.text.startswith("/"))
    router.message.register(listing.list_reminders, CommandFilter("reminders"))
    router.callback_query.register(buttons.reminder_button, ReminderButton.filter())
    return router
