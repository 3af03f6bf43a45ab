"""Backups of a SQLite database (``relais db backup`` / ``relais db restore``).

The copy goes through SQLite's online backup API in one step: it reads one consistent snapshot
while Relais keeps writing (in WAL mode a reader never blocks a writer), never half a
transaction. A restore goes through the same API into the configured database, so the database's
own journal files stay consistent (copying a file over a database with a ``-wal`` file beside it
would corrupt it). PostgreSQL is backed up with ``pg_dump``: :func:`postgres_guidance`.

The data key is never in a backup: it is ``RELAIS_DATA_KEY``, or in development a key file next
to the database (:func:`bot.services.crypto.local_key_path`), and must be kept apart from the
backups, or whoever holds a backup holds the notes.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_MILLISECONDS = 30_000  # as the engine's busy timeout


class BackupError(Exception):
    """A backup or restore that was refused or failed; the message is one line for the operator."""


@dataclass(frozen=True)
class Copied:
    """What a backup or restore copied."""

    path: Path
    tables: int
    rows: int
    revision: str


def connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(str(path), timeout=BUSY_MILLISECONDS / 1000)
    connection.execute(f"PRAGMA busy_timeout={BUSY_MILLISECONDS}")
    return connection


def table_names(connection: sqlite3.Connection) -> list[str]:
    return [name for (name,) in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name")]


def revision(connection: sqlite3.Connection) -> str | None:
    """The Alembic revision(s) of a Relais database; None when it is not one."""
    if "alembic_version" not in table_names(connection):
        return None
    rows = [r for (r,) in connection.execute("SELECT version_num FROM alembic_version")]
    return ", ".join(sorted(rows)) if rows else None


def row_count(connection: sqlite3.Connection, *, skip: tuple[str, ...] = ()) -> int:
    return sum(connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
               for name in table_names(connection) if name not in skip)


def _summary(path: Path) -> Copied:
    with contextlib.closing(connect(path)) as connection:
        problem = connection.execute("PRAGMA quick_check").fetchone()[0]
        if problem != "ok":
            raise BackupError(f"the copy at {path} fails SQLite's check: {problem}")
        return Copied(path, len(table_names(connection)), row_count(connection),
                      revision(connection) or "none")


def backup_sqlite(database: Path, target: Path) -> Copied:
    """Copy ``database`` to ``target`` (a new file) while Relais may be writing to it.

    Written to a temporary file beside ``target`` first, then linked into place, so that an
    interrupted backup never leaves a half file under the name given, and an existing file is
    never replaced."""
    if target.exists() or target.is_symlink():
        raise BackupError(f"{target} exists: a backup never overwrites a file (choose a new name)")
    if not database.is_file():
        raise BackupError(f"no database file at {database}")
    if not target.parent.is_dir():
        raise BackupError(f"no folder {target.parent} for the backup")
    partial = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.partial")
    try:
        with contextlib.closing(connect(database)) as source:
            if revision(source) is None:
                raise BackupError(f"{database} is not a Relais database (no alembic_version)")
            with contextlib.closing(sqlite3.connect(str(partial))) as copy:
                source.backup(copy)  # pages=-1: the whole database in one step, one snapshot
                # one self-contained file (no -wal beside it); a restore puts WAL back
                copy.execute("PRAGMA journal_mode=DELETE")
        summary = _summary(partial)
        try:
            os.link(partial, target)  # fails if target appeared meanwhile: nothing replaced
        except FileExistsError:
            raise BackupError(f"{target} exists: a backup never overwrites a file") from None
        except OSError:  # a filesystem without hard links
            if target.exists():
                raise BackupError(f"{target} exists: a backup never overwrites a file") from None
            os.replace(partial, target)
    finally:
        for leftover in (partial, Path(f"{partial}-journal")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
    return Copied(target, summary.tables, summary.rows, summary.revision)


def check_backup(path: Path) -> str:
    """The revision of a Relais SQLite backup; raises :class:`BackupError` for anything else."""
    if not path.is_file():
        raise BackupError(f"no backup file at {path}")
    with path.open("rb") as file:
        if file.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise BackupError(f"{path} is not a SQLite database")
    try:
        with contextlib.closing(connect(path)) as backup:
            found = revision(backup)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} cannot be read as a SQLite database ({exc})") from None
    if found is None:
        raise BackupError(f"{path} is not a backup of Relais (no alembic_version table)")
    return found


def holds_data(database: Path) -> bool:
    """Whether a database has any row besides its schema version (a new file does not)."""
    if not database.exists() or database.stat().st_size == 0:
        return False
    with contextlib.closing(connect(database)) as connection:
        return row_count(connection, skip=("alembic_version",)) > 0


def restore_sqlite(backup: Path, database: Path, *, force: bool = False,
                   known_revisions: set[str] | None = None) -> Copied:
    """Replace the content of ``database`` with ``backup``.

    Refused when ``database`` holds data, unless ``force``; refused for a file that is not a
    Relais backup, or one migrated by a newer Relais (a revision not in ``known_revisions``).
    Every Relais process must be stopped first."""
    found = check_backup(backup)
    if known_revisions is not None and not set(found.split(", ")) <= known_revisions:
        raise BackupError(f"{backup} is at revision {found}, which this version of Relais does "
                          "not know: restore it with the Relais that made it")
    if database.resolve() == backup.resolve():
        raise BackupError("the backup and the database are the same file")
    if holds_data(database) and not force:
        raise BackupError(f"{database} holds data: restoring would replace it (add --force to "
                          "replace it; back it up first with `relais db backup`)")
    database.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.closing(connect(backup)) as source, \
            contextlib.closing(connect(database)) as target:
        source.backup(target)
    return _summary(database)


def postgres_guidance(database_url: str) -> list[str]:
    """How to back up and restore PostgreSQL with its own tools (the password never shown)."""
    from sqlalchemy.engine import URL, make_url

    given = make_url(database_url)
    target = URL.create("postgresql", username=given.username, host=given.host,
                        port=given.port, database=given.database,
                        query=given.query).render_as_string(hide_password=False)
    return [
        "relais: `relais db backup` and `relais db restore` copy SQLite databases; on "
        "PostgreSQL use its own tools:",
        f"  pg_dump --format=custom --file=PATH '{target}'",
        "  (a consistent snapshot while Relais runs; the password comes from PGPASSWORD or "
        "~/.pgpass)",
        "restore into an empty database, every Relais process stopped:",
        f"  pg_restore --clean --if-exists --no-owner --dbname='{target}' PATH",
        "then `relais db upgrade` (see docs/deploy.md, \"Backups and restore\")",
    ]


def key_reminder(database_url: str, key_from_environment: bool) -> str:
    """Where the data key is, and that it must be kept apart from the backups."""
    from bot.services.crypto import local_key_path

    if key_from_environment:
        where = "RELAIS_DATA_KEY (in the environment file)"
    else:
        where = f"the development key file {local_key_path(database_url)}"
    return (f"relais: the data key is not in the backup: it is {where}. Keep a copy of it "
            "apart from the backups: without it the notes in a backup cannot be read; with it, "
            "whoever holds a backup can read them.")
