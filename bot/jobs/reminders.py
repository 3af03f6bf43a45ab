"""The reminders dispatcher as a background job of ``relais run`` / ``relais try``.

It sends through ``app.messenger``; ``relais worker`` runs the same loop in a process of its own.
"""

from __future__ import annotations

import logging

from bot.app import App
from bot.services.reminders.dispatcher import Dispatcher

log = logging.getLogger(__name__)


async def run(app: App) -> None:
    """Dispatch due jobs until cancelled."""
    await Dispatcher(app).run_forever()
