"""How long ``/stats`` takes on a network's years of data: figures, charts, summary and CSV.

Seeds a database of its own with invented data over three years and the 17 regions: handoffs
with their history (``handoff_events``), their cases, and search counts made from individual
search events (each counted in its cells, as ``record_search`` does). Then answers random
``/stats`` requests (period: this month, last month, last 12 months, this year or last year;
scope: every region, one region, a collaboration table's regions) exactly as the chat does: ``figures.compute``, the
summary, ``charts.render`` and the CSV, and prints p50/p95/max with the share of each step:
first with nothing kept (every month counted: a scope's first view on a new install), then
after the warming job kept every scope's months, with a few handoffs of three months changing
before each view (as in a live network); and how long the warming job's rounds take.

    .venv/bin/python benchmarks/stats.py                       # SQLite, 100,000 handoffs
    .venv/bin/python benchmarks/stats.py --backend postgresql  # 1,000,000 handoffs, 5,000,000 searches
    .venv/bin/python benchmarks/stats.py --backend postgresql --handoffs 250000 --searches 1250000

PostgreSQL: ``RELAIS_BENCH_DATABASE_URL`` (default ``postgresql://postgres@127.0.0.1:5432/test``)
names the server; the script creates and drops a database of its own there.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg
from sqlalchemy import delete, insert, select, update

from bot.app import build_app
from bot.config import Settings
from bot.db.migrate import upgrade
from bot.models.cases import Case
from bot.models.handoffs import Handoff, HandoffEvent
from bot.models.stats import LiveMonthCount, SearchCount, SearchNeedCount
from bot.services.stats import charts, figures, tables
from bot.services.stats.periods import period_for
from bot.services.stats.recording import NEED_CELL, need_cell
from bot.services.stats.warming import MONTHS, warm

ZONE = ZoneInfo("America/Toronto")
REGIONS = [f"{n:02d}" for n in range(1, 18)]
#: Montréal, Montérégie, Capitale-Nationale, Laval... carry most of the activity.
REGION_WEIGHTS = [2, 2, 9, 2, 4, 30, 4, 1, 1, 1, 1, 2, 7, 5, 6, 12, 3]
NEEDS = ["hebergement-urgence-jeunesse", "hebergement-transition", "dpj", "cavac", "ivac",
         "calacs", "centre-designe", "sante-sexuelle", "sante-mentale", "dependances",
         "aide-juridique", "police-eilp", "travail-de-rue", "sortie-exploitation", "autochtone",
         "lignes-aide", "transition-18"]
NEED_WEIGHTS = [20, 8, 6, 5, 2, 6, 3, 8, 9, 6, 3, 3, 8, 7, 2, 2, 2]
#: (status, reason, accepted?, ended?) and how often.
STATES = [
    (("completed", None, True, True), 35), (("accepted", None, True, False), 8),
    (("in-progress", None, True, False), 7), (("failed", "did-not-arrive", True, True), 5),
    (("rejected", "no-capacity", False, True), 8), (("rejected", "not-eligible", False, True), 4),
    (("rejected", "no-response", False, True), 8), (("cancelled", "no-longer-needed", False, True), 7),
    (("cancelled", "accepted-elsewhere", False, True), 5), (("requested", None, False, False), 3),
    (("entered-in-error", "error", False, True), 1),
]
OUTCOMES = [("arrived", 55), ("no-show", 15), ("placed-elsewhere", 10), ("other", 5), (None, 15)]
AGE_BANDS = ["under-12", "12-13", "14-15", "16-17", "18-plus", "unknown"]
HOUR_BANDS = ["night", "morning", "afternoon", "evening"]


def months_back(today: date, count: int) -> list[tuple[int, int]]:
    """The ``count`` months ending with ``today``'s, oldest first."""
    year, month = today.year, today.month
    out = []
    for _ in range(count):
        out.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def pick(rng: random.Random, pairs: Sequence[tuple[object, int]]) -> object:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def handoff_rows(count: int, today: date, seed: int) -> Iterator[tuple[dict, list[dict]]]:
    """Invented handoffs (stats columns set as the services set them) and their events."""
    rng = random.Random(seed)
    months = months_back(today, 36)
    # Rows are written as they happen, month after month (as a real database fills up), so
    # that a month's handoffs sit together on disk; more of them in recent months.
    picks = sorted(min(35, int(36 * (rng.random() ** 0.8))) for _ in range(count))
    for i, pick_ in enumerate(picks, start=1):
        year, month = months[pick_]
        day = rng.randint(1, 28)
        created = datetime(year, month, day, rng.randint(0, 23), rng.randint(0, 59),
                           tzinfo=ZONE).astimezone(UTC)
        region = rng.choices(REGIONS, weights=REGION_WEIGHTS)[0]
        from_region = region if rng.random() < 0.85 else rng.choices(REGIONS,
                                                                    weights=REGION_WEIGHTS)[0]
        urgent = rng.random() < 0.35
        status, reason, accepted, ended = pick(rng, STATES)  # type: ignore[misc]
        need = rng.choices(NEEDS, weights=NEED_WEIGHTS)[0]
        accept_min = round(rng.lognormvariate(3.0 if urgent else 6.3, 0.9)) if accepted else None
        response_min = accept_min
        if status == "rejected" and reason != "no-response":
            response_min = round(rng.lognormvariate(3.5 if urgent else 6.5, 0.9))
        closed_min = None
        if ended:
            closed_min = (accept_min or response_min or 120) + round(rng.expovariate(1 / 4000))
        outcome = pick(rng, OUTCOMES) if accepted else None
        if outcome and closed_min is None:
            closed_min = (accept_min or 0) + round(rng.expovariate(1 / 3000))
        def at(minutes: int | None, created: datetime = created) -> datetime:
            return created + timedelta(minutes=minutes or 0)

        row = {
            "id": i, "case_id": (i + 1) // 2, "service_name": "Service fictif", "region": region,
            "status": status, "status_reason": reason, "priority": "urgent" if urgent else "routine",
            "needs": [need], "criteria": {}, "outcome": outcome, "sla_stage": 0,
            "created_at": created, "updated_at": at(closed_min or accept_min),
            "accepted_at": at(accept_min) if accepted else None,
            "ended_at": at(closed_min) if ended else None,
            "month": f"{year:04d}-{month:02d}", "from_region": from_region,
            "service_region": region, "need": need,
            "response_min": response_min, "accept_min": accept_min, "closed_min": closed_min,
        }
        events = [{"handoff_id": i, "at": created, "kind": "created", "details": {}}]
        if accepted:
            events.append({"handoff_id": i, "at": at(accept_min), "kind": "status",
                           "from_status": "requested", "to_status": "accepted", "details": {}})
        if ended:
            events.append({"handoff_id": i, "at": at(closed_min), "kind": "status",
                           "from_status": "accepted" if accepted else "requested",
                           "to_status": status, "reason": reason, "details": {}})
        yield row, events


