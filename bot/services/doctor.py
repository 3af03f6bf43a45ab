"""``relais doctor``: the checks an operator runs first, one line each.

The checks that need no Telegram live here (configuration, database and migrations, Redis, the
data key, the webhook secret); the Bot API checks are in :mod:`bot.cli.doctor`, where aiogram may
be imported. A check never prints a stored text, a name, a user id or a secret: it names what it
looked at (a table and column, a URL with its password hidden) and why it failed.
"""

from __future__ import annotations

import asyncio
import enum
import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import WEBHOOK_SECRET_MIN_PRODUCTION, ConfigError, Settings, load_settings

if TYPE_CHECKING:
    from bot.app import App

NETWORK_SECONDS = 10.0  # every connection a check makes is bounded by this

# Columns holding Fernet tokens, read to prove the key opens what is stored. The outbox's queued
# messages are encrypted too (bot.services.outgoing) though not listed in crypto's rotation list.
OUTBOX_COLUMN = ("bot.models.inbox", "OutboxMessage", "body_enc")


class Status(enum.StrEnum):
    OK = "ok"
    FAIL = "FAIL"
    INFO = "info"  # reported, nothing to check (e.g. Redis not configured)
    SKIP = "skip"  # could not be checked because an earlier check failed


@dataclass(frozen=True)
class Check:
    """One line of the doctor's report."""

    name: str
    status: Status
    detail: str

    @property
    def failed(self) -> bool:
        return self.status is Status.FAIL

    def line(self) -> str:
        return f"{self.status.value:<6}{self.name}: {self.detail}"


def ok(name: str, detail: str) -> Check:
    return Check(name, Status.OK, detail)


def fail(name: str, detail: str) -> Check:
    return Check(name, Status.FAIL, detail)


def info(name: str, detail: str) -> Check:
    return Check(name, Status.INFO, detail)


def skip(name: str, detail: str) -> Check:
    return Check(name, Status.SKIP, detail)


def exit_status(checks: list[Check]) -> int:
    """0 when nothing failed, 1 otherwise."""
    return 1 if any(check.failed for check in checks) else 0


def error_name(exc: BaseException) -> str:
    """The innermost cause's class name: what an operator searches for (never its text, which
    may carry a password or a host's answer)."""
    for _ in range(10):
        inner = getattr(exc, "orig", None) or exc.__cause__
        if inner is None or inner is exc:
            break
        exc = inner
    return type(exc).__name__


def shown_url(url: str) -> str:
    """A URL fit for a terminal: no password."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a malformed URL loses everything before the host
        return url.split("@", 1)[-1]


# --- configuration ----------------------------------------------------------------------------

def check_configuration(**overrides: object) -> tuple[Check, Settings | None]:
    """Load the settings as every command does; a wrong variable is named."""
    try:
        settings = load_settings(**overrides)
    except ConfigError as exc:
        return fail("configuration", str(exc)), None
    backend = "SQLite" if settings.is_sqlite else "PostgreSQL"
    redis = ", Redis" if settings.redis_url else ""
    return ok("configuration", f"valid ({settings.mode} mode, {backend}{redis})"), settings


# --- database ---------------------------------------------------------------------------------

def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for PostgreSQL or an in-memory database)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite"):
        return None
    database = (parsed.database or "").removeprefix("file:")
    if not database or database == ":memory:":
        return None
    return Path(database)


def migration_heads(database_url: str) -> set[str]:
    """The revisions of this version of Relais's migrations."""
    from alembic.script import ScriptDirectory

    from bot.db.migrate import alembic_config

    return set(ScriptDirectory.from_config(alembic_config(database_url)).get_heads())


async def database_revisions(app: App) -> set[str] | None:
    """The revisions the database is at (None: never migrated, no ``alembic_version``)."""
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import inspect

    def read(connection) -> set[str] | None:  # type: ignore[no-untyped-def]
        if "alembic_version" not in inspect(connection).get_table_names():
            return None
        return set(MigrationContext.configure(connection).get_current_heads())

    async with app.engine.connect() as connection:
        return await connection.run_sync(read)


