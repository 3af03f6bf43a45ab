"""Background loop sending the outbox messages a dead process left behind: ``run(app)`` until
cancelled (see :func:`bot.services.outgoing.send_left_over`). Rows are claimed with a
conditional UPDATE, so any number of processes may run it."""

from __future__ import annotations

import asyncio
import logging

from bot.app import App
from bot.services.outgoing import send_left_over

log = logging.getLogger(__name__)

EVERY_SECONDS = 5.0


async def run(app: App) -> None:
    """Look for left-over messages every few seconds through ``app.messenger``."""
    while True:
        try:
            sent = await send_left_over(app)
            if sent:
                log.info("outbox: %d left-over message(s) taken", sent)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the database is away: try again later
            log.warning("outbox sweep failed: %s", type(exc).__name__)
        await asyncio.sleep(EVERY_SECONDS)
