"""Settings of reminders and scheduled jobs: fields of :class:`bot.config.Settings`.

``RELAIS_VERIFY_DAYS``, ``RELAIS_CAPACITY_STALE_HOURS`` and the ``RELAIS_REMINDER_*`` variables
(poll interval, batch, lease, concurrency, lateness, backoff, attempts, morning, rate limit).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.config import Settings as ReminderSettings

if TYPE_CHECKING:
    from bot.app import App

__all__ = ["ReminderSettings", "reminder_settings"]


def reminder_settings(app: App) -> ReminderSettings:
    """The app's settings, which hold the reminder fields."""
    return app.settings
