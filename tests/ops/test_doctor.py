"""``relais doctor`` against the Bot API stand-in: a good setup passes every check and exits 0;
each broken thing fails its own line and makes the exit status 1.

The good setup and one broken one run as real ``relais doctor`` processes; the other broken
settings run the same command in this process (a thread, so the stand-in keeps serving), which
takes a second instead of five each.
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.cli import main
from bot.services.doctor import migration_heads
from handlers.console.protocol import ok
from tests.ops.conftest import TOKEN, free_port, prepare_database, relais_command
from tests.standin.server import StandIn
from tests.support.databases import PG_ENV, REDIS_ENV

WEBHOOK_BASE = "https://relais.example.org"
SECRET = "A1b2C3d4_e5F6-g7H8i9J0k1L2m3N4o5P6q7"
LINE = re.compile(r"^(ok|FAIL|info|skip) +([^:]+): (.*)$")


def parse(out: str) -> dict[str, tuple[str, str]]:
    """``{check name: (status, detail)}``; every line of the report has the shape."""
    report: dict[str, tuple[str, str]] = {}
    for line in out.strip().splitlines():
        match = LINE.match(line)
        assert match, f"not a report line: {line!r}"
        report[match.group(2)] = (match.group(1), match.group(3))
    return report


async def store_note(database_url: str, key: str) -> None:
    """One encrypted inbox row, as a process that died mid-update leaves it."""
    from bot.app import build_app
    from bot.config import Settings
    from bot.models.inbox import InboxUpdate
    from bot.services import crypto

    app = build_app(Settings(_env_file=None, database_url=database_url,  # type: ignore[call-arg]
                             data_key=key))
    try:
        now = datetime.now(UTC)
        async with app.sessionmaker() as session:
            session.add(InboxUpdate(update_id=1, bot_id=4242, received_at=now, claimed_until=now,
                                    payload_enc=crypto.encrypt(app, '{"update_id": 1}')))
            await session.commit()
    finally:
        await app.close()


@pytest.fixture
async def good(tmp_path: Path, standin: StandIn) -> dict[str, str]:
    """The environment of a sound production setup; Telegram has the webhook registered."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'relais.db'}"
    await prepare_database(url)
    key = Fernet.generate_key().decode()
    await store_note(url, key)
    standin.telegram.webhook = {"url": f"{WEBHOOK_BASE}/telegram", "secret_token": SECRET}
    return {
        "RELAIS_MODE": "production", "RELAIS_BOT_TOKEN": TOKEN,
        "RELAIS_TELEGRAM_API": standin.base_url, "RELAIS_DATABASE_URL": url,
        "RELAIS_DATA_KEY": key, "RELAIS_WEBHOOK_URL": WEBHOOK_BASE,
        "RELAIS_WEBHOOK_SECRET": SECRET,
    }


