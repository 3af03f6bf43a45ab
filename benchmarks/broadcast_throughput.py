"""Broadcast delivery against a local Bot API stand-in over HTTP (loopback only).

Scenarios (figures printed):
  A. 10,000 recipients, limiter at 1,000 messages/s: achieved rate, duplicates, misses.
  B. The stand-in answers 429 (retry_after) to a share of sendMessage: every recipient served
     exactly once, the pauses and what was sent during them.
  C. (PostgreSQL) two OS processes deliver the same broadcast, sharing one limiter through Redis
     when it is there: duplicates, misses, combined rate.

The stand-in (``tests/standin/server.py`` around ``FakeTelegram``) runs in a child process so the
dispatcher's process measures only its own work. The database is a PostgreSQL database created
and dropped for the run (``relais_bench_<pid>``) when PostgreSQL answers at
``RELAIS_BENCH_DATABASE_URL`` (default postgresql://postgres@127.0.0.1:5432/postgres), else a
temporary SQLite file; Redis at ``RELAIS_BENCH_REDIS_URL`` (default redis://127.0.0.1:6379/0)
when it answers. Usage: ``python benchmarks/broadcast_throughput.py [--recipients N] [--rate R]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOKEN = "4242:bench-token"
FIRST_ID = 7_000_000_000
AUTHOR_ID = 6_999_999_999


# ---- the stand-in child ------------------------------------------------------------------


def standin_child() -> None:
    from handlers.console.fake_api import FakeTelegram, error, ok
    from tests.standin.server import StandIn

    class BenchTelegram(FakeTelegram):
        """FakeTelegram that records every accepted send and can answer 429 to a share."""

        def __init__(self) -> None:
            super().__init__()
            self.sends: list[tuple[float, int]] = []
            self.refusals: list[float] = []
            self.share = 0.0
            self.retry_after = 1
            self.random = random.Random(7)
            self.keep_events = False

        async def call(self, method: str, raw: dict[str, Any]):  # type: ignore[override]
            if method == "sendMessage" and self.share and self.random.random() < self.share:
                self.refusals.append(time.monotonic())
                return error(429, f"Too Many Requests: retry after {self.retry_after}",
                             retry_after=self.retry_after)
            return await super().call(method, raw)

        def _m_sendmessage(self, params: dict[str, Any]):  # type: ignore[override]
            status, body = super()._m_sendmessage(params)
            if status == 200:
                self.sends.append((time.monotonic(), int(params["chat_id"])))
            if not self.keep_events:  # keep memory flat over tens of thousands of sends
                self.events.clear()
                self.requests.clear()
                self.messages.clear()
            return status, body

        def _m_benchusers(self, params: dict[str, Any]):
            start, count = int(params["start"]), int(params["count"])
            for user_id in range(start, start + count):
                self.add_user(user_id, f"w{user_id}", "fr")
            self.add_user(AUTHOR_ID, "coordinator", "fr")
            return ok(True)

        def _m_benchfault(self, params: dict[str, Any]):
            self.share = float(params.get("share") or 0)
            self.retry_after = int(params.get("retry_after") or 1)
            return ok(True)

        def _m_benchreset(self, params: dict[str, Any]):
            self.sends.clear()
            self.refusals.clear()
            return ok(True)

        def _m_benchstats(self, params: dict[str, Any]):
            return ok({"sends": self.sends, "refusals": self.refusals})

        def _m_editmessagetext(self, params: dict[str, Any]):  # type: ignore[override]
            self.messages.setdefault((params.get("chat_id"), params.get("message_id")), {
                "message_id": params.get("message_id"), "chat": self._chat_json(AUTHOR_ID),
                "from": self.bot_user, "text": "", "date": 0})
            return super()._m_editmessagetext(params)

    async def main() -> None:
        standin = StandIn(TOKEN, BenchTelegram())
        await standin.start()
        print(f"PORT {standin.port}", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until closed
        await standin.stop()

    asyncio.run(main())


async def standin_call(base: str, method: str, **fields: Any) -> Any:
    import aiohttp

    async with aiohttp.ClientSession() as client, client.post(
        f"{base}/bot{TOKEN}/{method}", data={k: str(v) for k, v in fields.items()}
    ) as response:
        body = await response.json()
        return body.get("result")


# ---- database and app --------------------------------------------------------------------


async def choose_database() -> tuple[str, str, Any]:
    """(url, description, cleanup coroutine factory)."""
    import asyncpg

    admin = os.environ.get("RELAIS_BENCH_DATABASE_URL",
                           "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"relais_bench_{os.getpid()}"
    try:
        connection = await asyncpg.connect(admin, timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        folder = tempfile.mkdtemp(prefix="relais-bench-")
        url = f"sqlite+aiosqlite:///{folder}/bench.db"

        async def drop_sqlite() -> None:
            await asyncio.to_thread(shutil.rmtree, folder, True)

        return url, f"SQLite (temporary file {folder}/bench.db)", drop_sqlite
    await connection.execute(f'CREATE DATABASE "{name}"')
    await connection.close()
    url = admin.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + "/" + name

    async def drop_pg() -> None:
        conn = await asyncpg.connect(admin)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()

    return url, f"PostgreSQL (database {name}, dropped at the end)", drop_pg


async def choose_redis() -> str | None:
    url = os.environ.get("RELAIS_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    from redis.asyncio import Redis

    client = Redis.from_url(url, socket_connect_timeout=2)
    try:
        await client.ping()
    except Exception:
        return None
    finally:
        await client.aclose()
    return url


def make_app(database_url: str, redis_url: str | None, rate: float, prefix: str):  # type: ignore[no-untyped-def]
    from bot.app import build_app
    from bot.config import Settings

    settings = Settings(_env_file=None, database_url=database_url, redis_url=redis_url,  # type: ignore[call-arg]
                        broadcast_rate=rate, broadcast_per_chat_rate=1.0)
    return build_app(settings, redis_prefix=prefix)


def attach_messenger(app, base: str):  # type: ignore[no-untyped-def]
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer

    from handlers.lean_sender import build_messenger
    from handlers.runtime import build_bot

    session = AiohttpSession(api=TelegramAPIServer.from_base(base), limit=400)
    bot = build_bot(app, session=session, token=TOKEN)
    app.messenger = build_messenger(bot)  # as handlers.runtime.prepare wires it
    return bot


async def seed_workers(app, n: int) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import insert, select

    from bot.models.core import Organisation, Worker, WorkerRegion

    now = app.clock.now()
    async with app.sessionmaker() as session:
        org = Organisation(name="Organisme de banc d'essai (fictif)", sector="community",
                           regions=["06"], created_at=now)
        session.add(org)
        await session.flush()
        session.add(Worker(telegram_id=AUTHOR_ID, display_name="coordination (fictive)",
                           role="coordinator", language="fr", organisation_id=org.id,
                           created_at=now))
        await session.flush()
        await session.execute(insert(Worker), [
            {"telegram_id": FIRST_ID + i, "display_name": f"w{i:05d}", "role": "worker",
             "language": "fr" if i % 3 else "en", "organisation_id": org.id, "on_call": False,
             "active": True, "blocked_bot": False, "quiet_start": "21:00", "quiet_end": "08:00",
             "created_at": now} for i in range(n)
        ])
        ids = (await session.scalars(select(Worker.id))).all()
        await session.execute(insert(WorkerRegion), [{"worker_id": i, "region": "06"} for i in ids])
        await session.commit()


async def new_broadcast(app) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from bot.messenger import OutgoingMessage
    from bot.models.core import Worker
    from bot.services.broadcasts import audience as aud
    from bot.services.broadcasts import outbox

    async with app.sessionmaker() as session:
        author = await session.scalar(select(Worker).where(Worker.telegram_id == AUTHOR_ID))
        broadcast = await outbox.create_broadcast(
            session, author=author, audience=aud.make_audience(author, aud.MINE),
            versions={"fr": "Annonce de banc d'essai (fictive).",
                      "en": "Benchmark announcement (fictional)."},
            now=app.clock.now(), author_language="fr",
        )
        broadcast.progress_message_id = await app.messenger.send(
            OutgoingMessage(chat_id=AUTHOR_ID, text="0 / …"))
        await session.commit()
        return broadcast.id


async def wait_done(app, broadcast_id: int, limit: float) -> bool:  # type: ignore[no-untyped-def]
    from bot.models.broadcasts import Broadcast

    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        async with app.sessionmaker() as session:
            broadcast = await session.get(Broadcast, broadcast_id)
            if broadcast.status in ("done", "cancelled"):
                return True
        await asyncio.sleep(0.2)
    return False


def cpu_seconds(pid: int | None = None) -> float:
    """User + system CPU seconds of this process, or of a child by pid (Linux /proc)."""
    if pid is None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def analyse(stats: dict, expected: set[int]) -> dict:
    sends = [(t, c) for t, c in stats["sends"] if c in expected]
    chats = [c for _t, c in sends]
    times = sorted(t for t, _c in sends)
    duplicates = len(chats) - len(set(chats))
    missing = len(expected - set(chats))
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    rate = (len(times) - 1) / span if span else 0.0
    return {"sent": len(chats), "duplicates": duplicates, "missing": missing,
            "span": span, "rate": rate, "times": times}


# ---- a dispatcher child (scenario C) -----------------------------------------------------


def dispatcher_child(database_url: str, redis_url: str | None, base: str, rate: float,
                     broadcast_id: int, name: str) -> None:
    async def main() -> None:
        from bot.services.broadcasts.delivery import BroadcastDispatcher
        from handlers.runtime import freeze_heap

        app = make_app(database_url, redis_url, rate, prefix="relais-bench")
        bot = attach_messenger(app, base)
        freeze_heap()  # as `relais run` does once start-up is over
        worker = BroadcastDispatcher(app, name=name)
        task = asyncio.create_task(worker.run())
        await wait_done(app, broadcast_id, limit=600)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        print(json.dumps({"name": name, "sent": worker.stats.sent,
                          "pauses": len(worker.stats.pauses)}), flush=True)
        await bot.session.close()
        await app.close()

    asyncio.run(main())


# ---- main --------------------------------------------------------------------------------


async def run_scenario(app, base, broadcast_id, expected, limit):  # type: ignore[no-untyped-def]
    from bot.services.broadcasts.delivery import BroadcastDispatcher
    from handlers.runtime import freeze_heap

    freeze_heap()  # as `relais run` does once start-up is over (handlers.runtime)
    worker = BroadcastDispatcher(app, name=f"bench-{os.getpid()}")
    started = time.perf_counter()
    task = asyncio.create_task(worker.run())
    done = await wait_done(app, broadcast_id, limit)
    elapsed = time.perf_counter() - started
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    stats = await standin_call(base, "benchStats")
    result = analyse(stats, expected)
    result.update(done=done, elapsed=elapsed, worker=worker, refusals=stats["refusals"])
    return result


def spawn(*argv: str, stdin: int | None = None) -> subprocess.Popen:
    """This script again, as a child process with its own interpreter."""
    return subprocess.Popen([sys.executable, __file__, *argv], stdin=stdin,
                            stdout=subprocess.PIPE, text=True)


async def main(args: argparse.Namespace) -> int:
    from bot.db.migrate import upgrade
    from bot.services.ratelimit import get_limiter

    database_url, db_label, drop = await choose_database()
    redis_url = await choose_redis()
    prefix = f"relais-bench-{os.getpid()}"
    print(f"database: {db_label}")
    print(f"rate limiter: {'Redis (' + redis_url + ')' if redis_url else 'in-process'}, "
          f"{args.rate:g} messages/s overall, 1/s per chat")
    child = spawn("--standin-child", stdin=subprocess.PIPE)
    ok = True
    try:
        line = child.stdout.readline().strip()  # type: ignore[union-attr]
        base = f"http://127.0.0.1:{int(line.split()[1])}"
        print(f"stand-in: {base} (FakeTelegram over HTTP, separate process)")
        await upgrade(database_url)
        app = make_app(database_url, redis_url, args.rate, prefix)
        bot = attach_messenger(app, base)
        await standin_call(base, "benchUsers", start=FIRST_ID, count=args.recipients)
        await seed_workers(app, args.recipients)
        expected = set(range(FIRST_ID, FIRST_ID + args.recipients))

        # A. throughput
        bid = await new_broadcast(app)
        cpu_self, cpu_standin = cpu_seconds(), cpu_seconds(child.pid)
        a = await run_scenario(app, base, bid, expected, limit=args.recipients / args.rate * 5 + 30)
        cpu_self, cpu_standin = cpu_seconds() - cpu_self, cpu_seconds(child.pid) - cpu_standin
        share = a["rate"] / args.rate
        print(f"\nA. {args.recipients:,} recipients at a limit of {args.rate:g}/s: "
              f"{a['sent']:,} sent in {a['span']:.2f} s (first to last send) -> "
              f"{a['rate']:.0f} messages/s = {share:.1%} of the limit; "
              f"duplicates {a['duplicates']}, missed {a['missing']}; "
              f"whole run incl. claim/report {a['elapsed']:.2f} s")
        print(f"   CPU during A: dispatcher process {cpu_self:.2f} s "
              f"({cpu_self / max(a['sent'], 1) * 1000:.2f} ms/message), stand-in process "
              f"{cpu_standin:.2f} s; load average before: {os.getloadavg()[0]:.2f} "
              f"on {os.cpu_count()} CPUs")
        ok &= a["done"] and a["duplicates"] == 0 and a["missing"] == 0 and share >= 0.95

        # B. 429 answers
        n_b = min(args.recipients, 3000)
        expected_b = set(range(FIRST_ID, FIRST_ID + n_b))
        await standin_call(base, "benchReset")
        from sqlalchemy import update

        from bot.models.core import Worker

        async with app.sessionmaker() as session:  # a smaller audience for the 429 run
            await session.execute(update(Worker).where(Worker.telegram_id >= FIRST_ID + n_b)
                                  .values(active=False))
            await session.commit()
        await standin_call(base, "benchFault", share=args.fault_share, retry_after=1)
        limiter = get_limiter(app)
        pauses_before = len(limiter.pauses)
        bid = await new_broadcast(app)
        b = await run_scenario(app, base, bid, expected_b, limit=600)
        await standin_call(base, "benchFault", share=0)
        refusals = b["refusals"]
        grace = 0.1  # requests already on the wire when the 429 came back
        during = sum(1 for t in b["times"] for r in refusals if r + grace < t < r + 1.0)
        pauses = len(limiter.pauses) - pauses_before
        print(f"B. {n_b:,} recipients, {args.fault_share:.1%} of sendMessage answered 429 "
              f"retry_after=1: {len(refusals)} refusals, {pauses} limiter pauses, "
              f"{b['sent']:,} delivered in {b['span']:.2f} s; duplicates {b['duplicates']}, "
              f"missed {b['missing']}; sends inside a pause window (after {grace * 1000:.0f} ms "
              f"grace): {during}")
        ok &= b["done"] and b["duplicates"] == 0 and b["missing"] == 0 and pauses >= 1
        async with app.sessionmaker() as session:
            await session.execute(update(Worker).values(active=True))
            await session.commit()

        # C. two OS processes on PostgreSQL
        if database_url.startswith("postgresql") and not args.skip_two_process:
            await standin_call(base, "benchReset")
            bid = await new_broadcast(app)
            # the parent's limiter state must not slow the children: they share Redis keys
            # under their own prefix
            procs = [
                spawn("--dispatcher-child", database_url, redis_url or "", base, str(args.rate),
                      str(bid), f"proc{i}")
                for i in range(2)
            ]
            outputs = [json.loads((await asyncio.to_thread(p.communicate))[0].strip()
                                  .splitlines()[-1]) for p in procs]
            stats = await standin_call(base, "benchStats")
            c = analyse(stats, expected)
            per = ", ".join(f"{o['name']} sent {o['sent']:,}" for o in outputs)
            limit = args.rate if redis_url else args.rate * 2
            print(f"C. two OS processes, {args.recipients:,} recipients ({per}): "
                  f"duplicates {c['duplicates']}, missed {c['missing']}, combined "
                  f"{c['rate']:.0f} messages/s (limit {limit:g}/s "
                  f"{'shared through Redis' if redis_url else 'per process, no Redis'})")
            ok &= c["duplicates"] == 0 and c["missing"] == 0
            ok &= all(o["sent"] > 0 for o in outputs)
        else:
            print("C. skipped (needs PostgreSQL)")
        await bot.session.close()
        if redis_url:
            keys = [k async for k in app.redis.scan_iter(f"{prefix}:*")]
            keys += [k async for k in app.redis.scan_iter("relais-bench:*")]
            if keys:
                await app.redis.delete(*keys)
        await app.close()
    finally:
        with contextlib.suppress(Exception):
            child.stdin.close()  # type: ignore[union-attr]
            child.wait(timeout=10)
        await drop()
    print("\nresult:", "OK" if ok else "FAILED")
    return 0 if ok else 1


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=1000.0)
    parser.add_argument("--fault-share", type=float, default=0.003)
    parser.add_argument("--skip-two-process", action="store_true")
    return parser.parse_args(argv)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--standin-child"]:
        standin_child()
    elif sys.argv[1:2] == ["--dispatcher-child"]:
        db, redis, base, rate, bid, name = sys.argv[2:8]
        dispatcher_child(db, redis or None, base, float(rate), int(bid), name)
    else:
        sys.exit(asyncio.run(main(parse(sys.argv[1:]))))
