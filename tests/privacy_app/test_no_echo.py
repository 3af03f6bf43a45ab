"""Words a worker typed are never echoed back, and tool search words and tags are screened
(``/tools``), in French and in English."""

from __future__ import annotations

import textwrap

import pytest
from sqlalchemy import select

from bot.app import App
from bot.models.tools import PracticeTool
from bot.services import tools
from tests.privacy_app.helpers import audit_actions
from tests.support.chat import Chat
from tests.support.leaks import assert_no_leak, chat_storage, find_leaks

INJECTED = ["jess", "tremblay", "555-1234"]
REFUSAL = {
    "fr": "Votre message contenait {kinds}. Il n'a pas été transmis et je l'ai supprimé de la "
          "conversation.",
    "en": "Your message contained {kinds}. It was not transmitted and I deleted it from the "
          "conversation.",
}
NAME = {"fr": "un nom de personne", "en": "a person's name"}
NAME_AND_PHONE = {"fr": "un nom de personne et un numéro de téléphone",
                  "en": "a person's name and a phone number"}
NOTHING = {"fr": "Rien trouvé pour ces mots.", "en": "Nothing found for these words."}
RESULTS = {"fr": "Résultats de votre recherche\u00a0:", "en": "Results of your search:"}
ADDED = {"fr": "Ajoutée à la bibliothèque", "en": "Added to the library"}


def sent(events: list) -> list:
    return [e for e in events if e.kind == "send"]


def assert_refused(chat: Chat, name: str, events: list, lang: str, kinds: str) -> None:
    user_message_id = chat.telegram.last_message_id[chat.user_id(name)] - 1
    assert [(e.chat_id, e.message_id) for e in events if e.kind == "delete"] == [
        (chat.user_id(name), user_message_id)]
    replies = sent(events)
    assert len(replies) == 1 and replies[0].text.startswith(REFUSAL[lang].format(kinds=kinds))
    for needle in INJECTED:
        assert needle not in replies[0].text.lower()


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_unknown_tool_words_are_not_echoed(chat: Chat, app: App, lang: str) -> None:
    await tools.ensure_starter_tools(app)
    await chat.register("bob", lang=lang)
    events = await chat.say("bob", "/tools zorglub quibble")
    (reply,) = sent(events)
    assert reply.text.startswith(NOTHING[lang])
    assert "zorglub" not in reply.text and "quibble" not in reply.text and "«" not in reply.text
    assert not any(e.kind == "delete" for e in events)

    events = await chat.say("bob", "/tools safety plan zorglub")
    (reply,) = sent(events)
    assert reply.text.splitlines()[0] == RESULTS[lang]
    assert "zorglub" not in reply.text
    assert await find_leaks(app, ["zorglub", "quibble"], storage=chat_storage(chat)) == []


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_identifying_tool_search_is_refused_and_deleted(
        chat: Chat, app: App, lang: str) -> None:
    await tools.ensure_starter_tools(app)
    await chat.register("bob", lang=lang)
    events = await chat.say("bob", "/tools Jess Tremblay")
    assert_refused(chat, "bob", events, lang, NAME[lang])
    assert NOTHING[lang] not in chat.texts("bob", events)
    refused = await audit_actions(app, "privacy.refused")
    assert [r.details["context"] for r in refused] == ["tools.search"]
    await assert_no_leak(app, INJECTED, storage=chat_storage(chat))


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_tags_typed_in_the_chat_are_screened(chat: Chat, app: App, lang: str) -> None:
    await chat.register("alice", role="coordinator", regions=("06",), lang=lang)
    await chat.say("alice", "/tools add")
    await chat.say("alice", "Répertoire des ressources de nuit")
    await chat.say("alice", "Les ressources ouvertes la nuit à Montréal.")
    await chat.say("alice", "https://example.org/nuit")
    events = await chat.say("alice", "guide, Jess Tremblay 514-555-1234")
    assert_refused(chat, "alice", events, lang, NAME_AND_PHONE[lang])
    async with app.sessionmaker() as session:
        assert await session.scalar(select(PracticeTool)) is None
    # still asked for the tags: clean ones are kept
    events = await chat.say("alice", "guide, contacts")
    assert ADDED[lang] in chat.texts("alice", events)
    async with app.sessionmaker() as session:
        tool = await session.scalar(select(PracticeTool))
        assert tool is not None and tool.tags == ["guide", "contacts"]
    await assert_no_leak(app, INJECTED, storage=chat_storage(chat))


async def test_tags_of_an_imported_file_are_screened(app: App, tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "tools.yaml").write_text(textwrap.dedent("""\
        tools:
          - key: guide-nuit
            title: {fr: Guide de nuit}
            summary: {fr: Où orienter un jeune la nuit.}
            url: https://example.org/guide
            tags: [guide, "Jess Tremblay"]
            organisation: Organisme test (fictif)
        """), encoding="utf-8")
    report = await tools.import_file(app, tmp_path / "tools.yaml")
    assert not report.ok
    assert [(p.row, p.field) for p in report.problems] == [(1, "tags")]
    assert "PERSON" in report.problems[0].message and "jess" not in str(report.problems[0]).lower()
    await assert_no_leak(app, INJECTED)