def search_cells(count: int, today: date, seed: int) -> Counter:
    """``count`` invented searches, each counted in its cells ("*" and one per need)."""
    rng = random.Random(seed + 1)
    months = [f"{y:04d}-{m:02d}" for y, m in months_back(today, 36)]
    cells: Counter = Counter()
    for _ in range(count):
        month = months[min(35, int(36 * (rng.random() ** 0.8)))]
        region = rng.choices(REGIONS, weights=REGION_WEIGHTS)[0]
        age = AGE_BANDS[min(5, int(rng.triangular(0, 6, 3.5)))]
        hour = rng.choice(HOUR_BANDS)
        can = rng.random() < 0.7
        place = can and rng.random() < 0.6
        needs = {rng.choices(NEEDS, weights=NEED_WEIGHTS)[0] for _ in range(rng.randint(1, 2))}
        for need in ("*", *needs):
            cells[(month, region, need, age, hour, can, place)] += 1
    return cells


CASE_COLUMNS = ("id", "code", "status", "age_band", "languages", "needs", "created_at",
                "updated_at")
HANDOFF_COLUMNS = ("id", "case_id", "service_name", "region", "status", "status_reason",
                   "priority", "needs", "criteria", "outcome", "sla_stage", "created_at",
                   "updated_at", "accepted_at", "ended_at", "month", "from_region",
                   "service_region", "need",
                   "response_min", "accept_min", "closed_min")
