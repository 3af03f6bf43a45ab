"""Names from Telegram and organisation names from coordinators are text, never markup."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.app import App
from bot.services import invitations
from handlers.runtime import stop_background
from tests.support.chat import Chat

MALLORY = 'Mallory <a href="http://x">Cliquez ici</a>'
ORG = "Maison <b>Fictive</b> & Cie"


@pytest.fixture
async def quiet_chat(chat: Chat) -> AsyncIterator[Chat]:
    await stop_background(chat.console.tasks)
    chat.console.tasks = []
    yield chat


def sent_texts(chat: Chat, start: int) -> list[str]:
    """The raw texts given to Telegram (before its HTML parsing) since request ``start``."""
    return [str(params.get("text", "")) for method, params in chat.telegram.requests[start:]
            if method.lower() in ("sendmessage", "editmessagetext")]


async def test_a_name_with_markup_is_escaped_in_the_welcome_and_in_workers(
    quiet_chat: Chat, app: App
) -> None:
    chat = quiet_chat
    await chat.register("cora", role="coordinator", regions=("06",), lang="fr")
    async with app.sessionmaker() as session:
        created = await invitations.create_invitation(
            session, now=app.clock.now(), role="worker", organisation_name=ORG,
            regions=["06"], ttl=timedelta(hours=24))
        await session.commit()

    start = len(chat.telegram.requests)
    events = await chat.say(MALLORY, f"/start {created.token}", lang="fr")
    welcome = sent_texts(chat, start)[0]
    assert "&lt;a href=" in welcome and "<a href=" not in welcome
    assert "Maison &lt;b&gt;Fictive&lt;/b&gt; &amp; Cie" in welcome
    # What Mallory reads is her name as she wrote it, not a link.
    assert f"Bienvenue dans Relais, {MALLORY}! Votre inscription est faite (organisme\u00a0: {ORG})." in chat.texts(
        MALLORY, events)

    await chat.say("cora", "/workers")
    assert any(b.startswith("Mallory <a href") for b in chat.buttons("cora"))  # buttons: plain
    start = len(chat.telegram.requests)
    events = await chat.press("cora", "Mallory")
    shown = sent_texts(chat, start)
    assert shown and all("<a href=" not in text and "<b>" not in text for text in shown)
    assert "&lt;a href=" in shown[0] and "&lt;b&gt;Fictive" in shown[0]
    assert chat.texts("cora", events).startswith(f"{MALLORY} — {ORG} · intervenant(e)")
    start = len(chat.telegram.requests)
    events = await chat.press("cora", "Désactiver")
    edited = sent_texts(chat, start)
    assert edited and "&lt;a href=" in edited[0] and "<a href=" not in edited[0]
    assert "inactif" in chat.texts("cora", events) or "inactive" in chat.texts("cora", events)


async def test_organisation_name_with_markup_in_the_invitation(quiet_chat: Chat) -> None:
    chat = quiet_chat
    await chat.register("cora", role="coordinator", regions=("06",), lang="en")
    await chat.say("cora", "/invite")
    await chat.press("cora", "worker")
    await chat.say("cora", "Maison <i>Fictive</i> & Cie")
    start = len(chat.telegram.requests)
    events = await chat.press("cora", "06")
    raw = sent_texts(chat, start)
    assert raw and "Maison &lt;i&gt;Fictive&lt;/i&gt; &amp; Cie" in raw[0]
    assert "Invitation for Maison <i>Fictive</i> & Cie (worker)" in chat.texts("cora", events)
