"""``RELAIS_LOG_FORMAT`` and ``RELAIS_LOG_LEVEL``: what a log collector and an operator read."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.logs import JsonFormatter
from tests.ops.conftest import (
    ROOT,
    WORKERS,
    prepare_database,
    running_relais,
    wait_for_sends,
)
from tests.standin.server import StandIn

PHONE_TEXT = "appelle-la au 514 555 0199"
KEYS = {"time", "level", "logger", "message"}


def json_lines(stderr: str) -> list[dict[str, str]]:
    """Every line of ``stderr`` as a JSON object; fails on the first line that is not one."""
    entries = []
    for line in stderr.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            raise AssertionError(f"not a JSON line: {line!r}") from None
        assert isinstance(entry, dict), line
        assert KEYS <= set(entry) <= KEYS | {"exception"}, line
        entries.append(entry)
    return entries


@pytest.mark.timeout(180)
async def test_json_logs_of_a_running_process(standin: StandIn, sqlite_file_url: str,
                                              tmp_path: Path) -> None:
    await prepare_database(sqlite_file_url)
    async with running_relais(standin, sqlite_file_url, extra_env={"RELAIS_LOG_FORMAT": "json"},
                              stderr_path=tmp_path / "relais.log") as relais:
        await relais.wait_healthy()
        await relais.wait_for("/readyz", 200, "ready", limit=60)
        standin.telegram.user_sends(WORKERS[0], "/help")
        standin.telegram.user_sends(WORKERS[1], PHONE_TEXT)
        await wait_for_sends(standin.telegram, WORKERS[0], 1, limit=60)
        await wait_for_sends(standin.telegram, WORKERS[1], 1, limit=60)
        await standin.stop()  # polling fails: warnings are logged too
        await relais.wait_for("/readyz", 503, "telegram", limit=60)
    assert relais.returncode == 0, relais.stderr()[-3000:]
    stderr = relais.stderr()
    entries = json_lines(stderr)
    messages = [entry["message"] for entry in entries]
    assert "polling for updates" in messages
    assert any(m.startswith("flagged message refused") for m in messages)
    assert any(e["level"] == "WARNING" and e["message"].startswith("polling:") for e in entries)
    assert all(e["time"].endswith("+00:00") for e in entries)
    assert PHONE_TEXT not in stderr and "514 555" not in stderr


@pytest.mark.timeout(180)
async def test_log_level_warning_keeps_info_out(standin: StandIn, sqlite_file_url: str,
                                                tmp_path: Path) -> None:
    await prepare_database(sqlite_file_url)
    async with running_relais(standin, sqlite_file_url,
                              extra_env={"RELAIS_LOG_LEVEL": "warning"},
                              stderr_path=tmp_path / "relais.log") as relais:
        await relais.wait_healthy()
        await relais.wait_for("/readyz", 200, "ready", limit=60)
        standin.telegram.user_sends(WORKERS[0], "/help")
        await wait_for_sends(standin.telegram, WORKERS[0], 1, limit=60)
    assert relais.returncode == 0, relais.stderr()[-3000:]
    stderr = relais.stderr()
    assert " INFO " not in stderr and "polling for updates" not in stderr, stderr[-2000:]


def test_wrong_log_format_is_named_at_start() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RELAIS_")}
    env.update(RELAIS_LOG_FORMAT="xml", RELAIS_BOT_TOKEN="1:x", PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-m", "bot", "run"], env=env, cwd=str(ROOT),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip() == ("relais: configuration error: RELAIS_LOG_FORMAT: "
                                     "Input should be 'text' or 'json'")


def test_uncaught_exception_is_one_json_line_without_its_message(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RELAIS_")}
    env.update(RELAIS_LOG_FORMAT="json", PYTHONPATH=str(ROOT))
    code = ("from bot.cli.common import setup_logging; setup_logging(); "
            "import logging; logging.getLogger('x').info('case %s opened', 12); "
            "raise ValueError('a youth named Camille')")
    result = subprocess.run([sys.executable, "-c", code], env=env, cwd=str(tmp_path),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    entries = json_lines(result.stderr)
    assert [e["message"] for e in entries] == ["case 12 opened", "uncaught exception, exiting"]
    assert entries[1]["exception"] == "ValueError" and entries[1]["level"] == "CRITICAL"
    assert "Camille" not in result.stderr and "Traceback" not in result.stderr


def test_json_formatter_keeps_the_exception_type_only() -> None:
    try:
        raise KeyError("Camille Tremblay")
    except KeyError:
        record = logging.LogRecord("bot.x", logging.ERROR, __file__, 1, "job %s failed", (7,),
                                   sys.exc_info())
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "job 7 failed"
    assert entry["exception"] == "KeyError"
    assert entry["level"] == "ERROR" and entry["logger"] == "bot.x"
    assert "Camille" not in json.dumps(entry)
