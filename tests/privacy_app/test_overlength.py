"""A text that is both identifying and too long is screened first: deleted and refused as
identifying (not merely as too long), and nothing of it is stored. Reminders, directory searches
and error reports on a listing, in French and in English."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.models.reminders import ScheduledJob
from bot.services.reminders import personal
from knowledge.seed import ensure_sample_directory
from tests.privacy_app.helpers import audit_actions
from tests.support.chat import Chat
from tests.support.leaks import assert_no_leak, chat_storage

INJECTED = ["jess", "tremblay", "555-1234"]
REFUSAL = {
    "fr": "Votre message contenait un nom de personne et un numéro de téléphone. Il n'a pas été "
          "transmis et je l'ai supprimé de la conversation.",
    "en": "Your message contained a person's name and a phone number. It was not transmitted and "
          "I deleted it from the conversation.",
}
TOO_LONG_REMINDER = {"fr": "C'est trop long pour un rappel", "en": "That is too long for a reminder"}
TOO_LONG_SEARCH = {"fr": "C'est trop long pour une recherche", "en": "That is too long for a search"}
TOO_LONG_REPORT = {"fr": "Restez sous 500 caractères", "en": "Please keep it under 500 characters"}
IDENTIFYING = {
    "fr": "rappeler Jess Tremblay au 514-555-1234 " + "pour les détails " * 20,
    "en": "call Jess Tremblay at 514-555-1234 " + "about the details " * 20,
}
CLEAN_LONG = {"fr": "rappeler le refuge pour la place " * 12,
              "en": "call the shelter about the bed " * 12}
MOMENT = {"fr": "demain 9h", "en": "tomorrow 9am"}
QUESTION = {"fr": "hébergement à Montréal pour 15 ans", "en": "shelter in Montreal for a 15 year old"}


@pytest.fixture
async def seeded(app: App) -> App:
    assert await ensure_sample_directory(app) > 100
    return app


def assert_refused_as_identifying(chat: Chat, name: str, events: list, lang: str) -> None:
    user_message_id = chat.telegram.last_message_id[chat.user_id(name)] - 1
    assert [(e.chat_id, e.message_id) for e in events if e.kind == "delete"] == [
        (chat.user_id(name), user_message_id)]
    seen = chat.texts(name, [e for e in events if e.kind == "send"])
    assert seen.startswith(REFUSAL[lang])
    assert "trop long" not in seen and "too long" not in seen and "500" not in seen
    for needle in INJECTED:
        assert needle not in seen.lower()


async def reminders(app: App) -> int:
    async with app.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(ScheduledJob).where(
            ScheduledJob.kind == personal.KIND)) or 0)


# ---- /remind -----------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_long_identifying_reminder_is_refused_as_identifying(
        chat: Chat, app: App, lang: str) -> None:
    await chat.register("alice", lang=lang)
    assert len(IDENTIFYING[lang]) > 200
    for line in (f"/remind {MOMENT[lang]} {IDENTIFYING[lang]}", f"/remind {IDENTIFYING[lang]}"):
        events = await chat.say("alice", line)
        assert_refused_as_identifying(chat, "alice", events, lang)
    # the same, typed after /remind asked for the subject
    await chat.say("alice", "/remind")
    events = await chat.say("alice", IDENTIFYING[lang])
    assert_refused_as_identifying(chat, "alice", events, lang)
    assert await reminders(app) == 0
    refused = await audit_actions(app, "privacy.refused")
    assert [r.details["context"] for r in refused] == ["reminder"] * 3
    await assert_no_leak(app, INJECTED, storage=chat_storage(chat))


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_long_clean_reminder_is_refused_for_its_length(
        chat: Chat, app: App, lang: str) -> None:
    await chat.register("alice", lang=lang)
    events = await chat.say("alice", f"/remind {MOMENT[lang]} {CLEAN_LONG[lang]}")
    assert TOO_LONG_REMINDER[lang] in chat.texts("alice", events)
    assert not any(e.kind == "delete" for e in events)
    assert await reminders(app) == 0


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_identifying_custom_moment_is_refused(chat: Chat, app: App, lang: str) -> None:
    """"Another moment…": a moment with more words is screened (nothing of it is kept)."""
    await chat.register("alice", lang=lang)
    await chat.say("alice", f"/remind {CLEAN_LONG[lang][:40]}")
    await chat.press("alice", "…")
    events = await chat.say("alice", f"{MOMENT[lang]} avec Jess Tremblay 514-555-1234")
    assert_refused_as_identifying(chat, "alice", events, lang)
    assert await reminders(app) == 0
    events = await chat.say("alice", MOMENT[lang])  # still asking for the moment
    assert "✅" in chat.texts("alice", events)
    assert await reminders(app) == 1
    await assert_no_leak(app, INJECTED, storage=chat_storage(chat))


# ---- directory searches ------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_long_identifying_search_is_refused_as_identifying(
        chat: Chat, seeded: App, lang: str) -> None:
    await chat.register("alice", lang=lang)
    text = f"{QUESTION[lang]} Jess Tremblay 514-555-1234 " + "urgence " * 70
    assert len(text) > 500
    events = await chat.say("alice", text)
    assert_refused_as_identifying(chat, "alice", events, lang)
    events = await chat.say("alice", f"/find {text}")
    assert_refused_as_identifying(chat, "alice", events, lang)
    await assert_no_leak(seeded, INJECTED, storage=chat_storage(chat))
    events = await chat.say("alice", QUESTION[lang] + " " + "urgence " * 70)
    assert TOO_LONG_SEARCH[lang] in chat.texts("alice", events)


# ---- error reports -----------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_error_reports_are_screened_before_their_length(
        chat: Chat, seeded: App, lang: str) -> None:
    await chat.register("alice", regions=("06",), lang=lang)
    await chat.register("carol", role="coordinator", regions=("06",), lang="fr")
    await chat.say("alice", QUESTION[lang])
    await chat.press("alice", "⚠️ 1")

    text = "Le numéro est faux, appelez Jess Tremblay au 514-555-1234 " + "vraiment " * 60
    assert len(text) > 500
    events = await chat.say("alice", text)
    assert_refused_as_identifying(chat, "alice", events, lang)
    assert chat.seen_by("carol", events) == []
    events = await chat.say("alice", "Jess Tremblay répond au 514-555-1234 maintenant")
    assert_refused_as_identifying(chat, "alice", events, lang)
    assert chat.seen_by("carol", events) == []

    events = await chat.say("alice", "La ligne ne répond plus " * 30)  # clean, too long
    assert TOO_LONG_REPORT[lang] in chat.texts("alice", events)
    assert chat.seen_by("carol", events) == []
    events = await chat.say("alice", "Le téléphone a changé, la ligne ne répond plus")
    assert "Le téléphone a changé" in chat.texts("carol", events)
    refused = await audit_actions(seeded, "privacy.refused")
    assert [r.details["context"] for r in refused] == ["directory.error_report"] * 2
    await assert_no_leak(seeded, INJECTED, storage=chat_storage(chat))
