"""``/healthz``, ``/readyz`` and ``/metrics`` on a local port, beside ``relais run``.

- ``/healthz``: 200 ``ok`` as long as the process's event loop runs (liveness).
- ``/readyz``: 200 ``ready`` when the database answers, Redis answers (when configured), the Bot
  API answers ``getMe`` (cached a few seconds, so probes do not hammer Telegram) and the database
  is at the migrations' head; otherwise 503 with one line per failed check, naming error classes
  only (never a URL, a token or a password). While the process stops it is 503 ``stopping``.
- ``/metrics``: Prometheus text format (:mod:`handlers.ops.metrics`), database figures read at
  each scrape.

``RELAIS_HEALTH_HOST`` (default 127.0.0.1) and ``RELAIS_HEALTH_PORT`` (default 8081, 0: no
server). A port that cannot be bound is logged as an error and the bot runs on without it: the
bot matters more than its probes, and a missing probe is noticed by whoever watches it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aiogram.exceptions import TelegramNetworkError
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from bot.services import ops_figures
from handlers.ops import metrics as ops_metrics
from handlers.ops import telegram_errors

if TYPE_CHECKING:
    from aiogram import Bot

    from bot.app import App
    from handlers.ops.metrics import Metrics

log = logging.getLogger(__name__)

CHECK_TIMEOUT = 3.0  # seconds each readiness check may take
TELEGRAM_CACHE_SECONDS = 5.0  # getMe's answer is reused this long
FIGURES_TIMEOUT = 5.0  # seconds the database figures of a scrape may take


def _failure(exc: BaseException) -> str:
    """An exception as a probe may show it: its class, never its message (URLs, tokens)."""
    if isinstance(exc, TimeoutError):
        return "no answer in time"
    return f"not answering ({type(exc).__name__})"


@dataclass
class Readiness:
    """The checks behind ``/readyz``; ``getMe``'s answer is cached and shared between probes."""

    app: App
    bot: Bot
    telegram_cache_seconds: float = TELEGRAM_CACHE_SECONDS
    timeout: float = CHECK_TIMEOUT
    stopping: asyncio.Event | None = None
    _telegram: tuple[float, str | None] | None = None
    _telegram_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def problems(self) -> list[str]:
        """One line per failed check; empty when ready."""
        if self.stopping is not None and self.stopping.is_set():
            return ["stopping: no new updates taken"]
        results = await asyncio.gather(self._database(), self._redis(), self._telegram_check())
        return [line for lines in results for line in lines]

    async def _database(self) -> list[str]:
        try:
            async with asyncio.timeout(self.timeout):
                async with self.app.sessionmaker() as session:
                    await ops_figures.database_answers(session)
                    applied = await ops_figures.applied_revisions(session)
        except Exception as exc:
            return [f"database: {_failure(exc)}", "migrations: not checked (no database)"]
        heads = await asyncio.to_thread(ops_figures.code_heads)
        problem = ops_figures.migration_problem(applied, heads)
        return [f"migrations: {problem}"] if problem else []

    async def _redis(self) -> list[str]:
        if self.app.redis is None:
            return []
        try:
            async with asyncio.timeout(self.timeout):
                await self.app.redis.ping()
        except Exception as exc:
            return [f"redis: {_failure(exc)}"]
        return []

    async def _telegram_check(self) -> list[str]:
        async with self._telegram_lock:  # concurrent probes share one getMe
            cached = self._telegram
            if cached is None or time.monotonic() - cached[0] >= self.telegram_cache_seconds:
                cached = self._telegram = (time.monotonic(), await self._get_me())
        return [f"telegram: Bot API {cached[1]}"] if cached[1] else []

    async def _get_me(self) -> str | None:
        try:
            async with asyncio.timeout(self.timeout + 1):
                await self.bot.get_me(request_timeout=int(self.timeout))
        except TimeoutError:
            return f"not reachable (no answer within {self.timeout:.0f} s)"
        except TelegramNetworkError as exc:
            return f"not reachable ({type(exc).__name__})"
        except Exception as exc:  # answered, but refused (a revoked token: Unauthorized)
            return f"refused getMe ({type(exc).__name__})"
        return None


def build_health_app(readiness: Readiness, metrics: Metrics) -> web.Application:
    """The aiohttp application of the three endpoints."""
    app = readiness.app

    async def healthz(_request: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def readyz(_request: web.Request) -> web.Response:
        problems = await readiness.problems()
        if problems:
            return web.Response(status=503, text="\n".join(problems) + "\n")
        return web.Response(text="ready\n")

    async def metrics_view(_request: web.Request) -> web.Response:
        try:
            async with asyncio.timeout(FIGURES_TIMEOUT):
                await metrics.refresh_figures(app.sessionmaker, app.clock.now(),
                                              app.settings.reminder_late_seconds)
        except TimeoutError:
            log.warning("metrics: database figures not read within %.0f s", FIGURES_TIMEOUT)
            metrics.figures.figures = None
        return web.Response(body=metrics.render(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    web_app = web.Application()
    web_app.router.add_get("/healthz", healthz)
    web_app.router.add_get("/readyz", readyz)
    web_app.router.add_get("/metrics", metrics_view)
    return web_app


@dataclass
class OpsServer:
    """The metrics of a ``relais run`` process and its health server (None when disabled or
    when its port could not be bound)."""

    metrics: Metrics
    readiness: Readiness
    runner: web.AppRunner | None = None

    def stopping_on(self, stop: asyncio.Event) -> None:
        """``/readyz`` answers 503 once ``stop`` is set (the process is stopping)."""
        self.readiness.stopping = stop

    async def close(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None


async def start_ops(app: App, bot: Bot) -> OpsServer:
    """Build the process's metrics (on ``app`` and the bot's session) and serve the health
    endpoints on ``RELAIS_HEALTH_HOST:RELAIS_HEALTH_PORT`` (not when the port is 0)."""
    metrics = ops_metrics.install(app)
    telegram_errors.install(bot, metrics)
    ops = OpsServer(metrics, Readiness(app, bot))
    host, port = app.settings.health_host, app.settings.health_port
    if port == 0:
        log.info("health server disabled (RELAIS_HEALTH_PORT=0)")
        return ops
    runner = web.AppRunner(build_health_app(ops.readiness, metrics), access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as exc:
        await runner.cleanup()
        log.error("health server not started on %s:%s: %s", host, port,
                  exc.strerror or type(exc).__name__)
        return ops
    ops.runner = runner
    log.debug("health server listening on %s:%s", host, port)
    return ops
