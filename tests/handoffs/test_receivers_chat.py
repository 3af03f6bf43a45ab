"""``/receivers`` in the chat: service names in the coordinator's language, "Saved." once stored,
and the region's coordinators told when a service loses its last receiver (removed in
``/receivers``, or deactivated)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.models.reminders import ScheduledJob
from bot.services.directory.receiver_loss import KIND
from bot.services.reminders.dispatcher import run_once
from tests.handoffs.conftest import add_service

LOST = {
    "fr": "⚠️ Plus personne ne reçoit les demandes de prise en charge — fiche\u00a0: {name}.",
    "en": "⚠️ Nobody receives handoffs for {name} any more.",
}
CALL_INSTEAD = {
    "fr": "voient maintenant son numéro de téléphone au lieu de «\u00a0Demander une prise en "
          "charge\u00a0»",
    "en": "now see its phone number instead of \"Request handoff\"",
}
NAME_A_RECEIVER = {"fr": "Nommer une personne qui reçoit", "en": "Name a receiver"}
SAVED = {"fr": "Enregistré.", "en": "Saved."}


def other(lang: str) -> str:
    return "en" if lang == "fr" else "fr"


def name_in(lang: str) -> str:
    return "Hébergement Test" if lang == "fr" else "Test Shelter"


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_receivers_shows_the_name_in_the_coordinators_language(app, chat, lang):
    await chat.register("cora", role="coordinator", lang=lang)
    bob = await chat.register("bob", org="Maison B (fictive)")
    await add_service(app, "Hébergement Test", name_en="Test Shelter", receivers=(bob,))
    await chat.say("cora", "/receivers Test")
    assert chat.buttons("cora") == [name_in(lang)]  # before: the French name for everyone
    events = await chat.press("cora", 1)
    assert name_in(lang) in chat.texts("cora", events)
    assert name_in(other(lang)) not in chat.texts("cora", events)


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_removing_the_last_receiver_tells_the_regions_coordinators(app, chat, lang):
    await chat.register("cora", role="coordinator", lang=lang)
    await chat.register("carl", role="coordinator", lang=other(lang))
    await chat.register("nadia", role="coordinator", regions=("13",), lang=lang)  # elsewhere
    bob = await chat.register("bob", org="Maison B (fictive)")
    await add_service(app, "Hébergement Test", name_en="Test Shelter", receivers=(bob,))
    await chat.say("cora", "/receivers Test")
    await chat.press("cora", 1)
    assert "✅ bob" in chat.buttons("cora")

    events = await chat.press("cora", "bob")  # the last receiver goes
    cora_sees = [e.text for e in chat.seen_by("cora", events)]
    assert SAVED[lang] in cora_sees  # answered once the change is stored
    assert "bob" in chat.buttons("cora") and "✅ bob" not in chat.buttons("cora")
    warning = chat.texts("cora", events)
    assert LOST[lang].format(name=name_in(lang)) in warning and CALL_INSTEAD[lang] in warning

    report = await run_once(app)  # the other coordinators of the region, in their language
    assert report.claimed == 1
    carl_sees = chat.texts("carl")
    assert LOST[other(lang)].format(name=name_in(other(lang))) in carl_sees
    assert chat.buttons("carl") == [NAME_A_RECEIVER[other(lang)]]
    assert not chat.texts("nadia")
    events = await chat.press("carl", 1)  # one tap back to /receivers for that service
    assert name_in(other(lang)) in chat.texts("carl", events)
    assert "bob" in chat.buttons("carl")


async def test_no_notice_while_someone_still_receives(app, chat):
    await chat.register("cora", role="coordinator", lang="fr")
    await chat.register("carl", role="coordinator", lang="en")
    bob = await chat.register("bob", org="Maison B (fictive)")
    eve = await chat.register("eve", org="Maison B (fictive)")
    await add_service(app, "Hébergement Test", receivers=(bob, eve))
    await chat.say("cora", "/receivers Test")
    await chat.press("cora", 1)
    events = await chat.press("cora", "bob")
    assert "Plus personne" not in chat.texts("cora", events)
    assert (await run_once(app)).claimed == 0
    assert not chat.texts("carl")


async def test_a_notice_is_not_sent_when_someone_receives_again_by_then(app, chat):
    await chat.register("cora", role="coordinator", lang="fr")
    await chat.register("carl", role="coordinator", lang="en")
    bob = await chat.register("bob", org="Maison B (fictive)")
    await add_service(app, "Hébergement Test", receivers=(bob,))
    await chat.say("cora", "/receivers Test")
    await chat.press("cora", 1)
    await chat.press("cora", "bob")  # removed...
    await chat.press("cora", "bob")  # ...and named again before the notice went
    await run_once(app)
    assert not chat.texts("carl")


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_deactivating_the_last_receiver_tells_the_regions_coordinators(app, chat, lang):
    await chat.register("cora", role="coordinator", lang=lang)
    await chat.register("carl", role="coordinator", lang=other(lang))
    bob = await chat.register("bob", org="Maison B (fictive)")
    await add_service(app, "Hébergement Test", name_en="Test Shelter", receivers=(bob,))
    await chat.say("cora", "/workers")
    await chat.press("cora", "bob")
    await chat.press("cora", "Désactiver" if lang == "fr" else "Deactivate")
    async with app.sessionmaker() as session:
        jobs = (await session.scalars(select(ScheduledJob).where(ScheduledJob.kind == KIND))).all()
    assert len(jobs) == 2  # cora did it from /workers, which says nothing of it: both are told
    await run_once(app)
    assert LOST[lang].format(name=name_in(lang)) in chat.texts("cora")
    assert LOST[other(lang)].format(name=name_in(other(lang))) in chat.texts("carl")


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_saved_only_once_the_change_is_stored(app, chat, lang):
    from bot.models.core import AuditEntry
    from tests.support.commits import failing_commit

    await chat.register("cora", role="coordinator", lang=lang)
    bob = await chat.register("bob", org="Maison B (fictive)")
    await add_service(app, "Hébergement Test", name_en="Test Shelter", receivers=(bob,))
    await chat.say("cora", "/receivers Test")
    await chat.press("cora", 1)
    with failing_commit(AuditEntry):
        events = await chat.press("cora", "bob")
    cora_sees = chat.texts("cora", events)
    assert SAVED[lang] not in cora_sees  # before: "Saved." although nothing was
    assert LOST[lang].format(name=name_in(lang)) not in cora_sees
    assert ("Désolé" if lang == "fr" else "Sorry") in cora_sees
    assert "✅ bob" in chat.buttons("cora")
