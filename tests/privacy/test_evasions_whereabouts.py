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


# --- more ways of saying that a person is somewhere: seen, usually at, picked up, kept, at a
# relative's, "where she ..." (the street may come first), walking ---

MORE_WHEREABOUTS = [
    ("fr", "on l'a vue sur le boulevard Saint-Laurent vers 2h", "boulevard Saint-Laurent"),
    ("fr", "il l'a croisée coin Jarry et Saint-Michel", "coin Jarry et Saint-Michel"),
    ("fr", "elle est souvent au coin Beaubien et Saint-Denis la nuit",
     "coin Beaubien et Saint-Denis"),
    ("fr", "le gars la garde dans un appart sur la rue Bélanger", "rue Bélanger"),
    ("fr", "la maison de sa tante est sur le rang du Ruisseau", "rang du Ruisseau"),
    ("fr", "elle marche souvent sur Ontario est", "Ontario est"),
    ("en", "she was seen on Jarry street last night", "Jarry street"),
    ("en", "she's always at the corner of Pie-IX and Jarry after midnight",
     "corner of Pie-IX and Jarry"),
    ("en", "corner of Jean-Talon and Saint-Michel, that's where she gets picked up",
     "corner of Jean-Talon and Saint-Michel"),
    ("en", "her uncle's trailer is on rang Saint-Joseph", "rang Saint-Joseph"),
    ("en", "the guy keeps her in a room on boul. Lacordaire", "boul. Lacordaire"),
    ("en", "he picks her up on Henri-Bourassa every friday", "Henri-Bourassa"),
    ("en", "she walks on Sherbrooke east at night", "Sherbrooke east"),
]


@pytest.mark.parametrize(("lang", "text", "span"), MORE_WHEREABOUTS,
                         ids=[w[2] for w in MORE_WHEREABOUTS])
def test_more_person_whereabouts(screen, lang, text, span):
    assert ("ADDRESS", span) in found(screen, text)


MORE_MUST_PASS = [
    # a street after "sur"/"on" without a person: regions, platforms, groups, staff
    "elle habite sur la Côte-Nord avec sa mère",
    "she lives on the South Shore now",
    "elle est sur Facebook tout le temps",
    "she's on Instagram a lot",
    "youth hang out on Notre-Dame west at night",
    "jeunes traînent sur Sainte-Catherine le soir",
    "the team walks on Saint-Denis every thursday",
    "we walk on Sherbrooke east during outreach",
    "the youth clinic on Notre-Dame west does walk-ins",
    "meet at the coffee shop on Mont-Royal before the home visit",
    "la clinique sur Jean-Talon est ouverte, elle est souvent pleine",
]


@pytest.mark.parametrize("text", MORE_MUST_PASS)
def test_regions_groups_staff_and_services_pass(screen, text):
    result = screen.scan(text)
    assert result.identifying is False, [(text[s:e], k) for s, e, k in result.spans]


# --- civic addresses: a service or meeting venue passes only when its cue is clearly nearer
# than any person cue; a civic number with a direction and no street type is an address ---

SERVICE_ADDRESSES = [
    "le refuge est au 1234 rue Ontario, ouvert 24h",
    "formation au 500 boul. Crémazie pour les intervenants",
    "rencontre d'équipe au 1001 boulevard de Maisonneuve, 7e étage",
    "l'atelier se donne au 3000 rue Omer-Lavallée, local 201",
    "le CAVAC est au 1 rue Notre-Dame Est",
    "training at 1500 Sherbrooke Street West, room 3",
    "our office is at 4321 Saint-Denis Street, come by",
    "the meeting is at 2100 Sainte-Catherine West, suite 400",
]


@pytest.mark.parametrize("text", SERVICE_ADDRESSES)
def test_civic_address_of_a_service_or_meeting_passes(screen, text):
    result = screen.scan(text)
    assert result.identifying is False, [(text[s:e], k) for s, e, k in result.spans]


PERSON_ADDRESSES = [
    ("fr", "elle habite au 4521 rue Saint-Hubert, près du refuge", "4521 rue Saint-Hubert"),
    ("fr", "visite à domicile au 4521 rue Saint-Hubert demain", "4521 rue Saint-Hubert"),
    ("fr", "rencontre chez la mère au 88 rue Fleury", "88 rue Fleury"),
    ("fr", "elle habite au 1 Notre-Dame Est, app 4", "1 Notre-Dame Est, app 4"),
    ("en", "She lives at 1000 Sherbrooke Street, near our office", "1000 Sherbrooke Street"),
    ("en", "she stays at 500 René-Lévesque West with her pimp", "500 René-Lévesque West"),
    ("en", "home visit at 77 Jarry Street tomorrow", "77 Jarry Street"),
]


@pytest.mark.parametrize(("lang", "text", "span"), PERSON_ADDRESSES,
                         ids=[p[2] for p in PERSON_ADDRESSES])
def test_civic_address_of_a_person_is_flagged(screen, lang, text, span):
    assert ("ADDRESS", span) in found(screen, text)
