"""Language (issue 12) in the handoff conversation: épicène French (docs/french.md), no article or
preposition glued to a service's or a person's name, English left as it was."""

from __future__ import annotations

import pytest

from tests.handoffs.conftest import add_case, add_service, offer_button
from tests.handoffs.test_chat import EN, FR, request

SERVICE = "Le Versant (fictif)"
SEEN = {
    "fr": {"sent": f"→ {SERVICE}", "told": "1 personne avisée", "later": "Nous vous aviserons",
           "referred": "Orientation vers un autre service",
           "consent": "Avez-vous le consentement du ou de la jeune",
           "note": "la personne qui recevra la demande"},
    "en": {"sent": f"to {SERVICE}", "told": "1 receiving worker notified",
           "later": "You will be told", "referred": "Referred elsewhere",
           "consent": "Has the youth consented",
           "note": "the receiving worker"},
}
NEVER_FR = ("à Le Versant", "de Le Versant", "intervenant avisé", "Vous serez avisé",
            "l'intervenant", "ce qu'il doit", "orienté ailleurs", "Orienté ailleurs",
            "consent-il", "portée de main", "·e")


def french_is_clean(text: str) -> None:
    for wrong in NEVER_FR:
        assert wrong not in text, (wrong, text)


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_request_is_written_for_everyone_and_names_stay_whole(app, chat, lang):
    words, seen = (FR if lang == "fr" else EN), SEEN[lang]
    alice = await chat.register("alice", org="Organisme A (fictif)", lang=lang)
    bob = await chat.register("bob", org="Maison B (fictive)", lang=lang)
    svc = await add_service(app, SERVICE, receivers=(bob,))
    case = await add_case(app, alice)

    await offer_button(app, chat, "alice", svc.id)
    await chat.press("alice", "Request handoff")
    await chat.press("alice", case.code)
    events = await chat.press("alice", words["urgent"])
    assert seen["note"] in chat.texts("alice", events)
    events = await chat.press("alice", words["without"])
    alice_sees = chat.texts("alice", events)
    for expected in (seen["sent"], seen["told"], seen["later"]):
        assert expected in alice_sees, alice_sees
    if lang == "fr":
        french_is_clean(alice_sees)

    await chat.press("bob", words["decline"])
    assert seen["referred"] in chat.buttons("bob")
    events = await chat.press("bob", seen["referred"])
    alice_sees = chat.texts("alice", events)
    assert seen["referred"].lower() in alice_sees.lower()
    if lang == "fr":
        french_is_clean(alice_sees)


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_consent_is_asked_of_the_worker(app, chat, lang):
    words, seen = (FR if lang == "fr" else EN), SEEN[lang]
    await chat.register("alice", org="Organisme A (fictif)", lang=lang)
    bob = await chat.register("bob", org="Maison B (fictive)", lang=lang)
    svc = await add_service(app, SERVICE, receivers=(bob,))
    await offer_button(app, chat, "alice", svc.id)
    await chat.press("alice", "Request handoff")
    events = await chat.press("alice", "Nouveau dossier" if lang == "fr" else "New case")
    asked = chat.texts("alice", events)
    assert seen["consent"] in asked, asked
    if lang == "fr":
        french_is_clean(asked)
    assert words["urgent"]  # same request flow as tests/handoffs/test_chat.py


async def test_the_case_timeline_names_the_service_whole(app, chat):
    alice = await chat.register("alice", org="Organisme A (fictif)", lang="fr")
    bob = await chat.register("bob", org="Maison B (fictive)", lang="fr")
    svc = await add_service(app, SERVICE, receivers=(bob,))
    case = await add_case(app, alice)
    await request(chat, app, "alice", svc, case, FR)
    events = await chat.say("alice", f"/case {case.code}")
    card = chat.texts("alice", events)
    assert f"prise en charge par {SERVICE} demandée par alice" in card
    french_is_clean(card)
