"""First names no list knows, names that are also places, relatives, nicknames: flagged when
the sentence is about a person. Organisations, places, months, brands and ordinary words at the
start of a sentence still pass."""

from __future__ import annotations

import pytest

from tests.privacy.helpers import found

NAMES = [
    # community names (list) and unknown capitalised words before a person-verb
    ("fr", "Nivaaq est arrivée hier au refuge.", "Nivaaq"),
    ("fr", "Kervens a rappelé ce matin.", "Kervens"),
    ("en", "Oumou didn't show up for her appointment.", "Oumou"),
    ("fr", "Pitsiulak a fugué du foyer.", "Pitsiulak"),
    ("en", "Roodly ran away last night.", "Roodly"),
    ("fr", "Kadiatou n'est pas rentrée hier soir.", "Kadiatou"),
    ("fr", "Zyanna a manqué son rendez-vous.", "Zyanna"),  # invented spelling
    ("en", "Kaydence texted me at midnight.", "Kaydence"),
    ("en", "Meiqi is missing since Friday.", "Meiqi"),
    ("fr", "Tikaani ne répond plus au téléphone.", "Tikaani"),
    ("en", "Lasharee was seen near the bus terminal.", "Lasharee"),
    # after a person cue
    ("fr", "J'ai parlé à Aziyah hier.", "Aziyah"),
    ("fr", "Elle est avec Jaylinn depuis lundi.", "Jaylinn"),
    ("en", "talked to Brexley at the drop-in", "Brexley"),
    ("fr", "Elle dort chez Nathaly-Rose depuis samedi.", "Nathaly-Rose"),
    # names that are also places
    ("fr", "La jeune s'appelle Alma.", "Alma"),
    ("fr", "Laurence Lachute a manqué son rendez-vous.", "Laurence"),
    ("fr", "Chelsea est partie avec son chum.", "Chelsea"),
    # relatives
    ("fr", "Sa mère Josée ne répond pas.", "Josée"),
    ("en", "Her brother Dylan picked her up.", "Dylan"),
    ("fr", "Son oncle Réjean l'héberge.", "Réjean"),
    ("en", "Her aunt Wanakee is taking her in.", "Wanakee"),
    # nicknames
    ("fr", "On l'appelle Puce dans la rue.", "Puce"),
    ("en", "She goes by Kiki now.", "Kiki"),
    ("fr", "Surnommée Ti-Loup, elle traîne au métro.", "Ti-Loup"),
    ("en", "Everyone calls her Bunny.", "Bunny"),
    ("fr", "Son surnom c'est Cocotte.", "Cocotte"),
]


@pytest.mark.parametrize(("lang", "text", "name"), NAMES, ids=[n[2] for n in NAMES])
def test_person_named(screen, lang, text, name):
    assert ("PERSON", name) in found(screen, text)


MUST_PASS = [
    # capitalised ordinary words at the start of a sentence
    "Demain on se parle, bonne soirée.",
    "Personne a rappelé, je réessaie demain.",
    "Personne n'a rappelé.",
    "Refuge plein ce soir.",
    "Maman a appelé ce matin pour sa fille.",
    "Quelqu'un a appelé pour elle.",
    "Intervenante a rappelé la famille.",
    "Nobody called back yet.",
    "Security called at 2am.",
    "Intake called this morning about a referral.",
    "Mom called back, she is worried.",
    "Ambulance est arrivée vite.",
    "Paramedics arrived quickly.",
    # months, days, holidays
    "Janvier est arrivé vite.",
    "Lundi est arrivé trop vite.",
    "Halloween est passé sans problème.",
    # organisations and places
    "Dianova a rappelé pour la référence.",
    "Projet Lune a rappelé, ils ont une place.",
    "Moisson Montréal a livré les boîtes.",
    "Laval a rappelé pour le transfert.",
    "Montréal est arrivée en tête du classement.",
    "Kahnawake a rappelé pour le transport.",
    "Batshaw called about the referral.",
    "Legal Aid called back.",
    "Youth Protection called about the file.",
    "Urgence-santé est arrivé.",
    # brands
    "Uber est arrivé en retard.",
    "Costco a donné des denrées.",
    "Hydro-Québec a coupé l'électricité.",
    "Dollarama a donné des fournitures.",
    "On est allés chez Walmart puis chez Dollarama.",
    "Leolist a retiré l'annonce.",
    "Instagram a supprimé son compte.",
    "Telus called about the phone plan.",
    # acronyms and plain capitalised words with other verbs
    "CIUSSS a rappelé pour le dossier.",
    "Bref, elle est partie tôt.",
]


