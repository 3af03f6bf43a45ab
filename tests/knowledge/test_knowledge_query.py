"""Query parser on realistic caseworker questions typed on a phone, in French and English."""


import pytest

from knowledge.query import ParsedQuery, parse_query

SHELTER = "hebergement-urgence-jeunesse"


def test_first_french_example():
    q = parse_query("qui peut prendre une jeune de 16 ans a longueil ce soir pour de l'hebergement")
    assert q.region_codes == ("16",)
    assert q.place is not None and q.place.name == "Longueuil"
    assert q.age == 16
    assert q.needs == [SHELTER]
    assert q.now and q.urgent
    assert q.lang == "fr"
    assert q.unknown_place is None and q.ambiguous_places == []


def test_first_english_example():
    q = parse_query("any shelter for a 17yo in montreal tonight")
    assert q.region_codes == ("06",)
    assert q.age == 17
    assert q.needs == [SHELTER]
    assert q.now and q.urgent
    assert q.lang == "en"


# (text, region codes, age, needs (subset, in order), now)
CASES = [
    ("Qui peut prendre une jeune de 16 ans à Longueuil ce soir pour de l'hébergement?", ("16",), 16, [SHELTER], True),
    ("detox laval", ("13",), None, ["dependances"], False),
    ("besoin test itss sherbrooke 15 ans", ("05",), 15, ["sante-sexuelle"], False),
    ("place pour dormir trois-rivieres", ("04",), None, [SHELTER], False),
    ("H2X", ("06",), None, [], False),
    ("hébergement d'urgence à Gatineau pour un gars de 17 ans", ("07",), 17, [SHELTER], False),
    ("une jeune de 14 ans à Chicoutimi a besoin d'une trousse médicolégale", ("02",), 14, ["centre-designe"], False),
    ("CALACS à Granby?", ("05",), None, ["calacs"], False),
    ("ado 15 ans fugue, besoin d'un lit cette nuit à Laval", ("13",), 15, [SHELTER], True),
    ("travailleur de rue dans Hochelaga", ("06",), None, ["travail-de-rue"], False),
    ("avocat pour une ado de 16 à Québec", ("03",), 16, ["aide-juridique"], False),
    ("elle a 17 ans et va avoir 18 ans, ressources transition à la vie adulte à Saint-Jérôme", ("15",), 17,
     ["transition-18"], False),
    ("santé mentale crise maintenant Rimouski", ("01",), None, ["sante-mentale"], True),
    ("jeune autochtone 19 ans Val-d'Or hébergement", ("08",), 19, ["autochtone", SHELTER], False),
    ("proxénète, la jeune veut porter plainte à la police de Longueuil", ("16",), None, ["police-eilp"], False),
    ("sortir de l'exploitation programme pour une jeune femme de 20 ans a Montreal", ("06",), 20,
     ["sortie-exploitation"], False),
    ("dépistage ITSS clinique jeunesse Lévis", ("12",), None, ["sante-sexuelle"], False),
    ("refuge Sept-Îles pour un ado de 13", ("09",), 13, [SHELTER], False),
    ("dpj kuujjuaq", ("10",), None, ["dpj"], False),
    ("Need a bed tonight in Sherbrooke for a 16 year old girl", ("05",), 16, [SHELTER], True),
    ("17 y.o. needs rape kit in Gatineau asap", ("07",), 17, ["centre-designe"], True),
    ("Is there a youth clinic for STI testing in Quebec City? She's 15", ("03",), 15, ["sante-sexuelle"], False),
    ("english speaking 16-year-old needs detox on the South Shore", ("16",), 16, ["dependances"], False),
    ("lawyer for a 17 years old in Laval", ("13",), 17, ["aide-juridique"], False),
    ("street outreach worker near Verdun right now", ("06",), None, ["travail-de-rue"], True),
    ("indigenous youth 18 aging out in Chibougamau", ("10",), 18, ["autochtone", "transition-18"], False),
    ("suicidal teen 14 in Drummondville, need crisis line", ("17",), 14, ["sante-mentale"], False),
    ("exit program for a 19yo in Laval", ("13",), 19, ["sortie-exploitation"], False),
    ("any shelter in Trois Rivieres for 15-17 year olds", ("04",), 15, [SHELTER], False),
    ("hebergement st-jean-sur-richelieu 12 ans", ("16",), 12, [SHELTER], False),
    ("shelter in the Eastern Townships, 17 y/o", ("05",), 17, [SHELTER], False),
    ("CAVAC Joliette, accompagnement au tribunal pour une victime de 16 ans", ("14",), 16, ["cavac"], False),
    ("Granby hébergement jeune 16 ans", ("05",), 16, [SHELTER], False),
    ("jeune âgée de 15 ans, besoin d'hébergement à Rouyn-Noranda", ("08",), 15, [SHELTER], False),
    # Words seen as not understood (issue 12).
    ("une place pour une ado ce soir à Laval", ("13",), None, [SHELTER], True),
    ("un lit pour un jeune à Montréal", ("06",), None, [SHELTER], False),
    ("bed for a teen in Laval", ("13",), None, [SHELTER], False),
    ("jeune en fugue à Longueuil", ("16",), None, [SHELTER], False),
    ("runaway 16 year old in Gatineau", ("07",), 16, [SHELTER], False),
    ("ado exploitée 15 ans Montréal", ("06",), 15, ["sortie-exploitation"], False),
    ("trafficked girl in Montreal", ("06",), None, ["sortie-exploitation"], False),
    ("qqun peut prendre une ado de 15 ans ce soir à Laval", ("13",), 15, [SHELTER], True),
    ("shelter for 17 y/o in Montreal", ("06",), 17, [SHELTER], False),
    ("shelter for a 17 teen in Laval", ("13",), 17, [SHELTER], False),
    ("hébergement à val-dor", ("08",), None, [SHELTER], False),
    ("safe place for a trafficked teen quebec city", ("03",), None, [SHELTER, "sortie-exploitation"],
     False),
]


