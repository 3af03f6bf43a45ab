"""Coordinators invite and manage the workers of their regions; everyone toggles on-call."""

from __future__ import annotations

import re

from sqlalchemy import select

from bot.models.core import AuditEntry, Invitation


async def test_coordinator_invites_in_the_chat_and_the_link_registers(chat, app):
    await chat.register("coco", role="coordinator", regions=("06", "13"), lang="fr")
    events = await chat.say("coco", "/invite")
    assert chat.texts("coco", events) == "Quel rôle pour la nouvelle personne?"
    assert chat.buttons("coco") == ["intervenant(e)", "coordination"]
    await chat.press("coco", "intervenant(e)")
    events = await chat.say("coco", "Maison   de la Rue (fictive)")
    assert chat.texts("coco", events) == "Dans quelle région la personne travaillera-t-elle?"
    assert chat.buttons("coco") == ["06 Montréal", "13 Laval", "Toutes mes régions"]
    events = await chat.press("coco", "13 Laval")
    text = chat.texts("coco", events)
    assert "Invitation pour Maison de la Rue (fictive) (intervenant(e)), valide 72 h" in text
    token = re.search(r"start=([\w-]+)", text).group(1)
    events = await chat.say("newbie", f"/start {token}", lang="en")
    assert "Welcome to Relais, newbie! You are registered with Maison de la Rue (fictive)." in (
        chat.texts("newbie", events)
    )
    worker = await chat.worker("newbie")
    assert (worker.role, worker.regions) == ("worker", ["13"])


async def test_workers_cannot_invite_or_manage(chat, app):
    await chat.register("wanda", role="worker", lang="en")
    for command in ("/invite", "/workers"):
        events = await chat.say("wanda", command)
        assert chat.texts("wanda", events) == "This command is for coordinators."
    async with app.sessionmaker() as session:
        assert await session.scalar(select(Invitation)) is None


async def test_coordinator_manages_only_their_regions(chat, app):
    await chat.register("coord", role="coordinator", regions=("06",), lang="en")
    await chat.register("inside", regions=("06",))
    outsider = await chat.register("outside", regions=("02",))
    events = await chat.say("coord", "/workers")
    assert chat.texts("coord", events) == (
        "Nobody is on call now in your regions.\n\nWorkers of your regions:")
    labels = chat.buttons("coord")
    assert any(label.startswith("inside") for label in labels)
    assert not any(label.startswith("outside") for label in labels)
    await chat.press("coord", "inside")
    events = await chat.press("coord", "Deactivate")
    assert [e.kind for e in events] == ["notice", "edit"]
    assert "inactive" in events[1].text
    assert (await chat.worker("inside")).active is False
    await chat.press("coord", "Make coordinator")
    assert (await chat.worker("inside")).role == "coordinator"
    # A tampered button naming a worker of another region reveals nothing and changes nothing.
    message = chat.telegram.latest_with_buttons(chat.user_id("coord"))
    chat.as_user("coord")
    start = len(chat.telegram.events)
    await chat.console.feed(chat.telegram.user_presses(
        chat.user_id("coord"), message, f"wkc:{outsider.id}:deactivate"))
    events = chat.telegram.events[start:]
    assert [(e.kind, e.text) for e in events] == [("notice", "No such worker in your regions.")]
    assert (await chat.worker("outside")).active is True
    async with app.sessionmaker() as session:
        actions = list(await session.scalars(select(AuditEntry.action)))
    assert "worker.deactivated" in actions and "worker.role" in actions


async def test_on_call_toggle(chat):
    await chat.register("olga", lang="fr")
    events = await chat.say("olga", "/oncall")
    assert "Vous êtes maintenant de garde" in chat.texts("olga", events)
    assert (await chat.worker("olga")).on_call is True
    events = await chat.say("olga", "/oncall")
    assert chat.texts("olga", events) == "Vous n'êtes plus de garde."


async def test_a_worker_change_is_confirmed_only_once_stored(chat, app):
    """A deactivation whose commit fails: no "Saved." and the card unchanged; the apology only."""
    from tests.support.commits import failing_commit

    await chat.register("coord", role="coordinator", regions=("06",), lang="en")
    await chat.register("inside", regions=("06",))
    await chat.say("coord", "/workers")
    await chat.press("coord", "inside")
    with failing_commit(AuditEntry):
        events = await chat.press("coord", "Deactivate")
    said = " ".join(e.text or "" for e in events)
    assert "Sorry" in said and "Saved" not in said
    assert not [e for e in events if e.kind == "edit"]
    assert (await chat.worker("inside")).active is True
