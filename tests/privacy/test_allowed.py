"""What must pass: organisations, helplines, places, metro stations, case codes, ages, times."""

from __future__ import annotations

import pytest

from bot.privacy import build_screen

CLEAN = [
    # case codes, ages, times and non-birth dates
    "Dossier Y-7K3Q : la jeune a accepté de rencontrer l'intervenante.",
    "Signalement retenu, cas K7-4QX, priorité code 2.",
    "Please update case Y-2M8R with the new safety plan.",
    "La jeune de 15 ans a besoin d'hébergement ce soir.",
    "She's 16yo and in a group home.",
    "We need an emergency bed tonight for a 16-year-old.",
    "Rencontre d'équipe le 12 mars à 14h au CIUSSS du Saguenay–Lac-Saint-Jean.",
    "Court date moved to June 3; the lawyer from Legal Aid will attend.",
    "Team meeting March 12 at 2pm, CIUSSS office in Sherbrooke.",
    "Formation sur l'exploitation sexuelle le 15 novembre 2024 à Québec.",
    "Court hearing is scheduled for October 14, 2025.",
    "Rappelle-moi au bureau demain, poste 2243.",
    # organisations and helplines
    "Appelle Tel-jeunes ou Info-Social 811 si elle est en crise la nuit.",
    "Ligne d'écoute de l'organisme : 1 800 263-2266",
    "Intake line for Tel-jeunes is 1-800-263-2266.",
    "La Ligne canadienne contre la traite des personnes : 1-833-900-1010, 24/7.",
    "Kids Help Phone is open 24/7 if she needs to talk at night.",
    "Le CAVAC de Laval peut l'accompagner au tribunal mardi prochain.",
    "La Maison Tangente a une place libre pour une jeune femme de 18 ans.",
    "La Fondation Marie-Vincent offre un suivi spécialisé.",
    "Can someone from the Marie-Vincent Foundation call me back?",
    "Suivi avec En Marge 12-17 et Dans la rue pour la nuit de vendredi.",
    "Any openings at Passages or Dans la rue for an 18-year-old?",
    "Le SPVM a été avisé; l'enquêteuse rappelle demain matin.",
    "La jeune est suivie par la DPJ de la Montérégie depuis 2022.",
    "Chez Doris is open for women in the evening.",
    "On se rejoint au Tim Hortons du coin.",
    # places, including towns that are also first names, and metro stations
    "Elle veut aller à Alma chez sa grand-mère.",
    "Alma and Roberval teams will share the case load.",
    "Will the Saint-Jérôme team take the referral?",
    "Le transport vers Sainte-Julie est confirmé pour mardi.",
    "On a fait du travail de rue près de la station Henri-Bourassa hier soir.",
    "She was picked up near Guy-Concordia station.",
    "She mentioned a guy who recruits girls near Cabot Square.",
    "Elle est à l'urgence de Sainte-Justine.",
    "Elle vient de Laval-des-Rapides et prend le métro Cartier.",
    "She was trafficked to Ottawa and then Regina.",
    # ordinary caseworker language, including names that are common words
    "Victoire! Elle a accepté l'hébergement à Laval.",
    "Mark the file urgent and notify the on-call supervisor.",
    "Grace period for the housing application ends June 30.",
    "Hope this helps, call me if anything changes.",
    "She uses Instagram and Snapchat a lot, we should talk about online safety.",
    "her snap is private now",
    "Peux-tu m'envoyer le formulaire de consentement par courriel?",
    "Elle a 15 ans, elle est en secondaire 3 et elle a arrêté d'aller à l'école.",
    "Elle ne veut pas y aller depuis 2022.",
    "La maxime de l'équipe : on ne lâche personne.",
    "Il reste 2 places à Passages ce soir.",
    "Elle consomme depuis qu'elle a 13 ans, surtout les fins de semaine.",
]


@pytest.mark.parametrize("text", CLEAN)
def test_clean_message_passes(screen, text):
    result = screen.scan(text)
    assert result.identifying is False, [(text[s:e], k) for s, e, k in result.spans]
    assert result.kinds == [] and result.spans == []


def test_extra_allowed_terms_from_the_app(bare_screen):
    text = "Elle est suivie par le Projet Kimberly depuis lundi."
    assert bare_screen.scan(text).kinds == ["PERSON"]  # unknown to the built-in lists
    screen = build_screen(allowed_terms=["Projet Kimberly"])
    assert screen.scan(text).identifying is False


def test_gazetteer_town_that_is_a_first_name(bare_screen):
    text = "Elle habite à Chandler depuis l'été."
    assert build_screen(allowed_terms=["Chandler"]).scan(text).identifying is False
    # the same word is still a name where the context says so
    assert build_screen(allowed_terms=["Chandler"]).scan(
        "J'étais avec Chandler hier soir.").kinds == ["PERSON"]


def test_extra_allowed_phone_any_writing(bare_screen):
    text = "Le service répond au 514 555-0177 jour et nuit."
    assert bare_screen.scan(text).kinds == ["PHONE"]
    screen = build_screen(allowed_phones=["(514) 555-0177"])
    assert screen.scan(text).identifying is False
    assert screen.scan("Son cell : 514 555-0178").kinds == ["PHONE"]


def test_allowed_term_does_not_hide_other_kinds(screen):
    # a street named after a town, in an address, is still an address
    text = "Elle reste au 4521 rue Saint-Hubert."
    assert screen.scan(text).kinds == ["ADDRESS"]


def test_title_or_cue_overrides_a_one_word_place(screen):
    assert screen.scan("Mme Alma a appelé.").kinds == ["PERSON"]
    assert screen.scan("Her name is Alma.").kinds == ["PERSON"]
