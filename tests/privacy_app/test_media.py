"""Photos, files, voice and video notes, audio, stickers, contacts, locations... cannot be
screened: at any step they are deleted with the bot's deleteMessage and explained in the sender's
language, nothing of them is stored or relayed, and the step is kept. A caption that identifies
someone is refused like any text (kinds named). A deletion Telegram refuses is still answered."""

from __future__ import annotations

from typing import Any

import pytest

from handlers.console.fake_api import error
from tests.privacy_app.helpers import audit_actions, make_case, messages
from tests.privacy_app.test_free_text_fields import conversation, stored_with

EXPLAINED = {
    "fr": "Relais ne peut pas vérifier si les photos, fichiers, messages vocaux ou vidéo, "
          "autocollants, contacts ou positions contiennent des renseignements identificatoires\u00a0: "
          "j'ai donc supprimé ce message.",
    "en": "Relais can't check photos, files, voice or video messages, stickers, contacts or "
          "locations for identifying information, so I deleted this message.",
}
NOT_DELETED = {
    "fr": "Je n'ai pas pu supprimer ce message\u00a0: supprimez-le vous-même.",
    "en": "I could not delete this message: please delete it yourself.",
}
KINDS = {"fr": "Votre message contenait un nom de personne et un numéro de téléphone.",
         "en": "Your message contained a person's name and a phone number."}
WRITE = {"fr": "Écrire dans le fil", "en": "Write in the thread"}

FILE = {"file_id": "AgADfile", "file_unique_id": "uniq1"}
CONTENTS: dict[str, dict[str, Any]] = {
    "photo": {"photo": [{**FILE, "width": 90, "height": 90}]},
    "document": {"document": {**FILE, "file_name": "fiche-jeune.pdf"}},
    "voice": {"voice": {**FILE, "duration": 4}},
    "video": {"video": {**FILE, "width": 320, "height": 240, "duration": 5}},
    "video_note": {"video_note": {**FILE, "length": 240, "duration": 5}},
    "audio": {"audio": {**FILE, "duration": 30}},
    "sticker": {"sticker": {**FILE, "type": "regular", "width": 512, "height": 512,
                            "is_animated": False, "is_video": False}},
    "animation": {"animation": {**FILE, "width": 320, "height": 240, "duration": 2}},
    "contact": {"contact": {"phone_number": "+15145550142", "first_name": "Jessica",
                            "last_name": "Tremblay"}},
    "location": {"location": {"latitude": 45.5017, "longitude": -73.5673}},
    "venue": {"venue": {"location": {"latitude": 45.5017, "longitude": -73.5673},
                        "title": "Chez Jessica Tremblay", "address": "1234 rue Sainte-Catherine"}},
    "dice": {"dice": {"emoji": "🎲", "value": 3}},
}
NEEDLES = ("Jessica", "Tremblay", "555-0142", "fiche-jeune", "Sainte-Catherine", "AgADfile")


async def send_media(chat, name: str, **content: Any) -> tuple[list, int]:  # type: ignore[no-untyped-def]
    """NAME sends a message with ``content`` (no text), as Telegram would deliver it; returns the
    bot's events and the id of the message sent."""
    chat.as_user(name)
    telegram = chat.telegram
    user_id = chat.user_id(name)
    message = telegram._store(user_id, telegram.users[user_id], "", [])
    del message["text"]
    message.update(content)
    update = telegram._update(message=message)
    events = await chat._run(chat.console.feed(update))
    return events, message["message_id"]


def deleted(chat, name: str, events) -> list[int]:  # type: ignore[no-untyped-def]
    return [e.message_id for e in events if e.kind == "delete" and e.chat_id == chat.user_id(name)]


def sent(chat, name: str, events) -> str:  # type: ignore[no-untyped-def]
    return chat.texts(name, [e for e in events if e.kind == "send"])


