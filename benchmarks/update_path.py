"""The cost of one update: Relais against a bare aiogram bot, side by side, in one run.

Both bots run as their own process and poll the same local Bot API stand-in
(``tests/standin/server.py``) over loopback; this process plays four registered users and times
each update from the moment it is queued at the stand-in to the bot's answer (``sendMessage``).

  A. ``/help`` one at a time (p50, p95);
  B. ``/help`` burst: 4 users, 8 updates in flight;
  C. free-text search burst (Relais only; compared with the bare bot's ``/help`` burst).

Bots: the bare bot (``benchmarks/bare_bot.py``) and ``relais run`` (long polling), each polling a
stand-in of its own, both running for the whole measure of a backend: Relais on SQLite, then on
PostgreSQL + Redis when they answer (``RELAIS_BENCH_DATABASE_URL``, default
postgresql://postgres@127.0.0.1:5432/postgres, a database ``relais_bench_<pid>`` is created and
dropped; ``RELAIS_BENCH_REDIS_URL``, default redis://127.0.0.1:6379/15, keys under this run's
own prefix are deleted after). Every Relais update is still deduplicated, authorised, audited and
recorded in the inbox as in production.

The two bots are measured in turn, a little at a time: A alternates runs of 20 ``/help`` (each
sent as the previous one is answered, as before), B and C alternate rounds (the bare bot's
``/help`` burst, Relais's, Relais's search). On a shared machine the speed of both drifts by a
third or more from one minute to the next (the bare bot's burst: 445 to 830 updates/s on one
day): measured minutes apart, the ratios said more about the minute than about Relais; measured
in turn, both bots see the same machine. Each Relais row is printed under the bare bot's figures
measured with it.

Usage: ``python benchmarks/update_path.py [--updates N] [--backends sqlite,postgresql]``.
Targets (issue 14): B at >= 0.5 of the bare bot on both backends, A p50 <= 2x the bare bot's,
C >= 0.35 of the bare bot's B.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOKEN = "4343:bench-update-path"
USERS = tuple(8_100_000_001 + i for i in range(4))
SEARCH = "hébergement jeune 15 ans montréal"
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_DEFAULT = "redis://127.0.0.1:6379/15"


@dataclass
class Watch:
    """Counts the bot's messages per chat and wakes whoever waits for the n-th one."""

    sent: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    expected: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    waiters: dict[int, list[tuple[int, asyncio.Future[float]]]] = field(
        default_factory=lambda: defaultdict(list))

    def on_event(self, event: Any) -> None:
        if event.kind != "send":
            return
        self.sent[event.chat_id] += 1
        now = time.perf_counter()
        still = []
        for target, future in self.waiters[event.chat_id]:
            if target <= self.sent[event.chat_id] and not future.done():
                future.set_result(now)
            elif not future.done():
                still.append((target, future))
        self.waiters[event.chat_id] = still

    def expect(self, chat_id: int, messages: int) -> asyncio.Future[float]:
        self.expected[chat_id] += messages
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiters[chat_id].append((self.expected[chat_id], future))
        return future


class Users:
    """The four users, talking to whichever bot polls the stand-in now."""

    def __init__(self, standin: Any) -> None:
        self.telegram = standin.telegram
        self.watch = Watch()
        self.help_messages = 1  # messages a /help gets (measured by :func:`warm`)
        for number, user_id in enumerate(USERS):
            self.telegram.add_user(user_id, f"Bench{number}", "fr")

    def reset(self) -> None:
        self.telegram.pending.clear()
        self.telegram.listeners.clear()
        self.telegram.events.clear()
        self.telegram.requests.clear()
        self.watch = Watch()
        self.telegram.listeners.append(self.watch.on_event)

    async def one(self, user_id: int, text: str, messages: int, limit: float = 30.0) -> float:
        """Send ``text`` as ``user_id``; seconds until the bot's ``messages``-th answer."""
        future = self.watch.expect(user_id, messages)
        start = time.perf_counter()
        self.telegram.user_sends(user_id, text)
        done = await asyncio.wait_for(future, limit)
        return done - start

    async def messages_per_update(self, text: str) -> int:
        """How many messages one such update gets (measured, then expected from then on)."""
        before = self.watch.sent[USERS[0]]
        await self.one(USERS[0], text, 1)
        await asyncio.sleep(0.5)
        count = self.watch.sent[USERS[0]] - before
        self.watch.expected[USERS[0]] = self.watch.sent[USERS[0]]
        return count

    async def sequential(self, text: str, messages: int, n: int) -> list[float]:
        return [await self.one(USERS[i % len(USERS)], text, messages) for i in range(n)]

    async def burst(self, text: str, messages: int, n: int, in_flight: int = 8) -> float:
        """Updates per second with ``in_flight`` outstanding, spread over the four users."""
        per_lane = n // in_flight

        async def lane(user_id: int) -> None:
            for _ in range(per_lane):
                await self.one(user_id, text, messages, limit=120.0)

        start = time.perf_counter()
        await asyncio.gather(*(lane(USERS[i % len(USERS)]) for i in range(in_flight)))
        return per_lane * in_flight / (time.perf_counter() - start)


