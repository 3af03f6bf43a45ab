"""Helpers shared by the command-line modules: settings, logging, running coroutines, telling
a ``relais try`` database from any other, and naming why a database cannot be reached."""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import os
import sqlite3
import sys
import traceback
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import App, build_app
from bot.config import ConfigError, Settings, load_settings

T = TypeVar("T")

# The database URL of the settings loaded last, to name it when it cannot be reached.
_current_database: list[str] = []


def settings_or_exit(*, local_key: bool = True, **overrides: object) -> Settings:
    """Load settings; a wrong value ends the process with one line naming the variable.

    ``local_key=False``: no development key file is created next to a SQLite database (for
    commands that only read the directory).
    """
    try:
        settings = load_settings(**overrides)
    except ConfigError as exc:
        print(f"relais: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    _current_database[:] = [settings.database_url]
    # Production refuses to start without RELAIS_DATA_KEY; development keeps a local key file
    # (next to a SQLite database) so that every process (bot, worker, try) reads the same notes.
    from bot.services.crypto import MissingKey, check_key, ensure_local_key

    try:
        check_key(settings)
    except MissingKey as exc:
        print(f"relais: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    if settings.mode != "development" or not local_key:
        return settings
    try:
        return ensure_local_key(settings)
    except OSError as exc:
        print(f"relais: cannot reach the database {shown_url(settings.database_url)}: its local "
              f"key file cannot be created: {exc.strerror or exc}", file=sys.stderr)
        raise SystemExit(1) from None


def setup_logging(level: int | None = None, *, settings: Settings | None = None) -> None:
    """Log ids and counts to standard error; message text is never logged anywhere.

    ``RELAIS_LOG_LEVEL`` sets the level and ``RELAIS_LOG_FORMAT`` the format (``text``, or
    ``json``: one object per line, see :mod:`bot.logs`). A command that keeps the terminal
    quiet passes a ``level`` above INFO (``relais try``, ``--quiet``): it logs no more than that.
    """
    from bot.logs import build_formatter, log_uncaught

    if settings is None:
        try:
            settings = load_settings()
        except ConfigError:  # named by settings_or_exit; log as before meanwhile
            settings = None
    configured = logging.getLevelNamesMapping()[settings.log_level] if settings else logging.INFO
    effective = max(level, configured) if level is not None and level > logging.INFO else configured
    log_format = settings.log_format if settings else "text"
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(build_formatter(log_format))
    logging.basicConfig(level=effective, handlers=[handler])
    logging.getLogger("aiogram.event").setLevel(max(effective, logging.WARNING))
    if log_format == "json":  # nothing but JSON lines on standard error
        logging.captureWarnings(True)
        sys.excepthook = log_uncaught


def run_async(main: Coroutine[Any, Any, T], *, grace: float = 3.0) -> T:
    """``asyncio.run`` that cannot hang at exit on a task nobody will ever finish.

    When a database call is cancelled twice (a stop during a query), SQLAlchemy leaves a
    "graceful close" task on an aiosqlite connection whose thread is already gone; plain
    ``asyncio.run`` would wait for it forever. Our own work is done and closed by then, so
    leftover tasks get ``grace`` seconds after cancellation, then the loop closes.
    """
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(main)
    except BaseException:
        # A failed SQLite connect leaves aiosqlite's worker thread one last callback for this
        # loop; closed too soon, the thread prints a traceback of its own.
        with contextlib.suppress(BaseException):
            loop.run_until_complete(asyncio.sleep(0.05))
        raise
    finally:
        try:
            leftovers = asyncio.all_tasks(loop)
            for task in leftovers:
                task.cancel()
            if leftovers:
                loop.run_until_complete(asyncio.wait(leftovers, timeout=grace))
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            loop.close()


def run_with_app(settings: Settings, work: Callable[[App], Awaitable[T]]) -> T:
    """Build the app, run ``work`` with it, and close it."""

    async def main() -> T:
        app = build_app(settings)
        try:
            return await work(app)
        finally:
            await app.close()

    return run_async(main())


def shown_url(url: str) -> str:
    """A database URL fit for a terminal: the password hidden."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a malformed URL is shown as given, minus nothing secret
        return url.split("@", 1)[-1]


# --- ``relais try`` databases --------------------------------------------------------------

TRY_MARKER = "try_database"  # key in ``relais_meta`` written by ``relais try`` on its databases


class DatabaseKind(enum.StrEnum):
    NEW = "new"  # no tables at all (or only an empty alembic_version): may become a try database
    TRY = "try"  # created by ``relais try``: may be seeded with the sample and wiped
    OTHER = "other"  # anything else (a real database): never wiped, never seeded


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for another backend or an in-memory database)."""
    if not url.startswith("sqlite"):
        return None
    path = url.split(":///", 1)[1].split("?", 1)[0] if ":///" in url else ""
    if not path or path == ":memory:" or path.startswith("file::memory:"):
        return None
    return Path(path.removeprefix("file:"))


def _table_names(connection) -> set[str]:  # type: ignore[no-untyped-def]
    if connection.dialect.name == "postgresql":
        default = connection.execute(text("SELECT current_schema()")).scalar()
        rows = connection.execute(text(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema <> 'information_schema' AND table_schema NOT LIKE 'pg\\_%'"
        )).all()
        return {name if schema == default else f"{schema}.{name}" for schema, name in rows}
    from sqlalchemy import inspect

    return set(inspect(connection).get_table_names())


def _kind(connection) -> DatabaseKind:  # type: ignore[no-untyped-def]
    names = _table_names(connection)
    if not names - {"alembic_version"}:
        if "alembic_version" in names and connection.execute(
            text("SELECT count(*) FROM alembic_version")
        ).scalar():
            return DatabaseKind.OTHER
        return DatabaseKind.NEW
    if "relais_meta" in names and connection.execute(
        text("SELECT value FROM relais_meta WHERE key = :key"), {"key": TRY_MARKER}
    ).first():
        return DatabaseKind.TRY
    return DatabaseKind.OTHER


async def database_kind(engine: AsyncEngine) -> DatabaseKind:
    """Whether the database is new, a ``relais try`` database, or any other one.

    A SQLite file that does not exist is new and is not created here.
    """
    path = sqlite_file(engine.url.render_as_string(hide_password=False))
    if path is not None and not path.exists():
        return DatabaseKind.NEW
    async with engine.connect() as connection:
        return await connection.run_sync(_kind)


async def mark_try_database(engine: AsyncEngine, now: str) -> None:
    """Write the try marker (the schema must be migrated); nothing if it is there already."""
    async with engine.begin() as connection:
        if not (await connection.execute(
            text("SELECT 1 FROM relais_meta WHERE key = :key"), {"key": TRY_MARKER}
        )).first():
            await connection.execute(
                text("INSERT INTO relais_meta (key, value) VALUES (:key, :value)"),
                {"key": TRY_MARKER, "value": f"created by relais try, {now}"},
            )


# --- a database that cannot be reached ------------------------------------------------------

_DRIVER_MODULES = ("asyncpg", "aiosqlite", "sqlite3", "sqlalchemy", "alembic", "bot.db")


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        error = todo.pop()
        if error is None or id(error) in seen:
            continue
        seen.add(id(error))
        yield error
        todo += [error.__cause__, error.__context__, getattr(error, "orig", None)]


def _raised_by_driver(error: BaseException) -> bool:
    return any(
        str(frame.f_globals.get("__name__", "")).startswith(_DRIVER_MODULES)
        for frame, _line in traceback.walk_tb(error.__traceback__)
    )


def unreachable_database_cause(exc: BaseException) -> str | None:
    """One line naming why the database cannot be reached, or None for any other error.

    Covers nothing listening, an unknown host, a missing database, refused credentials and a
    SQLite file that cannot be opened; other errors keep their traceback.
    """
    import asyncpg.exceptions as pg

    connection_errors = (
        pg.InvalidCatalogNameError, pg.InvalidAuthorizationSpecificationError,
        pg.CannotConnectNowError, pg.TooManyConnectionsError, pg.PostgresConnectionError,
    )
    for error in _chain(exc):
        if isinstance(error, connection_errors) or (
            isinstance(error, sqlite3.OperationalError) and "unable to open" in str(error)
        ):
            cause = str(error)
        elif isinstance(error, OSError) and _raised_by_driver(error):
            reason = os.strerror(error.errno) if error.errno else type(error).__name__
            detail = error.strerror or str(error)
            cause = reason if detail == reason else f"{reason}: {detail}"
        else:
            continue
        return " ".join(cause.split())
    return None


def report_unreachable_database(exc: BaseException) -> bool:
    """Print one line when ``exc`` means the database cannot be reached; False otherwise."""
    cause = unreachable_database_cause(exc)
    if cause is None:
        return False
    where = f" {shown_url(_current_database[0])}" if _current_database else ""
    print(f"relais: cannot reach the database{where}: {cause}", file=sys.stderr)
    return True
