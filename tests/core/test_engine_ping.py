"""PostgreSQL connections are checked before use only after sitting idle
(:func:`bot.db.engine.ping_when_idle`): a connection closed by the server while idle is replaced
unseen; one closed while in use fails its next statement once, and the pool is then renewed."""

from __future__ import annotations

import asyncio
import os

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bot.db.engine import PING_AFTER_IDLE_SECONDS, make_engine
from tests.support.databases import PG_ENV

pytestmark = pytest.mark.skipif(not os.environ.get(PG_ENV),
                                reason="PostgreSQL only (RELAIS_TEST_DATABASE_URL)")


async def backend_pid(engine) -> int:  # type: ignore[no-untyped-def]
    async with engine.connect() as connection:
        return int((await connection.execute(text("select pg_backend_pid()"))).scalar_one())


async def terminate(pid: int) -> None:
    """Close a server connection from the server's side, as a restart would."""
    admin = await asyncpg.connect(os.environ[PG_ENV])
    try:
        assert await admin.fetchval("select pg_terminate_backend($1)", pid)
    finally:
        await admin.close()


@pytest.fixture
async def engine(postgres_database):  # type: ignore[no-untyped-def]
    engine = make_engine(postgres_database.url)
    yield engine
    await engine.dispose()


async def test_a_connection_closed_while_idle_is_replaced_before_use(engine):
    first = await backend_pid(engine)
    await terminate(first)
    await asyncio.sleep(PING_AFTER_IDLE_SECONDS + 0.2)
    assert await backend_pid(engine) != first  # no error: the check found it closed


async def test_a_busy_connection_is_not_checked_and_a_closed_one_fails_once(engine):
    first = await backend_pid(engine)
    assert await backend_pid(engine) == first  # reused at once, unchecked
    await terminate(first)
    with pytest.raises(DBAPIError) as failure:
        await backend_pid(engine)
    assert failure.value.connection_invalidated
    assert await backend_pid(engine) != first  # the pool was renewed
