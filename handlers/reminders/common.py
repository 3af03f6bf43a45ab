"""What the reminder handlers share: the worker's way of reading moments, and the preset moments."""

from __future__ import annotations

import dataclasses

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.app import App
from bot.i18n import N_, Text
from bot.models.core import Worker
from bot.services.reminders.quiet import worker_zone
from handlers.reminders.keys import WhenChoice
from handlers.ui import keyboard, lang

EXAMPLES = N_("For example: “in 2 h”, “in 30 min”, “tomorrow 9am”, “friday 14:00”, “monday”, "
              "“at 4:30pm”.")


def text_for(app: App, worker: Worker) -> Text:
    """Formatting in the chat's current language and the worker's time zone."""
    base = app.translator.text(lang())
    return dataclasses.replace(base, zone=worker_zone(worker, app.settings.zone))


def when_keyboard() -> InlineKeyboardMarkup:
    """The preset moments of a new reminder, and "another moment"."""
    return keyboard([
        [(_("In 1 hour"), WhenChoice(choice="1h").pack()),
         (_("Tomorrow morning"), WhenChoice(choice="tm").pack())],
        [(_("In 3 days"), WhenChoice(choice="3d").pack()),
         (_("Another moment…"), WhenChoice(choice="other").pack())],
    ])
