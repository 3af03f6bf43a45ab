"""``/reports`` in the chat: coordinators see the error reports of their regions and resolve them;
the reporter and the listing's receivers are told, in their language."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import App
from bot.models.core import AuditEntry
from bot.models.directory import DirectoryReport, DirectoryService
from bot.services import crypto
from bot.services.directory import receivers
from tests.directory.test_chat import LONGUEUIL_FR, first_result_name
from tests.support.chat import Chat

REPORT = "Le numéro ne répond plus depuis lundi"
WORDS = {
    "fr": {"report": "Signaler une erreur", "resolve": "Traiter 1", "without": "Sans note",
           "empty": "Aucun signalement d'erreur ouvert dans vos régions.",
           "head": "1 signalement d'erreur ouvert dans vos régions\u00a0:",
           "by": "Signalé par alice (Organisme test (fictif)), le 15 janvier à 10 h",
           "quoted": f"«\u00a0{REPORT}\u00a0»", "done": "Signalement traité.",
           "told": "La personne qui l'a signalé sera avisée.",
           "coordinators": "Cette commande est réservée à la coordination.",
           "forged": "Ce bouton n'est pas valide pour vous"},
    "en": {"report": "Report an error", "resolve": "Resolve 1", "without": "Without a note",
           "empty": "No open error report in your regions.",
           "head": "1 open error report in your regions:",
           "by": "Reported by alice (Organisme test (fictif)), January 15 at 10:00 AM",
           "quoted": f'"{REPORT}"', "done": "Report resolved.",
           "told": "The person who reported it will be told.",
           "coordinators": "This command is for coordinators.",
           "forged": "This button is not valid for you"},
}


async def reported(chat: Chat, app: App) -> DirectoryService:
    """alice (French, region 16) reports an error on the first result of a Longueuil search."""
    events = await chat.say("alice", LONGUEUIL_FR)
    name = first_result_name(events[-1].text)
    await chat.press("alice", "Signaler une erreur")
    events = await chat.say("alice", REPORT)
    assert "Merci. Votre signalement" in chat.texts("alice", events)
    async with app.sessionmaker() as session:
        return await session.scalar(select(DirectoryService).where(DirectoryService.name == name))


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_coordinator_lists_and_resolves_with_a_note(chat: Chat, seeded: App,
                                                          lang: str) -> None:
    words = WORDS[lang]
    await chat.register("alice", regions=("16",), lang="fr")
    await chat.register("carole", role="coordinator", regions=("16",), lang=lang)
    await chat.register("dora", role="coordinator", regions=("06",), lang=lang)
    service = await reported(chat, seeded)

    async with seeded.sessionmaker() as session:  # stored encrypted, under its first region
        row = await session.scalar(select(DirectoryReport))
    assert row.status == "open" and row.region == service.regions[0] == "16"
    assert REPORT not in row.text_enc and crypto.decrypt(seeded, row.text_enc) == REPORT

    events = await chat.say("carole", "/reports")
    listing = chat.texts("carole", events)
    name = (service.name_en or service.name) if lang == "en" else service.name
    assert listing.startswith(words["head"])
    assert f"1. {name}\n" in listing and words["quoted"] in listing
    assert words["by"] in listing and "2026-01-15" not in listing
    assert chat.buttons("carole") == [f"✅ {words['resolve']}"]

    events = await chat.say("dora", "/reports")  # another region's coordinator: nothing
    assert chat.texts("dora", events) == words["empty"]

    await chat.press("carole", words["resolve"])
    assert chat.buttons("carole") == [words["without"]]
    events = await chat.say("carole", "Numéro corrigé dans la fiche")
    assert chat.texts("carole", events) == f"{words['done']} {words['told']}"
    to_alice = chat.texts("alice", events)
    assert to_alice.startswith("✅ Votre signalement d'erreur a été traité par carole — fiche\u00a0:")
    assert service.name in to_alice
    assert "Note\u00a0: Numéro corrigé dans la fiche" in to_alice

    events = await chat.say("carole", "/reports")  # resolved: no longer listed
    assert chat.texts("carole", events) == words["empty"]
    async with seeded.sessionmaker() as session:
        row = await session.scalar(select(DirectoryReport))
        entry = await session.scalar(select(AuditEntry).where(
            AuditEntry.action == "directory.report_resolved"))
    assert row.status == "resolved" and row.resolved_at is not None
    assert crypto.decrypt(seeded, row.resolution_enc) == "Numéro corrigé dans la fiche"
    assert "Numéro" not in str(entry.details)  # who and how many, never the words


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_receivers_are_told_and_a_note_is_optional(chat: Chat, seeded: App,
                                                         lang: str) -> None:
    await chat.register("alice", regions=("16",), lang="fr")
    bruno = await chat.register("bruno", regions=("16",), lang=lang)
    await chat.register("carole", role="coordinator", regions=("16",), lang=lang)
    await chat.say("alice", LONGUEUIL_FR)
    name = first_result_name(chat.telegram.latest_with_buttons(chat.user_id("alice"))["text"])
    async with seeded.sessionmaker() as session:
        service = await session.scalar(select(DirectoryService).where(
            DirectoryService.name == name))
        await receivers.add_receiver(session, service.id, bruno, seeded.clock.now())
        await session.commit()
    await chat.press("alice", "Signaler une erreur")
    await chat.say("alice", REPORT)

    await chat.say("carole", "/reports")
    await chat.press("carole", WORDS[lang]["resolve"])
    events = await chat.press("carole", WORDS[lang]["without"])
    told = ("1 personne qui reçoit pour cette fiche sera avisée." if lang == "fr" else
            "1 person receiving for this listing will be told.")
    assert told in chat.texts("carole", events)
    to_bruno = chat.texts("bruno", events)
    if lang == "fr":
        assert to_bruno.startswith("✅ Un signalement d'erreur a été traité par carole — fiche\u00a0:")
        assert f"Signalement\u00a0: {REPORT}" in to_bruno
    else:
        assert to_bruno.startswith("✅ An error report was resolved by carole — listing:")
        assert f"Reported: {REPORT}" in to_bruno and (service.name_en or service.name) in to_bruno
    assert "Note" not in to_bruno and "Note" not in chat.texts("alice", events)
    assert "Votre signalement d'erreur a été traité par carole" in chat.texts("alice", events)


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_refusals_workers_forged_buttons_and_identifying_notes(chat: Chat, seeded: App,
                                                                     lang: str) -> None:
    words = WORDS[lang]
    await chat.register("alice", regions=("16",), lang=lang)
    await chat.register("carole", role="coordinator", regions=("16",), lang=lang)
    await chat.register("zoe", role="coordinator", regions=("06",), lang=lang)
    events = await chat.say("alice", "/reports")
    assert chat.texts("alice", events) == words["coordinators"]
    await chat.say("alice", LONGUEUIL_FR)
    await chat.press("alice", "Signaler une erreur" if lang == "fr" else "Report an error")
    await chat.say("alice", REPORT)

    await chat.say("carole", "/reports")
    message = chat.telegram.latest_with_buttons(chat.user_id("carole"))
    data = message["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    # zoe presses carole's button, then a made-up one: refused, nothing changes
    chat.as_user("zoe")
    for forged in (data, "sx:dir.rres:1::AAAAAAAAAAAAAAAA"):
        start = len(chat.telegram.events)
        await chat.console.feed(chat.telegram.user_presses(chat.user_id("zoe"), message, forged))
        assert words["forged"] in chat.texts("zoe", chat.telegram.events[start:])

    await chat.press("carole", words["resolve"])
    events = await chat.say("carole", "Corrigé, Jessica Tremblay a appelé au 514-555-1234")
    assert not chat.seen_by("alice", events)
    refused = "n'a pas été transmis" if lang == "fr" else "was not transmitted"
    assert refused in chat.texts("carole", events)
    async with seeded.sessionmaker() as session:
        assert (await session.scalar(select(DirectoryReport))).status == "open"
    events = await chat.say("carole", "Numéro corrigé")  # written again, without the details
    assert words["done"] in chat.texts("carole", events)


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_thanks_only_once_the_report_is_stored(chat: Chat, seeded: App, lang: str) -> None:
    from tests.support.commits import failing_commit

    await chat.register("alice", regions=("16",), lang=lang)
    await chat.register("carole", role="coordinator", regions=("16",), lang=lang)
    await chat.say("alice", LONGUEUIL_FR)
    await chat.press("alice", WORDS[lang]["report"])
    with failing_commit(DirectoryReport):
        events = await chat.say("alice", REPORT)
    alice_sees = chat.texts("alice", events)
    assert ("Désolé" if lang == "fr" else "Sorry") in alice_sees
    assert "Merci" not in alice_sees and "Thank you" not in alice_sees  # before: thanked anyway
    assert not chat.seen_by("carole", events)


async def test_a_long_list_stays_one_message_oldest_first(chat: Chat, seeded: App) -> None:
    from datetime import timedelta

    alice = await chat.register("alice", regions=("16",), lang="fr")
    await chat.register("carole", role="coordinator", regions=("16",), lang="en")
    now = seeded.clock.now()
    async with seeded.sessionmaker() as session:
        for n in range(9):
            session.add(DirectoryReport(
                service_id=None, service_name=f"Fiche {n}", region="16", reporter_id=alice.id,
                text_enc=crypto.encrypt(seeded, f"{n} " + "x" * 495), status="open",
                created_at=now - timedelta(days=9 - n)))
        await session.commit()
    events = await chat.say("carole", "/reports")
    [shown] = chat.seen_by("carole", events)
    assert len(shown.text) < 4096
    assert shown.text.startswith("9 open error reports in your regions:")
    assert shown.text.index("Fiche 0") < shown.text.index("Fiche 7") and "Fiche 8" not in shown.text
    assert "The oldest are shown first; resolve them to see the others." in shown.text
    assert len(chat.buttons("carole")) == 8
