"""Directory searches are screened: an identifying question is deleted and refused, never
answered, and nothing of it is stored; a clean one keeps only its interpretation."""

from __future__ import annotations

import pytest
from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import select

from bot.app import App
from bot.models.directory import DirectoryService
from bot.models.handoffs import Handoff
from bot.services.directory import receivers
from bot.services.directory.criteria import STORED_KEYS
from handlers.directory import STATE_KEY
from knowledge.seed import ensure_sample_directory
from tests.privacy_app.helpers import audit_actions
from tests.support.chat import Chat
from tests.support.leaks import assert_no_leak, chat_storage, find_leaks

INJECTED = ["jess", "tremblay", "555-1234", "gmail"]  # (the sample directory has 514-555 lines)
QUESTIONS = {
    "fr": "hébergement Montréal 15 ans pour Jess Tremblay 514-555-1234",
    "en": "shelter in Montreal for a 15 year old, Jess Tremblay 514-555-1234",
}
FIND = {
    "fr": "/find hébergement 16 ans Longueuil, son courriel jess.tremblay@gmail.com",
    "en": "/find shelter 16 yo Longueuil, her email is jess.tremblay@gmail.com",
}
REFUSAL = {
    "fr": "Votre message contenait {kinds}. Il n'a pas été transmis et je l'ai supprimé de la "
          "conversation.",
    "en": "Your message contained {kinds}. It was not transmitted and I deleted it from the "
          "conversation.",
}
NAME_AND_PHONE = {"fr": "un nom de personne et un numéro de téléphone",
                  "en": "a person's name and a phone number"}
EMAIL = {"fr": "une adresse courriel", "en": "an email address"}
# A clean question with a word the screen lets through and Relais does not know.
CLEAN = {"fr": "un jeune de 15 ans à Montréal zorglub", "en": "a 15 year old in Montreal zorglub"}
MORE = {"fr": "Plus de résultats", "en": "More results"}
FLOW = {
    "fr": {"request": "🤝 4", "new": "Nouveau dossier", "consent": "Oui, le ou la jeune consent",
           "urgent": "Urgente", "without": "Envoyer sans note", "sent": "Demande envoyée"},
    "en": {"request": "🤝 4", "new": "New case", "consent": "Yes, the youth consents",
           "urgent": "Urgent", "without": "Send without a note", "sent": "Request sent"},
}


@pytest.fixture
async def seeded(app: App) -> App:
    assert await ensure_sample_directory(app) > 100
    return app


async def fsm_data(chat: Chat, name: str) -> dict:
    """NAME's conversation data, from the dispatcher's storage (memory or Redis)."""
    console = chat.console
    assert console.dispatcher is not None and console.bot is not None
    user_id = chat.user_id(name)
    key = StorageKey(bot_id=console.bot.id, chat_id=user_id, user_id=user_id)
    return await console.dispatcher.fsm.storage.get_data(key)


