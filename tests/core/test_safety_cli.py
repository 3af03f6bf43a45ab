"""`relais try` and `relais find` never touch a real database; `db upgrade` and `run` never seed.

Each test runs on SQLite and, with RELAIS_TEST_DATABASE_URL set, on PostgreSQL. A "real"
database is one migrated by `relais db upgrade` (no try marker) holding some data; every refusal
must leave it exactly as it was (every row of every table compared before and after).
"""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import inspect, text

from bot.cli import main
from bot.cli.common import DatabaseKind, database_kind, sqlite_file
from bot.db.engine import make_engine
from tests.support.databases import PG_ENV, PostgresDatabase, run_in_thread

ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")
Snapshot = dict[str, list[str]] | None


def call(work: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine function on a loop of its own (tests here are synchronous)."""
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(asyncio.run, work()).result()  # type: ignore[arg-type]


def snapshot(url: str) -> Snapshot:
    """Every row of every table (None for a SQLite file that does not exist)."""
    path = sqlite_file(url.replace("sqlite://", "sqlite+aiosqlite://", 1))
    if path is not None and not path.exists():
        return None

    async def work() -> dict[str, list[str]]:
        engine = make_engine(url)
        try:
            async with engine.connect() as connection:
                names = await connection.run_sync(lambda c: sorted(inspect(c).get_table_names()))
                return {
                    name: sorted(repr(tuple(row)) for row in
                                 (await connection.execute(text(f'SELECT * FROM "{name}"'))).all())
                    for name in names
                }
        finally:
            await engine.dispose()

    return call(work)


def count(url: str, table: str) -> int:
    snap = snapshot(url)
    return len(snap.get(table, [])) if snap else 0


def kind(url: str) -> DatabaseKind:
    async def work() -> DatabaseKind:
        engine = make_engine(url)
        try:
            return await database_kind(engine)
        finally:
            await engine.dispose()

    return call(work)


def execute(url: str, sql: str) -> None:
    async def work() -> None:
        engine = make_engine(url)
        try:
            async with engine.begin() as connection:
                await connection.execute(text(sql))
        finally:
            await engine.dispose()

    call(work)


@pytest.fixture(autouse=True)
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No RELAIS_* setting from the outside, and a working folder of our own (relais-try.db)."""
    for name in list(os.environ):
        if name.startswith("RELAIS_") and not name.startswith("RELAIS_TEST_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def new_db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A database with no table at all (a SQLite file that does not exist yet)."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'new.db'}"
        return
    database = PostgresDatabase(os.environ[PG_ENV])
    run_in_thread(database.create)
    try:
        yield database.url
    finally:
        run_in_thread(database.drop)


@pytest.fixture
def real_db(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A migrated database without the try marker, with an organisation, an invitation, an
    administrator and the directory in it."""
    from bot.app import build_app
    from bot.config import Settings
    from knowledge.seed import ensure_sample_directory

    monkeypatch.setenv("RELAIS_DATABASE_URL", db_url)
    assert main(["invite", "--role", "coordinator", "--org", "Real org", "--region", "06"]) == 0
    assert main(["admin", "add", "777"]) == 0

    async def seed() -> None:
        app = build_app(Settings(_env_file=None, database_url=db_url))  # type: ignore[call-arg]
        try:
            await ensure_sample_directory(app)
        finally:
            await app.close()

    call(seed)
    monkeypatch.delenv("RELAIS_DATABASE_URL")
    assert kind(db_url) is DatabaseKind.OTHER
    return db_url


def relais_try(monkeypatch: pytest.MonkeyPatch, *args: str, script: str = "/help\n") -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(script))
    return main(["try", *args])


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


# --- relais try ------------------------------------------------------------------------------


@pytest.mark.parametrize("fresh", [False, True], ids=["plain", "fresh"])
def test_try_refuses_a_real_database_and_leaves_it_untouched(
    real_db: str, fresh: bool, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = sqlite_file(real_db)
    if path is not None:
        path.with_suffix(".key").unlink()  # made by `relais invite`; try must not make one
    before = snapshot(real_db)
    assert before and len(before["directory_services"]) > 100 and before["workers"]
    code = relais_try(monkeypatch, "--database", real_db, *(["--fresh"] if fresh else []))
    assert code == 2
    line = one_line(capsys.readouterr().err)
    assert line.startswith("relais: refusing ") and "not a try database" in line
    assert snapshot(real_db) == before
    assert path is None or not path.with_suffix(".key").exists()


def test_try_ignores_relais_database_url(
    real_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(real_db)
    monkeypatch.setenv("RELAIS_DATABASE_URL", real_db)
    assert relais_try(monkeypatch) == 0
    assert snapshot(real_db) == before
    try_db = f"sqlite:///{tmp_path / 'relais-try.db'}"
    assert kind(try_db) is DatabaseKind.TRY
    assert count(try_db, "directory_services") > 100


def test_try_ignores_relais_database_url_as_a_subprocess(real_db: str, tmp_path: Path) -> None:
    before = snapshot(real_db)
    env = {k: v for k, v in os.environ.items() if not k.startswith("RELAIS_")}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "try", "--fresh"], input="/help\n", capture_output=True,
        text=True, env={**env, "RELAIS_DATABASE_URL": real_db, "PYTHONPATH": str(ROOT)},
        cwd=tmp_path, timeout=180,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "bot -> me:" in done.stdout
    assert snapshot(real_db) == before
    assert kind(f"sqlite:///{tmp_path / 'relais-try.db'}") is DatabaseKind.TRY


def test_try_makes_a_new_database_a_try_database_and_fresh_wipes_only_that(
    new_db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert kind(new_db_url) is DatabaseKind.NEW
    assert relais_try(monkeypatch, "--database", new_db_url) == 0
    assert kind(new_db_url) is DatabaseKind.TRY
    assert count(new_db_url, "directory_services") > 100
    # A second run keeps what is there; --fresh wipes it (and marks it again).
    execute(new_db_url, "INSERT INTO organisations (name, sector, regions, created_at) "
                        "VALUES ('Leftover', 'other', '[]', CURRENT_TIMESTAMP)")
    assert relais_try(monkeypatch, "--database", new_db_url) == 0
    assert "Leftover" in str(snapshot(new_db_url)["organisations"])  # type: ignore[index]
    assert relais_try(monkeypatch, "--database", new_db_url, "--fresh") == 0
    assert "Leftover" not in str(snapshot(new_db_url)["organisations"])  # type: ignore[index]
    assert kind(new_db_url) is DatabaseKind.TRY
    # Without its marker it is not a try database any more: --fresh refuses to wipe it.
    execute(new_db_url, "INSERT INTO organisations (name, sector, regions, created_at) "
                        "VALUES ('Leftover', 'other', '[]', CURRENT_TIMESTAMP)")
    execute(new_db_url, "DELETE FROM relais_meta")
    before = snapshot(new_db_url)
    capsys.readouterr()
    assert relais_try(monkeypatch, "--database", new_db_url, "--fresh") == 2
    assert "not a try database" in one_line(capsys.readouterr().err)
    assert snapshot(new_db_url) == before


def test_try_refuses_a_database_with_foreign_tables(
    new_db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    execute(new_db_url, "CREATE TABLE payroll (id INTEGER PRIMARY KEY, amount INTEGER)")
    execute(new_db_url, "INSERT INTO payroll VALUES (1, 100)")
    before = snapshot(new_db_url)
    assert relais_try(monkeypatch, "--database", new_db_url, "--fresh") == 2
    one_line(capsys.readouterr().err)
    assert snapshot(new_db_url) == before


def test_production_mode_refuses_try(
    new_db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from cryptography.fernet import Fernet

    monkeypatch.setenv("RELAIS_MODE", "production")
    monkeypatch.setenv("RELAIS_DATA_KEY", Fernet.generate_key().decode())
    assert relais_try(monkeypatch, "--database", new_db_url) == 2
    assert "RELAIS_MODE=production" in one_line(capsys.readouterr().err)
    assert kind(new_db_url) is DatabaseKind.NEW and not Path("relais-try.db").exists()
    monkeypatch.delenv("RELAIS_DATA_KEY")  # refused before anything else is checked
    assert relais_try(monkeypatch, "--fresh") == 2
    assert "RELAIS_MODE=production" in one_line(capsys.readouterr().err)


# --- relais find -----------------------------------------------------------------------------

QUESTION = "any shelter for a 17yo in montreal tonight"


@pytest.mark.parametrize("how", ["option", "environment"])
def test_find_only_reads_a_real_database(
    real_db: str, how: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    before = snapshot(real_db)
    args = ["--database", real_db] if how == "option" else []
    if how == "environment":
        monkeypatch.setenv("RELAIS_DATABASE_URL", real_db)
    assert main(["find", QUESTION, "--json", *args]) == 0
    assert json.loads(capsys.readouterr().out)["results"]
    assert main(["find", QUESTION, "--lang", "en", *args]) == 0
    assert capsys.readouterr().out.startswith("🔎 Montreal")
    assert snapshot(real_db) == before
    assert not Path("relais-try.db").exists()


def test_find_never_seeds_an_empty_real_database(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    before = snapshot(db_url)
    assert main(["find", QUESTION, "--json", "--database", db_url]) == 0
    assert json.loads(capsys.readouterr().out)["results"] == []
    assert main(["find", QUESTION, "--sample", "--database", db_url]) == 2
    assert "--sample refused" in one_line(capsys.readouterr().err)
    assert snapshot(db_url) == before
    assert count(db_url, "directory_services") == 0


def test_find_on_a_new_database_loads_the_sample_only_when_asked(
    new_db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["find", QUESTION, "--database", new_db_url]) == 2
    assert "--sample" in one_line(capsys.readouterr().err)
    assert kind(new_db_url) is DatabaseKind.NEW
    assert snapshot(new_db_url) in (None, {})  # not even an empty SQLite file
    assert main(["find", QUESTION, "--sample", "--database", new_db_url]) == 0
    assert kind(new_db_url) is DatabaseKind.TRY
    assert count(new_db_url, "directory_services") > 100


def test_find_defaults_to_the_try_database(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["find", QUESTION]) == 0
    assert capsys.readouterr().out.startswith("🔎 Montreal")
    assert kind("sqlite:///relais-try.db") is DatabaseKind.TRY
    assert not Path("relais-try.key").exists()  # find needs no key


def test_find_refuses_a_schema_that_is_not_up_to_date(
    new_db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.db.migrate import upgrade_sync

    upgrade_sync(new_db_url, "0002_directory")
    before = snapshot(new_db_url)
    assert main(["find", QUESTION, "--database", new_db_url]) == 1
    assert "relais db upgrade" in one_line(capsys.readouterr().err)
    assert snapshot(new_db_url) == before


# --- relais db upgrade and relais run never seed ---------------------------------------------


def test_db_upgrade_and_run_never_seed(
    new_db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.app import build_app
    from bot.config import Settings
    from handlers.runtime import build_bot, prepare

    monkeypatch.setenv("RELAIS_DATABASE_URL", new_db_url)
    assert main(["db", "upgrade"]) == 0
    assert kind(new_db_url) is DatabaseKind.OTHER  # not a try database

    def seeded() -> dict[str, int]:
        snap = snapshot(new_db_url) or {}
        return {t: len(snap.get(t, [])) for t in
                ("directory_services", "directory_organizations", "organisations", "workers",
                 "practice_tools", "relais_meta")}

    assert set(seeded().values()) == {0}
    # What `relais run` does before serving: migrate and build the dispatcher.
    async def run_prepare() -> None:
        app = build_app(Settings(_env_file=None, database_url=new_db_url))  # type: ignore[call-arg]
        bot = build_bot(app, token="123456:TEST-token")
        try:
            await prepare(app, bot)
        finally:
            await bot.session.close()
            await app.close()

    call(run_prepare)
    assert set(seeded().values()) == {0}
    # `relais run` without a token stops before anything.
    assert main(["run"]) == 2
    assert set(seeded().values()) == {0}
