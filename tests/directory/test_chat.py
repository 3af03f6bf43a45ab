"""The directory in the chat, as workers see it, in French and in English."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import App
from bot.models.core import AuditEntry
from bot.models.directory import DirectoryService, ServiceCapacity
from bot.services.directory import receivers
from tests.support.chat import Chat

LONGUEUIL_FR = "qui peut prendre une jeune de 16 ans à Longueuil ce soir pour de l'hébergement?"
MONTREAL_EN = "any shelter for a 17yo in montreal tonight"


async def service_named(app: App, name: str) -> DirectoryService:
    async with app.sessionmaker() as session:
        service = await session.scalar(select(DirectoryService).where(DirectoryService.name == name))
        assert service is not None
        return service


def first_result_name(text: str) -> str:
    line = next(line for line in text.splitlines() if line.startswith("1. "))
    return line[3:].split(" — ")[0]


async def named_receiver(chat: Chat, app: App, name: str) -> None:
    """Someone receives handoffs for the service, so its result offers "Request handoff"."""
    rita = await chat.register("rita", regions=("16", "06"))
    async with app.sessionmaker() as session:
        await receivers.add_receiver(session, (await service_named(app, name)).id, rita,
                                     app.clock.now())
        await session.commit()


async def test_free_text_answer_in_french(chat: Chat, seeded: App) -> None:
    await chat.register("alice", regions=("16",), lang="fr")
    await named_receiver(chat, seeded, "Refuge Rive-Sud – urgence 12-17")
    events = await chat.say("alice", LONGUEUIL_FR)
    assert len(events) == 1
    text = events[0].text
    assert text.startswith("🔎 Montérégie · 16 ans · Hébergement d'urgence jeunesse · ouvert maintenant")
    assert "Pour les 12 à 17 ans" in text and "Ouvert 24/7" in text
    assert "vérifié il y a" in text and "📞" in text
    buttons = chat.buttons("alice")
    assert "🤝 1 · Demander une prise en charge" in buttons
    assert "⚠️ 1 · Signaler une erreur" in buttons
    assert {"📍 Région", "🏷 Besoin", "🎂 Âge", "⏱ Retirer «\u00a0ouvert maintenant\u00a0»"} <= set(buttons)
    data = events[0].buttons[0][0]["callback_data"]
    assert data.startswith("hreq:")
    service = await service_named(seeded, first_result_name(text))
    assert data == f"hreq:{service.id}"


async def test_free_text_answer_in_english(chat: Chat, seeded: App) -> None:
    await chat.register("bob", regions=("06",), lang="en")
    await named_receiver(chat, seeded, "Boussole – hébergement d'urgence 12-17")
    events = await chat.say("bob", MONTREAL_EN)
    text = events[-1].text
    assert text.startswith("🔎 Montreal · 17 years old · Youth emergency shelter · open now")
    assert "For ages" in text and "verified" in text
    assert "🤝 1 · Request handoff" in chat.buttons("bob")
    assert "⚠️ 1 · Report an error" in chat.buttons("bob")


async def test_drop_open_now(chat: Chat, seeded: App) -> None:
    await chat.register("alice", regions=("16",), lang="fr")
    await chat.say("alice", LONGUEUIL_FR)
    events = await chat.press("alice", "Retirer")
    assert "ouvert maintenant" not in events[-1].text.splitlines()[0]
    assert events[-1].text.startswith("🔎 Montérégie · 16 ans · Hébergement d'urgence jeunesse")


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_find_buttons_give_the_same_answer(chat: Chat, seeded: App, lang: str) -> None:
    await chat.register("alice", regions=("16",), lang=lang)
    typed = await chat.say("alice", "hébergement pour une jeune de 16 ans en Montérégie")
    events = await chat.say("alice", "/find")
    assert events[-1].text.startswith("Dans quelle région" if lang == "fr" else "In which region")
    events = await chat.press("alice", "16 Montérégie")
    assert events[-1].text == ("Quel est le besoin?" if lang == "fr" else "What is needed?")
    label = "Hébergement d'urgence jeunesse" if lang == "fr" else "Youth emergency shelter"
    events = await chat.press("alice", label)
    assert events[-1].text == ("Âge du ou de la jeune?" if lang == "fr" else "Age of the youth?")
    events = await chat.press("alice", "16")
    assert events[-1].text == typed[-1].text
    assert chat.buttons("alice")[0].startswith("📞 1")  # nobody receives: "Call"


@pytest.mark.parametrize("lang,expected", [
    ("fr", "Je n'ai pas reconnu le lieu. Vouliez-vous dire\u00a0:"),
    ("en", "I did not recognise the place. Did you mean:"),
])
async def test_unknown_place_offers_did_you_mean(chat: Chat, seeded: App, lang: str, expected: str) -> None:
    await chat.register("alice", regions=("16",), lang=lang)
    events = await chat.say("alice", "hébergement pour 16 ans à Longeuill")
    text = events[-1].text
    assert expected in text  # the misspelling is offered for correction, not guessed
    buttons = chat.buttons("alice")
    choice = next(b for b in buttons if "Longueuil" in b)
    events = await chat.press("alice", choice)
    assert events[-1].text.startswith("🔎 Montérégie")


@pytest.mark.parametrize("lang,expected,first", [
    ("fr", "Dans quelle région?", "🔎 région à choisir · 15 ans · Hébergement d'urgence jeunesse"),
    ("en", "In which region?", "🔎 region to choose · 15 years old · Youth emergency shelter"),
])
async def test_no_region_asks_for_it(chat: Chat, seeded: App, lang: str, expected: str, first: str) -> None:
    await chat.register("alice", regions=("13",), lang=lang)
    events = await chat.say("alice", "hébergement pour une jeune de 15 ans")
    text = events[-1].text
    assert text.startswith(first) and expected in text
    buttons = chat.buttons("alice")
    assert buttons[0].startswith("13 ")  # the worker's own region first
    assert len(buttons) == 17
    events = await chat.press("alice", "06 Montr")
    assert events[-1].text.startswith("🔎 Montr")


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_too_long_or_empty(chat: Chat, seeded: App, lang: str) -> None:
    await chat.register("alice", lang=lang)
    events = await chat.say("alice", "hébergement " * 60)
    assert ("C'est trop long" if lang == "fr" else "That is too long") in events[-1].text
    events = await chat.say("alice", "/find   ")
    assert ("Dans quelle région" if lang == "fr" else "In which region") in events[-1].text


async def test_more_results_page_by_page(chat: Chat, seeded: App) -> None:
    await chat.register("alice", regions=("06",), lang="fr")
    events = await chat.say("alice", "un jeune de 15 ans à Montréal")
    first = events[-1].text
    assert "Résultats 1 à 3" in first
    events = await chat.press("alice", "Plus de résultats")
    second = events[-1].text
    assert "4. " in second and "Résultats 4 à 6" in second
    names_1 = {line for line in first.splitlines() if line[:2] in ("1.", "2.", "3.")}
    assert not names_1 & set(second.splitlines())
    assert "📞 4 · Appeler" in chat.buttons("alice")


async def test_capacity_in_two_taps(chat: Chat, seeded: App) -> None:
    worker = await chat.register("alice", regions=("16",), lang="fr")
    shelter = await service_named(seeded, "Refuge Rive-Sud – urgence 12-17")
    other = await service_named(seeded, "Boussole – hébergement d'urgence 12-17")
    async with seeded.sessionmaker() as session:
        for svc in (shelter, other):
            await receivers.add_receiver(session, svc.id, worker, seeded.clock.now())
        await session.commit()
    events = await chat.say("alice", "/capacity")
    assert events[-1].text == "Quel service?"
    await chat.press("alice", "Refuge Rive-Sud")
    events = await chat.press("alice", "3")
    edited = [e for e in events if e.kind == "edit"][-1]
    assert "Refuge Rive-Sud – urgence 12-17" in edited.text and "3 lits" in edited.text
    async with seeded.sessionmaker() as session:
        cap = await session.scalar(select(ServiceCapacity).where(ServiceCapacity.service_id == shelter.id))
        assert cap.available == 3 and cap.updated == seeded.clock.now()
    answer = (await chat.say("alice", LONGUEUIL_FR))[-1].text
    assert "3 lits · mis à jour à l'instant" in answer
    seeded.clock.advance(25 * 3600)  # a day later the figure is unknown again
    answer = (await chat.say("alice", LONGUEUIL_FR))[-1].text
    assert "Disponibilité inconnue" in answer and "3 lits" not in answer


async def test_capacity_is_for_receivers_only(chat: Chat, seeded: App) -> None:
    await chat.register("bob", lang="en")
    events = await chat.say("bob", "/capacity")
    assert "You do not receive for any service" in events[-1].text


async def test_report_an_error_reaches_the_coordinator(chat: Chat, seeded: App) -> None:
    await chat.register("alice", regions=("16",), lang="fr")
    await chat.register("carole", role="coordinator", regions=("16",), lang="en")
    await chat.say("alice", LONGUEUIL_FR)
    events = await chat.press("alice", "Signaler une erreur")
    assert "Qu'est-ce qui est erroné?" in events[-1].text
    report = "Le numéro ne répond plus depuis lundi"
    events = await chat.say("alice", report)
    assert "Merci. Votre signalement a été transmis à 1 personne responsable" in chat.texts("alice", events)
    to_carole = chat.texts("carole", events)
    assert "Error reported" in to_carole and report in to_carole and "alice" in to_carole
    async with seeded.sessionmaker() as session:
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "directory.error_reported"))
    assert entry is not None and entry.details["recipients"] == 1
    assert report not in str(entry.details)
    events = await chat.say("alice", MONTREAL_EN)  # the next message is a question again
    assert events[-1].text.startswith("🔎")


async def test_report_with_identifying_details_is_refused(chat: Chat, seeded: App) -> None:
    await chat.register("alice", regions=("16",), lang="fr")
    await chat.register("carole", role="coordinator", regions=("16",), lang="fr")
    await chat.say("alice", LONGUEUIL_FR)
    await chat.press("alice", "Signaler une erreur")
    events = await chat.say("alice", "Ils ont refusé Jessica Tremblay, née le 2009-03-14, appelez-la au 514-555-1234")
    assert not chat.seen_by("carole", events)
    assert "n'a pas été transmis" in chat.texts("alice", events)
