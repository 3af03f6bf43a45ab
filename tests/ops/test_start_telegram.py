"""``relais run`` when Telegram does not answer at start: a refused token stops it with a
clear message and exit status 2; an unreachable Telegram is tried again until it answers, then
the bot works as usual. Real processes against the local Bot API stand-in."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from tests.ops.conftest import (
    TOKEN,
    WORKERS,
    RelaisProcess,
    free_port,
    prepare_database,
    relais_command,
    relais_env,
    running_relais,
    wait_for_sends,
)
from tests.standin.server import StandIn


@pytest.fixture
async def late_standin(sqlite_file_url: str) -> StandIn:
    """A stand-in not started yet, with its port chosen (nothing listens there), and the
    database ready."""
    await prepare_database(sqlite_file_url)
    standin = StandIn(TOKEN)
    standin.port = free_port()
    standin.telegram.add_user(WORKERS[0], "Ops0", "fr")
    return standin


async def logged(relais: RelaisProcess, needle: str, limit: float = 60.0) -> None:
    """Wait until the running process has logged ``needle``."""
    deadline = time.monotonic() + limit
    while needle not in relais.stderr():
        assert relais.returncode is None, relais.stderr()
        assert time.monotonic() < deadline, relais.stderr()
        await asyncio.sleep(0.1)


@pytest.mark.timeout(120)
async def test_a_token_telegram_refuses_stops_the_start_with_a_clear_message(
        standin: StandIn, sqlite_file_url: str, tmp_path: Path) -> None:
    await prepare_database(sqlite_file_url)
    env = relais_env(standin, sqlite_file_url, health_port=free_port(),
                     extra={"RELAIS_BOT_TOKEN": "4242:not-the-token"})
    code, _out, err = await relais_command("run", env=env, cwd=tmp_path, limit=60)
    assert code == 2
    assert "Telegram refused the bot token (RELAIS_BOT_TOKEN)" in err
    assert "Traceback" not in err
    assert not standin.telegram.requests or all(
        method.lower() != "getupdates" for method, _ in standin.telegram.requests)


@pytest.mark.timeout(120)
async def test_telegram_unreachable_at_start_is_tried_again_until_it_answers(
        late_standin: StandIn, sqlite_file_url: str, tmp_path: Path) -> None:
    standin = late_standin
    async with running_relais(standin, sqlite_file_url,
                              stderr_path=tmp_path / "relais.log") as relais:
        await logged(relais, "Telegram not reachable at start (TelegramNetworkError)")
        await standin.start()
        try:
            standin.telegram.user_sends(WORKERS[0], "/help")
            texts = await wait_for_sends(standin.telegram, WORKERS[0], 1, limit=60)
            assert "/language" in texts[0]  # the help, in full
            assert relais.returncode is None
        finally:
            assert await relais.stop() == 0
            await standin.stop()
    assert "Traceback" not in relais.stderr()


@pytest.mark.timeout(120)
async def test_a_stop_while_telegram_is_unreachable_at_start_ends_cleanly(
        late_standin: StandIn, sqlite_file_url: str, tmp_path: Path) -> None:
    async with running_relais(late_standin, sqlite_file_url,
                              stderr_path=tmp_path / "relais.log") as relais:
        await logged(relais, "Telegram not reachable at start")
        started = time.monotonic()
        assert await relais.stop() == 0
        assert time.monotonic() - started < 10  # not after the next try
    assert "Traceback" not in relais.stderr()
