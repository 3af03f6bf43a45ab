"""Case thread messages: flagged ones refused and deleted, clean ones stored encrypted and relayed."""

from __future__ import annotations

import pytest

from bot.db.effects import commit
from bot.models.core import AuditEntry
from bot.services import cases, crypto, screening
from tests.privacy_app.helpers import audit_actions, make_case, messages

FLAGGED_FR = "Jessica Tremblay a appelé au 514-555-1234 hier soir"
CLEAN_FR = "La jeune sera à Laval ce soir, besoin d'une place au refuge"


async def open_thread(chat, app, lang="fr"):  # type: ignore[no-untyped-def]
    alice = await chat.register("alice", lang=lang)
    bob = await chat.register("bob", lang="en")
    case = await make_case(app, alice, others=(bob,))
    await chat.say("alice", f"/case {case.code}")
    label = "Écrire dans le fil" if lang == "fr" else "Write in the thread"
    await chat.press("alice", label)
    return case


async def test_flagged_message_is_refused_deleted_and_not_stored(chat, app):
    case = await open_thread(chat, app)
    events = await chat.say("alice", FLAGGED_FR)
    user_message_id = chat.telegram.last_message_id[chat.user_id("alice")] - 1
    deleted = [e for e in events if e.kind == "delete"]
    assert [(e.chat_id, e.message_id) for e in deleted] == [
        (chat.user_id("alice"), user_message_id)
    ]
    reply = chat.texts("alice", [e for e in events if e.kind == "send"])
    assert reply.startswith(
        "Votre message contenait un nom de personne et un numéro de téléphone. Il n'a pas été "
        "transmis et je l'ai supprimé de la conversation."
    )
    assert "K7-4QX" in reply and "Des copies peuvent rester sur votre appareil." in reply
    assert "Jessica" not in reply and "514" not in reply
    assert chat.seen_by("bob", events) == []  # nothing relayed
    assert await messages(app) == []  # nothing stored
    refused = await audit_actions(app, "privacy.refused")
    assert len(refused) == 1
    details = refused[0].details
    assert details["kinds"] == "PERSON,PHONE" and details["counts"] == "PERSON:1,PHONE:1"
    assert details["deleted"] is True and details["context"] == "case.thread"
    for entry in await audit_actions(app):  # nothing of the text anywhere in the audit log
        assert "Jessica" not in str(entry.details) and "555" not in str(entry.details)

    # Still in the writing state: the rephrased message goes through.
    events = await chat.say("alice", CLEAN_FR)
    assert f"Envoyé aux personnes qui participent au dossier {case.code}" in chat.texts("alice", events)


async def test_refusal_in_english_names_the_kinds(chat, app):
    await open_thread(chat, app, lang="en")
    events = await chat.say("alice", "her insta is @jess.lavoie99, email jess@example.com")
    reply = chat.texts("alice", [e for e in events if e.kind == "send"])
    assert reply.startswith("Your message contained an email address and a social media username.")
    assert "jess" not in reply
    assert any(e.kind == "delete" for e in events)


async def test_clean_message_is_stored_encrypted_and_relayed(chat, app):
    case = await open_thread(chat, app)
    events = await chat.say("alice", CLEAN_FR)
    assert not any(e.kind == "delete" for e in events)
    to_bob = chat.seen_by("bob", events)
    assert len(to_bob) == 1 and to_bob[0].protected
    assert to_bob[0].text.startswith(f"Case {case.code} · message from alice:")
    assert CLEAN_FR in to_bob[0].text
    assert all(b["callback_data"].startswith("sx:case.") for row in to_bob[0].buttons
               for b in row)
    stored = await messages(app)
    assert len(stored) == 1
    assert CLEAN_FR not in stored[0].body_encrypted
    assert "Laval" not in stored[0].body_encrypted
    assert stored[0].body_encrypted.startswith("gAAAA")  # a Fernet token
    assert crypto.decrypt(app, stored[0].body_encrypted) == CLEAN_FR
    logged = await audit_actions(app, "case.message")
    assert len(logged) == 1 and "Laval" not in str(logged[0].details)

    # The thread shows in the timeline, for participants.
    events = await chat.say("bob", f"/case {case.code}")
    assert f"alice: {CLEAN_FR}" in chat.texts("bob", events)


async def test_screen_failure_fails_closed(chat, app, monkeypatch):
    await open_thread(chat, app)
    screening.invalidate(app)

    def broken():  # type: ignore[no-untyped-def]
        raise RuntimeError("word lists missing")

    monkeypatch.setattr(screening, "_build_screen_function", broken)
    events = await chat.say("alice", CLEAN_FR)
    assert "vérification de confidentialité est indisponible" in chat.texts("alice", events)
    assert chat.seen_by("bob", events) == []
    assert await messages(app) == []
    assert len(await audit_actions(app, "privacy.unavailable")) == 1


async def test_scan_raising_fails_closed(app, chat):
    alice = await chat.register("alice")
    case = await make_case(app, alice)

    class Exploding:
        def scan(self, text, lang=None):  # type: ignore[no-untyped-def]
            raise ValueError("boom")

    screening.set_screen(app, Exploding())
    async with app.sessionmaker() as session:
        case = await cases.find_case(session, case.code)
        with pytest.raises(screening.ScreenUnavailable):
            await cases.post_thread_message(app, session, case, alice, CLEAN_FR)
    assert await messages(app) == []


async def test_service_refuses_non_participants_and_flagged_text(app, chat):
    alice = await chat.register("alice")
    mallory = await chat.register("mallory")
    case = await make_case(app, alice)
    async with app.sessionmaker() as session:
        case = await cases.find_case(session, case.code)
        with pytest.raises(cases.NotFound):
            await cases.post_thread_message(app, session, case, mallory, CLEAN_FR)
        with pytest.raises(screening.IdentifyingText) as caught:
            await cases.post_thread_message(app, session, case, alice, FLAGGED_FR)
        assert caught.value.kinds == ["PERSON", "PHONE"]
        assert "Jessica" not in str(caught.value)
    assert await messages(app) == []


async def test_screen_allows_case_codes_places_and_directory_phone_lines(app, chat):
    await chat.register("alice")
    async with app.sessionmaker() as session:
        for text in ("Rencontre au métro Berri-UQAM avec le dossier K7-4QX",
                     "Le dossier EV-AMY est à Trois-Rivières", "Youth in Rimouski tonight"):
            result = await screening.screen_text(app, session, text, "fr")
            assert not result.identifying, (text, result.kinds)
        assert (await screening.screen_text(app, session, "Appelle Kevin", "fr")).identifying


async def test_screen_is_cached_and_invalidated(app):
    async with app.sessionmaker() as session:
        first = await screening.get_screen(app, session)
        assert await screening.get_screen(app, session) is first
        assert app.services["screen"].screen is first
        screening.invalidate(app)
        assert await screening.get_screen(app, session) is not first


async def test_audit_entries_never_hold_thread_text(app, chat):
    alice = await chat.register("alice")
    case = await make_case(app, alice)
    async with app.sessionmaker() as session:
        case = await cases.find_case(session, case.code)
        await cases.post_thread_message(app, session, case, alice, CLEAN_FR, relay=False)
        await commit(session, app.sessionmaker)
    entries = await audit_actions(app)
    assert entries and all(isinstance(e, AuditEntry) for e in entries)
    assert not any("refuge" in str(e.details) for e in entries)
