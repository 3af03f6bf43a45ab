"""Fixtures shared by the whole suite: database backends, the app, the conversation harness.

Every test that takes ``db_url`` (directly or through ``app``/``chat``) runs on SQLite and, when
``RELAIS_TEST_DATABASE_URL`` is set, again on PostgreSQL (with Redis for conversation state and
update dedupe when ``RELAIS_TEST_REDIS_URL`` is set too).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest

from bot.app import App, build_app
from bot.clock import FakeClock
from bot.config import Settings
from tests.support.chat import Chat
from tests.support.databases import (
    PG_ENV,
    REDIS_ENV,
    PostgresDatabase,
    SqliteTemplate,
    backends,
    run_in_thread,
    truncate_all,
)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", backends(), scope="session")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplate:
    return SqliteTemplate(tmp_path_factory.mktemp("sqlite"))


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[PostgresDatabase]:
    from bot.db.migrate import upgrade_sync

    database = PostgresDatabase(os.environ[PG_ENV])
    run_in_thread(database.create)
    try:
        upgrade_sync(database.url)
        yield database
    finally:
        run_in_thread(database.drop)


@pytest.fixture
async def db_url(backend: str, request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """A migrated, empty database of the parametrised backend."""
    if backend == "sqlite":
        yield request.getfixturevalue("sqlite_template").fresh_url()
        return
    database: PostgresDatabase = request.getfixturevalue("postgres_database")
    from bot.db.engine import make_engine

    engine = make_engine(database.url)
    await truncate_all(engine)
    await engine.dispose()
    yield database.url


@pytest.fixture
def redis_url(backend: str) -> str | None:
    return os.environ.get(REDIS_ENV) if backend == "postgresql" else None


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(db_url: str, redis_url: str | None, tmp_path) -> Settings:  # type: ignore[no-untyped-def]
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=db_url,
        redis_url=redis_url,
        bot_token=None,
        default_language="fr",
        timezone="America/Toronto",
    )


@pytest.fixture
async def app(settings: Settings, clock: FakeClock) -> AsyncIterator[App]:
    prefix = f"relais-test-{uuid.uuid4().hex[:8]}"
    application = build_app(settings, clock=clock, redis_prefix=prefix)
    try:
        yield application
    finally:
        if application.redis is not None:
            keys = [key async for key in application.redis.scan_iter(f"{prefix}:*")]
            if keys:
                await application.redis.delete(*keys)
        await application.close()


@pytest.fixture
async def chat(app: App) -> AsyncIterator[Chat]:
    harness = Chat(app)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.close()


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The functions sent to aiosqlite's thread (SQLite), by name."""
    import aiosqlite

    sent: list[str] = []
    original = aiosqlite.Connection._execute

    async def counted(self, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        sent.append(getattr(fn, "__name__", repr(fn)))
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return sent
