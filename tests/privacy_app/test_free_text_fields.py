"""Every free text typed at a conversation step is screened before it is kept: the organisation
name of ``/invite``, the "other" reason of a declined handoff, the month of ``/case new``, a
broadcast. Identifying text is refused (kinds named, never echoed), deleted, nothing of it is
stored anywhere (every text and JSON column of every table, encrypted ones decrypted, and the
conversation state), and the step is kept so that the rephrased text continues the flow; in
French and in English."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import String, Text, select

from bot.app import App
from bot.db.base import Base
from bot.models import load_all_models
from bot.models.cases import Case
from bot.models.core import Invitation, Organisation
from bot.models.handoffs import Handoff
from bot.services import crypto, privacy_audit
from tests.privacy_app.helpers import audit_actions
from tests.support.leaks import chat_storage, find_leaks

NAME = "Jessica Tremblay"
PHONE = "514-555-0142"
FLAGGED = f"{NAME} {PHONE}"
NEEDLES = ("Jessica", "Tremblay", "555-0142")


# ---- leak checks -------------------------------------------------------------------------------


def _decrypted(app: App, value: Any) -> str | None:
    """The plain text of a Fernet token (encrypted columns), else None."""
    if isinstance(value, str) and value.startswith("gAAAA"):
        with contextlib.suppress(crypto.UndecryptableText):
            return crypto.decrypt(app, value)
    return None


async def stored_with(app: App, needles: tuple[str, ...] = NEEDLES, chat=None) -> list[str]:  # type: ignore[no-untyped-def]
    """Where ``needles`` are stored: in clear in any column, Redis key or in-memory conversation
    state (the shared ``tests.support.leaks`` scan), and inside encrypted columns too."""
    hits = [str(leak) for leak in await find_leaks(
        app, needles, storage=chat_storage(chat) if chat is not None else None)]
    load_all_models()
    wanted = [n.casefold() for n in needles]
    async with app.sessionmaker() as session:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String | Text)]
            if not columns:
                continue
            for row in (await session.execute(select(*columns))).all():
                for column, value in zip(columns, row, strict=True):
                    text = _decrypted(app, value)
                    if text is not None and any(n in text.casefold() for n in wanted):
                        hits.append(f"encrypted {table.name}.{column.name}")
    return sorted(set(hits))


async def conversation(chat, name: str) -> tuple[str | None, dict]:  # type: ignore[no-untyped-def]
    """The conversation step and data of NAME (whatever the storage)."""
    user_id = chat.user_id(name)
    key = StorageKey(bot_id=chat.console.bot.id, chat_id=user_id, user_id=user_id)
    storage = chat.console.dispatcher.fsm.storage
    return await storage.get_state(key), await storage.get_data(key)


def deleted_ids(chat, name: str, events) -> list[int]:  # type: ignore[no-untyped-def]
    return [e.message_id for e in events if e.kind == "delete" and e.chat_id == chat.user_id(name)]


async def say_flagged(chat, name: str, text: str = FLAGGED):  # type: ignore[no-untyped-def]
    """NAME types ``text``; returns the events and the id that message had."""
    user_id = chat.user_id(name)
    message_id = chat.telegram.last_message_id.get(user_id, 0) + 1
    events = await chat.say(name, text)
    return events, message_id


KINDS = {"fr": "un nom de personne et un numéro de téléphone",
         "en": "a person's name and a phone number"}


# ---- /invite: the organisation's name ----------------------------------------------------------

INVITE = {
    "fr": {"role": "intervenant", "region_q": "Dans quelle région",
           "refused": "Le nom de l'organisme contenait {kinds}. Je ne l'ai pas enregistré et je "
                      "l'ai supprimé de la conversation."},
    "en": {"role": "worker", "region_q": "Which region will they work in?",
           "refused": "The organisation name contained {kinds}. I did not save it and I "
                      "deleted it from the conversation."},
}


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_invite_organisation_name_is_screened(chat, app, lang):
    words = INVITE[lang]
    await chat.register("cora", role="coordinator", lang=lang)
    await chat.say("cora", "/invite")
    await chat.press("cora", words["role"])
    state, _data = await conversation(chat, "cora")
    assert state == "InviteStates:organisation"

    events, message_id = await say_flagged(chat, "cora")
    reply = chat.texts("cora", [e for e in events if e.kind == "send"])
    assert reply.startswith(words["refused"].format(kinds=KINDS[lang]))
    assert not any(n in reply for n in NEEDLES)
    assert deleted_ids(chat, "cora", events) == [message_id]
    assert words["region_q"] not in reply
    state, data = await conversation(chat, "cora")
    assert state == "InviteStates:organisation" and "organisation" not in data
    refused = await audit_actions(app, "privacy.refused")
    assert [(r.details["context"], r.details["kinds"]) for r in refused] == [
        ("invite.organisation", "PERSON,PHONE")]

    # the step is kept: a clean name continues the invitation
    events = await chat.say("cora", "Maison des jeunes du Quartier (fictive)")
    assert words["region_q"] in chat.texts("cora", events)
    events = await chat.press("cora", "06")
    assert "https://t.me/" in chat.texts("cora", events)
    async with app.sessionmaker() as session:
        invitation = await session.scalar(select(Invitation))
        organisation = await session.get(Organisation, invitation.organisation_id)
        assert organisation.name == "Maison des jeunes du Quartier (fictive)"
    assert await stored_with(app, chat=chat) == []
    assert (await privacy_audit.audit(app)).clean


# ---- /case new: the month the youth turns 18 ---------------------------------------------------

CASE = {
    "fr": {"refused": "Votre message contenait", "month_q": "AAAA-MM",
           "ready": "Tout est prêt pour créer le dossier", "create": "Créer le dossier"},
    "en": {"refused": "Your message contained", "month_q": "YYYY-MM",
           "ready": "Ready to create the case", "create": "Create the case"},
}


async def press_last(chat, name: str):  # type: ignore[no-untyped-def]
    return await chat.press(name, len(chat.buttons(name)))


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_case_wizard_month_text_is_screened(chat, app, lang):
    words = CASE[lang]
    await chat.register("alice", lang=lang)
    await chat.say("alice", "/case new")
    await chat.press("alice", "15")
    await press_last(chat, "alice")  # gender: skip
    await press_last(chat, "alice")  # languages: done
    await chat.press("alice", 1)  # origin: the first region
    await chat.press("alice", 1)  # now: the first region
    await press_last(chat, "alice")  # needs: done
    events = await chat.press("alice", 1)  # consent: yes
    assert words["month_q"] in chat.texts("alice", events)

    events, message_id = await say_flagged(chat, "alice", f"{NAME}, {PHONE}, 2027-03")
    reply = chat.texts("alice", [e for e in events if e.kind == "send"])
    assert reply.startswith(f"{words['refused']} {KINDS[lang]}")
    assert not any(n in reply for n in NEEDLES)
    assert deleted_ids(chat, "alice", events) == [message_id]
    assert (await conversation(chat, "alice"))[0] == "NewCase:turns18"

    events = await chat.say("alice", "2027-03")
    assert words["ready"] in chat.texts("alice", events)
    await chat.press("alice", words["create"])
    async with app.sessionmaker() as session:
        (case,) = (await session.scalars(select(Case))).all()
        assert case.turns_18_month == "2027-03"
    assert await stored_with(app, chat=chat) == []


# ---- a declined handoff's "other" reason -------------------------------------------------------

HANDOFF = {
    "fr": {"request": "Demander une prise en charge", "urgent": "Urgente",
           "without": "Envoyer sans note", "decline": "Refuser", "other": "Autre",
           "refused": "Votre message contenait"},
    "en": {"request": "Request handoff", "urgent": "Urgent", "without": "Send without a note",
           "decline": "Decline", "other": "Other", "refused": "Your message contained"},
}


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_decline_other_reason_is_screened(chat, app, lang):
    from tests.handoffs.conftest import add_case, add_service, offer_button

    words = HANDOFF[lang]
    alice = await chat.register("alice", org="Organisme A (fictif)", lang=lang)
    bob = await chat.register("bob", org="Maison B (fictive)", lang=lang)
    svc = await add_service(app, "Hébergement B", receivers=(bob,))
    case = await add_case(app, alice)
    await offer_button(app, chat, "alice", svc.id)
    await chat.press("alice", "Request handoff")
    await chat.press("alice", case.code)
    await chat.press("alice", words["urgent"])
    await chat.press("alice", words["without"])
    await chat.press("bob", words["decline"])
    await chat.press("bob", words["other"])
    assert (await conversation(chat, "bob"))[0] == "HandoffFlow:reason_note"

    events, message_id = await say_flagged(chat, "bob", f"Sa mère {NAME} a appelé au {PHONE}")
    reply = chat.texts("bob", [e for e in events if e.kind == "send"])
    assert reply.startswith(f"{words['refused']} {KINDS[lang]}")
    assert deleted_ids(chat, "bob", events) == [message_id]
    assert chat.seen_by("alice", events) == []
    assert (await conversation(chat, "bob"))[0] == "HandoffFlow:reason_note"
    async with app.sessionmaker() as session:
        assert (await session.scalar(select(Handoff))).status == "requested"
    refused = await audit_actions(app, "privacy.refused")
    assert [r.details["context"] for r in refused] == ["handoff.reason"]

    events = await chat.say("bob", "Hors de notre territoire")
    assert "Hors de notre territoire" in chat.texts("alice", events)
    async with app.sessionmaker() as session:
        assert (await session.scalar(select(Handoff))).status == "rejected"
    assert await stored_with(app, chat=chat) == []
    assert (await privacy_audit.audit(app)).clean  # what was stored passes the screen again


# ---- a broadcast -------------------------------------------------------------------------------

BROADCAST = {"fr": ("Votre message contenait", "Les personnes qui lisent"),
             "en": ("Your message contained", "Workers who read")}


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_broadcast_text_is_screened(chat, app, lang):
    refused, next_step = BROADCAST[lang]
    await chat.register("cora", role="coordinator", lang=lang)
    await chat.say("cora", "/broadcast")
    events, message_id = await say_flagged(
        chat, "cora", f"Avis : {NAME} a fugué, appelez le {PHONE}")
    reply = chat.texts("cora", [e for e in events if e.kind == "send"])
    assert reply.startswith(f"{refused} {KINDS[lang]}")
    assert deleted_ids(chat, "cora", events) == [message_id]
    assert (await conversation(chat, "cora"))[0] == "BroadcastStates:text"

    events = await chat.say("cora", "Rencontre de la table régionale jeudi à 13 h")
    assert next_step in chat.texts("cora", events)
    assert await stored_with(app, chat=chat) == []
