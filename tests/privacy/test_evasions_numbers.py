"""Disguised numbers: phones spaced, split, with extensions, look-alike letters or in words;
health-card numbers in odd groups; SINs spaced out; licence plates and file numbers named as
such. Public helplines, counts, case codes and times still pass."""

from __future__ import annotations

import pytest

from bot.privacy import KINDS
from tests.privacy.helpers import found

PHONES = [
    ("fr", "Elle répond au 5 1 4 5 5 5 1 2 3 4 le soir", "5 1 4 5 5 5 1 2 3 4"),
    ("fr", "Son numéro : 514 555 12 34, texto seulement", "514 555 12 34"),
    ("fr", "cell 5 1 4 - 5 5 5 - 0 1 4 2", "5 1 4 - 5 5 5 - 0 1 4 2"),
    ("fr", "Appelle la mère au 450 555 01 86 poste 22", "450 555 01 86 poste 22"),
    ("en", "Her foster home: 514-555-0142 ext. 204", "514-555-0142 ext. 204"),
    ("en", "reach her at (438) 555-0199x12", "(438) 555-0199x12"),
    ("fr", "appelle-la au 5l4-555-O142", "5l4-555-O142"),
    ("en", "her cell is S14 SSS 0l42", "S14 SSS 0l42"),
    ("en", "text her at 8I9 555 0I73 tonight", "8I9 555 0I73"),
    ("fr", "son cell : cinq un quatre cinq cinq cinq zéro un quatre deux",
     "cinq un quatre cinq cinq cinq zéro un quatre deux"),
    ("en", "text her at four one eight five five five zero one nine nine",
     "four one eight five five five zero one nine nine"),
    ("fr", "quatre-un-huit, cinq-cinq-cinq, zéro-un-un-zéro",
     "quatre-un-huit, cinq-cinq-cinq, zéro-un-un-zéro"),
    ("fr", "son cell c'est 514 cinq cinq cinq 01 42", "514 cinq cinq cinq 01 42"),
    ("fr", "cinq cent quatorze, cinq cent cinquante-cinq, zéro un, quarante-deux",
     "cinq cent quatorze, cinq cent cinquante-cinq, zéro un, quarante-deux"),
    ("en", "call her at five one four, five five five, double oh four two",
     "five one four, five five five, double oh four two"),
    ("en", "she gave 1 eight one nine 555 0 1 4 4 as her number", "1 eight one nine 555 0 1 4 4"),
    ("fr", "son cell : 555 01 42", "555 01 42"),
    ("en", "text her: five five five, zero one four two", "five five five, zero one four two"),
]


@pytest.mark.parametrize(("lang", "text", "span"), PHONES, ids=[p[2] for p in PHONES])
def test_disguised_phone(screen, lang, text, span):
    assert ("PHONE", span) in found(screen, text)


IDENTIFIERS = [
    ("fr", "Carte soleil TREJ 09 53 03 12, elle n'a pas ses papiers", "RAMQ",
     "TREJ 09 53 03 12"),
    ("fr", "RAMQ : trej-0953.0312", "RAMQ", "trej-0953.0312"),
    ("en", "Health card TREJ 0953 0312, expired", "RAMQ", "TREJ 0953 0312"),
    ("fr", "NAS 4 1 9 4 8 7 5 7 4", "SIN", "4 1 9 4 8 7 5 7 4"),
    ("en", "SIN: four one nine, four eight seven, five seven four", "SIN",
     "four one nine, four eight seven, five seven four"),
    ("fr", "La plaque du char : FXT 4821, un Civic gris", "PLATE", "FXT 4821"),
    ("fr", "immatriculation ABC 123 vue devant le motel", "PLATE", "ABC 123"),
    ("en", "licence plate G45 KLM, black SUV", "PLATE", "G45 KLM"),
    ("en", "The pimp's plate number is bxt4821", "PLATE", "bxt4821"),
    ("fr", "Le dossier DPJ 2024-118734 est actif", "FILE_NUMBER", "2024-118734"),
    ("fr", "numéro de dossier 87345-21, à fermer", "FILE_NUMBER", "87345-21"),
    ("fr", "no de dossier à la cour 500-41-012345-234", "FILE_NUMBER", "500-41-012345-234"),
    ("en", "file number 2023-55671 at youth court", "FILE_NUMBER", "2023-55671"),
    ("en", "Police report number 2024-44871 was filed", "FILE_NUMBER", "2024-44871"),
]


@pytest.mark.parametrize(("lang", "text", "kind", "span"), IDENTIFIERS,
                         ids=[f"{i[2]}-{i[0]}-{n}" for n, i in enumerate(IDENTIFIERS)])
def test_disguised_identifier(screen, lang, text, kind, span):
    assert (kind, span) in found(screen, text)


def test_new_kinds_are_declared():
    assert {"PLATE", "FILE_NUMBER"} <= set(KINDS)


