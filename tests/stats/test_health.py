"""Directory health and the network's reach, for regions, as of now (both backends)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.models.broadcasts import Broadcast, BroadcastDelivery
from bot.models.core import Organisation, Worker
from bot.models.directory import (
    DirectoryReport,
    DirectoryService,
    DirectoryUnit,
    ServiceCapacity,
)
from bot.services.stats.health import compute_health
from bot.services.stats.periods import period_range
from bot.services.stats.suppression import Count
from tests.handoffs.conftest import add_service
from tests.stats.test_suppression import determined_cells

NOW = datetime(2026, 3, 20, 16, 0, tzinfo=UTC)
TODAY = date(2026, 3, 20)
PERIOD = period_range("2026-01", "2026-03")


async def _workers(app) -> dict[str, Worker]:  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        community = Organisation(name="Maison A (fictif)", sector="community", created_at=NOW)
        shelter = Organisation(name="Refuge B (fictif)", sector="shelter", created_at=NOW)
        session.add_all([community, shelter])
        await session.flush()
        found = {}
        for number, (name, org, regions, active) in enumerate([
                ("alice", community, ["06"], True), ("bob", shelter, ["06", "13"], True),
                ("dave", community, ["06"], True), ("carol", community, ["06"], False),
                ("erin", None, ["13"], True)]):
            worker = Worker(telegram_id=7000 + number, display_name=name, role="worker",
                            organisation_id=org.id if org else None, active=active,
                            created_at=NOW)
            worker.set_regions(regions)
            session.add(worker)
            found[name] = worker
        await session.commit()
        return found


async def _directory(app, bob: Worker) -> None:  # type: ignore[no-untyped-def]
    """06: four active services (two with a receiver), one inactive; 13: one service."""
    s1 = await add_service(app, "Service 1", receivers=(bob,))
    s2 = await add_service(app, "Service 2", receivers=(bob,))
    s3 = await add_service(app, "Service 3")
    s4 = await add_service(app, "Service 4")
    s5 = await add_service(app, "Service 5", region="13", receivers=(bob,))
    s6 = await add_service(app, "Service 6")
    async with app.sessionmaker() as session:
        for svc, verified in ((s1, 5), (s2, 10), (s3, 40), (s4, None), (s5, 1), (s6, 1)):
            service = await session.get(DirectoryService, svc.id)
            service.assured_date = None if verified is None else TODAY - timedelta(days=verified)
            if svc is s6:
                service.status = "inactive"
        unit = DirectoryUnit(hsds_id="unit-beds", name="lits")
        session.add(unit)
        await session.flush()
        for number, (svc, hours) in enumerate(((s1, 2), (s2, 30), (s5, 1), (s6, 1))):
            session.add(ServiceCapacity(hsds_id=f"cap-{number}", service_id=svc.id,
                                        unit_id=unit.id, available=2,
                                        updated=NOW - timedelta(hours=hours)))
        for region, status in (("06", "open"), ("06", "open"), ("06", "resolved"),
                               ("13", "open")):
            session.add(DirectoryReport(service_id=s1.id, region=region, status=status,
                                        created_at=NOW))
        await session.commit()


async def _broadcasts(app) -> None:  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        for regions, sent, failed, created in (
                (["06"], 3, 1, datetime(2026, 2, 10, tzinfo=UTC)),
                ([], 2, 0, datetime(2026, 3, 1, tzinfo=UTC)),
                (["13"], 2, 0, datetime(2026, 1, 5, 12, tzinfo=UTC)),
                (["06"], 5, 0, datetime(2025, 11, 5, tzinfo=UTC))):
            broadcast = Broadcast(author_chat_id=1, audience_kind="regions", regions=regions,
                                  created_at=created, status="done")
            session.add(broadcast)
            await session.flush()
            for number in range(sent + failed):
                session.add(BroadcastDelivery(
                    broadcast_id=broadcast.id, chat_id=100 + number, language="fr",
                    status="sent" if number < sent else "failed", next_attempt_at=created))
        await session.commit()


async def health_of(app, regions, min_cell=2):  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        return await compute_health(session, PERIOD, regions, now=NOW,
                                    zone=app.settings.zone, min_cell=min_cell)


async def test_directory_health_of_a_region_and_of_all(app):
    workers = await _workers(app)
    await _directory(app, workers["bob"])
    await _broadcasts(app)
    montreal = await health_of(app, ("06",))
    assert montreal.listings == Count(4)
    assert montreal.verified_30d == Count(2)
    assert montreal.capacity_24h == Count(None, "small")  # one: hidden below 2
    assert montreal.no_receiver == Count(2)
    assert montreal.open_reports == Count(2)
    assert (montreal.announcements, montreal.reached) == (Count(2), Count(5))
    everywhere = await health_of(app, None)
    assert everywhere.listings == Count(5)
    assert everywhere.verified_30d == Count(3)
    assert everywhere.capacity_24h == Count(2)
    assert everywhere.no_receiver == Count(2)
    assert everywhere.open_reports == Count(3)
    assert (everywhere.announcements, everywhere.reached) == (Count(3), Count(7))
    nothing_small = await health_of(app, None, min_cell=8)
    assert nothing_small.listings == Count(None, "small") and nothing_small.reached == Count(
        None, "small")


async def test_active_workers_by_region_and_sector(app):
    await _workers(app)
    everywhere = await health_of(app, None)
    workers = everywhere.workers
    assert workers.rows == ["06", "13"]
    # alice and dave (carol is inactive); bob in both his regions; erin has no organisation.
    raw = {("06", "community"): 2, ("06", "shelter"): 1, ("13", "shelter"): 1,
           ("13", "other"): 1}
    for cell, count in workers.cells.items():
        assert count.value in (None, raw.get(cell, 0))
        if raw.get(cell) == 1:
            assert count == Count(None, "small")
    assert workers.total == Count(5)  # bob counts in both of his regions
    assert not determined_cells([workers])
    montreal = await health_of(app, ("06",))
    assert montreal.workers.rows == ["06"]
    assert montreal.workers.total == Count(3)
