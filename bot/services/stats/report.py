"""What ``/stats`` sends: the figures of a period and of regions the worker may see, as the short
summary, the charts and a CSV of the same tables, with the view audited.

The audit entry (``stats.viewed``) keeps the period, how many regions and how many charts, never
a figure; it is stored in the caller's transaction, before anything is sent.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import InvalidInput, NotAllowed
from bot.i18n import N_, Text
from bot.models.core import Worker
from bot.services import audit
from bot.services.stats import figures, tables
from bot.services.stats.periods import Period
from knowledge.regions import load_regions

if TYPE_CHECKING:
    from bot.services.stats.charts import Chart


class OtherRegion(NotAllowed):
    """A region outside the coordinator's (only a crafted request asks for one)."""

    audit_action = "stats.denied"


@dataclass(frozen=True)
class Report:
    """One view of the figures, ready to send."""

    period: Period
    regions: tuple[str, ...] | None  # None: every region
    summary: str  # HTML
    charts: list[Chart]
    csv: bytes
    csv_name: str


def scope(worker: Worker, region: str | None = None) -> tuple[str, ...] | None:
    """The regions a view covers: all those the worker may see (``region`` None; admins: every
    region, None), or one of them. Plain workers are refused (``figures.regions_for``)."""
    allowed = figures.regions_for(worker)
    if region is None:
        return allowed
    if region not in load_regions():
        raise InvalidInput(N_("Unknown region."))
    if allowed is not None and region not in allowed:
        raise OtherRegion(N_("You can see the figures of your own regions only."))
    return (region,)


async def build(session: AsyncSession, worker: Worker, period: Period,
                regions: tuple[str, ...] | None, *, now: datetime, zone: ZoneInfo,
                min_cell: int, text: Text) -> Report:
    """Compute the figures, draw the charts (in a worker thread: CPU-bound), write the CSV, and
    audit the view. matplotlib is imported here, on the first view, not when the bot starts."""
    from bot.services.stats import charts

    result = await figures.compute(session, period, regions, now=now, min_cell=min_cell,
                                   zone=zone)
    images = await asyncio.to_thread(charts.render, result, text)
    report = Report(period, regions, tables.summary(result, text), images,
                    tables.to_csv(result, text), csv_name(period, regions))
    await audit.record(session, at=now, action="stats.viewed", actor=worker,
                       period=f"{period.first}..{period.last}",
                       regions=len(regions) if regions is not None else len(load_regions()),
                       charts=len(images))
    return report


def csv_name(period: Period, regions: tuple[str, ...] | None) -> str:
    """"relais-stats-2026-11.csv", "relais-stats-2025-12_2026-11-r06.csv" (one region)."""
    span = period.first if period.first == period.last else f"{period.first}_{period.last}"
    region = f"-r{regions[0]}" if regions is not None and len(regions) == 1 else ""
    return f"relais-stats-{span}{region}.csv"
