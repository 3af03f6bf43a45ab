"""Where a person lives or hangs out, named by a street or a corner without a civic number.
Streets that locate a service or a meeting, and groups of youth seen somewhere, still pass."""

from __future__ import annotations

import pytest

from tests.privacy.helpers import found

WHEREABOUTS = [
    ("fr", "Elle habite rue Saint-Denis avec sa tante.", "rue Saint-Denis"),
    ("fr", "elle reste sur la rue Ontario depuis lundi", "rue Ontario"),
    ("fr", "Elle traîne boulevard Pie-IX le soir.", "boulevard Pie-IX"),
    ("fr", "Il dort chez son cousin, avenue du Parc.", "avenue du Parc"),
    ("fr", "Sa mère vit chemin du Lac, à Magog.", "chemin du Lac"),
    ("fr", "elle habite rang Saint-Joseph avec ses grands-parents", "rang Saint-Joseph"),
    ("fr", "Le chum reste montée Masson, à Terrebonne", "montée Masson"),
    ("fr", "elle dort chez son chum au coin Ontario et Papineau",
     "coin Ontario et Papineau"),
    ("fr", "Elle se tient au coin de Sainte-Catherine et Saint-Laurent tous les soirs.",
     "coin de Sainte-Catherine et Saint-Laurent"),
    ("fr", "Elle squatte chez une amie sur Sainte-Catherine", "Sainte-Catherine"),
    ("en", "She lives on Sherbrooke Street east with her boyfriend.", "Sherbrooke Street east"),
    ("en", "she hangs out at the corner of Decarie and Jean-Talon",
     "corner of Decarie and Jean-Talon"),
    ("en", "She crashes at her boyfriend's place on Decarie Boulevard.", "Decarie Boulevard"),
    ("en", "She sleeps at her aunt's on Saint-Denis Street most nights.", "Saint-Denis Street"),
    ("en", "He's staying with a friend on Jarry Street east.", "Jarry Street east"),
]


@pytest.mark.parametrize(("lang", "text", "span"), WHEREABOUTS, ids=[w[2] for w in WHEREABOUTS])
def test_street_of_a_person(screen, lang, text, span):
    assert ("ADDRESS", span) in found(screen, text)


MUST_PASS = [
    # services and meetings
    "Le refuge est sur la rue Saint-Denis, ouvert dès 19h.",
    "Rencontre au CLSC boulevard Pie-IX jeudi à 10h.",
    "The shelter on Sherbrooke Street east opens at 9.",
    "Notre bureau est au coin Ontario et Papineau.",
    "Our office is at the corner of Decarie and Jean-Talon.",
    "Elle dort au refuge de la rue Saint-Denis ce soir.",
    "La Maison Tangente est située rue Saint-Hubert.",
    "Formation dans nos locaux, avenue du Parc, jeudi.",
    "The drop-in on Saint-Laurent Boulevard is open until 10.",
    "Le centre de jour sur le boulevard Pie-IX ouvre à 8h.",
    "Il reste deux places au refuge de la rue Saint-Denis.",
    "Elle a rendez-vous à la clinique rue Saint-Denis demain.",
    "She has an appointment at the clinic on Saint-Denis Street tomorrow.",
    "On déménage nos bureaux sur le boulevard Pie-IX en janvier.",
    # no street, or a group rather than a person
    "Elle dort dans la rue depuis deux semaines.",
    "She sleeps on the street sometimes.",
    "She lives on a quiet street near the park.",
    "Elle habite à Laval avec sa mère.",
    "elle traîne dans le coin du métro Berri",
    "Les jeunes traînent souvent coin Sainte-Catherine et Saint-Laurent.",
    "Lots of youth hang out at the corner of Decarie and Jean-Talon.",
    "On a fait du travail de rue coin Ontario et Papineau hier soir.",
    "Elle reste calme, la rencontre est rue Ontario.",
    "Sur le chemin du retour, elle a appelé.",
]


@pytest.mark.parametrize("text", MUST_PASS)
def test_service_meeting_or_group_location_passes(screen, text):
    result = screen.scan(text)
    assert result.identifying is False, [(text[s:e], k) for s, e, k in result.spans]


def test_person_cue_nearer_than_a_service_cue_wins(screen):
    text = "Elle habite rue Saint-Denis, près du CLSC."
    assert ("ADDRESS", "rue Saint-Denis") in found(screen, text)


def test_civic_addresses_are_still_found(screen):
    assert screen.scan("Elle reste au 4521 rue Saint-Hubert.").kinds == ["ADDRESS"]
