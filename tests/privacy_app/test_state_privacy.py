"""What is kept between two messages: conversation state expires in Redis, holds no raw typed
text of a search, and a handoff keeps only the interpreted criteria of the search it came from."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import App
from bot.config import Settings
from bot.models.core import Worker
from bot.models.handoffs import Handoff
from bot.services.directory.criteria import STORED_KEYS, Criteria, stored_criteria
from bot.services.handoffs import service
from tests.handoffs.conftest import add_case, add_service
from tests.support.chat import Chat
from tests.support.leaks import assert_no_leak, chat_storage, find_leaks, redis_keys

TTL_HOURS = 2


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"state_ttl_hours": TTL_HOURS})


def test_state_ttl_setting() -> None:
    assert Settings(_env_file=None).state_ttl_hours == 24  # type: ignore[call-arg]
    assert Settings(_env_file=None, state_ttl_hours=6).state_ttl_hours == 6  # type: ignore[call-arg]


async def test_redis_conversation_keys_expire(chat: Chat, app: App) -> None:
    if app.redis is None:
        pytest.skip("conversation state is in Redis only with RELAIS_TEST_REDIS_URL")
    await chat.register("alice", lang="fr")
    await chat.register("bob", lang="en")
    await chat.say("alice", "/remind appeler le refuge pour la place")  # state "when" + data
    await chat.say("bob", "a 15 year old in Montreal")  # a search: its criteria in the data
    keys = await redis_keys(app, "fsm:*")
    assert any(k.endswith(":state") for k in keys) and any(k.endswith(":data") for k in keys)
    for key in keys:
        if key.endswith((":state", ":data")):
            ttl = await app.redis.ttl(key)
            assert 0 < ttl <= TTL_HOURS * 3600, (key, ttl)
    # nothing of the state is kept without an expiry
    for key in await redis_keys(app, "*"):
        assert await app.redis.ttl(key) != -1, key


async def test_handoff_keeps_only_interpreted_criteria(chat: Chat, app: App) -> None:
    alice = await chat.register("alice", lang="fr")
    bob = await chat.register("bob", lang="fr")
    svc = await add_service(app, "Hébergement Test", receivers=(bob,))
    case = await add_case(app, alice)
    typed = {  # an older stored search (leftover words) and anything else: not kept
        "regions": ["06"], "needs": ["hebergement-urgence-jeunesse"], "age": 15,
        "language": "fr", "now": True, "urgent": False, "place": "Montréal",
        "text_terms": ["jess", "tremblay", "gmail"], "keywords": ["hebergement", "jess"],
        "query": "hébergement Montréal 15 ans pour Jess Tremblay 514-555-1234",
    }
    async with app.sessionmaker() as session:
        requester = await session.get(Worker, alice.id)
        await service.create(app, session, requester=requester, case=case, service_id=svc.id,
                             criteria=typed)
        await session.commit()
    async with app.sessionmaker() as session:
        handoff = await session.scalar(select(Handoff))
    assert handoff is not None
    assert set(handoff.criteria) == set(STORED_KEYS)
    assert handoff.criteria == {
        "regions": ["06"], "needs": ["hebergement-urgence-jeunesse"], "age": 15,
        "language": "fr", "now": True, "urgent": False, "keywords": ["hebergement"],
        "place": "Montréal", "youth": False, "near": False,
    }
    await assert_no_leak(app, ["jess", "tremblay", "gmail", "555-1234"], storage=chat_storage(chat))


def test_criteria_stored_form_is_interpreted_only() -> None:
    found = Criteria.from_dict({"regions": ("16",), "age": "16", "keywords": ["refuge", "kayla"],
                                "text_terms": ["kayla"], "needs": "shelter"})
    assert found == Criteria(regions=("16",), keywords=("refuge",))
    assert list(found.to_dict()) == list(STORED_KEYS)
    assert stored_criteria(None) == Criteria().to_dict()


def test_interpretation_keeps_vocabulary_words_only(app: App) -> None:
    from bot.services.directory import interpret

    found = interpret("hébergement Longueuil 16 ans ce soir pour Kayla zorglub", "fr",
                      gazetteer=app.gazetteer, taxonomy=app.taxonomy)
    assert found.criteria.regions == ("16",) and found.criteria.age == 16
    assert set(found.criteria.keywords) <= app.taxonomy.vocabulary
    stored = str(found.criteria.to_dict()).lower()
    assert "kayla" not in stored and "zorglub" not in stored


async def test_leak_scan_sees_conversation_state(chat: Chat, app: App) -> None:
    """The scan is not blind: a screened reminder subject waiting for its moment is found in
    the conversation state (Redis, or memory without it), and nowhere once the flow ends."""
    await chat.register("alice", lang="fr")
    await chat.say("alice", "/remind appeler le refuge pour la place")
    found = await find_leaks(app, ["refuge pour la place"], storage=chat_storage(chat))
    assert [leak.where.startswith(("redis:", "memory state")) for leak in found] == [True]
    await chat.press("alice", "Dans 1 heure")
    found = await find_leaks(app, ["refuge pour la place"], storage=chat_storage(chat))
    assert found == []  # stored encrypted in the reminder; the state is cleared