# ---- the bots ------------------------------------------------------------------------------


async def wait_polling(users: Users, process: subprocess.Popen[bytes], limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the bot stopped at start (exit {process.returncode})")
        if any(method.lower() == "getupdates" for method, _ in users.telegram.requests):
            return
        await asyncio.sleep(0.05)
    raise RuntimeError("the bot never polled")


async def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    for _ in range(300):
        if process.poll() is not None:
            return
        await asyncio.sleep(0.1)
    process.kill()


async def prepare_relais(database_url: str) -> None:
    """Schema, sample directory and the four users as registered workers."""
    from tests.support.registered import prepare_relais_database

    await prepare_relais_database(database_url, USERS, sample_directory=True, name="Bench",
                                  organisation="Organisme fictif (banc d'essai)")


def bot_env(standin: Any, extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RELAIS_")}
    env.update(extra)
    env["PYTHONPATH"] = str(ROOT)
    return env


def start_bare(standin: Any, log: Path) -> subprocess.Popen[bytes]:
    env = bot_env(standin, {"BENCH_TOKEN": TOKEN, "BENCH_API": standin.base_url})
    return subprocess.Popen([sys.executable, str(ROOT / "benchmarks" / "bare_bot.py")], env=env,
                            stdout=log.open("wb"), stderr=subprocess.STDOUT)


def start_relais(standin: Any, database_url: str, redis_url: str | None,
                 log: Path, profile: Path | None = None) -> subprocess.Popen[bytes]:
    extra = {"RELAIS_BOT_TOKEN": TOKEN, "RELAIS_TELEGRAM_API": standin.base_url,
             "RELAIS_DATABASE_URL": database_url}
    if redis_url:
        extra["RELAIS_REDIS_URL"] = redis_url
    env = bot_env(standin, extra)
    command = [sys.executable, "-m", "bot", "run"]
    if profile is not None:  # cProfile around the whole process, written at its stop
        command[1:1] = ["-m", "cProfile", "-o", str(profile)]
    return subprocess.Popen(command, env=env, cwd=str(ROOT),
                            stdout=log.open("wb"), stderr=subprocess.STDOUT)


@dataclass
class Figures:
    name: str
    p50: float = 0.0
    p95: float = 0.0
    burst: float = 0.0
    search: float | None = None


ROUNDS = 4  # bursts of each bot, taken in turn
RUN = 20  # /help one at a time, to one bot, before the other's turn


async def warm(users: Users, text: str) -> int:
    """Messages one such update gets; then a few updates to warm the bot up."""
    messages = await users.messages_per_update(text)
    await users.burst(text, messages, 64)
    return messages


async def in_turn(bare: Users, relais: Users, n: int) -> tuple[list[float], list[float]]:
    """``/help`` one at a time (each sent as the previous one is answered), in runs of
    ``RUN`` to each bot in turn: their latencies, in seconds."""
    bare_times: list[float] = []
    relais_times: list[float] = []
    for _ in range(max(1, n // RUN)):
        bare_times += await bare.sequential("/help", 1, RUN)
        relais_times += await relais.sequential("/help", relais.help_messages, RUN)
    return bare_times, relais_times


async def bursts_in_turn(bare: Users, relais: Users, n: int, search_messages: int | None
                         ) -> tuple[float, float, float | None]:
    """Updates per second of each burst kind, their rounds taken in turn (``ROUNDS``)."""
    spent = defaultdict(float)
    done = defaultdict(int)

    async def timed(kind: str, users: Users, text: str, messages: int, count: int) -> None:
        start = time.perf_counter()
        await users.burst(text, messages, count)
        spent[kind] += time.perf_counter() - start
        done[kind] += count

    for _ in range(ROUNDS):
        await timed("bare", bare, "/help", 1, n // ROUNDS)
        await timed("relais", relais, "/help", relais.help_messages, n // ROUNDS)
        if search_messages is not None:
            await timed("search", relais, SEARCH, search_messages, max(64, n // 2) // ROUNDS)
    search = done["search"] / spent["search"] if search_messages is not None else None
    return done["bare"] / spent["bare"], done["relais"] / spent["relais"], search


async def measure(bare: Users, relais: Users, process: subprocess.Popen[bytes], name: str,
                  n: int) -> tuple[Figures, Figures]:
    """The bare bot's figures and Relais's, measured in turn; Relais is stopped after."""
    try:
        await wait_polling(relais, process)
        if await warm(bare, "/help") != 1:
            raise RuntimeError("the bare bot answers /help with one message")
        relais.help_messages = await warm(relais, "/help")
        search_messages = await warm(relais, SEARCH)
        bare_times, relais_times = await in_turn(bare, relais, max(100, n // 5))
        rates = await bursts_in_turn(bare, relais, n, search_messages)
        return (figures("bare aiogram", bare_times, rates[0]),
                figures(name, relais_times, rates[1], rates[2]))
    finally:
        await stop(process)


def figures(name: str, latencies: list[float], burst: float, search: float | None = None
            ) -> Figures:
    return Figures(name, statistics.median(latencies) * 1000,
                   statistics.quantiles(latencies, n=20)[18] * 1000, burst, search)


# ---- databases -----------------------------------------------------------------------------


async def pg_database(admin_url: str) -> str | None:
    """A fresh PostgreSQL database for the run, or None when PostgreSQL does not answer."""
    import asyncpg

    try:
        connection = await asyncpg.connect(admin_url, timeout=3)
    except Exception:
        return None
    name = f"relais_bench_{os.getpid()}"
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    base = admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    return f"{base}/{name}"


async def drop_pg(admin_url: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(admin_url, timeout=3)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "relais_bench_{os.getpid()}" '
                                 "WITH (FORCE)")
    finally:
        await connection.close()


async def redis_answers(url: str) -> bool:
    from redis.asyncio import Redis

    client = Redis.from_url(url)
    try:
        return bool(await client.ping())
    except Exception:
        return False
    finally:
        await client.aclose()


async def forget_redis(url: str) -> None:
    """Delete what Relais stored under its prefix in the benchmark's Redis database."""
    from redis.asyncio import Redis

    client = Redis.from_url(url)
    try:
        async for key in client.scan_iter(match="relais:*", count=500):
            await client.delete(key)
    finally:
        await client.aclose()


# ---- the run -------------------------------------------------------------------------------


def print_figures(pairs: list[tuple[Figures, Figures]]) -> None:
    """Each Relais row under the bare bot's figures measured in turn with it."""
    print(f"\n{'bot':<28}{'/help p50':>11}{'p95':>9}{'burst/s':>10}{'ratio':>8}"
          f"{'p50 x':>8}{'search/s':>10}{'ratio':>8}")
    for bare, relais in pairs:
        for row in (bare, relais):
            search = f"{row.search:>10.0f}{row.search / bare.burst:>8.2f}" if row.search else ""
            print(f"{row.name:<28}{row.p50:>9.1f}ms{row.p95:>7.1f}ms{row.burst:>10.0f}"
                  f"{row.burst / bare.burst:>8.2f}{row.p50 / bare.p50:>8.2f}{search}")
    print("\ntargets: burst ratio >= 0.50, p50 x <= 2.00, search ratio >= 0.35")
    for bare, relais in pairs:
        met = (relais.burst / bare.burst >= 0.5 and relais.p50 / bare.p50 <= 2.0
               and (relais.search or 0) / bare.burst >= 0.35)
        print(f"  {relais.name}: {'met' if met else 'NOT met'}")


def show_logs(workdir: Path) -> None:
    """What the bots printed, when the run failed."""
    for log in sorted(workdir.glob("*.log")):
        print(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}", file=sys.stderr)


async def main(args: argparse.Namespace) -> None:
    from tests.standin.server import StandIn

    standins = StandIn(TOKEN), StandIn(TOKEN)  # the bare bot's, Relais's
    for standin in standins:
        await standin.start()
    bare, relais = Users(standins[0]), Users(standins[1])
    workdir = Path(tempfile.mkdtemp(prefix="relais-bench-"))
    pairs: list[tuple[Figures, Figures]] = []
    pg_admin = os.environ.get("RELAIS_BENCH_DATABASE_URL", PG_DEFAULT)
    redis_url = os.environ.get("RELAIS_BENCH_REDIS_URL", REDIS_DEFAULT)
    bare_bot = start_bare(standins[0], workdir / "bare.log")
    try:
        bare.reset()
        await wait_polling(bare, bare_bot)
        if "sqlite" in args.backends:
            url = f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
            await prepare_relais(url)
            relais.reset()
            process = start_relais(standins[1], url, None, workdir / "sqlite.log",
                                   args.profile and args.profile / "sqlite.prof")
            pairs.append(await measure(bare, relais, process, "Relais, SQLite", args.updates))
            print(f"Relais SQLite: {pairs[-1]}", flush=True)
        if "postgresql" in args.backends:
            url = await pg_database(pg_admin)
            if url is None or not await redis_answers(redis_url):
                print("PostgreSQL or Redis does not answer: that row is skipped")
            else:
                try:
                    await prepare_relais(url)
                    relais.reset()
                    process = start_relais(standins[1], url, redis_url, workdir / "pg.log",
                                           args.profile and args.profile / "pg.prof")
                    pairs.append(await measure(bare, relais, process,
                                               "Relais, PostgreSQL + Redis", args.updates))
                finally:
                    await drop_pg(pg_admin)
                    await forget_redis(redis_url)
        print_figures(pairs)
    except Exception:
        show_logs(workdir)
        raise
    finally:
        await stop(bare_bot)
        for standin in standins:
            await standin.stop()
        with contextlib.suppress(OSError):
            shutil.rmtree(workdir)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=800, help="updates per burst")
    parser.add_argument("--backends", default="sqlite,postgresql",
                        help="comma-separated: sqlite, postgresql")
    parser.add_argument("--profile", type=Path, default=None,
                        help="a folder: run Relais under cProfile and write its figures there")
    arguments = parser.parse_args()
    arguments.backends = arguments.backends.split(",")
    asyncio.run(main(arguments))
