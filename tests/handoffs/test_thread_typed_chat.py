"""Text typed without "Reply" while a case thread is open: the worker is asked whether it goes to
the thread or is a directory search, instead of getting a search; in both languages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiogram.fsm.storage.base import StorageKey

from bot.services.open_threads import THREAD_WINDOW
from handlers.cases.thread_or_search import PENDING_KEY, PENDING_SECONDS
from tests.handoffs.conftest import add_case, add_service
from tests.handoffs.test_chat import EN, FR, request

SEEN = {
    "fr": {"which": "Un fil de dossier est ouvert avec vous ({code}). Ce message est-il pour le "
                    "fil, ou une recherche dans le répertoire?",
           "thread": "💬 Envoyer dans le fil du dossier {code}",
           "search": "🔎 Chercher dans le répertoire",
           "sent": "Envoyé aux personnes qui participent au dossier {code}.",
           "gone": "Ce message n'est plus conservé. Veuillez l'écrire de nouveau.",
           "refused": "n'a pas été transmis"},
    "en": {"which": "A case thread is open with you ({code}). Is this message for the thread, "
                    "or a search in the directory?",
           "thread": "💬 Send to the thread of case {code}",
           "search": "🔎 Search the directory",
           "sent": "Sent to the participants of case {code}.",
           "gone": "This message is no longer kept. Please write it again.",
           "refused": "was not transmitted"},
}
SEARCH = "hébergement jeunesse 15 ans montréal ce soir"


async def thread_with_bob(app, chat, lang):  # type: ignore[no-untyped-def]
    """alice's request accepted by bob, who writes in the thread; the case."""
    words = FR if lang == "fr" else EN
    alice = await chat.register("alice", org="Organisme A (fictif)", lang=lang)
    bob = await chat.register("bob", org="Maison B (fictive)", lang=lang)
    svc = await add_service(app, "Hébergement Test", name_en="Test Shelter", receivers=(bob,))
    case = await add_case(app, alice)
    await request(chat, app, "alice", svc, case, words)
    await chat.press("bob", words["accept"])
    await chat.press("bob", words["write"])
    events = await chat.say("bob", "On l'attend à 19 h, lit réservé.")
    assert "On l'attend à 19 h, lit réservé." in chat.texts("alice", events)
    return case


async def kept(chat, name: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    """NAME's conversation data (what the state storage holds)."""
    user_id = chat.user_id(name)
    key = StorageKey(bot_id=chat.console.bot.id, chat_id=user_id, user_id=user_id)
    return await chat.console.dispatcher.storage.get_data(key)


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_typed_reply_is_asked_then_sent_to_the_thread(app, chat, lang):
    seen = SEEN[lang]
    case = await thread_with_bob(app, chat, lang)

    events = await chat.say("alice", "Parfait, merci! Elle arrive en autobus.")
    assert chat.texts("alice", events) == seen["which"].format(code=case.code)  # no search
    assert chat.buttons("alice") == [seen["thread"].format(code=case.code), seen["search"]]
    assert not chat.seen_by("bob", events)  # nothing sent before the choice
    data = await kept(chat, "alice")  # kept encrypted until the tap, never in clear
    assert "Elle arrive" not in str(data) and data[PENDING_KEY]["enc"]

    question = dict(chat.telegram.latest_with_buttons(chat.user_id("alice")))
    to_thread = question["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    events = await chat.press("alice", 1)
    assert "Parfait, merci! Elle arrive en autobus." in chat.texts("bob", events)
    assert seen["sent"].format(code=case.code) in chat.texts("alice", events)
    assert chat.buttons("alice") != [seen["thread"].format(code=case.code), seen["search"]]
    assert not (await kept(chat, "alice")).get(PENDING_KEY)  # taken out of the state
    # the same button again (an old copy of the message): nothing is sent twice
    start = len(chat.telegram.events)
    await chat.console.feed(chat.telegram.user_presses(chat.user_id("alice"), question,
                                                       to_thread))
    events = chat.telegram.events[start:]
    assert seen["gone"] in chat.texts("alice", events) and not chat.seen_by("bob", events)


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_a_search_typed_while_a_thread_is_open_is_one_tap_away(app, chat, lang):
    seen = SEEN[lang]
    case = await thread_with_bob(app, chat, lang)
    events = await chat.say("bob", SEARCH)  # bob wrote in the thread: open with him too
    assert chat.texts("bob", events) == seen["which"].format(code=case.code)
    events = await chat.press("bob", seen["search"])
    answer = chat.seen_by("bob", events)[-1]
    assert answer.kind == "send" and answer.text.startswith("🔎")  # the directory answered
    assert "Hébergement Test" in answer.text and not chat.seen_by("alice", events)

    app.clock.advance(THREAD_WINDOW + timedelta(minutes=1))  # the thread went quiet
    events = await chat.say("bob", SEARCH)
    assert seen["which"].format(code=case.code) not in chat.texts("bob", events)
    assert "🔎" in chat.texts("bob", events)


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_identifying_text_is_refused_and_an_old_choice_is_dropped(app, chat, lang):
    seen = SEEN[lang]
    case = await thread_with_bob(app, chat, lang)
    events = await chat.say("alice", "Jessica Tremblay arrive, son cell 514-555-1234")
    assert seen["refused"] in chat.texts("alice", events)
    assert seen["which"].format(code=case.code) not in chat.texts("alice", events)
    assert not (await kept(chat, "alice")).get(PENDING_KEY)  # nothing of it is kept

    await chat.say("alice", "Elle arrive vers 19 h.")
    app.clock.advance(timedelta(seconds=PENDING_SECONDS + 1))
    events = await chat.press("alice", seen["thread"].format(code=case.code))
    assert seen["gone"] in chat.texts("alice", events) and not chat.seen_by("bob", events)


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_an_accepted_handoff_opens_the_thread(app, chat, lang):
    """Right after "accepted by bob" (with its "Write in the thread"), alice's typed text is
    asked about too, even before anyone wrote in the thread."""
    words, seen = (FR if lang == "fr" else EN), SEEN[lang]
    alice = await chat.register("alice", org="Organisme A (fictif)", lang=lang)
    bob = await chat.register("bob", org="Maison B (fictive)", lang=lang)
    await chat.register("zoe", org="Organisme Z (fictif)", lang=lang)
    svc = await add_service(app, "Hébergement Test", receivers=(bob,))
    case = await add_case(app, alice)
    await request(chat, app, "alice", svc, case, words)
    await chat.press("bob", words["accept"])
    events = await chat.say("alice", "Merci, elle part en taxi.")
    assert chat.texts("alice", events) == seen["which"].format(code=case.code)
    # no thread with zoe: her text is a search, as before
    events = await chat.say("zoe", SEARCH)
    assert chat.seen_by("zoe", events)[-1].text.startswith("🔎")
