"""Onboarding by invitation, strangers, /help and /language, in both languages."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.models.core import AuditEntry, Invitation, Worker
from bot.services import invitations


async def invite(app, role: str = "worker", regions=("06",), hours: int = 72) -> str:
    async with app.sessionmaker() as session:
        created = await invitations.create_invitation(
            session, now=app.clock.now(), role=role, organisation_name="Maison Fictive",
            regions=list(regions), ttl=timedelta(hours=hours),
        )
        await session.commit()
    return created.token


async def test_stranger_gets_one_bilingual_message_and_nothing_else(chat):
    events = await chat.say("stranger", "any shelter for a 17yo in montreal tonight")
    assert len(events) == 1
    text = events[0].text
    assert "Relais est réservé aux intervenantes et intervenants inscrits" in text
    assert "Relais is reserved for registered workers" in text
    assert "shelter" not in text.lower()


async def test_stranger_pressing_a_button_is_refused(chat):
    chat.as_user("stranger")
    message = {"message_id": 1, "date": 0, "chat": {"id": chat.user_id("stranger"),
               "type": "private"}}
    start = len(chat.telegram.events)
    await chat.console.feed(chat.telegram.user_presses(chat.user_id("stranger"), message,
                                                        "wk:1"))
    notices = chat.telegram.events[start:]
    assert [e.kind for e in notices] == ["notice"]
    assert "invitation" in notices[0].text


async def test_invitation_registers_once_in_french(chat, app):
    token = await invite(app, role="coordinator", regions=("06", "13"))
    events = await chat.say("camille", f"/start {token}", lang="fr-CA")
    texts = chat.texts("camille", events)
    assert "Bienvenue dans Relais, camille! Votre inscription est faite (organisme\u00a0: Maison Fictive)." in texts
    assert "N'écrivez jamais le nom" in texts
    assert "/invite" in texts  # a coordinator's help lists coordinator commands
    worker = await chat.worker("camille")
    assert worker.role == "coordinator" and worker.regions == ["06", "13"]
    async with app.sessionmaker() as session:
        invitation = await session.scalar(select(Invitation))
        assert invitation.used_at is not None and invitation.token_hash != token
    # Used again, by someone else: refused clearly.
    events = await chat.say("dominic", f"/start {token}", lang="en")
    assert chat.texts("dominic", events) == (
        "This invitation link has already been used. Ask your coordinator for a new one."
    )
    assert await chat.worker("dominic") is None


async def test_expired_and_forged_tokens(chat, app, clock):
    token = await invite(app, hours=1)
    clock.advance(timedelta(hours=2))
    events = await chat.say("eve", f"/start {token}", lang="en")
    assert "has expired" in chat.texts("eve", events)
    events = await chat.say("eve", "/start forged-token-AAAAAAAAAAAAAAAAAAAA", lang="fr")
    assert chat.texts("eve", events) == (
        "Ce lien d'invitation n'est pas valide. Demandez-en un nouveau à votre coordonnatrice "
        "ou coordonnateur."
    )
    async with app.sessionmaker() as session:
        rejected = await session.scalar(
            select(func.count()).select_from(AuditEntry)
            .where(AuditEntry.action == "invitation.rejected")
        )
    assert rejected == 1


async def test_worker_help_hides_coordinator_commands(chat):
    await chat.register("wendy", role="worker", lang="en")
    text = chat.texts("wendy", await chat.say("wendy", "/help"))
    assert "/language" in text and "/oncall" in text
    assert "/invite" not in text and "/workers" not in text
    assert "Never write the name" in text


async def test_language_switch_with_buttons(chat):
    await chat.register("luc", lang=None)
    events = await chat.say("luc", "/language", lang="en")
    assert chat.texts("luc", events) == "Choose your language:"
    assert chat.buttons("luc") == ["Français", "English"]
    events = await chat.press("luc", "Français")
    assert [e.kind for e in events] == ["edit"]
    assert events[0].text == "Langue choisie\u00a0: français."
    assert (await chat.worker("luc")).language == "fr"
    text = chat.texts("luc", await chat.say("luc", "/help"))
    assert "Commandes" in text
    await chat.say("luc", "/language")
    events = await chat.press("luc", "English")
    assert events[0].text == "Language set: English."
    assert "Commands" in chat.texts("luc", await chat.say("luc", "/help"))


async def test_language_falls_back_to_telegram_then_default(chat):
    await chat.register("zoe", lang=None)
    assert "Unknown" not in chat.texts("zoe", await chat.say("zoe", "/nope", lang="en-US"))
    assert "I don't know this command" in chat.texts("zoe", await chat.say("zoe", "/nope"))
    chat.telegram.users[chat.user_id("zoe")].pop("language_code")
    assert "Je ne connais pas cette commande" in chat.texts("zoe", await chat.say("zoe", "/x"))


async def test_tampered_language_button_is_refused(chat):
    await chat.register("max", lang="en")
    await chat.say("max", "/language")
    message = chat.telegram.latest_with_buttons(chat.user_id("max"))
    start = len(chat.telegram.events)
    await chat.console.feed(chat.telegram.user_presses(chat.user_id("max"), message, "lang:xx"))
    events = chat.telegram.events[start:]
    assert [(e.kind, e.text) for e in events] == [("notice", "This button is no longer valid.")]
    assert (await chat.worker("max")).language == "en"


async def test_redelivered_update_is_handled_once(chat):
    await chat.register("ana", lang="en")
    chat.as_user("ana")
    update = chat.telegram.user_sends(chat.user_id("ana"), "/help")
    await chat.console.feed(update)
    count = len(chat.telegram.events)
    await chat.console.feed(update)  # Telegram delivers the same update_id again
    assert len(chat.telegram.events) == count


async def test_deactivated_worker_is_treated_as_stranger(chat, app):
    await chat.register("old", lang="en")
    async with app.sessionmaker() as session:
        worker = await session.scalar(select(Worker).where(Worker.display_name == "old"))
        worker.active = False
        await session.commit()
    events = await chat.say("old", "/help")
    assert "Relais is reserved for registered workers" in chat.texts("old", events)


async def test_non_text_messages_are_deleted_and_explained(chat):
    await chat.register("pia", lang="fr")
    chat.as_user("pia")
    update = chat.telegram.user_sends(chat.user_id("pia"), "x")
    update["message"].pop("text")
    update["message"]["sticker"] = {"file_id": "s", "file_unique_id": "s", "type": "regular",
                                    "width": 1, "height": 1, "is_animated": False,
                                    "is_video": False}
    start = len(chat.telegram.events)
    await chat.console.feed(update)
    events = chat.telegram.events[start:]
    assert [e.kind for e in events] == ["delete", "send"]
    assert "Relais ne peut pas vérifier" in events[1].text


async def test_a_new_command_leaves_the_step_in_progress(chat):
    await chat.register("coco", role="coordinator", lang="en")
    await chat.say("coco", "/invite")
    await chat.press("coco", "worker")  # now waiting for the organisation's name
    await chat.say("coco", "/help")
    events = await chat.say("coco", "Maison Fictive")
    assert "Which region" not in chat.texts("coco", events)
    events = await chat.say("coco", "/cancel")
    assert chat.texts("coco", events) == "There is nothing to cancel."
    await chat.say("coco", "/invite")
    await chat.press("coco", "worker")
    events = await chat.say("coco", "/cancel")
    assert chat.texts("coco", events) == "Cancelled. Nothing was sent."
