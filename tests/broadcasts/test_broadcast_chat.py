"""/broadcast end to end in the chat: bilingual delivery, screen refusal, progress, report."""

from __future__ import annotations

from tests.broadcasts.helpers import broadcasts, deliver_all, delivery_count, sends_to

BILINGUAL = (
    "Le refuge de la rue Ontario est fermé du 24 au 27 décembre. Les autres refuges "
    "restent ouverts.\n---\nThe Ontario Street shelter is closed from December 24 to 27. "
    "The other shelters remain open."
)


async def test_bilingual_broadcast_each_worker_gets_their_language(bchat, app):
    await bchat.register("alice", role="coordinator", regions=("06",), lang="fr")
    await bchat.register("bob", regions=("06",), lang="en")
    await bchat.register("carla", regions=("06",), lang="fr")
    await bchat.register("dany", regions=("06",))  # no saved language: the default, French
    await bchat.register("eve", regions=("13",), lang="en")  # another region: not addressed
    await bchat.register("gina", regions=("06",))
    await bchat.say("gina", "/announcements", lang="en")  # her Telegram app is in English

    await bchat.say("alice", "/broadcast")
    events = await bchat.say("alice", BILINGUAL)
    assert "Tout le monde dans mes régions" in bchat.buttons("alice")[0]
    events = await bchat.press("alice", "Tout le monde")
    text = bchat.texts("alice", events)
    assert "4 personnes" in text, text
    assert "Ontario Street shelter" in text and "refuge de la rue Ontario" in text
    events = await bchat.press("alice", "Envoyer")
    progress = [e for e in bchat.seen_by("alice", events) if e.kind == "send"][-1]
    assert "0 / 4 envoyé" in progress.text
    assert await delivery_count(app) == 4

    await deliver_all(app)
    assert sends_to(bchat, "bob")[-1].count("Ontario Street shelter") == 1
    assert "refuge" not in sends_to(bchat, "bob")[-1]
    assert "refuge de la rue Ontario" in sends_to(bchat, "carla")[-1]
    assert "refuge de la rue Ontario" in sends_to(bchat, "dany")[-1]
    assert "Ontario Street shelter" in sends_to(bchat, "gina")[-1]
    assert not sends_to(bchat, "eve")
    # the progress message was edited in place to the final count, then a report came
    edits = [e for e in bchat.seen_by("alice") if e.kind == "edit"]
    assert edits and "4 / 4 envoyés" in edits[-1].text
    report = sends_to(bchat, "alice")[-1]
    assert "Livrée\u00a0: 4 personnes" in report, report
    (broadcast,) = await broadcasts(app)
    assert broadcast.status == "done"


async def test_second_version_added_with_the_button(bchat, app):
    await bchat.register("alice", role="coordinator", lang="en")
    await bchat.register("bob", lang="en")
    await bchat.register("carla", lang="fr")
    await bchat.say("alice", "/broadcast")
    await bchat.say("alice", "Training on trauma-informed practice next Tuesday at 9.")
    assert "Add the French version" in bchat.buttons("alice")
    await bchat.press("alice", "Add the French version")
    await bchat.say("alice", "Formation sur les pratiques sensibles au trauma mardi prochain.")
    await bchat.press("alice", "Everyone in my regions")
    await bchat.press("alice", "Send to 2 workers")
    await deliver_all(app)
    assert "Training on trauma" in sends_to(bchat, "bob")[-1]
    assert "Formation sur les pratiques" in sends_to(bchat, "carla")[-1]


async def test_single_version_reaches_everyone(bchat, app):
    await bchat.register("alice", role="coordinator", lang="fr")
    await bchat.register("bob", lang="en")
    await bchat.say("alice", "/broadcast")
    await bchat.say("alice", "La table régionale se réunit jeudi à 13 h.")
    await bchat.press("alice", "Envoyer en français seulement")
    await bchat.press("alice", "Tout le monde")
    await bchat.press("alice", "Envoyer")
    await deliver_all(app)
    assert "La table régionale se réunit" in sends_to(bchat, "bob")[-1]
    assert "Announcement" in sends_to(bchat, "bob")[-1]  # the header is in bob's language


async def test_identifying_text_is_refused_and_nothing_stored(bchat, app):
    await bchat.register("alice", role="coordinator", lang="fr")
    await bchat.register("bob", lang="fr")
    await bchat.say("alice", "/broadcast")
    events = await bchat.say(
        "alice", "Alerte : un recruteur appelle les jeunes au 514-555-0199, soyez vigilants."
    )
    kinds = [e.kind for e in bchat.seen_by("alice", events)]
    assert "delete" in kinds
    text = bchat.texts("alice", events)
    assert "numéro de téléphone" in text
    assert "514-555-0199" not in text
    assert await broadcasts(app) == []
    # still waiting for a text: a clean one goes on
    await bchat.say("alice", "Alerte : un recruteur cible les jeunes près des métros. Vigilance.")
    assert "Ajouter la version anglaise" in bchat.buttons("alice")


async def test_workers_cannot_broadcast(bchat, app):
    await bchat.register("bob", lang="fr")
    events = await bchat.say("bob", "/broadcast")
    assert "réservée à la coordination" in bchat.texts("bob", events)
    assert await broadcasts(app) == []
