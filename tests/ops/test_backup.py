"""``relais db backup`` and ``relais db restore``: a consistent copy of a database being written
to, restored row for row into a new one; the refusals; the data key kept out of the backup; the
PostgreSQL guidance."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
from pathlib import Path

import pytest

from bot.cli import main
from tests.ops.conftest import prepare_database, relais_command

Rows = dict[str, list[tuple[object, ...]]]


def every_row(path: Path) -> Rows:
    """Every row of every table, sorted: what must be equal after a copy."""
    with sqlite3.connect(path) as connection:
        tables = [name for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        return {table: sorted(connection.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr)
                for table in tables}


class Writer(threading.Thread):
    """Inserts audit rows, one transaction each, until stopped: Relais at work."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path = path
        self.stop = threading.Event()
        self.written = 0
        self.warm = threading.Event()  # set after the first 20 rows
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with sqlite3.connect(self.path, timeout=30) as connection:
                connection.execute("PRAGMA busy_timeout=30000")
                while not self.stop.is_set():
                    connection.execute(
                        "INSERT INTO audit_log (at, action, details) VALUES "
                        "('2025-01-01 00:00:00.000000', 'ops.backup-test', '{}')")
                    connection.commit()
                    self.written += 1
                    if self.written == 20:
                        self.warm.set()
                    self.stop.wait(0.001)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.error = exc
            self.warm.set()


async def relais(*args: str, database: Path, cwd: Path) -> tuple[int, str, str]:
    """A real ``relais`` process on the SQLite file ``database`` (development, no key set)."""
    return await relais_command(*args, env={"RELAIS_DATABASE_URL": f"sqlite:///{database}"},
                                cwd=cwd)


async def a_note(database: Path) -> str:
    """Store an encrypted inbox row with the development key file; its plain text."""
    from datetime import UTC, datetime

    from bot.app import build_app
    from bot.config import Settings
    from bot.models.inbox import InboxUpdate
    from bot.services import crypto

    settings = crypto.ensure_local_key(Settings(  # type: ignore[call-arg]
        _env_file=None, database_url=f"sqlite:///{database}"))
    app = build_app(settings)
    text = '{"update_id": 99, "note": "backup test"}'
    try:
        now = datetime.now(UTC)
        async with app.sessionmaker() as session:
            session.add(InboxUpdate(update_id=99, bot_id=4242, received_at=now, claimed_until=now,
                                    payload_enc=crypto.encrypt(app, text)))
            await session.commit()
    finally:
        await app.close()
    return text


def read_note(database: Path, key_file: Path) -> str:
    from cryptography.fernet import Fernet

    with sqlite3.connect(database) as connection:
        (token,) = connection.execute(
            "SELECT payload_enc FROM inbox_updates WHERE update_id = 99").fetchone()
    return Fernet(key_file.read_bytes().strip()).decrypt(token.encode()).decode()


