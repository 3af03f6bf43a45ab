"""Background loop delivering broadcasts: ``run(app)`` until cancelled (see
:class:`bot.services.broadcasts.delivery.BroadcastDispatcher`).

Any number of processes may run it on PostgreSQL (rows are claimed with ``SKIP LOCKED`` under a
lease); on SQLite one loop per database is the norm (claims stay atomic regardless).
"""

from __future__ import annotations

import asyncio
import logging

from bot.app import App
from bot.services.broadcasts.delivery import BroadcastDispatcher

log = logging.getLogger(__name__)


async def run(app: App) -> None:
    """Deliver broadcasts through ``app.messenger`` until cancelled; restart after a crash."""
    while True:
        dispatcher = BroadcastDispatcher(app)
        try:
            await dispatcher.run()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.error("broadcast dispatcher stopped (%s); restarting", type(exc).__name__)
            await asyncio.sleep(5)
