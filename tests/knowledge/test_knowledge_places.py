"""Gazetteer: exact, accent-free, abbreviated and misspelt names; free-text scanning; FSAs."""

import csv
from collections import Counter
from pathlib import Path

import pytest

from knowledge.places import load_gazetteer
from knowledge.regions import load_regions

DATA = Path(__file__).resolve().parents[2] / "knowledge" / "data"


@pytest.fixture(scope="module")
def gaz():
    return load_gazetteer()


def top(gaz, name):
    matches = gaz.resolve(name)
    assert matches, name
    return matches[0]


@pytest.mark.parametrize(
    ("name", "region"),
    [("Longueuil", "16"), ("longueuil", "16"), ("Longeuil", "16"), ("montreal", "06"),
     ("Montréal", "06"), ("MONTREAL", "06"), ("trois rivieres", "04"), ("Trois-Rivières", "04"),
     ("Three Rivers", "04"), ("Sherbrook", "05"), ("Sherbrooke", "05"), ("chicoutimi", "02"),
     ("Jonquière", "02"), ("jonquiere", "02"), ("La Baie", "02"), ("Hull", "07"), ("Aylmer", "07"),
     ("Gatineau", "07"), ("Chomedey", "13"), ("Laval-des-Rapides", "13"), ("Granby", "05"),
     ("Bromont", "05"), ("Cowansville", "05"), ("Farnham", "05"), ("Waterloo", "05"), ("Lac-Brome", "05"),
     ("Plateau-Mont-Royal", "06"), ("Hochelaga-Maisonneuve", "06"), ("Montréal-Nord", "06"),
     ("Verdun", "06"), ("Pointe-Claire", "06"), ("Dorval", "06"), ("Vieux-Longueuil", "16"),
     ("Greenfield Park", "16"), ("Lévis", "12"), ("levis", "12"), ("Charlesbourg", "03"),
     ("Beauport", "03"), ("Sainte-Foy", "03"), ("Ste-Foy", "03"), ("ste foy", "03"),
     ("St-Jérôme", "15"), ("Saint Jerome", "15"), ("St-Jean-sur-Richelieu", "16"),
     ("Quebec City", "03"), ("Québec", "03"), ("Rouyn-Noranda", "08"), ("Val d'Or", "08"),
     ("valdor", "08"), ("val-dor", "08"), ("val dor", "08"), ("Sept-Iles", "09"), ("Kuujjuaq", "10"), ("Chibougamau", "10"),
     ("Gaspé", "11"), ("Rimouski", "01"), ("Drummondville", "17"), ("Victoriaville", "17"),
     ("Joliette", "14"), ("Terrebonne", "14"), ("Mont-Tremblant", "15"), ("Mt-Tremblant", "15"),
     ("Kahnawake", "16"), ("South Shore", "16"), ("Eastern Townships", "05"), ("Laurentians", "15"),
     ("L'Assomption", "14"), ("lassomption", "14"), ("Baie-Comeau", "09"), ("Saint-Hyacinthe", "16")],
)
def test_resolve(gaz, name, region):
    assert top(gaz, name).region_codes == (region,)


def test_exact_scores_100_and_fuzzy_lower(gaz):
    assert top(gaz, "Longueuil").score == 100
    fuzzy = top(gaz, "Longeuil")
    assert fuzzy.name == "Longueuil" and 80 <= fuzzy.score < 100


def test_granby_is_estrie_not_monteregie(gaz):
    for m in gaz.resolve("Granby"):
        assert "16" not in m.region_codes


def test_kinds(gaz):
    assert top(gaz, "Chicoutimi").kind == "borough"
    assert top(gaz, "Longueuil").kind == "municipality"
    assert top(gaz, "Montérégie").kind == "region"
    assert top(gaz, "H2X").kind == "fsa"


@pytest.mark.parametrize(("name", "regions"), [("Saint-Henri", {"06", "12"}), ("Saint-Michel", {"06", "16"}),
                                                ("L'Ange-Gardien", {"03", "07"}), ("Rive-Nord", {"14", "15"})])