async def check_database(app: App) -> Check:
    """Reachable, and migrated to this version's head; a SQLite file is never created here."""
    url = app.settings.database_url
    path = sqlite_path(url)
    if path is not None and not path.exists():
        return fail("database", f"no database file at {path} (`relais db upgrade` creates it)")
    try:
        current = await asyncio.wait_for(database_revisions(app), NETWORK_SECONDS)
    except TimeoutError:
        return fail("database", f"cannot connect to {shown_url(url)} (no answer in "
                    f"{NETWORK_SECONDS:.0f} s)")
    except Exception as exc:  # noqa: BLE001 - any failure to connect is this check's answer
        return fail("database", f"cannot connect to {shown_url(url)} ({error_name(exc)})")
    heads = migration_heads(url)
    head = ", ".join(sorted(heads))
    if current is None or not current:
        return fail("database", f"reachable, but not migrated (head is {head}): run "
                    "`relais db upgrade`")
    if current == heads:
        return ok("database", f"reachable, migrations at head ({head})")
    unknown = current - known_revisions(url)
    if unknown:
        return fail("database", f"reachable, at {', '.join(sorted(unknown))}, which this "
                    f"version of Relais does not know (head {head}): a newer Relais migrated it")
    return fail("database", f"reachable, migrations at {', '.join(sorted(current))}, head is "
                f"{head}: run `relais db upgrade`")


def known_revisions(database_url: str) -> set[str]:
    """Every revision of this version of Relais's migrations (a newer database has others)."""
    from alembic.script import ScriptDirectory

    from bot.db.migrate import alembic_config

    script = ScriptDirectory.from_config(alembic_config(database_url))
    return {revision.revision for revision in script.walk_revisions()}


# --- Redis ------------------------------------------------------------------------------------

async def check_redis(settings: Settings) -> Check:
    """A PING to ``RELAIS_REDIS_URL`` when it is set."""
    if not settings.redis_url:
        return info("redis", "not configured (RELAIS_REDIS_URL is not set: conversation state "
                    "stays in each process, so run one process only)")
    from redis.asyncio import Redis

    client = Redis.from_url(settings.redis_url, socket_connect_timeout=NETWORK_SECONDS,
                            socket_timeout=NETWORK_SECONDS)
    kwargs = client.connection_pool.connection_kwargs
    where = kwargs.get("path") or f"{kwargs.get('host', '?')}:{kwargs.get('port', 6379)}"
    try:
        await asyncio.wait_for(client.ping(), NETWORK_SECONDS + 1)
    except Exception as exc:  # noqa: BLE001 - any failure to connect is this check's answer
        return fail("redis", f"cannot connect to {where} ({error_name(exc)})")
    finally:
        await client.aclose()
    return ok("redis", f"reachable at {where}")


# --- data key ---------------------------------------------------------------------------------

def key_settings(settings: Settings) -> tuple[Settings, str | None]:
    """The settings with the key a process would use, and where it comes from (None: no key).

    In development without ``RELAIS_DATA_KEY`` the key file next to a SQLite database is read
    if it exists; the doctor never creates it."""
    from bot.services import crypto

    if settings.data_key is not None and settings.data_key.get_secret_value().strip():
        return settings, "RELAIS_DATA_KEY"
    path = crypto.local_key_path(settings.database_url)
    if settings.mode == "development" and path.exists():
        return crypto.ensure_local_key(settings), f"development key file {path}"
    return settings, None


async def stored_tokens(app: App) -> list[tuple[str, str]]:
    """The newest stored token of each encrypted column that holds any: (table.column, token)."""
    from sqlalchemy import select

    from bot.services.crypto import ENCRYPTED_COLUMNS

    found: list[tuple[str, str]] = []
    columns = list(ENCRYPTED_COLUMNS)
    if OUTBOX_COLUMN not in columns:
        columns.append(OUTBOX_COLUMN)
    async with app.sessionmaker() as session:
        for module_name, class_name, attribute in columns:
            try:
                model = getattr(importlib.import_module(module_name), class_name)
            except (ModuleNotFoundError, AttributeError):
                continue
            column = getattr(model, attribute)
            key = next(iter(model.__table__.primary_key.columns))
            token = await session.scalar(
                select(column).where(column.is_not(None)).order_by(key.desc()).limit(1))
            if token:
                found.append((f"{model.__tablename__}.{attribute}", token))
    return found


