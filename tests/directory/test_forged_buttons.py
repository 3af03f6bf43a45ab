"""Forged button data with numbers no id can have gets the usual refusal, never a crash."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.app import App
from bot.models.directory import ServiceCapacity
from handlers.runtime import stop_background
from tests.handoffs.conftest import add_service
from tests.support.chat import Chat

HUGE = "99999999999999999999"
STALE_FR = "Ce bouton n'est plus valide."
APOLOGY_FR = "Désolé"


@pytest.fixture(autouse=True)
def _postgres_first(request: pytest.FixtureRequest) -> None:
    """Create the PostgreSQL database outside the event loop (see tests/handoffs/conftest.py)."""
    if "backend" in request.fixturenames and request.getfixturevalue("backend") == "postgresql":
        request.getfixturevalue("postgres_database")


@pytest.fixture
async def quiet_chat(chat: Chat) -> AsyncIterator[Chat]:
    await stop_background(chat.console.tasks)
    chat.console.tasks = []
    yield chat


async def press_data(chat: Chat, name: str, data: str) -> list:  # type: ignore[type-arg]
    chat.as_user(name)
    user_id = chat.user_id(name)
    message = {"message_id": 1, "date": 0, "chat": {"id": user_id, "type": "private"}}
    start = len(chat.telegram.events)
    await chat.console.feed(chat.telegram.user_presses(user_id, message, data))
    return chat.telegram.events[start:]


@pytest.mark.parametrize("data", [
    f"cst:{HUGE}:set:5",
    f"cst:{HUGE}:add:1",
    f"cst:-{HUGE}:set:5",
    f"cpk:{HUGE}",
    f"derr:{HUGE}",
    f"hreq:{HUGE}",
    f"dpg:abc:{HUGE}",
    f"wk:{HUGE}",
    f"wkc:{HUGE}:activate",
    f"rem:done:{HUGE}",
])
async def test_forged_huge_numbers_are_refused(quiet_chat: Chat, data: str) -> None:
    chat = quiet_chat
    await chat.register("cora", role="coordinator", lang="fr")
    events = await press_data(chat, "cora", data)
    assert [e.kind for e in events] == ["notice"], events
    assert STALE_FR in events[0].text and APOLOGY_FR not in events[0].text
    # nothing is broken: the next command works
    events = await chat.say("cora", "/oncall")
    assert "de garde" in chat.texts("cora", events)


async def test_forged_capacity_values_of_a_receiver(quiet_chat: Chat, app: App) -> None:
    chat = quiet_chat
    alice = await chat.register("alice", lang="fr")
    svc = await add_service(app, "Hébergement Capacité", receivers=(alice,))
    for data in (f"cst:{svc.id}:set:{HUGE}", f"cst:{svc.id}:add:{HUGE}",
                 f"cst:{svc.id}:set:5000"):
        events = await press_data(chat, "alice", data)
        assert len(events) == 1 and APOLOGY_FR not in events[0].text, events
        assert STALE_FR in events[0].text or "entre 0 et 999" in events[0].text
    async with app.sessionmaker() as session:
        assert list(await session.scalars(select(ServiceCapacity))) == []
    # a real button still works, the first time a capacity is given for this service
    await chat.say("alice", "/capacity")
    events = await chat.press("alice", "3")
    assert "Hébergement Capacité" in chat.texts("alice", events)
    async with app.sessionmaker() as session:
        saved = list(await session.scalars(select(ServiceCapacity)))
    assert [c.available for c in saved] == [3]
