from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest

from tests.broadcasts.helpers import stop_background_broadcasts
from tests.support.chat import Chat
from tests.support.databases import PG_ENV


@pytest.fixture(scope="session", autouse=True)
def _postgres_first(request: pytest.FixtureRequest) -> None:
    """Create the session's PostgreSQL database outside any event loop (its fixture uses
    ``asyncio.run``, which cannot run inside the async ``db_url`` fixture)."""
    if os.environ.get(PG_ENV):
        request.getfixturevalue("postgres_database")


@pytest.fixture
async def bchat(chat: Chat) -> AsyncIterator[Chat]:
    """The conversation harness with delivery driven by the test (no background loop)."""
    await stop_background_broadcasts(chat)
    yield chat