@pytest.fixture(autouse=True)
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("RELAIS_") and not name.startswith("RELAIS_TEST_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no .env file of the checkout


async def doctor_here(env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
                      capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, tuple[str, str]]]:
    """``relais doctor`` in this process with ``env``: (exit status, report)."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    capsys.readouterr()
    code = await asyncio.wait_for(asyncio.to_thread(main, ["doctor"]), 90)
    return code, parse(capsys.readouterr().out)


async def doctor_process(env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
    """A real ``relais doctor`` process: (exit status, stdout, stderr)."""
    return await relais_command("doctor", env=env, cwd=cwd)


def head() -> str:
    return ", ".join(sorted(migration_heads("sqlite:///x.db")))


@pytest.mark.timeout(120)
async def test_a_good_setup_passes_every_check_in_a_real_process(
    good: dict[str, str], tmp_path: Path
) -> None:
    code, out, err = await doctor_process(good, tmp_path)
    assert code == 0, out + err
    report = parse(out)
    assert out.splitlines()[0] == "ok    configuration: valid (production mode, SQLite)"
    assert f"ok    database: reachable, migrations at head ({head()})" in out.splitlines()
    assert report["redis"][0] == "info" and "not configured" in report["redis"][1]
    assert report["data key"] == (
        "ok", "1 key from RELAIS_DATA_KEY; decrypted a stored value of inbox_updates.payload_enc")
    assert report["bot token"][0] == "ok" and "@RelaisBot" in report["bot token"][1]
    assert report["webhook"] == ("ok", f"registered at {WEBHOOK_BASE}/telegram")
    assert report["webhook secret"][0] == "ok"
    assert "Telegram does not reveal" in report["webhook secret"][1]
    assert report["pending updates"] == ("info", "0 waiting at Telegram")
    assert report["webhook delivery"] == ("ok", "no delivery error reported by Telegram")
    assert not any(status in ("FAIL", "skip") for status, _ in report.values())
    assert SECRET not in out + err and good["RELAIS_DATA_KEY"] not in out + err
    assert not (tmp_path / "relais.key").exists()  # the doctor creates nothing


@pytest.mark.timeout(120)
async def test_a_wrong_key_fails_in_a_real_process(good: dict[str, str], tmp_path: Path) -> None:
    other = Fernet.generate_key().decode()
    code, out, err = await doctor_process({**good, "RELAIS_DATA_KEY": other}, tmp_path)
    assert code == 1, out + err
    status, detail = parse(out)["data key"]
    assert status == "FAIL"
    assert "cannot decrypt the stored inbox_updates.payload_enc" in detail
    assert other not in out + err


def breaks(name: str, value: str | None) -> Callable[[dict[str, str]], None]:
    def change(env: dict[str, str]) -> None:
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value.format(port=free_port())
    return change


BROKEN = {
    # (what is changed, the line that must fail, what it must say)
    "port not a number": (breaks("RELAIS_WEBHOOK_PORT", "eighty"), "configuration",
                          "RELAIS_WEBHOOK_PORT: Input should be a valid integer"),
    "no database file": (breaks("RELAIS_DATABASE_URL", "sqlite:///missing/relais.db"),
                         "database", "no database file at missing/relais.db"),
    "database server away": (
        breaks("RELAIS_DATABASE_URL", "postgresql://relais@127.0.0.1:{port}/none"),
        "database", "cannot connect to postgresql+asyncpg://relais@127.0.0.1:"),
    "redis away": (breaks("RELAIS_REDIS_URL", "redis://127.0.0.1:{port}/0"), "redis",
                   "cannot connect to 127.0.0.1:"),
    "malformed key": (breaks("RELAIS_DATA_KEY", "not-a-fernet-key"), "data key",
                      "key 1 is not a Fernet key"),
    "no key in production": (breaks("RELAIS_DATA_KEY", None), "data key",
                             "RELAIS_DATA_KEY is not set"),
    "wrong token": (breaks("RELAIS_BOT_TOKEN", "999:not-the-token"), "bot token",
                    "refused the token (Unauthorized)"),
    "Bot API away": (breaks("RELAIS_TELEGRAM_API", "http://127.0.0.1:{port}"), "bot token",
                     "cannot reach the Bot API at http://127.0.0.1:"),
    "another bot": (breaks("RELAIS_BOT_USERNAME", "SomeOtherBot"), "bot token",
                    "while RELAIS_BOT_USERNAME is SomeOtherBot"),
    "webhook URL changed": (breaks("RELAIS_WEBHOOK_URL", "https://new.example.org"), "webhook",
                            f"Telegram delivers to {WEBHOOK_BASE}/telegram, expected "
                            "https://new.example.org/telegram: run `relais webhook set`"),
    "polling with a webhook left": (breaks("RELAIS_WEBHOOK_URL", None), "webhook",
                                    "but RELAIS_WEBHOOK_URL is not set"),
    "no secret": (breaks("RELAIS_WEBHOOK_SECRET", None), "webhook secret",
                  "RELAIS_WEBHOOK_SECRET is not set"),
    "short secret": (breaks("RELAIS_WEBHOOK_SECRET", "short_secret"), "webhook secret",
                     "has 12 characters; production needs at least 32"),
}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("case", list(BROKEN))
async def test_each_broken_thing_fails_its_line(
    case: str, good: dict[str, str], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    change, name, needle = BROKEN[case]
    env = dict(good)
    change(env)
    code, report = await doctor_here(env, monkeypatch, capsys)
    assert code == 1
    assert report[name][0] == "FAIL", report
    assert needle in report[name][1]
    failed = [check for check, (status, _) in report.items() if status == "FAIL"]
    assert failed == [name], report  # only the broken thing fails


@pytest.mark.timeout(120)
async def test_webhook_not_registered_fails(
    good: dict[str, str], standin: StandIn, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    standin.telegram.webhook = {"url": ""}
    code, report = await doctor_here(good, monkeypatch, capsys)
    assert code == 1
    assert report["webhook"] == ("FAIL", f"none registered, expected {WEBHOOK_BASE}/telegram: "
                                 "run `relais webhook set`")


@pytest.mark.timeout(120)
async def test_migrations_behind_head_fail(
    tmp_path: Path, good: dict[str, str], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bot.db.migrate import upgrade

    old = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    await upgrade(old, "0008_inbox")
    code, report = await doctor_here({**good, "RELAIS_DATABASE_URL": old}, monkeypatch, capsys)
    assert code == 1
    assert report["database"] == (
        "FAIL", f"reachable, migrations at 0008_inbox, head is {head()}: run `relais db upgrade`")


@pytest.mark.timeout(120)
@pytest.mark.parametrize("minutes, status", [(5, "FAIL"), (3 * 24 * 60, "ok")])
async def test_telegrams_last_webhook_error_is_shown_and_fails_when_recent(
    minutes: int, status: str, good: dict[str, str], standin: StandIn,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    when = int(time.time() - minutes * 60)

    def webhook_info(method: str, params: dict) -> tuple[int, dict] | None:  # type: ignore[type-arg]
        if method.lower() != "getwebhookinfo":
            return None
        return ok({"url": f"{WEBHOOK_BASE}/telegram", "has_custom_certificate": False,
                   "pending_update_count": 17, "last_error_date": when,
                   "last_error_message": "Wrong response from the webhook: 503 Service "
                   "Unavailable"})

    standin.telegram.fault = webhook_info
    code, report = await doctor_here(good, monkeypatch, capsys)
    assert report["pending updates"] == ("info", "17 waiting at Telegram")
    shown = datetime.fromtimestamp(when, UTC)
    assert report["webhook delivery"][0] == status
    assert report["webhook delivery"][1].endswith(
        f"({shown:%Y-%m-%d %H:%M} UTC): Wrong response from the webhook: 503 Service Unavailable")
    assert code == (1 if status == "FAIL" else 0)


@pytest.mark.timeout(120)
@pytest.mark.skipif(not os.environ.get(PG_ENV) or not os.environ.get(REDIS_ENV),
                    reason="needs PostgreSQL and Redis")
async def test_a_good_setup_on_postgresql_and_redis(
    good: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    from tests.support.databases import PostgresDatabase

    database = PostgresDatabase(os.environ[PG_ENV])
    await database.create()
    try:
        await prepare_database(database.url)
        await store_note(database.url, good["RELAIS_DATA_KEY"])
        env = {**good, "RELAIS_DATABASE_URL": database.url,
               "RELAIS_REDIS_URL": os.environ[REDIS_ENV]}
        code, report = await doctor_here(env, monkeypatch, capsys)
    finally:
        await database.drop()
    assert code == 0, report
    assert report["database"] == ("ok", f"reachable, migrations at head ({head()})")
    assert report["redis"][0] == "ok"
    assert report["data key"][0] == "ok"


def test_a_recent_error_is_measured_from_now() -> None:
    from bot.cli.doctor import delivery_check

    now = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    assert delivery_check(now - timedelta(minutes=59), "x", now).failed
    assert not delivery_check(now - timedelta(minutes=61), "x", now).failed
    assert not delivery_check(None, None, now).failed
