"""Evasive writing seen passing in chat: now refused in case threads and broadcasts.

Each text below was relayed to another worker or sent to every worker of three regions before
the screen learned to read spaced, spelled-out, obfuscated and disguised identifiers.
"""

from __future__ import annotations

import pytest

from bot.services import crypto
from tests.broadcasts.helpers import broadcasts
from tests.privacy_app.helpers import make_case, messages
from tests.privacy_app.test_thread_screen import open_thread

EVASIONS = [
    ("fr", "Elle répond au 5 1 4 5 5 5 1 2 3 4 le soir", "numéro de téléphone"),
    ("fr", "son cell : cinq un quatre cinq cinq cinq zéro un quatre deux", "numéro de téléphone"),
    ("en", "text her at four one eight five five five zero one nine nine", "phone number"),
    ("fr", "écris-lui à jesstremblay (at) gmail (dot) com", "adresse courriel"),
    ("en", "her email is kayla.b at hotmail dot com", "email address"),
    ("fr", "elle dort chez son chum au coin Ontario et Papineau", "adresse"),
    ("en", "she turned 16 on october 4th, she is staying with an aunt", "date of birth"),
    ("fr", "Carte soleil TREJ 09 53 03 12, elle n'a pas ses papiers", "assurance maladie"),
    ("fr", "La jeune s'appelle J E S S I C A, elle a fugué hier", "nom de personne"),
    ("en", "Jes\u200bsica Trem\u200bblay ran away last night", "person's name"),
    ("fr", "Nivaaq est arrivée hier au refuge", "nom de personne"),
    ("en", "her insta kayla.b.22, she posts every night", "social media"),
]


@pytest.mark.parametrize(("lang", "text", "named"), EVASIONS)
async def test_evasive_thread_message_is_refused_and_not_relayed(chat, app, lang, text, named):
    await open_thread(chat, app, lang=lang)
    events = await chat.say("alice", text)
    assert any(e.kind == "delete" for e in events)
    reply = chat.texts("alice", [e for e in events if e.kind == "send"])
    assert named in reply
    assert chat.seen_by("bob", events) == []
    assert await messages(app) == []


@pytest.mark.parametrize(("lang", "text", "named"), [EVASIONS[0], EVASIONS[4], EVASIONS[5]])
async def test_evasive_broadcast_is_refused_and_not_stored(chat, app, lang, text, named):
    await chat.register("coord", role="coordinator", lang=lang)
    await chat.register("bob", lang=lang)
    await chat.say("coord", "/broadcast")
    events = await chat.say("coord", text)
    assert any(e.kind == "delete" for e in chat.seen_by("coord", events))
    assert named in chat.texts("coord", events)
    assert await broadcasts(app) == []


async def test_clean_text_is_stored_as_typed(chat, app):
    """Matching reads a normalised copy; what is stored is the original, character for character."""
    alice = await chat.register("alice", lang="fr")
    bob = await chat.register("bob", lang="fr")
    case = await make_case(app, alice, others=(bob,))
    await chat.say("alice", f"/case {case.code}")
    await chat.press("alice", "Écrire dans le fil")
    typed = "Besoin d\u2019une place ce soir\u00a0: ｌｉｔ pour 15\u202fans, merci"
    await chat.say("alice", typed)
    stored = await messages(app)
    assert len(stored) == 1
    assert crypto.decrypt(app, stored[0].body_encrypted) == typed
