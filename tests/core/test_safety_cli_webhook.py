"""No forged update in production: the webhook secret (CLI and configuration), the webhook host
default, and `relais invite --hours` bounds."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import Settings
from tests.standin.server import StandIn

TOKEN = "123456:TEST-token"
GOOD = re.compile(r"[A-Za-z0-9_-]{32,256}")


@pytest.fixture(autouse=True)
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("RELAIS_") and not name.startswith("RELAIS_TEST_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    # Nothing listens there: a command that went as far as the database would exit 1.
    monkeypatch.setenv("RELAIS_DATABASE_URL", "postgresql://relais@127.0.0.1:9/none")


def production(monkeypatch: pytest.MonkeyPatch, secret: str | None) -> None:
    from cryptography.fernet import Fernet

    monkeypatch.setenv("RELAIS_MODE", "production")
    monkeypatch.setenv("RELAIS_DATA_KEY", Fernet.generate_key().decode())
    monkeypatch.setenv("RELAIS_BOT_TOKEN", TOKEN)
    if secret is not None:
        monkeypatch.setenv("RELAIS_WEBHOOK_SECRET", secret)


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_webhook_secret_prints_a_new_good_secret(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["webhook", "secret"]) == 0
    first = capsys.readouterr().out.strip()
    assert main(["webhook", "secret"]) == 0
    second = capsys.readouterr().out.strip()
    assert GOOD.fullmatch(first) and GOOD.fullmatch(second) and first != second
    assert Settings(_env_file=None, webhook_secret=first).webhook_secret  # type: ignore[call-arg]


def test_webhook_host_defaults_to_loopback() -> None:
    assert Settings(_env_file=None).webhook_host == "127.0.0.1"  # type: ignore[call-arg]


@pytest.mark.parametrize("secret", ["has space", "ünïcode", "x" * 257, "semi;colon"])
def test_a_secret_telegram_would_refuse_stops_start_up(
    secret: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RELAIS_WEBHOOK_SECRET", secret)
    with pytest.raises(SystemExit) as stopped:
        main(["run", "--webhook"])
    assert stopped.value.code == 2
    line = one_line(capsys.readouterr().err)
    assert line.startswith("relais: configuration error: RELAIS_WEBHOOK_SECRET:")
    assert secret not in line  # a secret is never printed


@pytest.mark.parametrize("secret", [None, "", "short-secret_1", "x" * 31])
@pytest.mark.parametrize("how", [["run", "--webhook"], ["run"]], ids=["flag", "url"])
def test_production_webhook_needs_a_long_secret(
    secret: str | None, how: list[str], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    production(monkeypatch, secret)
    monkeypatch.setenv("RELAIS_WEBHOOK_URL", "https://relais.example.org")
    assert main(how) == 2  # and not 1: it stopped before the database
    line = one_line(capsys.readouterr().err)
    assert line.startswith("relais: RELAIS_WEBHOOK_SECRET ")
    assert "relais webhook secret" in line


def test_webhook_set_refuses_without_a_secret(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RELAIS_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("RELAIS_WEBHOOK_URL", "https://relais.example.org")
    assert main(["webhook", "set"]) == 2
    assert "RELAIS_WEBHOOK_SECRET is not set" in one_line(capsys.readouterr().err)
    production(monkeypatch, "x" * 31)
    assert main(["webhook", "set"]) == 2
    assert "at least 32" in one_line(capsys.readouterr().err)


@pytest.mark.parametrize("mode", ["development", "production"])
async def test_webhook_set_registers_the_secret(mode: str, tmp_path: Path) -> None:
    from cryptography.fernet import Fernet

    secret = "A1b2C3d4_e5F6-g7H8i9J0k1L2m3N4o5P6q7"
    standin = StandIn(TOKEN)
    await standin.start()
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RELAIS_")}
        env.update(
            RELAIS_BOT_TOKEN=TOKEN, RELAIS_TELEGRAM_API=standin.base_url,
            RELAIS_DATABASE_URL=f"sqlite:///{tmp_path / 'w.db'}", RELAIS_MODE=mode,
            RELAIS_WEBHOOK_URL="https://relais.example.org/", RELAIS_WEBHOOK_SECRET=secret,
            RELAIS_DATA_KEY=Fernet.generate_key().decode(),
        )
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "webhook", "set", env=env, cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), 120)
        assert process.returncode == 0, err.decode()
        assert out.decode().strip() == "relais: webhook set"
        assert standin.telegram.webhook == {
            "url": "https://relais.example.org/telegram", "secret_token": secret}
        assert secret not in out.decode() + err.decode()
    finally:
        await standin.stop()


@pytest.mark.parametrize("hours", ["0", "-1", "1441", "two"])
def test_invite_refuses_hours_that_do_not_mean_what_they_say(
    hours: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db = tmp_path / "invite.db"
    monkeypatch.setenv("RELAIS_DATABASE_URL", f"sqlite:///{db}")
    with pytest.raises(SystemExit) as stopped:
        main(["invite", "--role", "worker", "--org", "X", "--hours", hours])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "argument --hours:" in err
    assert not db.exists()


@pytest.mark.parametrize("hours", [None, 1])
def test_invite_validity(
    hours: int | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import timedelta

    from sqlalchemy import create_engine, text

    db = tmp_path / "invite.db"
    monkeypatch.setenv("RELAIS_DATABASE_URL", f"sqlite:///{db}")
    args = ["--hours", str(hours)] if hours is not None else []
    assert main(["invite", "--role", "worker", "--org", "X", *args]) == 0
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as connection:
        created, expires = connection.execute(
            text("SELECT created_at, expires_at FROM invitations")).one()
    engine.dispose()
    from datetime import datetime

    span = datetime.fromisoformat(str(expires)) - datetime.fromisoformat(str(created))
    assert span == timedelta(hours=hours or 72)
