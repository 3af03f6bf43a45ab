"""Free text -> criteria -> results on the sample directory, in French and English."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.services.directory import interpret, search
from bot.services.directory.format import answer_text, criteria_line
from bot.services.directory.search import LOCAL, NEIGHBOUR
from knowledge.regions import neighbours

SHELTER = "hebergement-urgence-jeunesse"


async def ask(app: App, text: str, lang: str | None = None, limit: int = 5):  # type: ignore[no-untyped-def]
    found = interpret(text, lang, gazetteer=app.gazetteer, taxonomy=app.taxonomy)
    async with app.sessionmaker() as session:
        return found, await search(session, found.criteria, now=app.clock.now(), limit=limit)


def check_shelters(outcome, region: str, age: int) -> None:  # type: ignore[no-untyped-def]
    assert outcome.results, "no shelter found"
    assert not outcome.nothing_local
    assert outcome.results[0].kind == LOCAL  # the region's own shelter first
    for result in outcome.results:
        entry = result.entry
        assert entry.status == "active"
        if result.kind == NEIGHBOUR:  # marked with its region, a neighbour of the asked one
            assert result.via_region in neighbours(region) and result.via_region in entry.regions
        else:
            assert region in entry.regions
        assert SHELTER in entry.categories
        assert (entry.min_age or 0) <= age <= (entry.max_age or 200)
        assert result.open_now is not False  # "ce soir" / "tonight": nothing known to be closed
    local = [r.score for r in outcome.results if r.kind == LOCAL]
    assert local == sorted(local, reverse=True)


@pytest.mark.parametrize("text,region,age", [
    ("qui peut prendre une jeune de 16 ans à Longueuil ce soir pour de l'hébergement?", "16", 16),
    ("any shelter for a 17yo in montreal tonight", "06", 17),
    ("hébergement d'urgence pour un jeune de 17 ans à Montréal ce soir", "06", 17),
    ("shelter for a 16 year old in Longueuil tonight", "16", 16),
])
async def test_example_questions_find_shelters(seeded: App, text: str, region: str, age: int) -> None:
    found, outcome = await ask(seeded, text)
    assert found.criteria.regions == (region,)
    assert found.criteria.age == age
    assert SHELTER in found.criteria.needs and found.criteria.now
    check_shelters(outcome, region, age)


async def test_answer_text_in_both_languages(seeded: App) -> None:
    found, outcome = await ask(seeded, "any shelter for a 17yo in montreal tonight")
    now = seeded.clock.now()
    fr = answer_text(outcome, seeded.translator.text("fr"), now, seeded.taxonomy)
    en = answer_text(outcome, seeded.translator.text("en"), now, seeded.taxonomy)
    assert fr.startswith("🔎 Montréal · 17 ans · Hébergement d'urgence jeunesse · ouvert maintenant")
    assert en.startswith("🔎 Montreal · 17 years old · Youth emergency shelter · open now")
    first = outcome.results[0].entry
    assert first.name in fr and (first.name_en or first.name) in en
    assert "Pour les" in fr and "For ages" in en
    assert "vérifié il y a" in fr and "verified" in en
    if first.capacity is not None:
        assert "mis à jour il y a" in fr and "updated" in en
    assert len(fr) <= 4096 and len(en) <= 4096


async def test_confidential_addresses_never_shown(app: App, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    from knowledge.hsds_import import import_path

    def service(ident: str, confidential: bool, street: str) -> dict:
        return {"id": ident, "name": f"Refuge {ident}", "status": "active", "x_regions": ["16"],
                "x_open_24_7": True, "x_confidential_address": confidential,
                "attributes": [{"id": f"a-{ident}", "taxonomy_term": {
                    "id": "t-shelter", "code": SHELTER, "name": "Hébergement", "description": "x"}}],
                "service_at_locations": [{"id": f"sal-{ident}", "location": {
                    "id": f"loc-{ident}", "location_type": "physical", "addresses": [{
                        "id": f"ad-{ident}", "address_1": street, "city": "Longueuil",
                        "state_province": "QC", "postal_code": "J4K", "country": "CA",
                        "address_type": "physical"}]}}]}

    document = {"organizations": [{"id": "o1", "name": "Org (fictif)", "description": "d", "services": [
        service("secret", True, "123 rue Secrète"), service("public", False, "9 rue Publique")]}]}
    path = tmp_path / "d.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    async with app.sessionmaker() as session:
        await import_path(session, path, now=app.clock.now(), gazetteer=app.gazetteer, taxonomy=app.taxonomy)
        await session.commit()
    _, outcome = await ask(app, "hébergement à Longueuil")
    assert {r.entry.hsds_id for r in outcome.results} == {"secret", "public"}
    for lang in ("fr", "en"):
        text = answer_text(outcome, app.translator.text(lang), app.clock.now(), app.taxonomy)
        assert "Secrète" not in text
        assert "9 rue Publique" in text
    assert "adresse confidentielle" in answer_text(outcome, app.translator.text("fr"), app.clock.now(), app.taxonomy)


async def test_no_local_service_offers_neighbours_and_lines(seeded: App) -> None:
    found, outcome = await ask(seeded, "travail de rue pour un jeune de 15 ans à Chibougamau", limit=10)
    assert found.criteria.regions == ("10",)
    assert outcome.local_total == 0  # the sample has no street outreach in Nord-du-Québec
    assert outcome.results
    kinds = {r.kind for r in outcome.results}
    assert kinds <= {"neighbour", "province_line", "province"}
    text = answer_text(outcome, seeded.translator.text("fr"), seeded.clock.now(), seeded.taxonomy)
    assert "Aucun service de la région Nord-du-Québec" in text


async def test_criteria_line_shows_the_reading(seeded: App) -> None:
    found, _ = await ask(seeded, "qui peut prendre une jeune de 16 ans à Longueuil ce soir pour de l'hébergement?")
    line = criteria_line(found.criteria, seeded.translator.text("fr"), seeded.taxonomy)
    assert line.startswith("🔎 Montérégie · 16 ans · Hébergement d'urgence jeunesse · ouvert maintenant")
