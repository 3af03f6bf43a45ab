"""Words workers type that were not understood, read as a worker means them, and the answers
they expect on the sample directory (the search service and the chat, French and English)."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.services.directory import interpret, search
from knowledge.query import parse_query
from knowledge.smalltalk import ABOUT, GREETING, THANKS, small_talk
from tests.support.chat import Chat

SHELTER = "hebergement-urgence-jeunesse"
EXIT = "sortie-exploitation"
POLICE = "police-eilp"
DETOX = "Désintox jeunesse Sainte-Agathe"


@pytest.mark.parametrize("text,region,age,needs", [
    ("une place pour une ado de 15 ans à Laval ce soir", "13", 15, [SHELTER]),
    ("un lit pour un jeune à Montréal", "06", None, [SHELTER]),
    ("a bed for a teen in Laval tonight", "13", None, [SHELTER]),
    ("jeune en fugue à Longueuil", "16", None, [SHELTER]),
    ("runaway 16 year old in Gatineau", "07", 16, [SHELTER]),
    ("ado exploitée 15 ans Montréal", "06", 15, [EXIT]),
    ("trafficked girl in Montreal", "06", None, [EXIT]),
    ("qqun peut prendre une ado de 15 ans ce soir à Laval", "13", 15, [SHELTER]),
    ("anyone can take a teen tonight in Laval", "13", None, [SHELTER]),
    ("shelter for 17 y/o in Montreal", "06", 17, [SHELTER]),
    ("shelter for a 17 teen in Laval", "13", 17, [SHELTER]),
    ("ado 17 hébergement Laval", "13", 17, [SHELTER]),
    ("hébergement à val-dor", "08", None, [SHELTER]),
    ("shelter in val dor", "08", None, [SHELTER]),
    ("safe place for a trafficked teen quebec city", "03", None, [SHELTER, EXIT]),
    ("une place en désintox à Laval", "13", None, ["dependances"]),  # a place in detox
])
def test_words_workers_type(text: str, region: str, age: int | None, needs: list[str]) -> None:
    parsed = parse_query(text)
    assert parsed.region_codes == (region,), text
    assert parsed.age == age, text
    assert parsed.needs == needs, text
    assert POLICE not in parsed.needs
    assert "qqun" not in parsed.text_terms and parsed.unknown_place is None


@pytest.mark.parametrize("text", ["depuis 15 ans à Laval", "hébergement 17 Laval",
                                  "for 17 years in Laval"])
def test_numbers_that_are_not_ages(text: str) -> None:
    assert parse_query(text).age is None  # a duration, or a bare number without a youth word


@pytest.mark.parametrize("text,youth", [("a teen in Laval", True), ("ado à Laval", True),
                                        ("ado de 15 ans à Laval", False),
                                        ("un jeune à Laval", False)])
def test_a_minor_without_an_age(seeded: App, text: str, youth: bool) -> None:
    found = interpret(text, None, gazetteer=seeded.gazetteer, taxonomy=seeded.taxonomy)
    assert found.criteria.youth is youth


@pytest.mark.parametrize("text,kind", [
    ("bonjour", GREETING), ("Bonjour!", GREETING), ("hi", GREETING), ("salut relais", GREETING),
    ("merci", THANKS), ("merci beaucoup!", THANKS), ("thanks", THANKS), ("thank you", THANKS),
    ("what can you do?", ABOUT), ("que peux-tu faire?", ABOUT), ("Que peux tu faire", ABOUT),
    ("bonjour, un lit à Laval", None), ("hi, shelter in laval", None), ("merci, dpj 06", None),
    ("hébergement Laval", None),
])
def test_small_talk_never_catches_a_search(text: str, kind: str | None) -> None:
    assert small_talk(text) == kind


async def ask(app: App, text: str, limit: int = 5):  # type: ignore[no-untyped-def]
    found = interpret(text, None, gazetteer=app.gazetteer, taxonomy=app.taxonomy)
    async with app.sessionmaker() as session:
        return await search(session, found.criteria, now=app.clock.now(), limit=limit)


@pytest.mark.parametrize("text", ["safe place for a trafficked teen quebec city",
                                  "lieu sûr pour une ado exploitée à Québec"])
async def test_trafficked_teen_gets_shelter_and_exploitation_services_first(
        seeded: App, text: str) -> None:
    """Seen: the police only."""
    outcome = await ask(seeded, text)
    first, second = outcome.results[:2]
    assert SHELTER in first.entry.categories and "03" in first.entry.regions
    assert EXIT in second.entry.categories
    assert all(r.entry.categories != {POLICE} for r in outcome.results)


@pytest.mark.parametrize("text,first", [
    ("qqun peut prendre un ado cette nuit à Terrebonne", "Le Sentier"),
    ("a bed for a teen in Repentigny tonight", "Le Sentier"),
    ("ado 15 ans terrebonne cette nuit", "Le Sentier"),  # any need: the local shelter first
    ("jeune 16 ans repentigny ce soir", "Le Sentier"),
])
async def test_local_shelter_before_the_detox_programme(seeded: App, text: str, first: str) -> None:
    """Seen: a detox programme in Sainte-Agathe first for youth shelter searches."""
    outcome = await ask(seeded, text)
    assert outcome.results[0].entry.name.startswith(first)
    assert outcome.results[0].entry.name != DETOX


@pytest.mark.parametrize("text", ["une place pour un jeune de 14 ans à St-Jérôme cette nuit",
                                  "a bed for a 14 y/o in st-jerome tonight"])
async def test_st_jerome_shelter_search_has_no_detox(seeded: App, text: str) -> None:
    outcome = await ask(seeded, text, limit=10)
    names = [r.entry.name for r in outcome.results]
    assert DETOX not in names
    assert any(n.startswith("Le Versant") for n in names)  # the local shelter, full, still shown


@pytest.mark.parametrize("lang,text,line", [
    ("fr", "une place pour une ado de 15 ans à Laval ce soir",
     "🔎 Laval · 15 ans · Hébergement d'urgence jeunesse · ouvert maintenant · urgent"),
    ("en", "a bed for a 17 y/o in Laval tonight",
     "🔎 Laval · 17 years old · Youth emergency shelter · open now · urgent"),
    ("fr", "ado en fugue à val-dor",
     "🔎 Abitibi-Témiscamingue · personne mineure · Hébergement d'urgence jeunesse"),
    ("en", "runaway teen in val dor",
     "🔎 Abitibi-Témiscamingue · a minor · Youth emergency shelter"),
    ("fr", "qqun peut prendre une ado exploitée à Laval",
     "🔎 Laval · personne mineure · Sortie de l'exploitation sexuelle"),
    ("en", "trafficked teen, 17, in Laval", "🔎 Laval · 17 years old · Exiting sexual exploitation"),
])
async def test_the_worker_sees_what_was_understood(chat: Chat, seeded: App, lang: str, text: str,
                                                   line: str) -> None:
    await chat.register("alice", regions=("13",), lang=lang)
    answer = (await chat.say("alice", text))[-1].text
    assert answer.splitlines()[0] == line
