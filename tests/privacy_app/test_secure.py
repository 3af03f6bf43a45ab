"""Signed callback data: bound to the action, the object and the user it was sent to."""

from __future__ import annotations

import pytest

from bot.models.cases import Case
from handlers.secure import sign, verify
from tests.privacy_app.helpers import audit_actions, make_case


async def test_sign_and_verify(app):
    data = sign(app, "ho.accept", 123456789, user_id=987654321, extra="urgent")
    assert data.startswith("sx:ho.accept:123456789:urgent:") and len(data.encode()) <= 64
    payload = verify(app, data, 987654321)
    assert payload is not None
    assert (payload.action, payload.object_id, payload.extra, payload.int_id) == (
        "ho.accept", "123456789", "urgent", 123456789)
    assert verify(app, data, 987654322) is None  # another user
    assert verify(app, data.replace(":123456789:", ":123456780:"), 987654321) is None
    assert verify(app, data.replace("ho.accept", "ho.decline"), 987654321) is None
    assert verify(app, data.replace(":urgent:", ":routine:"), 987654321) is None
    assert verify(app, data[:-1] + ("A" if data[-1] != "A" else "B"), 987654321) is None
    for junk in ("", "sx:", "sx:a:b", "sx:ho.accept:1::", "cn:age:14", "sx:" + "a" * 80):
        assert verify(app, junk, 987654321) is None


async def test_sign_refuses_what_would_not_fit(app):
    with pytest.raises(ValueError):
        sign(app, "ho.accept", "x" * 40, user_id=1)
    with pytest.raises(ValueError):
        sign(app, "ho:accept", 1, user_id=1)


async def test_forged_button_is_refused_and_audited(chat, app):
    alice = await chat.register("alice", lang="fr")
    mallory = await chat.register("mallory", lang="en")
    case = await make_case(app, alice)
    await chat.say("alice", f"/case {case.code}")
    alice_message = chat.telegram.latest_with_buttons(chat.user_id("alice"))
    close_data = next(b["callback_data"] for row in alice_message["reply_markup"]["inline_keyboard"]
                      for b in row if b["callback_data"].startswith("sx:case.close:"))

    # Mallory replays the button that was sent to Alice.
    await chat.say("mallory", "/cases")
    chat.as_user("mallory")
    own = chat.telegram.messages[(chat.user_id("mallory"),
                                  chat.telegram.last_message_id[chat.user_id("mallory")])]
    events = await chat._run(chat.console.feed(
        chat.telegram.user_presses(chat.user_id("mallory"), own, close_data)))
    notices = [e for e in chat.seen_by("mallory", events) if e.kind == "notice"]
    assert [e.text for e in notices] == ["This button is not valid for you. Nothing was done."]
    assert case.code not in chat.texts("mallory", events)

    # Crafted data with a made-up signature for case ids.
    for data in (f"sx:case.view:{case.id}::AAAAAAAAAAAAAAAA", f"sx:case.view:{case.id + 1}::x",
                 "sx:ho.accept:1::zzzz", "sx:nonsense"):
        events = await chat._run(chat.console.feed(
            chat.telegram.user_presses(chat.user_id("mallory"), own, data)))
        assert chat.texts("mallory", events) == "This button is not valid for you. Nothing was done."
    forged = await audit_actions(app, "callback.forged")
    assert len(forged) == 5
    assert {e.actor_id for e in forged} == {mallory.id}
    assert all(e.details == {} and e.subject_id is None for e in forged)  # nothing echoed

    async with app.sessionmaker() as session:
        assert (await session.get(Case, case.id)).closed_at is None


async def test_signed_button_still_checks_participation(chat, app):
    alice = await chat.register("alice", lang="en")
    mallory = await chat.register("mallory", lang="en")
    case = await make_case(app, alice)
    # Even a correctly signed button (say, sent before someone left the case) needs participation.
    data = sign(app, "case.view", case.id, user_id=mallory.telegram_id)
    await chat.say("mallory", "/cases")
    own = chat.telegram.messages[(chat.user_id("mallory"),
                                  chat.telegram.last_message_id[chat.user_id("mallory")])]
    events = await chat._run(chat.console.feed(
        chat.telegram.user_presses(chat.user_id("mallory"), own, data)))
    assert case.code not in chat.texts("mallory", events)
    assert "No case with this code among your cases." in chat.texts("mallory", events)


async def test_signed_but_unhandled_button_is_stale(chat, app):
    mallory = await chat.register("mallory", lang="en")
    await chat.say("mallory", "/cases")
    own = chat.telegram.messages[(chat.user_id("mallory"),
                                  chat.telegram.last_message_id[chat.user_id("mallory")])]
    data = sign(app, "old.action", 7, user_id=mallory.telegram_id)
    events = await chat._run(chat.console.feed(
        chat.telegram.user_presses(chat.user_id("mallory"), own, data)))
    assert chat.texts("mallory", events) == "This button is no longer valid."
    assert await audit_actions(app, "callback.forged") == []
