"""Questions and answers between the two sides of a request, labelled as such in both languages:
"Reply" under a question asks for an answer, and the answer arrives as an answer."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.models.handoffs import HandoffEvent
from tests.handoffs.conftest import add_case, add_service
from tests.handoffs.test_chat import EN, FR, request

SEEN = {
    "fr": {"ask": "Poser une question", "write_q": "Écrivez votre question",
           "write_a": "Écrivez votre réponse", "question": "❓ bob (Maison B (fictive)) pose une question sur le dossier",
           "answer": "💬 alice (Organisme A (fictif)) répond à propos du dossier", "reply": "Répondre",
           "again": "Poser une autre question"},
    "en": {"ask": "Ask a question", "write_q": "Write your question",
           "write_a": "Write your answer", "question": "❓ Question about case",
           "answer": "💬 Answer about case", "reply": "Reply",
           "again": "Ask another question"},
}


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_a_question_its_answer_and_another_question(app, chat, lang):
    seen, words = SEEN[lang], (FR if lang == "fr" else EN)
    alice = await chat.register("alice", org="Organisme A (fictif)", lang=lang)
    bob = await chat.register("bob", org="Maison B (fictive)", lang=lang)
    svc = await add_service(app, "Hébergement Test", name_en="Test Shelter", receivers=(bob,))
    case = await add_case(app, alice)
    await request(chat, app, "alice", svc, case, words)

    events = await chat.press("bob", seen["ask"])
    assert chat.texts("bob", events).startswith(seen["write_q"])
    events = await chat.say("bob", "Arrive-t-elle ce soir?")
    to_alice = chat.texts("alice", events)
    assert to_alice.startswith(seen["question"]) and case.code in to_alice
    assert "Arrive-t-elle ce soir?" in to_alice
    assert chat.buttons("alice") == [seen["reply"]]

    events = await chat.press("alice", seen["reply"])
    prompt = chat.texts("alice", events)
    assert prompt.startswith(seen["write_a"])  # before: "Write your question"
    assert "question" not in prompt.lower()
    events = await chat.say("alice", "Oui, vers 19 h.")
    to_bob = chat.texts("bob", events)
    assert to_bob.startswith(seen["answer"]) and case.code in to_bob  # before: "❓ Question..."
    assert "Oui, vers 19 h." in to_bob and "❓" not in to_bob
    assert chat.buttons("bob") == [seen["again"]]

    events = await chat.press("bob", seen["again"])  # a new question, labelled as one
    assert chat.texts("bob", events).startswith(seen["write_q"])
    events = await chat.say("bob", "Avec ses affaires?")
    assert chat.texts("alice", events).startswith(seen["question"])

    async with app.sessionmaker() as session:  # the history tells them apart, without words
        kinds = [(e.kind, e.actor_id) for e in (await session.scalars(
            select(HandoffEvent).where(HandoffEvent.kind.in_(("question", "answer")))
            .order_by(HandoffEvent.id))).all()]
    assert kinds == [("question", bob.id), ("answer", alice.id), ("question", bob.id)]
