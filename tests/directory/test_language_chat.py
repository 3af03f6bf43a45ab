"""Language (issue 12) in the directory: a listing's name is never glued to "de"/"à" in French
(docs/french.md), and the command menu speaks of the youth without "ce jeune"."""

from __future__ import annotations

import pytest

from bot.app import App
from tests.directory.test_chat import LONGUEUIL_FR
from tests.support.chat import Chat

REPORT = "Le numéro ne répond plus depuis lundi"


@pytest.mark.parametrize(("lang", "heading", "wrong"), [
    ("fr", "Erreur signalée par alice", "fiche de"),
    ("en", "Error reported in the listing of", "«"),
])
async def test_error_report_names_the_listing_whole(chat: Chat, seeded: App, lang, heading,
                                                    wrong) -> None:
    await chat.register("alice", regions=("16",), lang="fr")
    await chat.register("carole", role="coordinator", regions=("16",), lang=lang)
    await chat.say("alice", LONGUEUIL_FR)
    events = await chat.press("alice", "Signaler une erreur")
    asked = chat.texts("alice", events)
    assert asked.startswith("Fiche\u00a0: ") and "la fiche de" not in asked, asked
    events = await chat.say("alice", REPORT)
    to_carole = chat.texts("carole", events)
    assert heading in to_carole and wrong not in to_carole, to_carole
    if lang == "fr":
        assert "— fiche\u00a0: Refuge" in to_carole


@pytest.mark.parametrize(("lang", "find", "wrong"), [
    ("fr", "qui peut accueillir le ou la jeune", "ce jeune"),
    ("en", "who can take this youth", "«"),
])
async def test_help_speaks_of_the_youth_for_everyone(chat: Chat, lang, find, wrong) -> None:
    await chat.register("wendy", lang=lang)
    text = chat.texts("wendy", await chat.say("wendy", "/help"))
    assert find in text and wrong not in text, text
