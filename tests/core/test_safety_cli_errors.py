"""A database that cannot be reached: exit 1 and one line naming the cause, the traceback only
with --debug (or RELAIS_LOG_LEVEL=DEBUG); `relais purge --database`."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from tests.support.databases import PG_ENV

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:TEST-token"

COMMANDS = [
    ["db", "upgrade"],
    ["run"],
    ["worker"],
    ["invite", "--role", "worker", "--org", "X"],
    ["admin", "add", "42"],
    ["find", "shelter in montreal"],
    ["try", "--database", "{url}"],
    ["purge", "--dry-run"],
    ["keys", "rotate"],
    ["directory", "list"],
    ["directory", "show", "1"],
    ["directory", "export", "--format", "hsds-json", "out.json"],
    ["directory", "receiver", "1", "42"],
    ["tools", "list"],
]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def unreachable(cause: str, tmp_path: Path) -> tuple[str, str]:
    """A database URL that cannot be reached, and what the line must say."""
    if cause == "refused":
        return f"postgresql://relais@127.0.0.1:{closed_port()}/relais", "Connection refused"
    if cause == "no-database":
        if not os.environ.get(PG_ENV):
            pytest.skip("PostgreSQL not configured")
        server = os.environ[PG_ENV].rsplit("/", 1)[0]
        return f"{server}/relais_missing_db_xyz", 'database "relais_missing_db_xyz" does not exist'
    folder = tmp_path / "x.db"
    folder.mkdir()  # a folder where the SQLite file should be
    return f"sqlite:///{folder}", "unable to open database file"


@pytest.fixture(autouse=True)
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cryptography.fernet import Fernet

    for name in list(os.environ):
        if name.startswith("RELAIS_") and not name.startswith("RELAIS_TEST_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RELAIS_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("RELAIS_TELEGRAM_API", f"http://127.0.0.1:{closed_port()}")
    monkeypatch.setenv("RELAIS_DATA_KEY", Fernet.generate_key().decode())


@pytest.mark.parametrize("cause", ["refused", "no-database", "sqlite"])
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: "-".join(c[:2]))
def test_unreachable_database_is_one_line_and_exit_1(
    command: list[str], cause: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, says = unreachable(cause, tmp_path)
    args = [part.format(url=url) for part in command]
    if cause == "sqlite":
        # As a real process: aiosqlite's worker thread must not add a traceback of its own.
        done = relais(*args, env={k: v for k, v in os.environ.items() if k.startswith("RELAIS_")}
                      | {"RELAIS_DATABASE_URL": url}, stdin="/help\n")
        code, err = done.returncode, done.stderr
    else:
        monkeypatch.setenv("RELAIS_DATABASE_URL", url)
        monkeypatch.setattr(sys, "stdin", io.StringIO("/help\n"))
        code, err = main(args), capsys.readouterr().err
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("relais: cannot reach the database ") and says in lines[0]


def relais(*args: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("RELAIS_")}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], capture_output=True, text=True, input=stdin,
        env={**base, **env, "PYTHONPATH": str(ROOT)}, timeout=120,
    )


@pytest.mark.parametrize("command", [["db", "upgrade"], ["run"]], ids=["upgrade", "run"])
def test_traceback_only_when_debugging(command: list[str], tmp_path: Path) -> None:
    env = {"RELAIS_DATABASE_URL": f"postgresql://relais@127.0.0.1:{closed_port()}/relais",
           "RELAIS_BOT_TOKEN": TOKEN, "RELAIS_TELEGRAM_API": f"http://127.0.0.1:{closed_port()}"}
    quiet = relais(*command, env=env)
    assert quiet.returncode == 1
    assert quiet.stderr.strip().splitlines() == [
        line for line in quiet.stderr.strip().splitlines()
        if line.startswith("relais: cannot reach the database postgresql+asyncpg://relais@")
    ] and len(quiet.stderr.strip().splitlines()) == 1, quiet.stderr
    for loud in (relais("--debug", *command, env=env), relais(*command, "--debug", env=env),
                 relais(*command, env={**env, "RELAIS_LOG_LEVEL": "DEBUG"})):
        assert loud.returncode == 1
        assert "Traceback (most recent call last)" in loud.stderr
        assert "ConnectionRefusedError" in loud.stderr


def test_the_password_is_never_printed(tmp_path: Path) -> None:
    url = f"postgresql://relais:hunter2-secret@127.0.0.1:{closed_port()}/relais"
    done = relais("db", "upgrade", env={"RELAIS_DATABASE_URL": url})
    assert done.returncode == 1 and "hunter2" not in done.stderr
    assert "relais:***@127.0.0.1" in done.stderr


def test_purge_accepts_database(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # RELAIS_DATABASE_URL points nowhere: --database wins.
    monkeypatch.setenv("RELAIS_DATABASE_URL", f"postgresql://relais@127.0.0.1:{closed_port()}/x")
    assert main(["purge", "--dry-run", "--database", db_url]) == 0
    assert "would delete 0 closed case(s)" in capsys.readouterr().out
    assert main(["purge", "--database", db_url]) == 0
    assert "deleted 0 closed case(s)" in capsys.readouterr().out
