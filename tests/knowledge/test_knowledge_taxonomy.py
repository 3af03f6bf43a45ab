"""Taxonomy: labels, free-text need detection in both languages, external term mapping."""

import pytest

from knowledge.taxonomy import load_taxonomy

CODES = [
    "hebergement-urgence-jeunesse", "hebergement-transition", "dpj", "cavac", "ivac", "calacs",
    "centre-designe", "sante-sexuelle", "sante-mentale", "dependances", "aide-juridique", "police-eilp",
    "travail-de-rue", "sortie-exploitation", "autochtone", "lignes-aide", "transition-18",
]


@pytest.fixture(scope="module")
def tax():
    return load_taxonomy()


def test_seventeen_categories_with_labels(tax):
    assert list(tax.categories) == CODES
    assert tax.label("dpj", "fr") == "Protection de la jeunesse (DPJ)"
    assert tax.label("hebergement-urgence-jeunesse", "en") == "Youth emergency shelter"
    for code in CODES:
        assert tax.label(code, "fr") and tax.label(code, "en") and tax.categories[code].synonyms


@pytest.mark.parametrize(
    ("text", "code"),
    [("shelter", "hebergement-urgence-jeunesse"), ("hébergement", "hebergement-urgence-jeunesse"),
     ("hebergement", "hebergement-urgence-jeunesse"), ("HÉBERGEMENT", "hebergement-urgence-jeunesse"),
     ("dépannage", "hebergement-urgence-jeunesse"), ("place pour dormir", "hebergement-urgence-jeunesse"),
     ("un lit", "hebergement-urgence-jeunesse"), ("bed", "hebergement-urgence-jeunesse"),
     ("somewhere to sleep", "hebergement-urgence-jeunesse"), ("hebergment", "hebergement-urgence-jeunesse"),
     ("appartement supervisé", "hebergement-transition"), ("transitional housing", "hebergement-transition"),
     ("signalement à la DPJ", "dpj"), ("youth protection", "dpj"),
     ("CAVAC", "cavac"), ("accompagnement au tribunal", "cavac"), ("IVAC", "ivac"), ("indemnisation", "ivac"),
     ("CALACS", "calacs"), ("agression sexuelle", "calacs"), ("sexual assault", "calacs"),
     ("trousse médicolégale", "centre-designe"), ("trousse medico-legale", "centre-designe"),
     ("rape kit", "centre-designe"),
     ("STI test", "sante-sexuelle"), ("test ITSS", "sante-sexuelle"), ("dépistage", "sante-sexuelle"),
     ("depistage", "sante-sexuelle"), ("clinique jeunesse", "sante-sexuelle"), ("pilule du lendemain", "sante-sexuelle"),
     ("santé mentale", "sante-mentale"), ("crise", "sante-mentale"), ("suicide", "sante-mentale"),
     ("suicidaire", "sante-mentale"), ("detox", "dependances"), ("désintox", "dependances"),
     ("desintox", "dependances"), ("harm reduction", "dependances"), ("naloxone", "dependances"),
     ("avocat", "aide-juridique"), ("lawyer", "aide-juridique"), ("legal aid", "aide-juridique"),
     ("police", "police-eilp"), ("pimp", "police-eilp"), ("proxénète", "police-eilp"), ("proxenete", "police-eilp"),
     ("travailleur de rue", "travail-de-rue"), ("outreach", "travail-de-rue"),
     ("sortir de l'exploitation", "sortie-exploitation"), ("exit", "sortie-exploitation"),
     ("exit program", "sortie-exploitation"),
     ("autochtone", "autochtone"), ("indigenous", "autochtone"), ("first nations", "autochtone"),
     ("inuit", "autochtone"), ("premières nations", "autochtone"),
     ("ligne d'écoute", "lignes-aide"), ("hotline", "lignes-aide"), ("24/7", "lignes-aide"),
     ("18 ans", "transition-18"), ("aging out", "transition-18"), ("vie adulte", "transition-18")],
)
def test_match_synonym_families(tax, text, code):
    assert code in tax.match(text)


def test_every_synonym_matches_its_category(tax):
    for cat in tax.categories.values():
        for syn in cat.synonyms:
            assert cat.code in tax.match(syn), (cat.code, syn)


def test_match_order_and_no_repeats(tax):
    text = "besoin d'un avocat et d'un hébergement, puis un autre avocat"
    assert tax.match(text) == ["aide-juridique", "hebergement-urgence-jeunesse"]


def test_longest_phrase_wins(tax):
    assert tax.match("transition à la vie adulte") == ["transition-18"]
    assert tax.match("hébergement de transition") == ["hebergement-transition"]


def test_no_match_on_ordinary_text(tax):
    assert tax.match("Peux-tu m'envoyer le formulaire par courriel?") == []
    assert tax.match("Can you send me the consent form by email?") == []
    assert tax.match("il faut charger le téléphone") == []


@pytest.mark.parametrize(
    ("term", "code"),
    [("dpj", "dpj"), ("BH-1800.8500", "hebergement-urgence-jeunesse"), ("Emergency Shelter", "hebergement-urgence-jeunesse"),
     ("Youth Shelters", "hebergement-urgence-jeunesse"), ("RP-1500.1400-800.50", "calacs"), ("Legal Aid", "aide-juridique"),
     ("Hébergement de transition", "hebergement-transition"), ("Youth emergency shelter", "hebergement-urgence-jeunesse"),
     ("Santé mentale et crise", "sante-mentale"), ("Street Outreach Programs", "travail-de-rue"),
     ("Substance Use Disorder Services", "dependances"), ("Crisis Hotlines", "lignes-aide")],
)
def test_resolve_term(tax, term, code):
    assert tax.resolve_term(term) == code


def test_resolve_term_unknown(tax):
    assert tax.resolve_term("Lawn mowing") is None
    assert tax.resolve_term("") is None