EVENT_COLUMNS = ("handoff_id", "at", "kind", "from_status", "to_status", "reason", "details")
SEARCH_COLUMNS = ("month", "region", "need", "age_band", "hour_band", "can_take_now",
                  "place_free", "count")
NEED_COLUMNS = (*NEED_CELL, "count")
#: Coordinators' scopes: each a collaboration table's regions (fixed, as in the directory).
TABLES = [("03", "12"), ("06", "13", "15"), ("05", "16"), ("08", "10", "09"), ("04", "17")]


def case_row(case_id: int, created: datetime) -> dict:
    return {"id": case_id, "code": f"Z{case_id:07X}"[-8:], "status": "open",
            "age_band": "14-15", "languages": [], "needs": [], "created_at": created,
            "updated_at": created}


async def seed(settings: Settings, handoffs: int, searches: int, today: date) -> dict[str, float]:
    """Fill the database; returns seconds per part."""
    started = time.perf_counter()
    batch_h: list[dict] = []
    batch_e: list[dict] = []
    batch_c: list[dict] = []
    timings: dict[str, float] = {}
    writer = PgWriter(settings.database_url) if not settings.is_sqlite else SqliteWriter(settings)
    await writer.open()
    for row, events in handoff_rows(handoffs, today, seed=13):
        if row["id"] % 2 == 1:
            batch_c.append(case_row(row["case_id"], row["created_at"]))
        batch_h.append(row)
        batch_e.extend(events)
        if len(batch_h) >= 20_000:
            await writer.write(batch_c, batch_h, batch_e)
            batch_c, batch_h, batch_e = [], [], []
    await writer.write(batch_c, batch_h, batch_e)
    timings["handoffs"] = time.perf_counter() - started
    started = time.perf_counter()
    cells = search_cells(searches, today, seed=13)
    rows = [dict(zip(SEARCH_COLUMNS, (*key, n), strict=True)) for key, n in cells.items()]
    needs: Counter = Counter()
    for key, n in cells.items():
        needs[need_cell(key)] += n
    await writer.searches(rows, [dict(zip(NEED_COLUMNS, (*key, n), strict=True))
                                 for key, n in needs.items()])
    timings["searches"] = time.perf_counter() - started
    timings["search_cells"] = len(rows)
    await writer.close()
    return timings


class PgWriter:
    """COPY into PostgreSQL (a million rows in seconds)."""

    def __init__(self, url: str) -> None:
        self.dsn = url.replace("postgresql+asyncpg://", "postgresql://")

    async def open(self) -> None:
        self.connection = await asyncpg.connect(self.dsn)

    async def write(self, cases: list[dict], handoffs: list[dict], events: list[dict]) -> None:
        def records(rows: list[dict], columns: Sequence[str]) -> list[tuple]:
            return [tuple(json.dumps(r.get(c)) if c in ("languages", "needs", "criteria",
                                                         "details") else r.get(c)
                          for c in columns) for r in rows]

        await self.connection.copy_records_to_table(
            "cases", records=records(cases, CASE_COLUMNS), columns=CASE_COLUMNS)
        await self.connection.copy_records_to_table(
            "handoffs", records=records(handoffs, HANDOFF_COLUMNS), columns=HANDOFF_COLUMNS)
        await self.connection.copy_records_to_table(
            "handoff_events", records=records(events, EVENT_COLUMNS), columns=EVENT_COLUMNS)

    async def searches(self, rows: list[dict], needs: list[dict]) -> None:
        await self.connection.copy_records_to_table(
            "stats_searches", records=[tuple(r[c] for c in SEARCH_COLUMNS) for r in rows],
            columns=SEARCH_COLUMNS)
        await self.connection.copy_records_to_table(
            "stats_search_needs", records=[tuple(r[c] for c in NEED_COLUMNS) for r in needs],
            columns=NEED_COLUMNS)
        for table in ("cases", "handoffs", "handoff_events", "stats_searches",
                      "stats_search_needs"):
            await self.connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))")
        await self.connection.execute("VACUUM ANALYZE")

    async def close(self) -> None:
        await self.connection.close()


