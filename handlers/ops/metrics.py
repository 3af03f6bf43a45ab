"""The process's Prometheus metrics: built per process, kept on the app, cheap to record.

:func:`build_metrics` makes a fresh :class:`prometheus_client.CollectorRegistry` (never the
library's global one) and the metric set on it; ``relais run`` puts it in
``app.services["metrics"]``. Whoever holds the app records through :func:`metrics_of` or the
``record_*`` helpers, which do nothing when there is no metric set (tests, the console channel).

Labels only ever take values from fixed, short lists (update types, outcomes, the privacy
screen's kind codes, Telegram error classes, handoff statuses): never a text, a name, a user id
or a case code. What the database knows (handoffs by status, reminders due and late, the
broadcast queue) is read at scrape time by :meth:`Metrics.refresh_figures`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric

from bot.services import ops_figures
from bot.services.screening import KIND_ORDER

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from bot.app import App

log = logging.getLogger(__name__)

SERVICE_KEY = "metrics"
UPDATE_TYPES = ("message", "callback_query", "other")
OUTCOMES = ("handled", "skipped", "error")
OTHER_KIND = "OTHER"  # a kind code the screen may add one day, until it is listed here
REFUSAL_KINDS = (*KIND_ORDER, OTHER_KIND)
# seconds: most updates take a few ms to a few hundred; a slow database shows in the tail
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
TELEGRAM_ERRORS = (
    "retry_after", "forbidden", "bad_request", "not_found", "conflict", "unauthorized",
    "server_error", "network", "entity_too_large", "migrate_to_chat", "decode", "other",
)


class FiguresCollector:
    """Serves the database figures read last (at the start of the same scrape)."""

    def __init__(self) -> None:
        self.figures: ops_figures.Figures | None = None

    def describe(self) -> Iterator[Metric]:
        return self._families(None)

    def collect(self) -> Iterator[Metric]:
        return self._families(self.figures)

    @staticmethod
    def _families(figures: ops_figures.Figures | None) -> Iterator[Metric]:
        up = GaugeMetricFamily("relais_figures_up",
                               "1 when the database figures below were read at this scrape")
        up.add_metric([], 0 if figures is None else 1)
        yield up
        handoffs = GaugeMetricFamily("relais_handoffs", "Handoffs in the database, by status",
                                     labels=["status"])
        due = GaugeMetricFamily("relais_reminders_due",
                                "Scheduled jobs due now and not sent yet")
        late = GaugeMetricFamily(
            "relais_reminders_late",
            "Scheduled jobs due for longer than RELAIS_REMINDER_LATE_SECONDS and not sent yet")
        queue = GaugeMetricFamily("relais_broadcast_queue_depth",
                                  "Broadcast deliveries waiting to be sent")
        if figures is not None:
            for status, count in sorted(figures.handoffs_by_status.items()):
                handoffs.add_metric([status], count)
            due.add_metric([], figures.reminders_due)
            late.add_metric([], figures.reminders_late)
            queue.add_metric([], figures.broadcast_queue)
        yield from (handoffs, due, late, queue)


class Metrics:
    """Every metric of one process, on its own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.updates = Counter("relais_updates", "Updates handled, by type and outcome",
                               ["type", "outcome"], registry=self.registry)
        self.latency = Histogram("relais_update_seconds", "Time to handle one update, by type",
                                 ["type"], buckets=LATENCY_BUCKETS, registry=self.registry)
        self.refusals = Counter("relais_privacy_refusals",
                                "Messages refused by the privacy screen, by kind found",
                                ["kind"], registry=self.registry)
        self.telegram_errors = Counter("relais_telegram_errors",
                                       "Failed Bot API calls, by error class", ["error"],
                                       registry=self.registry)
        self.telegram_pauses = Counter("relais_telegram_retry_after",
                                       "429 answers: Telegram asked us to pause",
                                       registry=self.registry)
        self.telegram_pause_seconds = Counter("relais_telegram_retry_after_seconds",
                                              "Seconds of pause Telegram asked for",
                                              registry=self.registry)
        self.figures = FiguresCollector()
        self.registry.register(self.figures)
        # Children bound once: recording is a dict look-up and an increment. Every series
        # exists from the start (at 0), so a rate is right from the first scrape.
        self._updates = {(t, o): self.updates.labels(t, o) for t in UPDATE_TYPES for o in OUTCOMES}
        self._latency = {t: self.latency.labels(t) for t in UPDATE_TYPES}
        self._refusals = {k: self.refusals.labels(k) for k in REFUSAL_KINDS}
        self._errors = {e: self.telegram_errors.labels(e) for e in TELEGRAM_ERRORS}

    def update_done(self, update_type: str, outcome: str, seconds: float) -> None:
        """One update handled (``update_type`` in :data:`UPDATE_TYPES`, ``outcome`` in
        :data:`OUTCOMES`)."""
        self._updates[update_type, outcome].inc()
        self._latency[update_type].observe(seconds)

    def refused(self, kinds: Iterable[str]) -> None:
        """One refusal by the privacy screen: each distinct kind found counts once."""
        for kind in set(kinds):
            self._refusals.get(str(kind).upper(), self._refusals[OTHER_KIND]).inc()

    def telegram_error(self, error: str, retry_after: float | None = None) -> None:
        """A failed Bot API call (``error`` in :data:`TELEGRAM_ERRORS`)."""
        self._errors.get(error, self._errors["other"]).inc()
        if retry_after is not None:
            self.telegram_pauses.inc()
            self.telegram_pause_seconds.inc(max(0.0, retry_after))

    async def refresh_figures(self, sessionmaker: async_sessionmaker[AsyncSession],
                              now: datetime, late_seconds: float) -> None:
        """Read the database figures for the scrape about to be rendered (absent if it fails)."""
        try:
            async with sessionmaker() as session:
                self.figures.figures = await ops_figures.read_figures(
                    session, now=now, late_seconds=late_seconds)
        except Exception as exc:  # the scrape still shows the process's own metrics
            log.warning("metrics: database figures not read: %s", type(exc).__name__)
            self.figures.figures = None

    def render(self) -> bytes:
        """The Prometheus text exposition of every metric."""
        return generate_latest(self.registry)


def build_metrics() -> Metrics:
    """A fresh metric set on a registry of its own (one per process, or per test)."""
    return Metrics()


def metrics_of(app: App | None) -> Metrics | None:
    """The app's metric set, or None (tests, console): callers then record nothing."""
    if app is None:
        return None
    metrics: Any = app.services.get(SERVICE_KEY)
    return metrics if isinstance(metrics, Metrics) else None


def install(app: App) -> Metrics:
    """The app's metric set, built and stored on first call."""
    metrics = metrics_of(app)
    if metrics is None:
        metrics = app.services[SERVICE_KEY] = build_metrics()
    return metrics


def record_refusal(app: App | None, kinds: Iterable[str]) -> None:
    """Count a privacy-screen refusal by kind codes; nothing without a metric set."""
    metrics = metrics_of(app)
    if metrics is not None:
        metrics.refused(kinds)