@pytest.mark.timeout(240)
async def test_a_live_database_is_backed_up_and_restored_row_for_row(tmp_path: Path) -> None:
    data, backups, restored_dir = tmp_path / "data", tmp_path / "backups", tmp_path / "restored"
    for folder in (data, backups, restored_dir):
        folder.mkdir()
    database = data / "relais.db"
    await prepare_database(f"sqlite+aiosqlite:///{database}", sample_directory=True)
    note = await a_note(database)
    key_file = data / "relais.key"
    assert key_file.exists()

    backup = backups / "relais-backup.db"
    writer = Writer(database)
    writer.start()
    try:
        assert await asyncio.to_thread(writer.warm.wait, 30)
        before = writer.written
        code, out, err = await relais("db", "backup", str(backup), database=database,
                                      cwd=tmp_path)
        during = writer.written - before
        await asyncio.sleep(0.1)
    finally:
        writer.stop.set()
        await asyncio.to_thread(writer.join, 30)
    assert writer.error is None, writer.error
    assert code == 0, out + err
    assert during > 0  # the database was being written while the backup ran
    assert f"backed up {database} to {backup}" in out

    # One consistent snapshot: every table as in the source, the audit rows being written a
    # gapless prefix of the source's (never half a transaction, never a hole).
    source, copy = every_row(database), every_row(backup)
    assert set(copy) == set(source) and len(copy) > 30
    audits = [row for row in copy["audit_log"] if row[4] == "ops.backup-test"]
    assert 20 <= len(audits) < len([r for r in source["audit_log"] if r[4] == "ops.backup-test"])
    assert set(copy["audit_log"]) <= set(source["audit_log"])
    ids = sorted(row[0] for row in audits)
    assert ids == list(range(ids[0], ids[0] + len(ids)))
    for table in source:
        if table != "audit_log":
            assert copy[table] == source[table], table
    assert sum(map(len, copy.values())) > 100  # the sample directory, workers, the note
    with sqlite3.connect(backup) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []

    # The data key is not in the backup, and the operator is told where it is.
    assert [p.name for p in backups.iterdir()] == [backup.name]
    assert key_file.read_bytes().strip() not in backup.read_bytes()
    assert f"the development key file {key_file}" in out and "apart from the backups" in out

    # Restored into a new database: every row of every table; the note reads with the key.
    target = restored_dir / "relais.db"
    code, out, err = await relais("db", "restore", str(backup), database=target, cwd=tmp_path)
    assert code == 0, out + err
    assert f"restored {backup} into {target}" in out
    assert "relais db upgrade" not in out  # the backup is at this version's head
    assert every_row(target) == copy
    (restored_dir / "relais.key").write_bytes(key_file.read_bytes())  # the key kept apart
    assert read_note(target, restored_dir / "relais.key") == note

    # A database that holds data is not replaced without --force.
    with sqlite3.connect(target) as connection:
        connection.execute("INSERT INTO relais_meta (key, value) VALUES ('later', 'x')")
    code, out, err = await relais("db", "restore", str(backup), database=target, cwd=tmp_path)
    assert code == 1
    assert f"{target} holds data" in err and "--force" in err
    assert ("later", "x") in every_row(target)["relais_meta"]
    code, out, err = await relais("db", "restore", str(backup), "--force", database=target,
                                  cwd=tmp_path)
    assert code == 0, out + err
    assert every_row(target) == copy


def run(args: list[str], database: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    for name in list(os.environ):
        if name.startswith("RELAIS_") and not name.startswith("RELAIS_TEST_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("RELAIS_DATABASE_URL", database)
    capsys.readouterr()
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


async def test_a_backup_never_overwrites_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "relais.db"
    await prepare_database(f"sqlite+aiosqlite:///{database}")
    existing = tmp_path / "keep.db"
    existing.write_bytes(b"an older backup")
    monkeypatch.chdir(tmp_path)
    code, out, err = run(["db", "backup", str(existing)], f"sqlite:///{database}",
                         monkeypatch, capsys)
    assert code == 1
    assert err.strip() == f"relais: {existing} exists: a backup never overwrites a file " \
        "(choose a new name)"
    assert existing.read_bytes() == b"an older backup"
    assert sorted(os.listdir(tmp_path)) == ["keep.db", "relais.db"]


@pytest.mark.parametrize("content", ["text", "other sqlite"])
async def test_restore_takes_only_a_relais_database(
    content: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    not_ours = tmp_path / "not-ours.db"
    if content == "text":
        not_ours.write_text("SELECT 1;\n" * 20)
        expected = "is not a SQLite database"
    else:
        with sqlite3.connect(not_ours) as connection:
            connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        expected = "is not a backup of Relais (no alembic_version table)"
    target = tmp_path / "relais.db"
    monkeypatch.chdir(tmp_path)
    code, out, err = run(["db", "restore", str(not_ours), "--force"], f"sqlite:///{target}",
                         monkeypatch, capsys)
    assert code == 1
    assert expected in err
    assert not target.exists()


def test_postgresql_gets_the_pg_dump_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    url = "postgresql://relais:s3cret-pw@db.internal:5433/relais"
    code, out, err = run(["db", "backup", str(tmp_path / "x.db")], url, monkeypatch, capsys)
    assert code == 2
    assert "pg_dump --format=custom --file=PATH 'postgresql://relais@db.internal:5433/relais'" \
        in err
    assert "pg_restore --clean --if-exists --no-owner " \
        "--dbname='postgresql://relais@db.internal:5433/relais' PATH" in err
    assert "the data key is not in the backup: it is RELAIS_DATA_KEY" in err
    assert "s3cret-pw" not in out + err
    code, _out, err = run(["db", "restore", str(tmp_path / "x.db")], url, monkeypatch, capsys)
    assert code == 2 and "pg_restore" in err
    assert list(tmp_path.iterdir()) == []
