"""``/case new`` in French and English, ``/case CODE`` for participants only, ``/cases``."""

from __future__ import annotations

import re

from sqlalchemy import select

from bot.models.cases import Case
from tests.privacy_app.helpers import audit_actions, make_case

CODE = re.compile(r"[A-Z0-9]{2}-[A-Z0-9]{3}")


async def test_new_case_in_french(chat, app):
    await chat.register("alice", lang="fr")
    await chat.register("bob", lang="fr")
    events = await chat.say("alice", "/case new")
    assert "Nouveau dossier" in chat.texts("alice", events)
    await chat.press("alice", "15")
    await chat.press("alice", "fille")
    await chat.press("alice", "français")
    await chat.press("alice", "arabe")
    await chat.press("alice", "Terminé")
    await chat.press("alice", "Montréal")
    await chat.press("alice", "Laval")
    await chat.press("alice", "Hébergement d'urgence jeunesse")
    await chat.press("alice", "CALACS")
    await chat.press("alice", "Terminé")
    events = await chat.press("alice", "Oui")
    assert "AAAA-MM" in chat.texts("alice", events)
    events = await chat.say("alice", "2027-03")
    assert "bob" in chat.buttons("alice")
    await chat.press("alice", "bob")
    events = await chat.press("alice", "Créer le dossier")
    seen = chat.texts("alice", events)
    code = CODE.search(seen).group()
    assert f"Dossier {code} créé" in seen
    card = [e for e in chat.seen_by("alice", events) if e.kind == "send"][-1]
    assert card.protected
    for expected in (f"Dossier {code}", "ouvert", "Hébergement d'urgence jeunesse", "CALACS",
                     "15 ans", "fille", "français, arabe", "Montréal", "Laval", "oui (alice",
                     "mars 2027", "alice (a créé le dossier), bob", "Historique"):
        assert expected in card.text, expected
    async with app.sessionmaker() as session:
        case = await session.scalar(select(Case).where(Case.code == code))
    assert case.age_band == "14-15" and case.gender == "girl"
    assert case.languages == ["fr", "ar"]
    assert (case.region_origin, case.region_current) == ("06", "13")
    assert case.needs == ["hebergement-urgence-jeunesse", "calacs"]
    assert case.consent is True and case.consent_at == app.clock.now()
    assert case.turns_18_month == "2027-03"
    assert len(case.participants) == 2
    assert case.participants[0].role == "creator"
    trail = [e for e in await audit_actions(app) if e.subject_type == "case"]
    assert [e.action for e in trail] == ["case.created", "case.consent", "case.participant_added"]
    assert {e.subject_id for e in trail} == {code} and {e.region for e in trail} == {"13"}


async def test_new_case_in_english_with_skips(chat, app):
    await chat.register("dana", lang="en", org="Solo (fictional)")
    await chat.say("dana", "/case new")
    await chat.press("dana", "I don't know")
    await chat.press("dana", "Skip")
    await chat.press("dana", "English")
    await chat.press("dana", "Done")
    await chat.press("dana", "outside Québec")
    await chat.press("dana", "Montreal")
    await chat.press("dana", "Street outreach")
    await chat.press("dana", "Done")
    events = await chat.press("dana", "No")
    assert "YYYY-MM" in chat.texts("dana", events)
    events = await chat.say("dana", "born 2009-03-14")  # not a month: refused, nothing kept
    assert "YYYY-MM" in chat.texts("dana", events)
    events = await chat.press("dana", "Skip")
    assert "Ready to create the case." in chat.texts("dana", events)
    events = await chat.press("dana", "Create the case")
    card = chat.texts("dana", events)
    assert "Case " in card and "age unknown" in card and "outside Québec" in card
    assert "Consent to referral and sharing: no" in card
    async with app.sessionmaker() as session:
        case = await session.scalar(select(Case))
    assert case.turns_18_month is None and case.consent is False and case.gender is None


async def test_case_visible_to_participants_only(chat, app):
    alice = await chat.register("alice", lang="fr")
    bob = await chat.register("bob", lang="en")
    await chat.register("mallory", lang="en")
    case = await make_case(app, alice, others=(bob,))
    typed = case.code.lower().replace("-", " ")
    events = await chat.say("bob", f"/case {typed}")
    assert f"Case {case.code}" in chat.texts("bob", events)
    assert "Youth emergency shelter" in chat.texts("bob", events)

    events = await chat.say("mallory", f"/case {case.code}")
    refusal = chat.texts("mallory", events)
    assert refusal == "No case with this code among your cases."
    # Same answer as for a code that does not exist: nothing is revealed.
    events = await chat.say("mallory", "/case K7-4QX")
    assert chat.texts("mallory", events) == refusal
    denied = await audit_actions(app, "case.denied")
    assert [e.subject_id for e in denied] == [case.code]


async def test_cases_lists_open_cases_with_signed_buttons(chat, app):
    alice = await chat.register("alice", lang="fr")
    first = await make_case(app, alice)
    second = await make_case(app, alice)
    events = await chat.say("alice", "/cases")
    labels = chat.buttons("alice")
    assert any(first.code in label for label in labels)
    assert any(second.code in label for label in labels)
    assert all(e.protected for e in chat.seen_by("alice", events))
    message = chat.telegram.latest_with_buttons(chat.user_id("alice"))
    datas = [b["callback_data"] for row in message["reply_markup"]["inline_keyboard"] for b in row]
    assert all(d.startswith("sx:case.view:") and len(d.encode()) <= 64 for d in datas)
    events = await chat.press("alice", first.code)
    assert f"Dossier {first.code}" in chat.texts("alice", events)


async def test_close_case_from_the_card(chat, app):
    alice = await chat.register("alice", lang="en")
    case = await make_case(app, alice)
    await chat.say("alice", f"/case {case.code}")
    await chat.press("alice", "Close the case")
    events = await chat.press("alice", "Yes, close it")
    assert f"Case {case.code} is closed." in chat.texts("alice", events)
    async with app.sessionmaker() as session:
        stored = await session.get(Case, case.id)
    assert stored.closed_at == app.clock.now() and stored.status == "closed"
    assert stored.outcome == "closed" and stored.closed_by_id == alice.id
    events = await chat.say("alice", "/cases")
    assert "no open case" in chat.texts("alice", events)