@pytest.mark.parametrize("text", MUST_PASS)
def test_ordinary_capitalised_word_passes(screen, text):
    result = screen.scan(text)
    assert result.identifying is False, [(text[s:e], k) for s, e, k in result.spans]


def test_unknown_word_without_person_context_passes(screen):
    # an unknown capitalised word alone, with no person-verb or person cue, is left alone
    assert screen.scan("Le projet Zyanna commence en mai.").identifying is False
    assert screen.scan("We visited Tikaani last year, lovely town.").identifying is False


def test_place_prepositions_keep_towns_as_places(screen):
    assert screen.scan("Elle veut aller à Alma chez sa grand-mère.").identifying is False
    assert screen.scan("She moved to Chelsea last year.").identifying is False


# --- colloquial French negation, names with an apostrophe, names that are also places or
# words (only a person's action counts), full names whose surname is a place, nicknames with
# an article, and frequent names added to the community list ---

MORE_NAMES = [
    ("fr", "Tyrese a pas répondu depuis lundi", "Tyrese"),
    ("fr", "Kemberly a jamais rappelé", "Kemberly"),
    ("en", "Jo'Anna ran away again", "Jo'Anna"),
    ("en", "Ta'Niyah said she would come", "Ta'Niyah"),
    ("fr", "hier, Ja'Nya est arrivée au refuge", "Ja'Nya"),
    ("en", "Chelsea didn't come back last night", "Chelsea"),
    ("en", "Alma is 14 and staying with a friend", "Alma"),
    ("en", "Paris is refusing to talk to her worker", "Paris"),
    ("fr", "Alma ne répond plus depuis hier", "Alma"),
    ("fr", "Maria Gatineau a appelé pour sa fille", "Maria"),
    ("en", "Savannah Granby missed court today", "Savannah"),
    ("fr", "on l'appelle la Puce dans la rue", "Puce"),
    ("en", "they call her the Princess", "Princess"),
    ("fr", "Morgane a texté cette nuit", "Morgane"),
    ("fr", "Mylène n'est pas rentrée", "Mylène"),
    ("fr", "Dieunie est partie avec son chum", "Dieunie"),
    # a listed name that is also a word, then where the person is
    ("fr", "Marie est chez son chum depuis lundi", "Marie"),
    ("fr", "Maxime est avec elle au parc", "Maxime"),
    ("en", "Rose is at her aunt's place tonight", "Rose"),
]


@pytest.mark.parametrize(("lang", "text", "name"), MORE_NAMES, ids=[n[2] for n in MORE_NAMES])
def test_more_people_named(screen, lang, text, name):
    assert ("PERSON", name) in found(screen, text)


MORE_MUST_PASS = [
    # a place or an organisation acting, not a person
    "Chelsea doesn't have beds tonight",
    "Victoria won't take her, no room",
    "Paris is refusing all transfers this month",
    "Alma a refusé la demande de transfert",
    "Alma is 2 hours from Chicoutimi",
    "Alma is 15 minutes from the shelter",
    # ordinary words that are names elsewhere, with the same verbs
    "Hope didn't help much this time",
    "Rose won't bloom in this cold",
    "Grace is at the heart of our work",
    "Hope is in the air this week",
    "Victoire est au rendez-vous pour l'équipe",
    "Alma est au Lac-Saint-Jean, à deux heures d'ici",
    # an apostrophe that is not a name
    "Y'All said hi from the drop-in",
    "La ressource s'appelle la Maison",
    # a civic address of a meeting, with a direction that is also a name
    "training at 1500 Sherbrooke Street West, room 3",
]


@pytest.mark.parametrize("text", MORE_MUST_PASS)
def test_places_acting_and_ordinary_words_pass(screen, text):
    result = screen.scan(text)
    assert result.identifying is False, [(text[s:e], k) for s, e, k in result.spans]