def assert_refused(chat: Chat, name: str, events: list, lang: str, kinds: str) -> None:
    """The message was deleted, the reply names the kinds, and no search was answered."""
    user_message_id = chat.telegram.last_message_id[chat.user_id(name)] - 1
    deleted = [(e.chat_id, e.message_id) for e in events if e.kind == "delete"]
    assert deleted == [(chat.user_id(name), user_message_id)]
    sent = [e for e in events if e.kind == "send"]
    assert len(sent) == 1
    assert sent[0].text.startswith(REFUSAL[lang].format(kinds=kinds))
    assert not sent[0].text.startswith("🔎") and not sent[0].buttons
    for needle in INJECTED:
        assert needle not in sent[0].text.lower()


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_identifying_question_is_refused_deleted_and_not_stored(
        chat: Chat, seeded: App, lang: str) -> None:
    await chat.register("alice", regions=("06",), lang=lang)
    events = await chat.say("alice", QUESTIONS[lang])
    assert_refused(chat, "alice", events, lang, NAME_AND_PHONE[lang])
    assert STATE_KEY not in await fsm_data(chat, "alice")
    refused = await audit_actions(seeded, "privacy.refused")
    assert [(r.details["context"], r.details["kinds"]) for r in refused] == [
        ("directory.search", "PERSON,PHONE")]
    await assert_no_leak(seeded, INJECTED, storage=chat_storage(chat))


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_identifying_find_arguments_are_refused(chat: Chat, seeded: App, lang: str) -> None:
    await chat.register("alice", regions=("16",), lang=lang)
    events = await chat.say("alice", FIND[lang])
    assert_refused(chat, "alice", events, lang, EMAIL[lang])
    assert STATE_KEY not in await fsm_data(chat, "alice")
    await assert_no_leak(seeded, INJECTED, storage=chat_storage(chat))


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_expired_report_falls_back_to_a_screened_search(
        chat: Chat, seeded: App, lang: str) -> None:
    """A report started and forgotten: the next text is a question, screened all the same."""
    await chat.register("alice", regions=("06",), lang=lang)
    await chat.say("alice", CLEAN[lang])
    await chat.press("alice", "⚠️ 1")
    seeded.clock.advance(16 * 60)  # type: ignore[attr-defined]
    events = await chat.say("alice", QUESTIONS[lang])
    assert_refused(chat, "alice", events, lang, NAME_AND_PHONE[lang])
    await assert_no_leak(seeded, INJECTED, storage=chat_storage(chat))


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_clean_question_keeps_only_its_interpretation(
        chat: Chat, seeded: App, lang: str) -> None:
    await chat.register("alice", regions=("06",), lang=lang)
    bob = await chat.register("bob", regions=("06",), lang=lang)
    async with seeded.sessionmaker() as session:  # bob receives for every listing
        for sid in (await session.scalars(select(DirectoryService.id))).all():
            await receivers.add_receiver(session, sid, bob, seeded.clock.now())
        await session.commit()
    events = await chat.say("alice", CLEAN[lang])
    assert not any(e.kind == "delete" for e in events)
    first = events[-1].text
    assert first.startswith("🔎 Montr") and "zorglub" not in first

    stored = (await fsm_data(chat, "alice"))[STATE_KEY]
    assert len(stored) == 1
    (search,) = stored.values()
    assert set(search["criteria"]) == set(STORED_KEYS)
    assert search["criteria"]["regions"] == ["06"] and search["criteria"]["age"] == 15
    assert set(search["criteria"]["keywords"]) <= seeded.taxonomy.vocabulary
    assert await find_leaks(seeded, ["zorglub"], storage=chat_storage(chat)) == []

    # "More results" works from the stored interpretation alone.
    events = await chat.press("alice", MORE[lang])
    second = events[-1].text
    assert "4. " in second and "zorglub" not in second
    names_1 = {line for line in first.splitlines() if line[:2] in ("1.", "2.", "3.")}
    assert not names_1 & set(second.splitlines())

    # A handoff asked from this search keeps the same interpretation, nothing typed.
    words = FLOW[lang]
    request = next(b for row in chat.telegram.latest_with_buttons(chat.user_id("alice"))
                   ["reply_markup"]["inline_keyboard"] for b in row
                   if b["text"].startswith(words["request"]))
    service_id = int(request["callback_data"].split(":")[1])
    async with seeded.sessionmaker() as session:
        await receivers.add_receiver(session, service_id, bob, seeded.clock.now())
        await session.commit()
    await chat.press("alice", words["request"])
    await chat.press("alice", words["new"])
    await chat.press("alice", words["consent"])
    await chat.press("alice", words["urgent"])
    events = await chat.press("alice", words["without"])
    assert words["sent"] in chat.texts("alice", events)
    async with seeded.sessionmaker() as session:
        handoff = await session.scalar(select(Handoff))
    assert handoff is not None and handoff.service_id == service_id
    assert set(handoff.criteria) == set(STORED_KEYS)
    assert handoff.criteria["regions"] == ["06"] and handoff.criteria["age"] == 15
    assert await find_leaks(seeded, ["zorglub"], storage=chat_storage(chat)) == []
