"""Person names: lists, cue phrases, lower case, communities, and words that are also names."""

from __future__ import annotations

import pytest

from tests.privacy.helpers import found

NAMES = [
    ("Siasi est arrivée de Kuujjuaq la semaine passée.", "Siasi"),
    ("Lucassie a besoin d'un interprète.", "Lucassie"),
    ("On a parlé avec maïka ce matin.", "maïka"),
    ("ketsia ne répond plus", "ketsia"),
    ("Sa chum Yasmine l'héberge depuis lundi.", "Yasmine"),
    ("Le père, Jean-Robert Pierre-Louis, est au courant.", "Jean-Robert Pierre-Louis"),
    ("Youth named Brianna, 15, seen at the bus terminal.", "Brianna"),
    ("She goes by Mia but her legal name is Amélia Fortin.", "Amélia Fortin"),
    ("Le suspect se fait appeler Big Mike, il recrute au métro.", "Big Mike"),
    ("La jeune, her name is Jade, est à l'urgence.", "Jade"),
    ("La jeune s'appelle mélodie, elle a 14 ans.", "mélodie"),
    ("maxime m'a texté hier soir", "maxime"),
    ("J'étais avec maxime hier.", "maxime"),
    ("Lucy's pimp is known as Red.", "Lucy"),
    ("Émilie Roy, 16 ans, signalée disparue à Longueuil.", "Émilie Roy"),
    ("La jeune (Naomy) est à l'hôpital.", "Naomy"),  # spelling variant of Naomie
    ("Mrs. Haddad called, her daughter didn't come home.", "Haddad"),
    ("spoke with jenna at the drop-in", "jenna"),
]


@pytest.mark.parametrize(("text", "name"), NAMES)
def test_name_found(screen, text, name):
    assert ("PERSON", name) in found(screen, text)


@pytest.mark.parametrize("text", [
    "Mark the file urgent.",
    "Will call the family tomorrow.",
    "La maxime de l'équipe est simple.",
    "Une mélodie jouait dans la salle d'attente.",
    "Victoire! Elle a accepté.",
    "Joy all around at the team meeting today.",
    "Rose des vents : point de rencontre habituel.",
    "Her son called back.",
    "she called back later",
    "La route d'Alma est fermée.",
    "Elle part pour Noël chez sa tante.",
])
def test_common_word_that_is_a_name_needs_context(screen, text):
    assert "PERSON" not in screen.scan(text).kinds


def test_same_word_flagged_with_context(screen):
    assert screen.scan("Grace Dubois a appelé hier.").kinds == ["PERSON"]
    assert screen.scan("Rose, 15 ans, a fugué.").kinds == ["PERSON"]
    assert screen.scan("I met Will at the drop-in.").kinds == ["PERSON"]


def test_words_inside_other_spans_are_not_names(screen):
    text = "Courriel : jessica.tremblay@gmail.com"
    assert screen.scan(text).kinds == ["EMAIL"]
