"""Language (issue 12): what a worker sees, in both languages.

- Replies that announce a stored fact (case created, consent saved, case closed, language set)
  go out only after the commit: a failed commit announces nothing but the apology.
- The case card writes the month the youth turns 18 in words, never "2027-03".
- ``/tools``: English text uses "..." quotes, never « »; the tag examples are in the reader's
  language; a tag typed with or without accents or capitals is one tag, shown accented.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.models.cases import Case
from bot.models.core import AuditEntry
from bot.models.tools import PracticeTool
from tests.privacy_app.helpers import make_case
from tests.support.commits import failing_commit

WORDS = {
    "fr": {"create": "Créer le dossier", "created": "créé", "saved": "Enregistré",
           "close": "Fermer le dossier", "yes_close": "Oui, le fermer", "closed": "est fermé",
           "no_consent": "pas de consentement", "sorry": "Désolé",
           "card": "Dossier", "consent_no": "partage\u00a0: non"},
    "en": {"create": "Create the case", "created": "created", "saved": "Saved",
           "close": "Close the case", "yes_close": "Yes, close it", "closed": "is closed",
           "no_consent": "no consent", "sorry": "Sorry",
           "card": "Case", "consent_no": "sharing: no"},
}


async def wizard_to_create(chat, name: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    """``/case new`` with skips, up to the "Create the case" button."""
    await chat.say(name, "/case new")
    skip, done, no = ("Passer", "Terminé", "Non") if lang == "fr" else ("Skip", "Done", "No")
    await chat.press(name, "Je ne sais pas" if lang == "fr" else "I don't know")
    await chat.press(name, skip)
    await chat.press(name, "français" if lang == "fr" else "French")
    await chat.press(name, done)
    await chat.press(name, "Montr")  # "Montréal" / "Montreal"
    await chat.press(name, "Montr")
    await chat.press(name, "Hébergement d'urgence jeunesse" if lang == "fr"
                     else "Youth emergency shelter")
    await chat.press(name, done)
    await chat.press(name, no)
    await chat.press(name, skip)


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_case_created_is_announced_only_once_stored(chat, app, lang):
    words = WORDS[lang]
    await chat.register("alice", lang=lang)
    await wizard_to_create(chat, "alice", lang)
    with failing_commit(Case):
        events = await chat.press("alice", words["create"])
    seen = chat.texts("alice", events)
    assert words["created"] not in seen and words["sorry"] in seen, seen
    async with app.sessionmaker() as session:
        assert (await session.scalars(select(Case))).all() == []

    await wizard_to_create(chat, "alice", lang)
    events = await chat.press("alice", words["create"])
    seen = chat.texts("alice", events)
    assert words["created"] in seen and words["sorry"] not in seen


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_consent_saved_and_case_closed_are_announced_only_once_stored(chat, app, lang):
    words = WORDS[lang]
    alice = await chat.register("alice", lang=lang)
    case = await make_case(app, alice)
    await chat.say("alice", f"/case {case.code}")

    with failing_commit(AuditEntry):
        events = await chat.press("alice", words["no_consent"])
    seen = chat.texts("alice", events)
    assert words["saved"] not in seen and words["consent_no"] not in seen, seen
    assert words["sorry"] in seen and [e.kind for e in chat.seen_by("alice", events)] == ["send"]
    async with app.sessionmaker() as session:
        assert (await session.get(Case, case.id)).consent is True

    events = await chat.press("alice", words["no_consent"])
    assert words["consent_no"] in chat.texts("alice", events)

    await chat.press("alice", words["close"])
    with failing_commit(AuditEntry):
        events = await chat.press("alice", words["yes_close"])
    seen = chat.texts("alice", events)
    assert words["closed"] not in seen and words["sorry"] in seen, seen
    async with app.sessionmaker() as session:
        assert (await session.get(Case, case.id)).is_open

    events = await chat.press("alice", words["yes_close"])
    assert f"{case.code} {words['closed']}" in chat.texts("alice", events)


@pytest.mark.parametrize(("lang", "button", "confirmed", "sorry"), [
    ("fr", "English", "Language set: English.", "Désolé"),
    ("en", "Français", "Langue choisie\u00a0: français.", "Sorry"),
])
async def test_language_switch_is_confirmed_only_once_stored(chat, lang, button, confirmed,
                                                            sorry):
    await chat.register("luc", lang=lang)
    await chat.say("luc", "/language")
    with failing_commit(AuditEntry):
        events = await chat.press("luc", button)
    seen = chat.texts("luc", events)
    assert confirmed not in seen and sorry in seen, seen
    assert (await chat.worker("luc")).language == lang

    events = await chat.press("luc", button)
    assert chat.texts("luc", events) == confirmed
    assert (await chat.worker("luc")).language != lang


@pytest.mark.parametrize(("lang", "month"), [("fr", "mars 2027"), ("en", "March 2027")])
async def test_case_card_writes_the_month_in_words(chat, app, lang, month):
    alice = await chat.register("alice", lang=lang)
    case = await make_case(app, alice)
    async with app.sessionmaker() as session:
        (await session.get(Case, case.id)).turns_18_month = "2027-03"
        await session.commit()
    events = await chat.say("alice", f"/case {case.code}")
    card = chat.texts("alice", events)
    assert month in card and "2027-03" not in card


# ---- /tools ---------------------------------------------------------------------------------

TOOLS = {
    "fr": {"examples": "listes de vérification", "not": "checklist, regional-table",
           "retire": "Retirer", "ask": "Retirer «\u00a0Guide de nuit\u00a0» de la bibliothèque?",
           "retired": "La fiche «\u00a0Guide de nuit\u00a0» a été retirée", "safety": "sécurité"},
    "en": {"examples": "checklists", "not": "listes de vérification",
           "retire": "Retire", "ask": 'Retire "Guide de nuit" from the library?',
           "retired": '"Guide de nuit" was retired', "safety": "safety"},
}


async def add_tool(chat, name: str, tags: str) -> list:  # type: ignore[no-untyped-def]
    """``/tools add`` with a title, a summary, a link and ``tags``; the events of the tags step
    and of the tags prompt."""
    await chat.say(name, "/tools add")
    await chat.say(name, "Guide de nuit")
    await chat.say(name, "Les ressources ouvertes la nuit.")
    prompt = await chat.say(name, "https://example.org/nuit")
    return prompt + await chat.say(name, tags)


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_tools_speak_the_readers_language_and_quotes(chat, app, lang):
    words = TOOLS[lang]
    await chat.register("cora", role="coordinator", lang=lang)
    events = await add_tool(chat, "cora", "guide")
    prompt = chat.texts("cora", events)
    assert words["examples"] in prompt and words["not"] not in prompt, prompt
    events = await chat.press("cora", words["retire"])
    asked = chat.texts("cora", events)
    assert words["ask"] in asked
    if lang == "en":
        assert "«" not in asked and "»" not in asked
    events = await chat.press("cora", 1)
    done = chat.texts("cora", events)
    assert words["retired"] in done and (lang == "fr" or "«" not in done)


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_a_tag_with_or_without_accents_is_one_tag(chat, app, lang):
    words = TOOLS[lang]
    await chat.register("cora", role="coordinator", lang=lang)
    await chat.register("wes", lang=lang)
    await add_tool(chat, "cora", "Sécurité, securite, hebergement")
    await add_tool(chat, "cora", "SECURITE, Hébergement")
    async with app.sessionmaker() as session:
        tags = [tool.tags for tool in (await session.scalars(select(PracticeTool))).all()]
    assert tags == [["safety", "hebergement"], ["safety", "hébergement"]]

    await chat.say("wes", "/tools")
    buttons = chat.buttons("wes")
    assert buttons == ["hébergement (2)", f"{words['safety']} (2)"], buttons
    events = await chat.press("wes", "hébergement")
    assert chat.texts("wes", events).count("Guide de nuit") == 2