@pytest.mark.parametrize(("text", "regions", "age", "needs", "now"), CASES)
def test_realistic_questions(text, regions, age, needs, now):
    q = parse_query(text)
    assert q.region_codes == regions
    assert q.age == age
    assert [n for n in q.needs if n in needs] == needs
    assert q.now is now


@pytest.mark.parametrize(
    ("text", "age"),
    [("une jeune de 16", 16), ("16yo", 16), ("16 yo", 16), ("16 y/o", 16), ("16-year-old", 16),
     ("16 years old", 16), ("17 y.o.", 17), ("âgée de 15 ans", 15), ("agee de 15 ans", 15),
     ("15-17 ans", 15), ("girl, 14", 14), ("elle a 16ans", 16), ("aged 17", 17),
     ("for a 17 y/o", 17), ("for a 16 year old", 16), ("17 teen", 17), ("ado 17", 17),
     ("une 16 ans", 16)],
)
def test_age_forms(text, age):
    assert parse_query(text).age == age


@pytest.mark.parametrize(
    "text",
    ["rencontre à 14h demain", "le 16 mars à Laval", "elle est en fugue depuis 2 ans", "appelle le 811",
     "call me at 3 pm", "room 12 is free", "for 2 years she was in care"],
)
def test_no_age_from_times_dates_durations(text):
    assert parse_query(text).age is None


def test_youth_age_not_the_meeting_time():
    q = parse_query("rencontre à 14h demain à Laval pour une jeune de 15")
    assert q.age == 15
    assert q.region_codes == ("13",)
    assert "14h" not in q.text_terms


@pytest.mark.parametrize(
    ("text", "language"),
    [("jeune anglophone de 16 ans", "en"), ("english speaking youth", "en"), ("elle parle anglais", "en"),
     ("service en anglais à Laval", "en"), ("francophone youth in Gatineau", "fr"), ("speaks french only", "fr"),
     ("elle parle espagnol", "es"), ("hébergement à Laval", None), ("shelter in Laval", None)],
)
def test_language_needed(text, language):
    assert parse_query(text).language == language


@pytest.mark.parametrize(
    ("text", "now", "urgent"),
    [("ce soir", True, True), ("tonight", True, True), ("cette nuit", True, True), ("right now", True, True),
     ("asap", True, True), ("c'est urgent", False, True), ("urgence", False, True), ("tout de suite", True, True),
     ("lundi prochain", False, False), ("next week", False, False)],
)
def test_now_and_urgent(text, now, urgent):
    q = parse_query(text)
    assert (q.now, q.urgent) == (now, urgent)


def test_unknown_place_with_suggestion():
    q = parse_query("hébergement à Longeuill pour une jeune")
    assert q.region_codes == () and q.place is None
    assert q.unknown_place == "Longeuill"
    assert q.suggestions and q.suggestions[0].name == "Longueuil"


def test_unknown_place_without_suggestion():
    q = parse_query("any shelter in Springfield for a 16 yo")
    assert q.unknown_place == "Springfield"
    assert q.region_codes == ()
    assert q.age == 16


def test_no_unknown_place_for_ordinary_words():
    for text in ("elle a besoin d'aide", "youth at risk in crisis", "a fugué hier", "in need of a bed"):
        assert parse_query(text).unknown_place is None, text


def test_ambiguous_fsa_asks():
    q = parse_query("jeune de 15 ans, code postal J0E")
    assert set(q.region_codes) == {"05", "16"}
    assert sorted(m.region_codes[0] for m in q.ambiguous_places) == ["05", "16"]


def test_ambiguous_name_asks():
    q = parse_query("hébergement à Saint-Henri")
    assert set(q.region_codes) == {"06", "12"}
    assert {m.region_codes for m in q.ambiguous_places} == {("06",), ("12",)}


def test_place_names_not_read_as_needs():
    q = parse_query("hébergement à Métis-sur-Mer")
    assert q.region_codes == ("01",)
    assert q.needs == [SHELTER]


def test_text_terms_keep_meaningful_words_only():
    q = parse_query("qui peut prendre une jeune de 16 ans a longueil ce soir pour de l'hebergement")
    assert q.text_terms == ["hebergement"]
    q = parse_query("programme de jour avec atelier d'art pour jeunes à Laval")
    assert "atelier" in q.text_terms and "art" in q.text_terms
    assert "laval" not in q.text_terms and "pour" not in q.text_terms


def test_lang_detection_and_given_lang():
    assert parse_query("besoin d'un lit ce soir").lang == "fr"
    assert parse_query("need a bed tonight").lang == "en"
    assert parse_query("H2X", lang="en").lang == "en"
    assert parse_query("H2X").lang == "fr"


def test_returns_dataclass_with_defaults():
    q = parse_query("")
    assert isinstance(q, ParsedQuery)
    assert q.region_codes == () and q.needs == [] and q.age is None and not q.now
