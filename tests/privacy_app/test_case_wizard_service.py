"""The ``/case new`` wizard's rules and the case card's actions, tested without a chat."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.models.cases import Case
from bot.models.core import Worker
from bot.services import case_wizard, cases
from tests.privacy_app.helpers import audit_actions, make_case, messages


def test_steps_come_in_order_and_adults_skip_the_month_of_18():
    minor = {"age_band": "14-15"}
    walked, step = [], "age"
    while step is not None:
        walked.append(step)
        step = case_wizard.next_step(step, minor)
    assert walked == list(case_wizard.STEPS)
    assert case_wizard.next_step("consent", {"age_band": "18-plus"}) == "participants"
    assert case_wizard.next_step("consent", {"age_band": "unknown"}) == "turns18"


@pytest.mark.parametrize(("choice", "stored"), [
    ("15", {"age": 15, "age_band": "14-15"}),
    ("12", {"age": 12, "age_band": "12-13"}),
    ("u12", {"age": None, "age_band": "under-12"}),
    ("18p", {"age": None, "age_band": "18-plus"}),
    ("unk", {"age": None, "age_band": "unknown"}),
    ("99", {"age": None, "age_band": "unknown"}),  # a forged button is no age
])
def test_age_answers(choice, stored):
    assert case_wizard.age_answer(choice) == stored


def test_answers_outside_the_options_are_not_kept():
    assert case_wizard.gender_answer("girl") == {"gender": "girl", "languages": []}
    assert case_wizard.gender_answer("-")["gender"] is None
    assert case_wizard.toggle_language(["fr"], "ar") == ["fr", "ar"]
    assert case_wizard.toggle_language(["fr", "ar"], "fr") == ["ar"]
    assert case_wizard.toggle_language(["fr"], "klingon") == ["fr"]
    assert case_wizard.region_answer("06") == "06"
    assert case_wizard.region_answer(cases.OUTSIDE_QUEBEC) == cases.OUTSIDE_QUEBEC
    assert case_wizard.region_answer("-") is None
    assert case_wizard.toggle_need([], "calacs", ["calacs"]) == ["calacs"]
    assert case_wizard.toggle_need([], "nope", ["calacs"]) == []
    data = {"colleagues": [[7, "bob"]], "participant_ids": []}
    assert case_wizard.toggle_participant(data, "7") == [7]
    assert case_wizard.toggle_participant({**data, "participant_ids": [7]}, "7") == []
    assert case_wizard.toggle_participant(data, "8") == []  # not offered: ignored


async def test_wizard_answers_create_the_case(chat, app):
    alice = await chat.register("alice")
    bob = await chat.register("bob")
    await chat.register("carol", org="Autre organisme (fictif)")
    data = {
        **case_wizard.age_answer("16"), **case_wizard.gender_answer("-"),
        "languages": ["fr", "en"], "region_origin": "06", "region_current": "13",
        "needs": ["calacs"], "consent": True, "turns_18_month": "2027-03",
    }
    async with app.sessionmaker() as session:
        creator = await session.get(Worker, alice.id)
        data["colleagues"] = await case_wizard.colleague_choices(session, creator)
        assert data["colleagues"] == [[bob.id, "bob"]]  # same organisation only
        data["participant_ids"] = case_wizard.toggle_participant(data, str(bob.id))
        case = await case_wizard.create_case(app, session, creator, data, now=app.clock.now())
        await session.commit()
    async with app.sessionmaker() as session:
        stored = await session.scalar(select(Case).where(Case.code == case.code))
    assert (stored.age, stored.age_band, stored.gender) == (16, "16-17", None)
    assert stored.languages == ["fr", "en"] and stored.needs == ["calacs"]
    assert (stored.region_origin, stored.region_current) == ("06", "13")
    assert stored.consent is True and stored.turns_18_month == "2027-03"
    assert stored.participant_ids() == [alice.id, bob.id]
    trail = [e.action for e in await audit_actions(app) if e.subject_id == case.code]
    assert trail == ["case.created", "case.consent", "case.participant_added"]


async def test_wizard_refuses_an_unknown_need(chat, app):
    alice = await chat.register("alice")
    async with app.sessionmaker() as session:
        creator = await session.get(Worker, alice.id)
        with pytest.raises(InvalidInput):
            await case_wizard.create_case(app, session, creator, {"needs": ["made-up"]},
                                          now=app.clock.now())


async def test_card_actions_are_for_participants_of_open_cases(chat, app):
    alice = await chat.register("alice")
    mallory = await chat.register("mallory")
    case = await make_case(app, alice, consent=None)
    async with app.sessionmaker() as session:
        worker = await session.get(Worker, alice.id)
        changed = await cases.change_consent(session, worker, case.id, consent=True,
                                             now=app.clock.now())
        assert changed.consent is True and changed.consent_by_id == alice.id
        stranger = await session.get(Worker, mallory.id)
        with pytest.raises(NotFound):
            await cases.close_for_worker(session, stranger, case.id, now=app.clock.now())
        await session.commit()
    async with app.sessionmaker() as session:
        worker = await session.get(Worker, alice.id)
        closed_case, closed = await cases.close_for_worker(session, worker, case.id,
                                                           now=app.clock.now())
        assert closed and closed_case.closed_by_id == alice.id
        _case, again = await cases.close_for_worker(session, worker, case.id, now=app.clock.now())
        assert again is False
        with pytest.raises(NotAllowed):
            await cases.change_consent(session, worker, case.id, consent=False,
                                       now=app.clock.now())
        with pytest.raises(NotAllowed):
            await cases.open_case_for_action(session, worker, case.id, now=app.clock.now())
        await session.commit()
    actions = [e.action for e in await audit_actions(app) if e.subject_id == case.code]
    assert actions == ["case.created", "case.consent", "case.denied", "case.closed"]


async def test_case_by_code_checks_the_code_then_the_participant(chat, app):
    alice = await chat.register("alice")
    mallory = await chat.register("mallory")
    case = await make_case(app, alice)
    async with app.sessionmaker() as session:
        worker = await session.get(Worker, alice.id)
        found = await cases.case_by_code(session, worker, case.code.lower(), now=app.clock.now())
        assert found.id == case.id
        with pytest.raises(InvalidInput):
            await cases.case_by_code(session, worker, "hello", now=app.clock.now())
        with pytest.raises(NotFound):
            await cases.case_by_code(session, await session.get(Worker, mallory.id), case.code,
                                     now=app.clock.now())
        await session.commit()
    assert [e.action for e in await audit_actions(app) if e.action.startswith("case.")][-2:] == [
        "case.viewed", "case.denied"]


async def test_post_for_worker_stores_the_message_for_participants_only(chat, app):
    alice = await chat.register("alice")
    mallory = await chat.register("mallory")
    case = await make_case(app, alice)
    async with app.sessionmaker() as session:
        worker = await session.get(Worker, alice.id)
        posted = await cases.post_for_worker(app, session, worker, case.id,
                                             "Besoin d'une place ce soir", lang="fr")
        assert posted.id == case.id
        with pytest.raises(NotFound):
            await cases.post_for_worker(app, session, await session.get(Worker, mallory.id),
                                        case.id, "Bonjour", lang="fr")
        await session.commit()
    stored = await messages(app)
    assert [(m.case_id, m.sender_id) for m in stored] == [(case.id, alice.id)]


async def test_export_audit_trail_for_a_coordinator_of_the_region(chat, app):
    alice = await chat.register("alice")
    coord = await chat.register("coord", role="coordinator", regions=("06",))
    case = await make_case(app, alice, region="06")
    async with app.sessionmaker() as session:
        coordinator = await session.get(Worker, coord.id)
        export = await cases.export_audit_trail(session, coordinator, case.code.lower(),
                                                now=app.clock.now())
        await session.commit()
    assert export.code == case.code and export.entries == 2  # created, consent
    lines = export.csv.decode("utf-8-sig").splitlines()
    assert lines[0] == ",".join(cases.AUDIT_CSV_COLUMNS) and len(lines) == 3
    assert len(await audit_actions(app, "audit.exported")) == 1
