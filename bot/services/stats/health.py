"""The directory's health and the network's reach, as of now, for regions: listings verified
lately, capacity kept up to date, services nobody can receive a handoff for, open error
reports, active workers by region and sector, announcements and how many were delivered.

A snapshot (not kept by month): it says how the directory stands when the figures are asked.
Announcements are the period's. Counts are suppressed like every figure (small ones hidden).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models.broadcasts import Broadcast, BroadcastDelivery, DeliveryStatus
from bot.models.core import Organisation, Sector, Worker, WorkerRegion
from bot.models.directory import (
    DirectoryReport,
    DirectoryService,
    ServiceCapacity,
    ServiceRegion,
)
from bot.services.directory.reach import receivable_ids
from bot.services.stats.codes import region_rows
from bot.services.stats.periods import Period, bounds
from bot.services.stats.suppression import Count, Table, small_count, suppress

VERIFIED_DAYS = 30
CAPACITY_HOURS = 24
ACTIVE = "active"
OPEN = "open"
SECTORS: tuple[str, ...] = tuple(sector.value for sector in Sector)


@dataclass
class Health:
    """The directory and the network as of now (announcements: the period's)."""

    listings: Count  # active services serving the regions
    verified_30d: Count  # of them, confirmed in the last 30 days
    capacity_24h: Count  # of them, capacity updated in the last 24 hours
    no_receiver: Count  # of them, nobody can receive a handoff for
    open_reports: Count  # error reports on listings not resolved yet
    workers: Table  # rows regions, columns sectors: active workers
    announcements: Count  # broadcasts sent in the period
    reached: Count  # their deliveries sent


def _in_regions(regions: Sequence[str] | None):  # type: ignore[no-untyped-def]
    """Services serving one of ``regions`` (every active service for None)."""
    condition = DirectoryService.status == ACTIVE
    if regions is None:
        return condition
    return condition & DirectoryService.id.in_(
        select(ServiceRegion.service_id).where(ServiceRegion.region.in_(list(regions))))


async def _listings(session: AsyncSession, regions: Sequence[str] | None, *, now: datetime,
                    zone: ZoneInfo) -> dict[str, int]:
    scope = _in_regions(regions)
    ids = list((await session.scalars(select(DirectoryService.id).where(scope))).all())
    since = now.astimezone(zone).date() - timedelta(days=VERIFIED_DAYS)
    verified = await session.scalar(select(func.count()).select_from(DirectoryService).where(
        scope, DirectoryService.assured_date >= since))
    fresh = await session.scalar(
        select(func.count(func.distinct(ServiceCapacity.service_id)))
        .join(DirectoryService, DirectoryService.id == ServiceCapacity.service_id)
        .where(scope, ServiceCapacity.updated >= now - timedelta(hours=CAPACITY_HOURS)))
    reachable = await receivable_ids(session, ids, now=now)
    return {"listings": len(ids), "verified": int(verified or 0), "fresh": int(fresh or 0),
            "no_receiver": len(ids) - len(reachable)}


async def _open_reports(session: AsyncSession, regions: Sequence[str] | None) -> int:
    query = select(func.count()).select_from(DirectoryReport).where(
        DirectoryReport.status == OPEN)
    if regions is not None:
        query = query.where(DirectoryReport.region.in_(list(regions)))
    return int(await session.scalar(query) or 0)


async def _workers(session: AsyncSession, regions: Sequence[str] | None) -> Counter:
    """(region, sector) -> active workers (a worker of two regions counts in both)."""
    query = (select(WorkerRegion.region, Organisation.sector, func.count(Worker.id))
             .join(Worker, Worker.id == WorkerRegion.worker_id)
             .outerjoin(Organisation, Organisation.id == Worker.organisation_id)
             .where(Worker.active.is_(True))
             .group_by(WorkerRegion.region, Organisation.sector))
    if regions is not None:
        query = query.where(WorkerRegion.region.in_(list(regions)))
    found: Counter[tuple[str, str]] = Counter()
    for region, sector, number in (await session.execute(query)).all():
        found[(region, sector if sector in SECTORS else Sector.OTHER.value)] += number
    return found


async def _announcements(session: AsyncSession, period: Period, regions: Sequence[str] | None,
                         zone: ZoneInfo) -> tuple[int, int]:
    """Broadcasts created in the period that addressed one of ``regions`` (or the whole
    province), and their deliveries sent."""
    start, end = bounds(period, zone)
    in_period = (Broadcast.created_at >= start, Broadcast.created_at < end)
    ids = [bid for bid, addressed in (await session.execute(
        select(Broadcast.id, Broadcast.regions).where(*in_period))).all()
        if regions is None or not addressed or set(addressed) & set(regions)]
    if not ids:
        return 0, 0
    sent = await session.scalar(select(func.count()).select_from(BroadcastDelivery).where(
        BroadcastDelivery.broadcast_id.in_(ids),
        BroadcastDelivery.status == DeliveryStatus.SENT.value))
    return len(ids), int(sent or 0)


async def compute_health(session: AsyncSession, period: Period, regions: Sequence[str] | None,
                         *, now: datetime, zone: ZoneInfo, min_cell: int) -> Health:
    """The directory's health for ``regions`` (None: every region) as of ``now``."""
    listings = await _listings(session, regions, now=now, zone=zone)
    workers = await _workers(session, regions)
    announcements, reached = await _announcements(session, period, regions, zone)
    rows = region_rows({region for region, _ in workers}, regions)
    return Health(
        listings=small_count(listings["listings"], min_cell),
        verified_30d=small_count(listings["verified"], min_cell),
        capacity_24h=small_count(listings["fresh"], min_cell),
        no_receiver=small_count(listings["no_receiver"], min_cell),
        open_reports=small_count(await _open_reports(session, regions), min_cell),
        workers=suppress("workers", dict(workers), rows, list(SECTORS), min_cell),
        announcements=small_count(announcements, min_cell),
        reached=small_count(reached, min_cell),
    )