def test_ambiguous_names_give_one_candidate_per_region(gaz, name, regions):
    exact = [m for m in gaz.resolve(name) if m.score == 100]
    assert {m.region_codes[0] for m in exact} == regions
    assert all(len(m.region_codes) == 1 for m in exact)


def test_unknown_name(gaz):
    assert gaz.resolve("Springfield") == []
    assert gaz.resolve("") == []


def test_suggest(gaz):
    assert gaz.suggest("Longeuill")[0].name == "Longueuil"
    assert gaz.suggest("Sherbroke")[0].name == "Sherbrooke"
    assert gaz.suggest("xq") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [("une jeune à Longueuil ce soir", [("Longueuil", ("16",))]),
     ("a longueil ce soir", [("Longueuil", ("16",))]),
     ("any shelter in montreal tonight", [("Montréal", ("06",))]),
     ("gatineau/hull", [("Gatineau", ("07",)), ("Hull", ("07",))]),
     ("de Rimouski vers Québec", [("Rimouski", ("01",)), ("Québec", ("03",))]),
     ("place pour dormir trois-rivieres", [("Trois-Rivières", ("04",))]),
     ("elle est à Saint-Jean-sur-Richelieu", [("Saint-Jean-sur-Richelieu", ("16",))]),
     ("détox à st-jerome", [("Saint-Jérôme", ("15",))]),
     ("shelter on the South Shore", [("Montérégie", ("16",))]),
     ("youth in the Eastern Townships", [("Estrie", ("05",))]),
     ("la jeune est à Alma", [("Alma", ("02",))]),
     ("near NDG", [("Notre-Dame-de-Grâce", ("06",))]),
     ("Bas-Saint-Laurent", [("Bas-Saint-Laurent", ("01",))]),
     ("H2X", [("H2X", ("06",))]),
     ("code postal J0E", [("J0E", ("05", "16"))])],
)
def test_find_in_text(gaz, text, expected):
    found = gaz.find_in_text(text)
    assert [(m.name, m.region_codes) for m in found] == expected


def test_find_in_text_spans_point_to_original_text(gaz):
    text = "Une jeune de 16 ans à Trois-Rivières, ce soir"
    (m,) = gaz.find_in_text(text)
    assert text[m.start : m.end] == "Trois-Rivières"


def test_street_names_are_not_places(gaz):
    found = gaz.find_in_text("Adresse : 120, boul. des Laurentides, Laval H7G")
    assert [(m.name, m.kind) for m in found] == [("Laval", "municipality"), ("H7G", "fsa")]


def test_name_like_places_need_a_cue(gaz):
    assert gaz.find_in_text("Alma a 16 ans") == []
    assert [m.name for m in gaz.find_in_text("elle est à Alma")] == ["Alma"]
    assert [m.name for m in gaz.find_in_text("hébergement à Sainte-Justine")] == ["Sainte-Justine"]


def test_longest_match_wins(gaz):
    (m,) = gaz.find_in_text("au Bas-Saint-Laurent")
    assert m.region_codes == ("01",)
    (m,) = gaz.find_in_text("à Saint-Bruno-de-Montarville")
    assert m.name == "Saint-Bruno-de-Montarville"


ORDINARY = [
    "Est-ce que quelqu'un a une place ce soir pour une jeune?",
    "Elle a besoin d'aide tout de suite, c'est urgent.",
    "La jeune est au centre, elle dort mal et veut parler à quelqu'un.",
    "On cherche une place en hébergement, la ressource du nord est pleine.",
    "Elle a fugué trois fois ce mois-ci, on soupçonne un recrutement par un proxénète.",
    "Any youth shelter with a free bed? Please help.",
    "She needs a place to stay, any help appreciated, the centre is full.",
    "Mark the file urgent and notify the on-call supervisor.",
    "Rencontre d'équipe demain à 14h pour le suivi du dossier.",
    "Alma a 16 ans et elle veut retourner chez sa mère.",
    "Elle reste au 4521 rue Saint-Hubert avec son chum.",
    "Peux-tu m'envoyer le formulaire de consentement par courriel?",
    "Victoire! Elle a accepté l'hébergement, on se reparle lundi.",
    "Can someone from the team call me back this evening?",
    "Elle est suivie par l'intervenante de la nouvelle ressource depuis mars.",
    "Partout au Québec, les jeunes en fugue sont à risque.",
    "Le plateau de travail commence à 9 h.",
    "Elle prend le métro Charlevoix tous les jours.",
    "Pour l'avenir, il faut un plan de sécurité.",
    "Elle est à l'urgence de Sainte-Justine depuis ce matin.",
    "Madame Lorraine a appelé, Scott called the office too.",
    "Elle dort dans le métro, she sleeps at the bus station downtown.",
    "On a rendez-vous au 120, boul. des Laurentides.",
]


