"""Background loop keeping the figures' months counted ahead of ``/stats`` views
(:func:`bot.services.stats.warming.warm`): ``run(app)`` until cancelled. Any number of
processes may run it."""

from __future__ import annotations

import asyncio
import logging
import time

from bot.app import App
from bot.services.stats.warming import warm

log = logging.getLogger(__name__)

FIRST_DELAY_SECONDS = 300.0
EVERY_SECONDS = 3 * 3600.0


async def run(app: App) -> None:
    """Warm the months now and then; a failure waits for the next round."""
    await asyncio.sleep(FIRST_DELAY_SECONDS)
    while True:
        started = time.perf_counter()
        try:
            scopes = await warm(app.sessionmaker, now=app.clock.now(), zone=app.translator.zone)
            log.info("stats: months of %d scopes kept counted in %.1f s", scopes,
                     time.perf_counter() - started)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the database is away: try again later
            log.warning("stats warming failed: %s", type(exc).__name__)
        await asyncio.sleep(EVERY_SECONDS)
