"""Directory search latency and memory at 1,000 / 10,000 / 50,000 services.

Generates invented services across the 17 regions (categories, ages, hours, languages,
capacities) into a fresh SQLite database per size, builds the in-memory index, then times
free-text questions end to end through the service layer (``interpret`` + ``search``).
Prints p50/p95 per size (after one warm-up pass per question; "cold ms" is the slowest warm-up
query, when opening hours of a bucket are first evaluated), the index build time, and process
memory (RSS, and tracemalloc of the index itself).

    .venv/bin/python benchmarks/directory_search.py [--sizes 1000 10000 50000] [--queries 400]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import statistics
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from bot.app import build_app
from bot.config import Settings
from bot.db.migrate import upgrade
from bot.models.directory import (
    DirectoryOrganization,
    DirectorySchedule,
    DirectoryService,
    DirectoryUnit,
    ServiceCapacity,
    ServiceCategory,
    ServiceRegion,
)
from bot.services.directory import interpret, search
from bot.services.directory.index import build_index, holder_for
from knowledge.regions import load_regions
from knowledge.taxonomy import load_taxonomy

QUESTIONS = [
    "qui peut prendre une jeune de 16 ans à Longueuil ce soir pour de l'hébergement?",
    "any shelter for a 17yo in montreal tonight",
    "travail de rue pour 15 ans à Gatineau",
    "santé sexuelle pour une fille de 14 ans à Sherbrooke",
    "DPJ Saguenay",
    "dépannage ce soir pour 17 ans à Laval, elle parle anglais",
    "youth clinic in Quebec City for a 16 year old",
    "aide juridique Trois-Rivières",
    "hébergement de transition 18 ans Rimouski",
    "mental health crisis 15 yo Terrebonne now",
    "jeune de 13 ans à Rouyn-Noranda",
    "urgent CALACS Saint-Jérôme",
]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def populate(app, count: int, seed: int = 7) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    regions = list(load_regions())
    categories = list(load_taxonomy().categories)
    now = datetime.now(UTC)
    async with app.engine.begin() as connection:
        orgs = max(1, count // 4)
        await connection.execute(insert(DirectoryOrganization), [
            {"id": i + 1, "hsds_id": f"bench-org-{i}", "name": f"Organisme {i} (fictif)", "extra": {}}
            for i in range(orgs)
        ])
        await connection.execute(insert(DirectoryUnit), [{"id": 1, "hsds_id": "bench-unit", "name": "lit"}])
        services, region_rows, category_rows, schedules, capacities = [], [], [], [], []
        for i in range(count):
            sid = i + 1
            low = rng.choice([None, 12, 12, 14, 16, 18])
            high = rng.choice([None, 17, 17, 21, 24, 30]) if low != 18 else rng.choice([24, 30, None])
            province = rng.random() < 0.01
            services.append({
                "id": sid, "hsds_id": f"bench-svc-{i}", "organization_id": rng.randrange(orgs) + 1,
                "name": f"Service {i} {rng.choice(['Le Phare', 'La Boussole', 'Rive', 'Horizon', 'Passerelle'])}",
                "description": "Service fictif de démonstration pour les jeunes",
                "status": "active" if rng.random() > 0.05 else "inactive",
                "minimum_age": low, "maximum_age": high,
                "open_24_7": rng.random() < 0.3, "timezone": "America/Toronto",
                "confidential_address": rng.random() < 0.2, "province_wide": province,
                "assured_date": date.today() - timedelta(days=rng.randrange(400)), "extra": {},
            })
            served = regions if province else rng.sample(regions, rng.choice([1, 1, 1, 2]))
            region_rows += [{"service_id": sid, "region": r} for r in served]
            category_rows += [{"service_id": sid, "category": c}
                              for c in rng.sample(categories, rng.choice([1, 1, 2, 3]))]
            if rng.random() < 0.6:
                schedules.append({"id": len(schedules) + 1, "hsds_id": f"bench-sch-{i}",
                                  "service_id": sid, "freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR",
                                  "opens_at": "08:30", "closes_at": rng.choice(["16:30", "21:00", "02:00"])})
            if rng.random() < 0.25:
                capacities.append({"id": len(capacities) + 1, "hsds_id": f"bench-cap-{i}",
                                   "service_id": sid, "unit_id": 1, "available": rng.randrange(6),
                                   "maximum": 8, "updated": now - timedelta(hours=rng.randrange(48))})
        for table, rows in ((DirectoryService, services), (ServiceRegion, region_rows),
                            (ServiceCategory, category_rows), (DirectorySchedule, schedules),
                            (ServiceCapacity, capacities)):
            for start in range(0, len(rows), 5000):
                await connection.execute(insert(table), rows[start : start + 5000])


async def run_size(count: int, queries: int, folder: Path) -> dict[str, float]:
    url = f"sqlite+aiosqlite:///{folder / f'bench-{count}.db'}"
    app = build_app(Settings(_env_file=None, database_url=url, bot_token=None))
    try:
        await upgrade(url)
        await populate(app, count)
        gazetteer, taxonomy = app.gazetteer, app.taxonomy
        interpret("warm up Longueuil 16 ans", "fr", gazetteer=gazetteer, taxonomy=taxonomy)
        gc.collect()
        rss_before = rss_mb()
        async with app.sessionmaker() as session:
            started = time.perf_counter()
            await holder_for(session).get(session)
            build_seconds = time.perf_counter() - started
        rss_after = rss_mb()
        gc.collect()
        tracemalloc.start()
        async with app.sessionmaker() as session:
            index = await build_index(session)
        traced_current, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        del index
        gc.collect()
        timings: list[float] = []
        results = 0
        async with app.sessionmaker() as session:
            cold: list[float] = []
            for text in QUESTIONS:  # first time per bucket: opening hours are evaluated
                started = time.perf_counter()
                found = interpret(text, None, gazetteer=gazetteer, taxonomy=taxonomy)
                await search(session, found.criteria, now=app.clock.now(), limit=5)
                cold.append((time.perf_counter() - started) * 1000)
            for i in range(queries):
                text = QUESTIONS[i % len(QUESTIONS)]
                started = time.perf_counter()
                found = interpret(text, None, gazetteer=gazetteer, taxonomy=taxonomy)
                outcome = await search(session, found.criteria, now=app.clock.now(), limit=5)
                timings.append((time.perf_counter() - started) * 1000)
                results += len(outcome.results)
        timings.sort()
        return {
            "services": count,
            "p50_ms": statistics.median(timings),
            "p95_ms": timings[int(0.95 * (len(timings) - 1))],
            "max_ms": timings[-1],
            "cold_max_ms": max(cold),
            "build_s": build_seconds,
            "rss_mb": rss_after,
            "rss_index_mb": rss_after - rss_before,
            "traced_index_mb": traced_current / 2**20,
            "traced_peak_mb": traced_peak / 2**20,
            "avg_results": results / queries,
        }
    finally:
        await app.close()


async def main(sizes: list[int], queries: int) -> None:
    print(f"{'services':>9} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'cold ms':>8} {'build s':>8} "
          f"{'RSS MB':>8} {'+RSS MB':>8} {'index MB':>9} {'peak MB':>8} {'results':>8}")
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            row = await run_size(size, queries, Path(folder))
            rows.append(row)
            print(f"{row['services']:>9} {row['p50_ms']:>8.2f} {row['p95_ms']:>8.2f} "
                  f"{row['max_ms']:>8.2f} {row['cold_max_ms']:>8.2f} {row['build_s']:>8.2f} {row['rss_mb']:>8.1f} "
                  f"{row['rss_index_mb']:>8.1f} {row['traced_index_mb']:>9.1f} "
                  f"{row['traced_peak_mb']:>8.1f} {row['avg_results']:>8.1f}", flush=True)
    if len(rows) > 1:
        ratio = rows[-1]["p95_ms"] / rows[0]["p95_ms"]
        print(f"p95 at {rows[-1]['services']} / p95 at {rows[0]['services']}: {ratio:.2f}x "
              f"(target <= 3x and < 30 ms)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--queries", type=int, default=400)
    args = parser.parse_args()
    asyncio.run(main(args.sizes, args.queries))
