"""On-call that says what it does, ends at a time, is handed over in two taps, and is visible.

Seen: ``/oncall`` promised that urgent handoffs "reach you at any hour", while the on-call worker
is first in line only when the service is closed; on-call had no end; nobody could hand it over;
coordinators could not see who was on call.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, select

from bot.db.effects import commit
from bot.models.core import Worker
from bot.models.directory import DirectorySchedule, DirectoryService
from bot.models.reminders import JobState, ScheduledJob
from bot.services import oncall
from bot.services.handoffs import routing
from handlers.runtime import stop_background
from tests.handoffs.conftest import add_service
from tests.reminders.conftest import run_once
from tests.support.chat import Chat

NB = "\u00a0"
ORG = "Organisme B (fictif)"
# The FakeClock starts Thursday 15 January 2026, 10:00 in Montréal (15:00 UTC).
FRIDAY_8AM = datetime(2026, 1, 16, 13, 0, tzinfo=UTC)

WHAT = {
    "fr": ("Pendant votre garde, vous recevez" + NB + ":\n"
           "• les références urgentes vers les services de votre organisme pendant que le "
           "service est fermé (à la place des personnes qui les reçoivent d'habitude);\n"
           "• les références vers les services de votre organisme restées sans réponse à "
           "temps (escalades).\n"
           "Les autres références vont, comme toujours, aux personnes qui les reçoivent "
           "d'habitude."),
    "en": ("While you are on call, you receive:\n"
           "• urgent handoff requests to your organisation's services while the service is "
           "closed (instead of its usual receivers);\n"
           "• requests to your organisation's services that nobody answered in time "
           "(escalations).\n"
           "Other requests go to the services' usual receivers, as always."),
}


@pytest.fixture
async def ochat(chat: Chat) -> AsyncIterator[Chat]:
    """The chat harness without the background dispatcher: tests drive it with run_once."""
    await stop_background([t for t in chat.console.tasks if t.get_name() == "bot.jobs.reminders"])
    async with chat.app.sessionmaker() as session:
        await session.execute(delete(ScheduledJob))
        await session.commit()
    yield chat


async def end_jobs(app) -> list[ScheduledJob]:  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        return list((await session.scalars(select(ScheduledJob).where(
            ScheduledJob.kind == oncall.END_KIND).order_by(ScheduledJob.id))).all())


@pytest.mark.parametrize(("lang", "buttons"), [
    ("fr", ["🌅 Jusqu'à demain 8 h", "📟 Transmettre la garde", "⏹ Arrêter la garde"]),
    ("en", ["🌅 Until tomorrow 8:00 AM", "📟 Hand over on-call", "⏹ Stop on-call"]),
])
async def test_oncall_says_exactly_what_it_does(ochat: Chat, lang: str, buttons: list[str]) -> None:
    await ochat.register("olga", org=ORG, lang=lang)
    seen = await ochat.say("olga", "/oncall")
    text = ochat.texts("olga", seen)
    assert text.startswith(
        "✅ Vous êtes maintenant de garde pour Organisme B (fictif).\n"
        "Elle n'a pas de fin" + NB + ": elle dure jusqu'à ce que vous l'arrêtiez."
        if lang == "fr" else
        "✅ You are now on call for Organisme B (fictif).\n"
        "It has no end: it lasts until you stop it.")
    assert WHAT[lang] in text
    assert "toute heure" not in text and "any hour" not in text
    assert ochat.buttons("olga") == buttons
    # toggling still works: /oncall again stops it
    seen = await ochat.say("olga", "/oncall")
    assert ochat.texts("olga", seen) == (
        "Vous n'êtes plus de garde." if lang == "fr" else "You are no longer on call.")
    assert (await ochat.worker("olga")).on_call is False


@pytest.mark.parametrize(("lang", "command", "ends", "ended"), [
    ("fr", "/oncall jusqu'à 8 h",
     "Elle se termine le 16 janvier à 8 h; nous vous aviserons à ce moment.",
     "🔔 Votre garde s'est terminée à 8 h.\nLes références urgentes hors des heures "
     "d'ouverture et les escalades ne vous parviennent plus.\nPour la reprendre" + NB
     + ": /oncall"),
    ("en", "/oncall until 8 am",
     "It ends on January 16 at 8:00 AM; I will tell you then.",
     "🔔 Your on-call ended at 8:00 AM.\nUrgent requests no longer come to you out of hours, "
     "nor escalations.\nTo take it again: /oncall"),
])
async def test_oncall_until_a_time_ends_and_reminds(ochat: Chat, app, clock, lang: str,  # type: ignore[no-untyped-def]
                                                    command: str, ends: str, ended: str) -> None:
    await ochat.register("olga", org=ORG, lang=lang)
    seen = await ochat.say("olga", command)
    assert ends in ochat.texts("olga", seen)
    olga = await ochat.worker("olga")
    assert olga.on_call is True and olga.on_call_until == FRIDAY_8AM
    [job] = await end_jobs(app)  # stored: survives a restart
    assert job.due_at == FRIDAY_8AM and job.state == JobState.PENDING.value
    clock.set(FRIDAY_8AM - timedelta(minutes=1))
    before = len(ochat.telegram.events)
    await run_once(app)
    assert ochat.texts("olga", ochat.telegram.events[before:]) == ""
    clock.set(FRIDAY_8AM)
    await run_once(app)
    await run_once(app)  # once only
    assert ochat.texts("olga", ochat.telegram.events[before:]) == ended
    olga = await ochat.worker("olga")
    assert olga.on_call is False and olga.on_call_until is None


@pytest.mark.parametrize(("lang", "button", "ends"), [
    ("fr", "Jusqu'à demain 8 h", "Elle se termine le 16 janvier à 8 h"),
    ("en", "Until tomorrow 8:00 AM", "It ends on January 16 at 8:00 AM"),
])
async def test_until_button(ochat: Chat, lang: str, button: str, ends: str) -> None:
    await ochat.register("olga", org=ORG, lang=lang)
    await ochat.say("olga", "/oncall")
    seen = await ochat.press("olga", button)
    assert ends in ochat.texts("olga", seen)
    assert (await ochat.worker("olga")).on_call_until == FRIDAY_8AM


async def test_stopping_or_extending_cancels_the_old_end(ochat: Chat, app, clock) -> None:  # type: ignore[no-untyped-def]
    await ochat.register("olga", org=ORG, lang="fr")
    await ochat.say("olga", "/oncall jusqu'à 8 h")
    await ochat.say("olga", "/oncall jusqu'à demain 10 h")
    [job] = await end_jobs(app)
    assert job.due_at == FRIDAY_8AM + timedelta(hours=2)
    clock.set(FRIDAY_8AM)
    before = len(ochat.telegram.events)
    await run_once(app)
    assert ochat.texts("olga", ochat.telegram.events[before:]) == ""
    assert (await ochat.worker("olga")).on_call is True
    seen = await ochat.say("olga", "/oncall off")
    assert ochat.texts("olga", seen) == "Vous n'êtes plus de garde."
    [job] = await end_jobs(app)
    assert job.state == JobState.CANCELLED.value


@pytest.mark.parametrize(("lang", "command", "answer"), [
    ("fr", "/oncall n'importe quand",
     "Je n'ai pas compris quand votre garde se termine. Par exemple" + NB
     + ": /oncall jusqu'à 8 h, /oncall jusqu'à demain 8 h."),
    ("en", "/oncall until whenever",
     "I did not understand when your on-call ends. For example: /oncall until 8 am, "
     "/oncall until tomorrow 8 am."),
    ("fr", "/oncall jusqu'au 30 janvier", "La garde peut durer 7 jours au plus."),
    ("en", "/oncall until january 30", "On-call can be set for 7 days at most."),
])
async def test_an_end_not_understood(ochat: Chat, lang: str, command: str, answer: str) -> None:
    await ochat.register("olga", org=ORG, lang=lang)
    seen = await ochat.say("olga", command)
    assert ochat.texts("olga", seen) == answer
    assert (await ochat.worker("olga")).on_call is False


async def test_hand_over_in_two_taps_french_to_english(ochat: Chat, app) -> None:  # type: ignore[no-untyped-def]
    await ochat.register("olga", org=ORG, lang="fr", on_call=True)
    await ochat.register("paul", org=ORG, lang="en")
    await ochat.register("zoe", org="Organisme A (fictif)", lang="fr")
    seen = await ochat.say("olga", "/oncall")
    assert ochat.texts("olga", seen) == "Vous n'êtes plus de garde."
    seen = await ochat.press("olga", "Transmettre la garde")  # tap 1
    assert ochat.texts("olga", seen) == (
        "À qui transmettre la garde? La personne sera avisée, et vous ne serez plus de garde.")
    assert ochat.buttons("olga") == ["paul"]  # colleagues of the organisation only
    seen = await ochat.press("olga", "paul")  # tap 2
    assert ochat.texts("olga", seen).endswith(
        "📟 Garde transmise" + NB + ": paul est maintenant de garde (sans fin prévue); un "
        "message lui a été envoyé. Vous n'êtes plus de garde.")
    paul_sees = ochat.texts("paul", seen)
    assert paul_sees.startswith(
        "📟 You are now on call for Organisme B (fictif); it was handed over to you by olga.\n"
        "It has no end: it lasts until you stop it.")
    assert WHAT["en"] in paul_sees and "To stop it or hand it over: /oncall" in paul_sees
    assert (await ochat.worker("paul")).on_call is True
    assert (await ochat.worker("olga")).on_call is False


async def test_hand_over_keeps_the_end_english_to_french(ochat: Chat, app) -> None:  # type: ignore[no-untyped-def]
    await ochat.register("paul", org=ORG, lang="en")
    olga = await ochat.register("olga", org=ORG, lang="fr")
    await ochat.say("paul", "/oncall until 8 am")
    await ochat.press("paul", "Hand over on-call")
    assert ochat.buttons("paul") == ["olga"]
    seen = await ochat.press("paul", "olga")
    assert ochat.texts("paul", seen).endswith(
        "📟 On-call handed over: olga is now on call (until January 16 at 8:00 AM) and has been "
        "told. You are no longer on call.")
    assert ochat.texts("olga", seen).startswith(
        "📟 Vous êtes maintenant de garde pour Organisme B (fictif); la garde vous a été "
        "transmise par paul.\nElle se termine le 16 janvier à 8 h; nous vous aviserons à ce "
        "moment.")
    jobs = {job.key: job.state for job in await end_jobs(app)}
    assert jobs[oncall.end_key(olga.id)] == JobState.PENDING.value
    assert set(jobs.values()) == {JobState.PENDING.value, JobState.CANCELLED.value}
    assert (await ochat.worker("olga")).on_call_until == FRIDAY_8AM
    assert (await ochat.worker("paul")).on_call is False


async def test_hand_over_alone_in_the_organisation(ochat: Chat) -> None:
    await ochat.register("olga", org="Organisme seul (fictif)", lang="en", on_call=True)
    await ochat.say("olga", "/oncall")
    seen = await ochat.press("olga", "Hand over on-call")
    assert ochat.texts("olga", seen) == (
        "No colleague of your organisation is registered in Relais yet.")


async def test_hand_over_refuses_another_organisation(ochat: Chat, app) -> None:  # type: ignore[no-untyped-def]
    olga = await ochat.register("olga", org=ORG, lang="fr", on_call=True)
    zoe = await ochat.register("zoe", org="Organisme A (fictif)", lang="fr")
    from bot.errors import NotFound

    async with app.sessionmaker() as session:
        giver = await session.get(Worker, olga.id)
        with pytest.raises(NotFound):
            await oncall.hand_over(app, session, giver, zoe.id, app.clock.now(), None)


@pytest.mark.parametrize(("lang", "listed", "nobody"), [
    ("fr", "De garde en ce moment dans vos régions" + NB + ":\n"
           "• olga — Organisme B (fictif) · jusqu'au 16 janvier à 8 h\n"
           "• paul — Organisme B (fictif) · sans fin prévue\n\nIntervenantes et intervenants",
     "Personne n'est de garde en ce moment dans vos régions."),
    ("en", "On call now in your regions:\n"
           "• olga — Organisme B (fictif) · until January 16 at 8:00 AM\n"
           "• paul — Organisme B (fictif) · no end set\n\nWorkers of your regions:",
     "Nobody is on call now in your regions."),
])
async def test_coordinators_see_who_is_on_call_now(ochat: Chat, app, clock, lang: str,  # type: ignore[no-untyped-def]
                                                   listed: str, nobody: str) -> None:
    await ochat.register("cora", role="coordinator", lang=lang)
    await ochat.register("olga", org=ORG, lang="fr")
    await ochat.register("paul", org=ORG, lang="en", on_call=True)
    await ochat.register("ned", org=ORG, regions=("02",), on_call=True)
    await ochat.say("olga", "/oncall jusqu'à 8 h")
    seen = await ochat.say("cora", "/workers")
    text = ochat.texts("cora", seen)
    assert text.startswith(listed.split("\n\n")[0])
    assert "ned" not in text
    await ochat.say("paul", "/oncall")  # paul stops
    clock.set(FRIDAY_8AM)  # olga's end has passed, even before the job ran
    seen = await ochat.say("cora", "/workers")
    assert ochat.texts("cora", seen).startswith(nobody)


async def test_routing_ignores_an_ended_on_call(ochat: Chat, app, clock) -> None:  # type: ignore[no-untyped-def]
    bob = await ochat.register("bob", org=ORG)
    olga = await ochat.register("olga", org=ORG, lang="fr")
    svc = await add_service(app, "Service de jour", receivers=(bob,), open_24_7=False)
    async with app.sessionmaker() as session:  # open Monday 9-10 only: closed now
        session.add(DirectorySchedule(hsds_id="sched-oncall", service_id=svc.id, freq="WEEKLY",
                                      byday="MO", opens_at="09:00", closes_at="10:00"))
        await commit(session, app.sessionmaker)
    await ochat.say("olga", "/oncall jusqu'à 8 h")

    async def recipients(now: datetime) -> list[tuple[int, str]]:
        async with app.sessionmaker() as session:
            service = await session.get(DirectoryService, svc.id)
            pairs = await routing.recipients_for(session, service, urgent=True, now=now)
            return [(w.id, role) for w, role in pairs]

    assert await recipients(FRIDAY_8AM - timedelta(minutes=1)) == [(olga.id, routing.ON_CALL)]
    assert await recipients(FRIDAY_8AM) == [(bob.id, routing.RECEIVER)]


@pytest.mark.parametrize(("text", "expected"), [
    ("jusqu'à 8 h", FRIDAY_8AM),
    ("jusqu’à 8h", FRIDAY_8AM),
    ("until 8 am", FRIDAY_8AM),
    ("until 8:00 a.m.", FRIDAY_8AM),
    ("until tomorrow 8 am", FRIDAY_8AM),
    ("jusqu'à demain 8 h", FRIDAY_8AM),
    ("jusqu'à demain", FRIDAY_8AM),  # a day alone: 8 a.m.
    ("8h", FRIDAY_8AM),
    ("jusqu'au 17 janvier 18 h", datetime(2026, 1, 17, 23, 0, tzinfo=UTC)),
    ("until monday", datetime(2026, 1, 19, 13, 0, tzinfo=UTC)),
    ("jusqu'à 17 h", datetime(2026, 1, 15, 22, 0, tzinfo=UTC)),
])
def test_end_written_as_workers_write_it(text: str, expected: datetime) -> None:
    from zoneinfo import ZoneInfo

    now = datetime(2026, 1, 15, 15, 0, tzinfo=UTC)
    assert oncall.parse_end(text, now, ZoneInfo("America/Toronto")) == expected