async def open_thread(chat, app, lang: str):  # type: ignore[no-untyped-def]
    alice = await chat.register("alice", lang=lang)
    bob = await chat.register("bob", lang="en" if lang == "fr" else "fr")
    case = await make_case(app, alice, others=(bob,))
    await chat.say("alice", f"/case {case.code}")
    await chat.press("alice", WRITE[lang])
    assert (await conversation(chat, "alice"))[0] == "Thread:writing"
    return case


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_every_kind_of_media_is_deleted_explained_and_the_step_kept(chat, app, lang):
    case = await open_thread(chat, app, lang)
    for kind, content in CONTENTS.items():
        events, message_id = await send_media(chat, "alice", **content)
        assert deleted(chat, "alice", events) == [message_id], kind
        reply = sent(chat, "alice", events)
        assert reply.startswith(EXPLAINED[lang]), (kind, reply)
        assert not any(n in reply for n in NEEDLES)
        assert chat.seen_by("bob", events) == [], kind
        assert (await conversation(chat, "alice"))[0] == "Thread:writing", kind
    assert chat.telegram.messages.get((chat.user_id("alice"), message_id)) is None

    logged = await audit_actions(app, "privacy.unscreenable")
    assert [e.details["content_type"] for e in logged] == list(CONTENTS)
    assert all(e.details["deleted"] is True and e.details["context"] == "media:Thread:writing"
               for e in logged)
    assert await messages(app) == []
    assert await stored_with(app, NEEDLES, chat) == []

    # the step was kept: the next text goes to the thread
    events = await chat.say("alice", "La jeune arrive à Laval ce soir")
    assert "La jeune arrive à Laval ce soir" in chat.texts("bob", events)
    assert case.code in chat.texts("alice", events)


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_an_identifying_caption_is_refused_by_kind(chat, app, lang):
    await open_thread(chat, app, lang)
    events, message_id = await send_media(
        chat, "alice", caption="Jessica Tremblay 514-555-0142", **CONTENTS["photo"])
    reply = sent(chat, "alice", events)
    assert reply.startswith(KINDS[lang])
    assert not any(n in reply for n in NEEDLES)
    assert deleted(chat, "alice", events) == [message_id]
    assert chat.seen_by("bob", events) == []
    refused = await audit_actions(app, "privacy.refused")
    assert [(e.details["context"], e.details["kinds"]) for e in refused] == [
        ("media:Thread:writing", "PERSON,PHONE")]
    assert (await conversation(chat, "alice"))[0] == "Thread:writing"
    assert await stored_with(app, NEEDLES, chat) == []


async def test_a_clean_caption_is_not_relayed_either(chat, app):
    await open_thread(chat, app, "fr")
    events, message_id = await send_media(
        chat, "alice", caption="Voici la fiche de référence", **CONTENTS["document"])
    assert sent(chat, "alice", events).startswith(EXPLAINED["fr"])
    assert deleted(chat, "alice", events) == [message_id]
    assert chat.seen_by("bob", events) == []
    assert await messages(app) == []
    assert await stored_with(app, ("fiche de référence", *NEEDLES), chat) == []


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_a_refused_deletion_is_still_answered(chat, app, lang):
    await open_thread(chat, app, lang)

    def refuse_delete(method: str, params: dict) -> Any:
        if method.lower() == "deletemessage":
            return error(400, "Bad Request: message can't be deleted")
        return None

    chat.telegram.fault = refuse_delete
    events, message_id = await send_media(chat, "alice", **CONTENTS["voice"])
    chat.telegram.fault = None
    reply = sent(chat, "alice", events)
    assert NOT_DELETED[lang] in reply and deleted(chat, "alice", events) == []
    logged = await audit_actions(app, "privacy.unscreenable")
    assert [e.details["deleted"] for e in logged] == [False]
    assert (await conversation(chat, "alice"))[0] == "Thread:writing"
    events = await chat.say("alice", "On se voit demain au CLSC")
    assert "On se voit demain au CLSC" in chat.texts("bob", events)


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_media_outside_a_step_and_in_the_invitation_step(chat, app, lang):
    await chat.register("cora", role="coordinator", lang=lang)
    events, message_id = await send_media(chat, "cora", **CONTENTS["contact"])
    assert sent(chat, "cora", events).startswith(EXPLAINED[lang])
    assert deleted(chat, "cora", events) == [message_id]

    await chat.say("cora", "/invite")
    await chat.press("cora", "intervenant" if lang == "fr" else "worker")
    events, message_id = await send_media(chat, "cora", **CONTENTS["location"])
    assert deleted(chat, "cora", events) == [message_id]
    state, data = await conversation(chat, "cora")
    assert state == "InviteStates:organisation" and "organisation" not in data
    events = await chat.say("cora", "Maison des jeunes (fictive)")
    assert ("Dans quelle région" if lang == "fr" else "Which region") in chat.texts("cora", events)
    assert await stored_with(app, NEEDLES, chat) == []