MUST_PASS = [
    # public lines in their usual writings
    "Tel-jeunes : 1 800 263-2266, ou par texto au 514 600-1002",
    "Jeunesse, J'écoute : 1 800 668-6868, ou texte PARLER au 686868",
    "Kids Help Phone 1-800-668-6868 or text CONNECT to 686868",
    "Appelle Info-Social 811 si ça ne va pas, ou le 911 en urgence",
    "Ligne canadienne contre la traite : 1-833-900-1010",
    "Prévention du suicide : 1-866-APPELLE (1-866-277-3553) ou le 988",
    "Suicide crisis line: call or text 988, or 1 866 APPELLE",
    "SOS violence conjugale : 1 800 363-9010",
    "Le CAVAC répond au 1 866 532-2822",
    "Pour faire un signalement à la DPJ de Montréal : 514 896-3100",
    "Batshaw intake for youth protection reports: 514 935-6196",
    "Signalement en Montérégie : 1 800 361-5310",
    # counts, codes, times, references
    "cinq places libres ce soir au refuge",
    "three beds left tonight, two tomorrow",
    "deux jeunes attendent, trois autres demain",
    "Dossier K7-4QX mis à jour, priorité 2",
    "Case K7-4QX: follow-up at 3pm",
    "dossier K7-4QX : la jeune a accepté",
    "Rappelle-moi au bureau demain, poste 2243.",
    "de 16h à 18h, puis de 19h à 21h",
    "Les chambres 12 14 16 18 et 20 sont libres",
    "chambres 101, 102, 103 et 104 disponibles",
    "Le budget est de 1 500 000 $ pour 2025-2026",
    "Le dossier scolaire 2023-2024 est complet",
    "Le dossier est ouvert depuis 2024",
    "la plaque tournante du trafic est à Montréal",
    "Her plate was empty at lunch, she ate nothing",
    "un char avec une plaque de l'Ontario, deux gars dedans",
    "file a report with the police before 5pm",
    "Appelle le 2 1 1 pour les ressources",
]


@pytest.mark.parametrize("text", MUST_PASS)
def test_public_numbers_counts_and_codes_pass(screen, text):
    result = screen.scan(text)
    assert result.identifying is False, [(text[s:e], k) for s, e, k in result.spans]


def test_vanity_number_of_an_unlisted_toll_free_line_passes(screen):
    assert screen.scan("Appelle le 1-877-PARLONS pour de l'aide").identifying is False


def test_extension_of_a_public_line_passes(screen):
    assert screen.scan("Tel-jeunes 1 800 263-2266 poste 3").identifying is False


def test_luhn_invalid_spaced_sin_is_not_a_sin(screen):
    assert "SIN" not in screen.scan("NAS 4 1 9 4 8 7 5 7 5").kinds


# --- number words glued together or to digits; commas next to number words; "zéro cent" ---

GLUED_AND_MIXED_PHONES = [
    ("en", "her number is fiveonefour fivefivefive zeroonetwothree",
     "fiveonefour fivefivefive zeroonetwothree"),
    ("fr", "son cell : cinqunquatre cinqcinqcinq zerounneuftrois",
     "cinqunquatre cinqcinqcinq zerounneuftrois"),
    ("en", "she wrote 4three8 555 01 66 on the intake form", "4three8 555 01 66"),
    ("en", "text him at 8one9 5five5 0one23", "8one9 5five5 0one23"),
    ("fr", "il m'a donné le 51quatre 555 0 1 8 8", "51quatre 555 0 1 8 8"),
    ("fr", "texte-la : huit un neuf, 555, zéro un soixante-dix-sept",
     "huit un neuf, 555, zéro un soixante-dix-sept"),
    ("en", "call him, 438, five five five, 01 44", "438, five five five, 01 44"),
    ("fr", "quatre cinq zéro, cinq cinq cinq, zéro cent vingt-deux",
     "quatre cinq zéro, cinq cinq cinq, zéro cent vingt-deux"),
]


@pytest.mark.parametrize(("lang", "text", "span"), GLUED_AND_MIXED_PHONES,
                         ids=[p[2] for p in GLUED_AND_MIXED_PHONES])
def test_glued_or_mixed_phone(screen, lang, text, span):
    assert ("PHONE", span) in found(screen, text)


GLUED_MUST_PASS = [
    "someone said fourfive times, no idea what it means",
    "cinq, six, sept jeunes attendus ce soir",
    "un, deux, trois, 514 places au total cette année",
    "three beds, 2 cribs, one couch, 4 mattresses",
    "le 15, 16 et 17 mars, formation, 9h à 16h",
    "she's fifteen, 5 ft 4, 110 lbs",
    "chambre 12, lit 3, étage 4",
]


@pytest.mark.parametrize("text", GLUED_MUST_PASS)
def test_counts_with_commas_and_glued_words_pass(screen, text):
    result = screen.scan(text)
    assert result.identifying is False, [(text[s:e], k) for s, e, k in result.spans]