class SqliteWriter:
    """Core inserts into SQLite, a batch per transaction."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def open(self) -> None:
        from bot.db.engine import make_engine

        self.engine = make_engine(self.settings.database_url)

    async def write(self, cases: list[dict], handoffs: list[dict], events: list[dict]) -> None:
        async with self.engine.begin() as connection:
            if cases:
                await connection.execute(insert(Case), cases)
            if handoffs:
                await connection.execute(insert(Handoff), handoffs)
            if events:
                await connection.execute(insert(HandoffEvent), events)

    async def searches(self, rows: list[dict], needs: list[dict]) -> None:
        async with self.engine.begin() as connection:
            for start in range(0, len(rows), 20_000):
                await connection.execute(insert(SearchCount), rows[start:start + 20_000])
            for start in range(0, len(needs), 20_000):
                await connection.execute(insert(SearchNeedCount), needs[start:start + 20_000])
            await connection.exec_driver_sql("ANALYZE")

    async def close(self) -> None:
        await self.engine.dispose()


def requests(count: int, today: date, seed: int) -> list[tuple[str, tuple[str, ...] | None]]:
    """Random ``/stats`` requests: a period the chat offers (this month, last month, the last
    12 months, this year, last year) and a region scope."""
    rng = random.Random(seed)
    choices = ["month", "last-month", "12m", f"year:{today.year}", f"year:{today.year - 1}"]
    out = []
    for _ in range(count):
        scope = rng.choice([None, None, (rng.choice(REGIONS),), rng.choice(TABLES), ("06",)])
        out.append((rng.choice(choices), scope))
    return out


async def measure(settings: Settings, count: int, today: date, now: datetime, *, seed: int = 7,
                  kept: bool) -> dict[str, list[float]]:
    """Answer ``count`` requests as the chat does; seconds per step of each. ``kept``: months
    counted are kept (committed with the view, as ``/stats`` does) and, before each view, a few
    handoffs of this month, last month and one other month of the year change, as in a live
    network; else nothing is kept and every month is counted (a scope's first view)."""
    app = build_app(settings)
    text = app.translator.text("fr")
    rng = random.Random(seed)
    year = [f"{y:04d}-{m:02d}" for y, m in months_back(today, 12)]
    steps: dict[str, list[float]] = {"figures": [], "charts": [], "summary+csv": [], "total": []}
    try:
        for choice, scope in requests(count, today, seed=seed):
            async with app.sessionmaker() as session:
                if kept:
                    for month in {year[-1], year[-2], rng.choice(year[:-2])}:
                        await touch(session, month)
                else:
                    await session.execute(delete(LiveMonthCount))
                await session.commit()
            start = time.perf_counter()
            async with app.sessionmaker() as session:
                data = await figures.compute(session, period_for(choice, today), scope, now=now,
                                             min_cell=settings.min_cell, zone=ZONE, keep=kept)
                await session.commit()
            computed = time.perf_counter()
            tables.summary(data, text)
            tables.to_csv(data, text)
            written = time.perf_counter()
            rendered = await asyncio.to_thread(charts.render, data, text)
            assert rendered, "no chart drawn"
            done = time.perf_counter()
            steps["figures"].append(computed - start)
            steps["summary+csv"].append(written - computed)
            steps["charts"].append(done - written)
            steps["total"].append(done - start)
    finally:
        await app.close()
    return steps


async def warm_all(settings: Settings, now: datetime, label: str) -> None:
    """The background job's round over every scope (all, each region, each table's regions)."""
    app = build_app(settings)
    try:
        scopes = [None, *[(code,) for code in REGIONS], *TABLES]
        started = time.perf_counter()
        await warm(app.sessionmaker, now=now, zone=ZONE, scopes_to_warm=scopes)
        print(f"\nwarming job, {label}: {len(scopes)} scopes x {MONTHS} months in "
              f"{time.perf_counter() - started:.1f} s")
    finally:
        await app.close()


async def touch(session, month: str) -> None:  # type: ignore[no-untyped-def]
    """Five handoffs of ``month`` change (their versions rise, as at any update)."""
    some = select(Handoff.id).where(Handoff.month == month).limit(5).scalar_subquery()
    await session.execute(update(Handoff).where(Handoff.id.in_(some))
                          .values(sla_stage=Handoff.sla_stage)
                          .execution_options(synchronize_session=False))


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def report(label: str, steps: dict[str, list[float]]) -> None:
    print(f"\n{label}: {len(steps['total'])} /stats answers (ms)")
    print(f"  {'step':<12} {'p50':>8} {'p95':>8} {'max':>8}")
    for name, values in steps.items():
        print(f"  {name:<12} {statistics.median(values) * 1000:8.0f} "
              f"{quantile(values, 0.95) * 1000:8.0f} {max(values) * 1000:8.0f}")
    verdict = "met" if quantile(steps["total"], 0.95) < 2.0 else "NOT met"
    print(f"  target p95 < 2000 ms: {verdict}")


async def run_backend(backend: str, handoffs: int, searches: int, queries: int) -> None:
    now = datetime.now(UTC)
    today = now.astimezone(ZONE).date()
    if backend == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="relais-bench-stats-"))
        url = f"sqlite+aiosqlite:///{folder / 'stats.db'}"
        database = None
    else:
        server = os.environ.get("RELAIS_BENCH_DATABASE_URL",
                                "postgresql://postgres@127.0.0.1:5432/test")
        database = f"relais_bench_stats_{uuid.uuid4().hex[:6]}"
        await admin(server, f'CREATE DATABASE "{database}"')
        url = server.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + (
            "/" + database)
    try:
        await upgrade(url)
        settings = Settings(database_url=url, bot_token=None, timezone="America/Toronto")
        timings = await seed(settings, handoffs, searches, today)
        print(f"\n{backend}: {handoffs:,} handoffs with their history, {searches:,} searches "
              f"({int(timings['search_cells']):,} search cells); seeded in "
              f"{timings['handoffs']:.0f} s + {timings['searches']:.0f} s")
        await measure(settings, 3, today, now, kept=False)  # warm-up: imports, fonts
        report(f"{backend}, first views (every month counted)",
               await measure(settings, queries, today, now, seed=7, kept=False))
        await warm_all(settings, now, "first round, every month counted")
        report(f"{backend}, later views (months kept; 3 months changed before each)",
               await measure(settings, queries, today, now, seed=7, kept=True))
        await warm_all(settings, now, "next round, changed months counted")
    finally:
        if database is not None:
            await admin(server, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


async def admin(server: str, statement: str) -> None:
    """One statement on the server's maintenance database (create or drop ours)."""
    connection = await asyncpg.connect(server)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--handoffs", type=int, default=None,
                        help="default 100,000 on SQLite, 1,000,000 on PostgreSQL")
    parser.add_argument("--searches", type=int, default=None,
                        help="default five per handoff")
    parser.add_argument("--queries", type=int, default=40)
    args = parser.parse_args()
    handoffs = args.handoffs or (100_000 if args.backend == "sqlite" else 1_000_000)
    searches = args.searches if args.searches is not None else 5 * handoffs
    asyncio.run(run_backend(args.backend, handoffs, searches, args.queries))


if __name__ == "__main__":
    main()
