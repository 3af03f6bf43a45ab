"""Real ``relais`` processes against the local Bot API stand-in, for the operations tests.

How to use it (any test module under ``tests/ops/``)::

    from tests.ops.conftest import TOKEN, WORKERS, prepare_database, running_relais

    @pytest.mark.timeout(120)
    async def test_something(standin, sqlite_file_url):
        await prepare_database(sqlite_file_url)                # migrated, WORKERS registered
        async with running_relais(standin, sqlite_file_url) as relais:   # ``relais run``
            await relais.wait_healthy()                        # /healthz answers 200
            standin.telegram.user_sends(WORKERS[0], "/help")
            await wait_for_sends(standin.telegram, WORKERS[0], 1)
            status, body = await relais.get("/metrics")
        # the process is stopped (SIGTERM, then killed after a bound) when the block ends,
        # even on failure; ``relais.returncode`` and ``relais.stderr()`` are then final.

- ``standin`` (fixture): a :class:`tests.standin.server.StandIn` on 127.0.0.1 for :data:`TOKEN`,
  with :data:`WORKERS` known to it as Telegram users; stopped at teardown.
- ``sqlite_file_url`` (fixture): the URL of a SQLite file in the test's ``tmp_path`` (nothing
  created yet: :func:`prepare_database` migrates it).
- :func:`prepare_database` migrates any URL (SQLite, or a PostgreSQL database the test created)
  and registers :data:`WORKERS` as active workers of one organisation, region 06.
- :func:`running_relais` starts ``python -m bot <args>`` (default ``run``: long polling; pass
  ``"run", "--webhook"`` and ``extra_env`` with ``RELAIS_WEBHOOK_*`` for a webhook process) with
  only the ``RELAIS_*`` variables given here, a free health port (``relais.health_port``) and its
  standard error written to a file (read with ``relais.stderr()``; pass
  ``stderr_path=tmp_path / "relais.log"`` to keep it in the test's folder). Several processes
  at once: nest the blocks (each gets its own health port; give each webhook process its own
  ``RELAIS_WEBHOOK_PORT`` in ``extra_env``). ``relais.stop(signal.SIGTERM)`` inside the block
  stops it early and returns its exit status (the block's end then does nothing more).
- :func:`free_port` picks a free loopback port; :func:`wait_for_sends` waits for the bot's
  messages to a chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from handlers.console.fake_api import FakeTelegram
from tests.standin.server import StandIn
from tests.support.registered import prepare_relais_database

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "4242:ops-test-token"
WORKERS = (7_100_000_001, 7_100_000_002)
STOP_SECONDS = 30.0  # a stopped process gets this long to exit before it is killed


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def prepare_database(database_url: str, workers: Sequence[int] = WORKERS,
                           *, sample_directory: bool = False) -> None:
    """Migrate the database and register ``workers`` (Telegram ids) as active workers."""
    await prepare_relais_database(database_url, workers, sample_directory=sample_directory,
                                  name="Ops", organisation="Organisme fictif (tests ops)")


async def relais_command(*args: str, env: dict[str, str], cwd: Path,
                         limit: float = 100.0) -> tuple[int, str, str]:
    """A real ``relais ARGS`` process with only ``env`` as its RELAIS_ settings: (exit status,
    stdout, stderr); killed if it outlives ``limit`` seconds."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("RELAIS_")}
    full.update(env, PYTHONPATH=str(ROOT))
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, env=full, cwd=cwd,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        out, err = await asyncio.wait_for(process.communicate(), limit)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    return process.returncode or 0, out.decode(), err.decode()


