"""/announcements: recent announcements of the worker's regions, for late joiners too."""

from __future__ import annotations

from tests.broadcasts.helpers import deliver_all, make_broadcast


async def test_late_joiner_reads_recent_announcements_of_their_regions(bchat, app, clock):
    await make_broadcast(bchat, 3, region="06")
    await deliver_all(app)
    await bchat.register("newcomer", regions=("06",), lang="en")
    await bchat.register("elsewhere", regions=("13",), lang="fr")
    events = await bchat.say("newcomer", "/announcements")
    text = bchat.texts("newcomer", events)
    assert "Recent announcements" in text and "Test announcement (fictional)." in text
    assert "Annonce de test" not in text
    events = await bchat.say("elsewhere", "/announcements")
    assert "Aucune annonce récente" in bchat.texts("elsewhere", events)


async def test_cancelled_announcements_are_not_listed(bchat, app):
    await make_broadcast(bchat, 3)
    await bchat.press("alice", "Annuler l'envoi")
    await deliver_all(app)
    await bchat.register("newcomer", regions=("06",))
    events = await bchat.say("newcomer", "/announcements")
    assert "Aucune annonce récente" in bchat.texts("newcomer", events)


async def test_long_announcement_can_be_read_in_full(bchat, app):
    await bchat.register("alice", role="coordinator", lang="fr")
    await bchat.register("bob", lang="fr")
    long_text = "Nouvelle ressource d'hébergement pour les jeunes de 16 à 21 ans. " * 20
    await bchat.say("alice", "/broadcast")
    await bchat.say("alice", long_text)
    await bchat.press("alice", "Envoyer en français seulement")
    await bchat.press("alice", "Tout le monde")
    await bchat.press("alice", "Envoyer")
    await deliver_all(app)
    events = await bchat.say("bob", "/announcements")
    assert "…" in bchat.texts("bob", events)
    events = await bchat.press("bob", "Lire le no 1")
    assert bchat.texts("bob", events).count("Nouvelle ressource") == 20
