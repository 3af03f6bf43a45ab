"""Updates per second through one and through three ``relais run --webhook`` processes.

The same Bot API stand-in (``tests/standin/server.py``) delivers webhooks, as Telegram does, over
up to 40 connections at once, to the same round-robin proxy (``tests/support/proxy.py``), which
hands each update to the next process. All processes share one PostgreSQL database and one Redis
(``RELAIS_BENCH_DATABASE_URL``, default postgresql://postgres@127.0.0.1:5432/postgres, where a
database ``relais_bench_<pid>`` is created and dropped; ``RELAIS_BENCH_REDIS_URL``, default
redis://127.0.0.1:6379/15, whose ``relais:*`` keys are deleted after). Registered users send
``/help`` in bursts (each user waits for the answer before the next one, as a person does; many
users at once); the figure is updates answered per second. Every update is still recorded in the
inbox, deduplicated, authorised and audited as in production.

The processes share the machine's cores with each other, with PostgreSQL, Redis and this script
(the stand-in, the proxy, the users): on a 2-core machine three processes cannot do three times
the work of one, and the ratio shows that CPU limit rather than a limit of the design. More
processes pay off when they get cores of their own.

Usage: ``python benchmarks/processes.py [--updates N] [--users N] [--processes 1,3]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))
from update_path import (  # noqa: E402  (the sibling benchmark; it puts the project on sys.path)
    PG_DEFAULT,
    REDIS_DEFAULT,
    ROOT,
    TOKEN,
    USERS,
    Watch,
    bot_env,
    drop_pg,
    forget_redis,
    pg_database,
    prepare_relais,
    redis_answers,
    show_logs,
    stop,
)

from tests.support.registered import prepare_relais_database  # noqa: E402

SECRET = "bench-processes-webhook-secret-0123456789"
CONNECTIONS = 40  # Telegram's default max_connections for a webhook
HELP = "/help"


def standin_class() -> type:
    """The stand-in with Telegram's concurrent webhook delivery (the test stand-in posts one
    update at a time, which would make every process count wait on one connection)."""
    from tests.standin.server import StandIn

    class WebhookStandIn(StandIn):
        async def _push_updates(self) -> None:
            connector = aiohttp.TCPConnector(limit=CONNECTIONS)
            async with aiohttp.ClientSession(connector=connector) as client:
                await asyncio.gather(*(self._lane(client) for _ in range(CONNECTIONS)))

        async def _lane(self, client: aiohttp.ClientSession) -> None:
            telegram = self.telegram
            while telegram.webhook.get("url"):
                if not telegram.pending:
                    telegram._new_update.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(telegram._new_update.wait(), 0.5)
                    continue
                update = telegram.pending.pop(0)
                headers = {"X-Telegram-Bot-Api-Secret-Token": telegram.webhook["secret_token"]}
                status = 0
                with contextlib.suppress(aiohttp.ClientError):
                    async with client.post(telegram.webhook["url"], json=update,
                                           headers=headers) as response:
                        status = response.status
                self.webhook_deliveries.append((update["update_id"], status))
                if status != 200:  # delivered again later, as Telegram does
                    telegram.pending.insert(0, update)
                    await asyncio.sleep(0.2)

    return WebhookStandIn


class Crowd:
    """Many registered users; each sends ``/help`` and waits for the answer, many at once."""

    def __init__(self, telegram: Any, user_ids: list[int]) -> None:
        self.telegram = telegram
        self.user_ids = user_ids
        self.watch = Watch()
        telegram.listeners.append(self._on_event)
        for number, user_id in enumerate(user_ids):
            telegram.add_user(user_id, f"Bench{number}", "fr")

    def _on_event(self, event: Any) -> None:
        self.watch.on_event(event)

    async def one(self, user_id: int, messages: int, limit: float = 60.0) -> None:
        future = self.watch.expect(user_id, messages)
        self.telegram.user_sends(user_id, HELP)
        await asyncio.wait_for(future, limit)

    async def messages_per_update(self) -> int:
        """How many messages one ``/help`` gets (measured once)."""
        user_id = self.user_ids[0]
        before = self.watch.sent[user_id]
        await self.one(user_id, 1)
        await asyncio.sleep(1.0)
        count = self.watch.sent[user_id] - before
        self.watch.expected[user_id] = self.watch.sent[user_id]
        return count

    async def burst(self, messages: int, updates: int) -> float:
        """Updates answered per second, every user sending in turn until ``updates`` went."""
        per_user = max(1, updates // len(self.user_ids))

        async def person(user_id: int) -> None:
            for _ in range(per_user):
                await self.one(user_id, messages)

        start = time.perf_counter()
        await asyncio.gather(*(person(user_id) for user_id in self.user_ids))
        return per_user * len(self.user_ids) / (time.perf_counter() - start)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_webhook(standin: Any, database_url: str, redis_url: str, port: int, data_key: str,
                  log: Path) -> subprocess.Popen[bytes]:
    env = bot_env(standin, {
        "RELAIS_BOT_TOKEN": TOKEN, "RELAIS_TELEGRAM_API": standin.base_url,
        "RELAIS_DATABASE_URL": database_url, "RELAIS_REDIS_URL": redis_url,
        "RELAIS_WEBHOOK_HOST": "127.0.0.1", "RELAIS_WEBHOOK_PORT": str(port),
        "RELAIS_WEBHOOK_SECRET": SECRET, "RELAIS_DATA_KEY": data_key,
        "RELAIS_HEALTH_PORT": "0",
    })
    return subprocess.Popen([sys.executable, "-m", "bot", "run", "--webhook"], env=env,
                            cwd=str(ROOT), stdout=log.open("wb"), stderr=subprocess.STDOUT)


async def wait_listening(process: subprocess.Popen[bytes], port: int, limit: float = 90.0
                         ) -> None:
    deadline = time.monotonic() + limit
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"a bot stopped at start (exit {process.returncode})")
            with contextlib.suppress(aiohttp.ClientError, OSError, TimeoutError):
                async with client.get(f"http://127.0.0.1:{port}/health") as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.2)
    raise RuntimeError("a bot's webhook server never answered")


async def call(standin: Any, method: str, **fields: str) -> None:
    async with aiohttp.ClientSession() as client, client.post(
            f"{standin.base_url}/bot{TOKEN}/{method}", data=fields) as response:
        if not (await response.json())["ok"]:
            raise RuntimeError(f"{method} failed at the stand-in")


@dataclass
class Row:
    processes: int
    per_second: float
    spread: dict[int, int]


async def measure(standin: Any, crowd: Crowd, count: int, database_url: str, redis_url: str,
                  data_key: str, updates: int, workdir: Path) -> Row:
    from tests.support.proxy import RoundRobinProxy

    ports = [free_port() for _ in range(count)]
    processes = [start_webhook(standin, database_url, redis_url, port, data_key,
                               workdir / f"relais-{count}-{number}.log")
                 for number, port in enumerate(ports)]
    proxy = RoundRobinProxy([f"http://127.0.0.1:{port}" for port in ports])
    try:
        await asyncio.gather(*(wait_listening(p, port) for p, port in zip(processes, ports,
                                                                          strict=True)))
        await proxy.start()
        await call(standin, "setWebhook", url=proxy.url + "/telegram", secret_token=SECRET)
        messages = await crowd.messages_per_update()
        await crowd.burst(messages, max(len(crowd.user_ids), updates // 4))  # warm-up
        proxy.sent.clear()
        per_second = await crowd.burst(messages, updates)
        return Row(count, per_second, dict(sorted(proxy.sent.items())))
    finally:
        with contextlib.suppress(Exception):
            await call(standin, "deleteWebhook")
        await asyncio.gather(*(stop(p) for p in processes))
        await proxy.stop()


async def main(args: argparse.Namespace) -> None:
    from cryptography.fernet import Fernet

    pg_admin = os.environ.get("RELAIS_BENCH_DATABASE_URL", PG_DEFAULT)
    redis_url = os.environ.get("RELAIS_BENCH_REDIS_URL", REDIS_DEFAULT)
    database_url = await pg_database(pg_admin)
    if database_url is None or not await redis_answers(redis_url):
        print("PostgreSQL or Redis does not answer: nothing to measure")
        if database_url is not None:
            await drop_pg(pg_admin)
        return
    standin = standin_class()(TOKEN)
    await standin.start()
    workdir = Path(tempfile.mkdtemp(prefix="relais-bench-processes-"))
    user_ids = list(USERS) + [USERS[-1] + 1 + i for i in range(max(0, args.users - len(USERS)))]
    data_key = Fernet.generate_key().decode()  # shared: any process reads what another stored
    rows: list[Row] = []
    try:
        await prepare_relais(database_url)
        await prepare_relais_database(database_url, user_ids, name="Bench",
                                      organisation="Organisme fictif (banc d'essai)")
        crowd = Crowd(standin.telegram, user_ids)
        for count in args.processes:
            rows.append(await measure(standin, crowd, count, database_url, redis_url, data_key,
                                      args.updates, workdir))
            print(f"{count} process(es): {rows[-1].per_second:.0f} updates/s, "
                  f"spread {rows[-1].spread}", flush=True)
        print_rows(rows, len(user_ids))
    except Exception:
        show_logs(workdir)
        raise
    finally:
        await standin.stop()
        await drop_pg(pg_admin)
        await forget_redis(redis_url)
        with contextlib.suppress(OSError):
            shutil.rmtree(workdir)


def print_rows(rows: list[Row], users: int) -> None:
    print(f"\n/help bursts, {users} users at once, PostgreSQL + Redis, webhook through a "
          "round-robin proxy")
    print(f"{'processes':>10}{'updates/s':>12}")
    for row in rows:
        print(f"{row.processes:>10}{row.per_second:>12.0f}")
    by_count: dict[int, list[float]] = {}
    for row in rows:
        by_count.setdefault(row.processes, []).append(row.per_second)
    medians = {count: statistics.median(values) for count, values in by_count.items()}
    if len(medians) >= 2:
        low, high = min(medians), max(medians)
        print(f"\nratio {high} / {low} processes (medians): "
              f"{medians[high] / medians[low]:.2f}")
    print(f"this machine has {os.cpu_count()} cores, shared by every process, PostgreSQL, Redis "
          "and this script; on 2 cores the ratio shows that CPU limit: more processes only help "
          "when they get cores of their own.")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=1200, help="updates per measured burst")
    parser.add_argument("--users", type=int, default=32, help="users sending at once")
    parser.add_argument("--processes", default="1,3",
                        help="comma-separated process counts to measure")
    arguments = parser.parse_args()
    arguments.processes = [int(n) for n in arguments.processes.split(",")]
    asyncio.run(main(arguments))