async def check_data_key(app: App, source: str | None, *, database_ok: bool) -> Check:
    """The key opens what is stored (one value per encrypted column), or, with nothing stored,
    survives an encrypt/decrypt round trip."""
    from bot.services import crypto

    settings = app.settings
    if source is None:
        if settings.mode == "production":
            return fail("data key", "RELAIS_DATA_KEY is not set: in production Relais will not "
                        "start without it")
        where = crypto.local_key_path(settings.database_url)
        if database_ok and await stored_tokens(app):
            return fail("data key", "RELAIS_DATA_KEY is not set and there is no development "
                        f"key file at {where}: the stored notes cannot be read")
        return info("data key", f"not set; development keeps one in {where}, created at first "
                    "start (set RELAIS_DATA_KEY in production)")
    try:
        keys = crypto.parse_keys(settings.data_key.get_secret_value())  # type: ignore[union-attr]
    except crypto.MissingKey as exc:
        return fail("data key", str(exc).removeprefix("RELAIS_DATA_KEY: "))
    count = f"{len(keys)} key{'s' if len(keys) > 1 else ''} from {source}"
    if not database_ok:
        return _round_trip(app, count, "stored notes not checked: the database is unreachable")
    try:
        tokens = await asyncio.wait_for(stored_tokens(app), NETWORK_SECONDS * 3)
    except Exception as exc:  # noqa: BLE001 - reading failed: the key itself is still checked
        return _round_trip(app, count, f"stored notes not read ({error_name(exc)})")
    if not tokens:
        return _round_trip(app, count, "nothing encrypted is stored yet")
    for where, token in tokens:
        try:
            crypto.decrypt(app, token)
        except crypto.UndecryptableText:
            return fail("data key", f"{count} cannot decrypt the stored {where}: the key that "
                        "encrypted it is missing from RELAIS_DATA_KEY")
    names = ", ".join(where for where, _ in tokens)
    return ok("data key", f"{count}; decrypted a stored value of {names}")


def _round_trip(app: App, count: str, why: str) -> Check:
    from bot.services import crypto

    probe = "relais doctor"
    if crypto.decrypt(app, crypto.encrypt(app, probe)) != probe:  # pragma: no cover - Fernet
        return fail("data key", f"{count}: encrypt/decrypt round trip failed")
    return ok("data key", f"{count}; {why}, encrypt/decrypt round trip works")


# --- webhook secret ---------------------------------------------------------------------------

def check_webhook_secret(settings: Settings) -> Check:
    """Telegram never shows the registered secret: this checks the configured one."""
    if not settings.webhook_url:
        return info("webhook secret", "not needed (long polling: RELAIS_WEBHOOK_URL is not set)")
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
    if not secret:
        return fail("webhook secret", "RELAIS_WEBHOOK_SECRET is not set: anyone could post "
                    "updates (`relais webhook secret` prints one)")
    note = ("Telegram does not reveal the registered secret: after changing it, run "
            "`relais webhook set` again")
    if len(secret) < WEBHOOK_SECRET_MIN_PRODUCTION:
        if settings.mode == "production":
            return fail("webhook secret", f"RELAIS_WEBHOOK_SECRET has {len(secret)} characters; "
                        f"production needs at least {WEBHOOK_SECRET_MIN_PRODUCTION} "
                        "(`relais webhook secret` prints one)")
        return ok("webhook secret", f"set ({len(secret)} characters; production needs "
                  f"{WEBHOOK_SECRET_MIN_PRODUCTION}); {note}")
    return ok("webhook secret", f"set ({len(secret)} characters); {note}")


def expected_webhook_url(settings: Settings) -> str | None:
    """The URL ``relais webhook set`` registers (None in long polling)."""
    if not settings.webhook_url:
        return None
    return f"{settings.webhook_url.rstrip('/')}/telegram"


# --- the whole local part ---------------------------------------------------------------------

async def local_checks(app: App, key_source: str | None) -> list[Check]:
    """Database, Redis, data key and webhook secret, in the order an operator fixes them."""
    database = await check_database(app)
    redis = await check_redis(app.settings)
    key = await check_data_key(app, key_source, database_ok=not database.failed)
    return [database, redis, key, check_webhook_secret(app.settings)]