@pytest.mark.parametrize("sentence", ORDINARY)
def test_find_in_text_ignores_ordinary_words(gaz, sentence):
    assert gaz.find_in_text(sentence) == []


@pytest.mark.parametrize(
    ("fsa", "regions"),
    [("H2X", ("06",)), ("h7n", ("13",)), ("H7W", ("13",)), ("J4K", ("16",)), ("J2G", ("05",)),
     ("G1K", ("03",)), ("G7H", ("02",)), ("J8Y", ("07",)), ("J9P", ("08",)), ("G6V", ("12",)),
     ("J0M", ("10",)), ("G4R", ("09",)), ("G4X", ("11",)), ("G9A", ("04",)), ("G6P", ("17",)),
     ("J6E", ("14",)), ("J7Z", ("15",)), ("G5L", ("01",))],
)
def test_fsa_regions(gaz, fsa, regions):
    assert gaz.fsa_regions(fsa) == regions


def test_rural_fsa_spans_several_regions(gaz):
    assert len(gaz.fsa_regions("J0E")) > 1
    assert gaz.fsa_regions("X0A") == ()
    regions = set(load_regions())
    with (DATA / "fsa.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            assert set(row["regions"].split()) <= regions, row
            assert row["prefix"][0] in "GHJ"


def test_every_first_letter_digit_prefix_is_covered(gaz):
    for letter in "GHJ":
        for digit in range(10):
            if (letter, digit) in {("H", 0), ("H", 6)}:
                continue
            assert gaz.fsa_regions(f"{letter}{digit}A") or gaz.fsa_regions(f"{letter}{digit}"), (letter, digit)


def test_gazetteer_data_covers_every_region():
    with (DATA / "municipalities.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) >= 500
    per_region = Counter(r["region"] for r in rows)
    assert set(per_region) == set(load_regions())
    assert min(per_region.values()) >= 10
    assert {r["kind"] for r in rows} <= {"municipality", "borough"}


def test_place_names_allow_list(gaz):
    names = gaz.place_names()
    for name in ("Montréal", "Montreal", "Longueuil", "Trois-Rivières", "Three Rivers", "Montérégie",
                 "Eastern Townships", "Chicoutimi", "Saint-Henri", "Kuujjuaq"):
        assert name in names
    assert not any("(" in n for n in names)
    assert len(names) == len(set(names))


def test_a_word_is_matched_to_places_once_then_remembered(monkeypatch):
    """Questions repeat the same words: the fuzzy look-up runs once per word, same answer."""
    import knowledge.places as places

    gaz = places.Gazetteer([("Longueuil", "municipality", "16", ())], {})
    calls: list[str] = []
    extract = places.process.extractOne

    def counted(word, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(word)
        return extract(word, *args, **kwargs)

    monkeypatch.setattr(places.process, "extractOne", counted)
    first = gaz.find_in_text("hébergement à Longeuil")
    assert [(m.name, m.region_codes) for m in first] == [("Longueuil", ("16",))]
    asked = list(calls)
    assert "hebergement" in asked and "longeuil" in asked
    assert gaz.find_in_text("hébergement à Longeuil") == first
    assert calls == asked  # the second question asked nothing
    monkeypatch.setattr(places, "_LOOK_ALIKES_KEPT", 2)
    gaz.find_in_text("jeunesse à Longeuil")  # new words: the memory starts over
    assert gaz.find_in_text("hébergement à Longeuil") == first
    assert calls.count("hebergement") == 2