def relais_env(standin: StandIn, database_url: str, *, health_port: int,
               redis_url: str | None = None, extra: dict[str, str] | None = None
               ) -> dict[str, str]:
    """The process environment: ours without any ``RELAIS_*``, plus the ones given here."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RELAIS_")}
    env.update(
        RELAIS_BOT_TOKEN=TOKEN, RELAIS_TELEGRAM_API=standin.base_url,
        RELAIS_DATABASE_URL=database_url, RELAIS_HEALTH_HOST="127.0.0.1",
        RELAIS_HEALTH_PORT=str(health_port), PYTHONPATH=str(ROOT),
    )
    if redis_url:
        env["RELAIS_REDIS_URL"] = redis_url
    env.update(extra or {})
    return env


@dataclass
class RelaisProcess:
    """One running ``relais`` process and the means to watch it."""

    process: asyncio.subprocess.Process
    health_port: int
    stderr_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.health_port}"

    @property
    def returncode(self) -> int | None:
        return self.process.returncode

    def stderr(self) -> str:
        """What the process wrote on standard error so far."""
        return self.stderr_path.read_text(errors="replace")

    async def get(self, path: str, limit: float = 10.0) -> tuple[int, str]:
        """``GET`` a path of the health server: (status, body)."""
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=limit)) as client,
            client.get(self.base_url + path) as response,
        ):
            return response.status, await response.text()

    async def wait_healthy(self, limit: float = 60.0) -> None:
        """Wait until ``/healthz`` answers 200; fail with the process's stderr otherwise."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if self.returncode is not None:
                raise AssertionError(f"relais exited {self.returncode} at start:\n"
                                     f"{self.stderr()[-3000:]}")
            with contextlib.suppress(aiohttp.ClientError, OSError, asyncio.TimeoutError):
                if (await self.get("/healthz", limit=2.0))[0] == 200:
                    return
            await asyncio.sleep(0.1)
        raise AssertionError(f"/healthz never answered 200:\n{self.stderr()[-3000:]}")

    async def wait_for(self, path: str, status: int, needle: str = "", limit: float = 30.0
                       ) -> str:
        """Poll ``path`` until it answers ``status`` with ``needle`` in its body; the body."""
        deadline = time.monotonic() + limit
        last: tuple[int, str] | None = None
        while time.monotonic() < deadline:
            with contextlib.suppress(aiohttp.ClientError, OSError, asyncio.TimeoutError):
                last = await self.get(path)
                if last[0] == status and needle in last[1]:
                    return last[1]
            await asyncio.sleep(0.2)
        raise AssertionError(f"{path} never answered {status} with {needle!r}; last: {last}")

    async def stop(self, signum: int = signal.SIGTERM, limit: float = STOP_SECONDS) -> int:
        """Send ``signum``, wait up to ``limit`` seconds, then kill; the exit status."""
        if self.process.returncode is None:
            self.process.send_signal(signum)
            try:
                await asyncio.wait_for(self.process.wait(), limit)
            except TimeoutError:
                self.process.kill()
        return await asyncio.wait_for(self.process.wait(), 10)


@contextlib.asynccontextmanager
async def running_relais(
    standin: StandIn, database_url: str, *args: str, redis_url: str | None = None,
    extra_env: dict[str, str] | None = None, health_port: int | None = None,
    stderr_path: Path | None = None,
) -> AsyncIterator[RelaisProcess]:
    """Run ``python -m bot <args>`` (default ``run``) for the block; always stopped after it."""
    port = health_port if health_port is not None else free_port()
    if stderr_path is None:
        stderr_path = Path(tempfile.mkdtemp(prefix="relais-ops-")) / "stderr.log"
    env = relais_env(standin, database_url, health_port=port, redis_url=redis_url,
                     extra=extra_env)
    with stderr_path.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", *(args or ("run",)), env=env, cwd=str(ROOT),
            stdout=asyncio.subprocess.DEVNULL, stderr=stderr)
    relais = RelaisProcess(process, port, stderr_path)
    try:
        yield relais
    finally:
        await relais.stop()


async def wait_for_sends(telegram: FakeTelegram, chat_id: int, count: int,
                         limit: float = 30.0) -> list[str]:
    """The texts of the bot's first ``count`` messages to ``chat_id``, waiting up to ``limit``."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        texts = [e.text for e in telegram.events if e.kind == "send" and e.chat_id == chat_id]
        if len(texts) >= count:
            return texts
        await asyncio.sleep(0.05)
    raise AssertionError(f"the bot sent fewer than {count} messages to {chat_id}")


@pytest.fixture
async def standin() -> AsyncIterator[StandIn]:
    """The Bot API stand-in for :data:`TOKEN`, with :data:`WORKERS` as its users."""
    server = StandIn(TOKEN)
    await server.start()
    for number, user_id in enumerate(WORKERS):
        server.telegram.add_user(user_id, f"Ops{number}", "fr")
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
def sqlite_file_url(tmp_path: Path) -> str:
    """A SQLite file URL in the test's folder (the file is created by the migration)."""
    return f"sqlite+aiosqlite:///{tmp_path / 'relais.db'}"
