"""Reminders: 100,000 pending, 1,000 due in the same second, two dispatcher processes.

Runs on a PostgreSQL database of its own (created and dropped: ``relais_bench_<pid>``, on the
server of ``RELAIS_BENCH_DATABASE_URL``, default ``postgresql://postgres@127.0.0.1:5432/test``).
Two ``relais worker`` processes (real OS processes) send through the Bot API stand-in
(``tests/standin/server.py``) over HTTP. Printed: delivered, duplicates, losses, lateness
(p50/p99/max, measured when the stand-in received each message).

Phase 2 kills one dispatcher with SIGKILL in the middle of its batch: the rows it had claimed
come back after their lease (``--lease``) and the other process sends them; the only possible
duplicate is the message that was in flight when it died.

    .venv/bin/python benchmarks/reminders_dispatch.py [--pending 100000] [--due 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import signal
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
from cryptography.fernet import Fernet  # noqa: E402

TOKEN = "4242:bench-reminders"
ADMIN_URL = os.environ.get(
    "RELAIS_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


def dsn(database: str | None = None) -> str:
    url = ADMIN_URL.replace("postgresql+asyncpg://", "postgresql://")
    return url if database is None else url.rsplit("/", 1)[0] + "/" + database


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


async def seed(url: str, key: bytes, workers: int, pending: int, due: int, due_at: datetime,
               phase: int = 1) -> None:
    """Workers without quiet hours, ``pending`` future reminders, ``due`` falling due at once."""
    fernet = Fernet(key)
    now = datetime.now(UTC)
    connection = await asyncpg.connect(url)
    try:
        if phase == 1:
            await connection.copy_records_to_table(
                "workers",
                records=[(900_000_000 + i, f"bench{i}", "fr" if i % 2 else "en", "worker", False,
                          True, False, None, "00:00", "00:00", now) for i in range(1, workers + 1)],
                columns=["telegram_id", "display_name", "language", "role", "on_call", "active",
                         "blocked_bot", "timezone", "quiet_start", "quiet_end", "created_at"],
            )
        ids = [r["id"] for r in await connection.fetch("SELECT id FROM workers ORDER BY id")]
        columns = ["kind", "worker_id", "ref", "payload", "text", "state", "urgent", "late",
                   "attempts", "due_at", "next_attempt_at", "created_at", "updated_at"]
        rows = []
        for i in range(pending):
            at = now + timedelta(days=1, seconds=i * 25)
            rows.append(("reminder", ids[i % len(ids)], "AA-AAA", '{"case": "AA-AAA"}', None,
                         "pending", False, False, 0, at, at, now, now))
        for i in range(due):
            text = fernet.encrypt(f"bench {phase}-{i}".encode()).decode()
            rows.append(("reminder", ids[i % len(ids)], None, "{}", text, "pending", False,
                         False, 0, due_at, due_at, now, now))
        await connection.set_type_codec(  # COPY is binary: json's binary form is its text
            "json", encoder=str.encode, decoder=bytes.decode, schema="pg_catalog",
            format="binary")
        await connection.copy_records_to_table("scheduled_jobs", records=rows, columns=columns)
        await connection.execute("ANALYZE scheduled_jobs")
    finally:
        await connection.close()


async def wait_for_all(received: list[tuple[float, int, str]], count: int, limit: float) -> None:
    """Until ``count`` different messages arrived (or ``limit`` seconds)."""
    deadline = time.time() + limit
    while time.time() < deadline and len({t for _, _, t in received}) < count:  # noqa: ASYNC110
        await asyncio.sleep(0.05)


def relais_command() -> list[str]:
    """The ``relais`` command of the environment running this script (``.venv``, CI's
    ``.venv-ci``, any install), else ``python -m bot`` with this interpreter."""
    for name in ("relais", "relais.exe"):
        script = Path(sys.executable).parent / name
        if script.is_file():
            return [str(script)]
    return [sys.executable, "-m", "bot"]


async def start_worker(
    env: dict[str, str], lease: float, concurrency: int
) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        *relais_command(), "worker", "--no-migrate", "--quiet",
        "--lease", str(lease), "--batch", "50", "--concurrency", str(concurrency),
        env=env, cwd=str(ROOT), stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )


def summary(label: str, received: list[tuple[float, int, str]], expected: set[str],
            due_ts: float) -> dict[str, float]:
    texts = [text.rsplit("\n", 1)[-1] for _, _, text in received]
    mine = [t for t in texts if t in expected]
    duplicates = len(mine) - len(set(mine))
    losses = len(expected - set(mine))
    lateness = [at - due_ts for at, _, text in received if text.rsplit("\n", 1)[-1] in expected]
    first = {}
    for at, _, text in received:
        first.setdefault(text.rsplit("\n", 1)[-1], at - due_ts)
    values = [v for k, v in first.items() if k in expected]
    print(f"{label}: delivered {len(set(mine))}/{len(expected)}, duplicates {duplicates}, "
          f"losses {losses}, lateness p50 {percentile(values, 0.5):.3f} s, "
          f"p99 {percentile(values, 0.99):.3f} s, max {max(values or [float('nan')]):.3f} s")
    return {"duplicates": duplicates, "losses": losses, "p99": percentile(values, 0.99),
            "n": len(lateness)}


async def main(args: argparse.Namespace) -> int:
    from bot.db.migrate import upgrade
    from tests.standin.server import StandIn

    name = f"relais_bench_{os.getpid()}"
    admin = await asyncpg.connect(dsn())
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    url = dsn(name)
    stand_in = StandIn(TOKEN)
    processes: list[asyncio.subprocess.Process] = []
    ok = True
    try:
        await upgrade(url)
        key = Fernet.generate_key()
        await stand_in.start()
        for i in range(1, args.workers + 1):
            stand_in.telegram.add_user(900_000_000 + i, f"bench{i}")
        received: list[tuple[float, int, str]] = []
        stand_in.telegram.listeners.append(
            lambda event: received.append((time.time(), event.chat_id, event.text))
            if event.kind == "send" else None
        )
        env = dict(os.environ)
        env.update({
            "RELAIS_DATABASE_URL": url,
            "RELAIS_BOT_TOKEN": TOKEN,
            "RELAIS_TELEGRAM_API": stand_in.base_url,
            "RELAIS_DATA_KEY": key.decode(),
            # the shared limiter stays in the path, set far above what the stand-in needs
            "RELAIS_BROADCAST_RATE": "100000",
            "RELAIS_BROADCAST_PER_CHAT_RATE": "1000",
            "RELAIS_REMINDER_POLL_SECONDS": "1",
        })
        env.pop("RELAIS_REDIS_URL", None)

        # ---- phase 1: two dispatchers, 1,000 due in the same second -------------------------
        due_at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=args.lead)
        started = time.perf_counter()
        await seed(url, key, args.workers, args.pending, args.due, due_at)
        print(f"seeded {args.pending:,} pending + {args.due:,} due reminders for "
              f"{args.workers:,} workers in {time.perf_counter() - started:.1f} s")
        processes = [await start_worker(env, args.lease, args.concurrency) for _ in range(2)]
        print(f"two dispatcher processes, {args.concurrency} message(s) in flight each")
        expected = {f"bench 1-{i}" for i in range(args.due)}
        await wait_for_all(received, args.due, args.lead + 60)
        await asyncio.sleep(3)  # anything sent twice would arrive by now
        result = summary("phase 1 (two processes)", received, expected, due_at.timestamp())
        connection = await asyncpg.connect(url)
        states = dict(await connection.fetch(
            "SELECT state, count(*) FROM scheduled_jobs WHERE kind = 'reminder' GROUP BY state"))
        await connection.close()
        print(f"  rows by state: {dict(sorted(states.items()))}")
        ok &= result["duplicates"] == 0 and result["losses"] == 0 and result["p99"] < 2.0
        ok &= states.get("pending") == args.pending

        # ---- phase 2: SIGKILL one dispatcher in the middle of its batch ----------------------
        received.clear()
        due_at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=3)
        await seed(url, key, args.workers, 0, args.due, due_at, phase=2)
        victim, survivor = processes
        killed_at = {"n": 0}

        def kill_midway(event) -> None:  # type: ignore[no-untyped-def]
            if event.kind == "send" and len(received) == args.due // 4 and victim.returncode is None:
                victim.send_signal(signal.SIGKILL)
                killed_at["n"] = len(received)
                killed_at["text"] = event.text.rsplit("\n", 1)[-1]  # accepted at the kill

        stand_in.telegram.listeners.append(kill_midway)
        expected = {f"bench 2-{i}" for i in range(args.due)}
        await wait_for_all(received, args.due, 3 + args.lease + 60)
        await asyncio.sleep(args.lease + 2)
        print(f"phase 2: dispatcher {victim.pid} killed (SIGKILL) after {killed_at['n']} "
              f"messages; lease {args.lease:g} s")
        result2 = summary("phase 2 (one killed)", received, expected, due_at.timestamp())
        texts = [text.rsplit("\n", 1)[-1] for _, _, text in received]
        twice = sorted({t for t in texts if t in expected and texts.count(t) > 1})
        if twice:  # only the victim's message in flight when it died may be here: the kill
            # is sent when the stand-in accepts message #N (either process's), and a request
            # the victim had already written may still arrive right after
            print(f"  sent twice: {twice}, first copy arrived as message "
                  f"#{', #'.join(str(texts.index(t) + 1) for t in twice)}; kill sent at "
                  f"#{killed_at['n']} ({killed_at.get('text')!r})")
        ok &= result2["losses"] == 0 and result2["duplicates"] <= args.concurrency
        connection = await asyncpg.connect(url)
        states = dict(await connection.fetch(
            "SELECT state, count(*) FROM scheduled_jobs WHERE kind = 'reminder' GROUP BY state"))
        await connection.close()
        print(f"  rows by state: {dict(sorted(states.items()))}")
        print("  (a duplicate here is the one message in flight when the process died: Telegram "
              "had it, the 'sent' commit had not happened)")
    finally:
        for process in processes:
            if process.returncode is None:
                process.terminate()
                try:
                    await asyncio.wait_for(process.wait(), 10)
                except TimeoutError:
                    process.kill()
        await stand_in.stop()
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        own = resource.getrusage(resource.RUSAGE_SELF)
        print(f"CPU: dispatcher processes {children.ru_utime + children.ru_stime:.1f} s "
              f"(whole run, start-up included), this process (stand-in, seeding) "
              f"{own.ru_utime + own.ru_stime:.1f} s; {os.cpu_count()} CPUs, load "
              f"{os.getloadavg()[0]:.1f}")
        admin = await asyncpg.connect(dsn())
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pending", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=1_000)
    parser.add_argument("--workers", type=int, default=1_000)
    parser.add_argument("--lead", type=float, default=8.0, help="seconds until the due second")
    parser.add_argument("--lease", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=1,
                        help="messages in flight per dispatcher (1: exactly-one in-flight)")
    sys.exit(asyncio.run(main(parser.parse_args())))
