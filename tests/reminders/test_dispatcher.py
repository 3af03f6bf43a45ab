"""The dispatcher: once, on time, late after downtime, retries, blocked users, quiet hours."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.messenger import RecipientBlocked, RetryAfter, SendFailed
from bot.models.core import Worker
from bot.models.reminders import JobState, ScheduledJob
from bot.services import scheduler
from bot.services.reminders import personal
from bot.services.reminders.dispatcher import Dispatcher
from tests.reminders.conftest import Recorder, add_worker, run_once


async def remind(app, worker, delay: timedelta, text: str = "appeler la ressource", **kw):  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        job = await personal.create_reminder(
            app, session, worker, app.clock.now() + delay, now=app.clock.now(), text=text, **kw
        )
        await session.commit()
        return job.id


async def job_row(app, job_id: int) -> ScheduledJob:  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        job = await session.get(ScheduledJob, job_id)
        assert job is not None
        return job


async def test_sent_once_when_due_not_before(app, clock, recorder: Recorder) -> None:
    worker = await add_worker(app)
    job_id = await remind(app, worker, timedelta(minutes=30))
    await run_once(app)
    assert recorder.sent == []
    clock.advance(timedelta(minutes=30))
    report = await run_once(app)
    assert report.sent == 1
    assert recorder.to(worker.telegram_id) == ["🔔 Rappel\nappeler la ressource"]
    await run_once(app)
    clock.advance(timedelta(hours=1))
    await run_once(app)
    assert len(recorder.sent) == 1
    row = await job_row(app, job_id)
    assert row.state == JobState.SENT.value
    assert row.late is False
    assert row.message_id is not None
    assert [[b.text for b in line] for line in recorder.sent[0].buttons] == [
        ["✅ Fait"], ["⏰ Dans 1 h", "🌅 Demain"]
    ]
    assert recorder.sent[0].buttons[0][0].data == f"rem:done:{job_id}"


async def test_text_is_encrypted_at_rest(app, recorder: Recorder) -> None:
    worker = await add_worker(app)
    job_id = await remind(app, worker, timedelta(minutes=5), text="suivi du plan de sécurité")
    row = await job_row(app, job_id)
    assert row.text is not None and "sécurité" not in row.text
    assert personal.subject(app, row) == (None, "suivi du plan de sécurité")


async def test_english_worker_gets_english(app, clock, recorder: Recorder) -> None:
    worker = await add_worker(app, language="en")
    await remind(app, worker, timedelta(minutes=1), text="call back the shelter")
    clock.advance(timedelta(minutes=1))
    await run_once(app)
    assert recorder.to(worker.telegram_id) == ["🔔 Reminder\ncall back the shelter"]
    assert [b.text for b in recorder.sent[0].buttons[1]] == ["⏰ In 1 h", "🌅 Tomorrow"]


async def test_late_after_downtime(app, clock, recorder: Recorder) -> None:
    fr = await add_worker(app, "fr", language="fr")
    en = await add_worker(app, "en", language="en")
    # due at 11:00 local (16:00 UTC); the bot is down until 13:00 local
    first = await remind(app, fr, timedelta(hours=1))
    await remind(app, en, timedelta(hours=1), text="call back")
    clock.advance(timedelta(hours=3))
    report = await run_once(app)
    assert report.sent == 2
    assert recorder.to(fr.telegram_id)[0].startswith("⏰ En retard — prévu à 11 h\n🔔 Rappel")
    assert recorder.to(en.telegram_id)[0].startswith("⏰ Late — due at 11:00 AM\n🔔 Reminder")
    assert (await job_row(app, first)).late is True


async def test_late_on_another_day_shows_the_date(app, clock, recorder: Recorder) -> None:
    worker = await add_worker(app)
    await remind(app, worker, timedelta(hours=1))
    clock.advance(timedelta(days=1))
    await run_once(app)
    assert recorder.to(worker.telegram_id)[0].startswith("⏰ En retard — prévu le 15 janvier à 11 h")


async def test_transient_failures_back_off_then_succeed(app, clock, recorder: Recorder) -> None:
    worker = await add_worker(app)
    job_id = await remind(app, worker, timedelta(minutes=1))
    failures = iter([SendFailed("network"), SendFailed("network")])
    recorder.faults.append(lambda m: next(failures, None))
    clock.advance(timedelta(minutes=1))
    report = await run_once(app)
    assert report.retried == 1 and recorder.sent == []
    row = await job_row(app, job_id)
    assert row.state == JobState.PENDING.value
    assert row.attempts == 1
    assert row.next_attempt_at == clock.now() + timedelta(seconds=30)
    clock.advance(timedelta(seconds=29))
    assert (await run_once(app)).claimed == 0
    clock.advance(timedelta(seconds=1))
    await run_once(app)  # second failure: wait 60 s now
    row = await job_row(app, job_id)
    assert row.attempts == 2
    assert row.next_attempt_at == clock.now() + timedelta(seconds=60)
    clock.advance(timedelta(seconds=60))
    report = await run_once(app)
    assert report.sent == 1 and len(recorder.sent) == 1


async def test_gives_up_after_max_attempts_and_on_permanent_errors(app, clock, recorder) -> None:  # type: ignore[no-untyped-def]
    worker = await add_worker(app, quiet=("00:00", "00:00"))
    flaky = await remind(app, worker, timedelta(minutes=1), text="un")
    recorder.faults.append(lambda m: SendFailed("network"))
    clock.advance(timedelta(minutes=1))
    for _ in range(12):
        await run_once(app)
        clock.advance(timedelta(hours=1))
    row = await job_row(app, flaky)
    assert row.state == JobState.FAILED.value
    assert row.attempts == 8
    recorder.faults[:] = [lambda m: SendFailed("TelegramBadRequest", permanent=True)]
    bad = await remind(app, worker, timedelta(minutes=1), text="deux")
    clock.advance(timedelta(minutes=1))
    report = await run_once(app)
    assert report.failed == 1
    assert (await job_row(app, bad)).state == JobState.FAILED.value


async def test_retry_after_pauses_everything(app, clock, recorder: Recorder) -> None:
    workers = [await add_worker(app, f"w{i}") for i in range(4)]
    ids = [await remind(app, w, timedelta(minutes=1)) for w in workers]
    calls = {"n": 0}

    def flood(message):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        return RetryAfter(30) if calls["n"] == 2 else None

    recorder.faults.append(flood)
    clock.advance(timedelta(minutes=1))
    report = await run_once(app)
    assert report.sent == 1 and report.paused == 1
    # the job that met the 429 and the rest of the batch wait for the pause
    for job_id in ids[1:]:
        row = await job_row(app, job_id)
        assert row.state == JobState.PENDING.value
        assert row.lease_owner is None
        assert row.next_attempt_at >= clock.now() + timedelta(seconds=29)
        assert row.attempts == 0
    dispatcher = Dispatcher(app)
    clock.advance(timedelta(seconds=10))
    assert (await dispatcher.run_once()).claimed == 0  # still paused (shared limiter)
    assert await dispatcher.next_delay() >= 19
    clock.advance(timedelta(seconds=21))
    report = await dispatcher.run_once()
    assert report.sent == 3
    assert sorted(m.chat_id for m in recorder.sent) == sorted(w.telegram_id for w in workers)


async def test_blocked_user_held_then_released(app, clock, recorder: Recorder) -> None:
    worker = await add_worker(app)
    first = await remind(app, worker, timedelta(minutes=1), text="un")
    second = await remind(app, worker, timedelta(hours=2), text="deux")
    recorder.faults.append(
        lambda m: RecipientBlocked("Forbidden: bot was blocked by the user")
        if m.chat_id == worker.telegram_id else None
    )
    clock.advance(timedelta(minutes=1))
    report = await run_once(app)
    assert report.held == 1
    async with app.sessionmaker() as session:
        assert (await session.get(Worker, worker.id)).blocked_bot is True
    assert (await job_row(app, first)).state == JobState.HELD.value
    clock.advance(timedelta(hours=2))
    report = await run_once(app)  # known blocked: held without trying Telegram
    assert report.held == 1 and recorder.sent == []
    assert (await job_row(app, second)).state == JobState.HELD.value
    recorder.faults.clear()
    # still blocked: nothing is released
    assert (await run_once(app)).released == 0
    clock.advance(timedelta(hours=1))
    async with app.sessionmaker() as session:  # they write again (the worker middleware)
        (await session.get(Worker, worker.id)).blocked_bot = False
        await session.commit()
    report = await run_once(app)
    assert report.released == 2 and report.sent == 2
    texts = recorder.to(worker.telegram_id)
    assert all(t.startswith("⏰ En retard") for t in texts)
    assert {t.rsplit("\n", 1)[1] for t in texts} == {"un", "deux"}


async def test_quiet_hours_wait_for_the_morning(app, clock, recorder: Recorder) -> None:
    clock.set(datetime(2026, 1, 16, 2, 0, tzinfo=UTC))  # 21:00 in Montréal
    quiet = await add_worker(app, "quiet")
    vancouver = await add_worker(app, "bc", timezone="America/Vancouver")  # 18:00 there
    on_call = await add_worker(app, "oncall", on_call=True)
    night_owl = await add_worker(app, "owl", quiet=("00:00", "00:00"))  # no quiet hours
    job_id = await remind(app, quiet, timedelta(minutes=30))
    for worker in (vancouver, on_call, night_owl):
        await remind(app, worker, timedelta(minutes=30))
    async with app.sessionmaker() as session:  # an urgent job ignores quiet hours
        await scheduler.schedule(session, "reminder", clock.now() + timedelta(minutes=30),
                                 now=clock.now(), worker=quiet, urgent=True,
                                 payload={"case": "K7-4QX"})
        await session.commit()
    clock.advance(timedelta(minutes=30))
    report = await run_once(app)
    assert report.deferred == 1 and report.sent == 4
    assert recorder.to(quiet.telegram_id) == [
        "🔔 Rappel\nDossier K7-4QX\nPour ouvrir le dossier\u00a0: /case K7-4QX"
    ]
    row = await job_row(app, job_id)
    morning = datetime(2026, 1, 16, 13, 0, tzinfo=UTC)  # 8:00 in Montréal
    assert row.state == JobState.PENDING.value and row.next_attempt_at == morning
    clock.set(morning - timedelta(minutes=1))
    assert (await run_once(app)).claimed == 0
    clock.set(morning)
    await run_once(app)
    texts = recorder.to(quiet.telegram_id)
    assert texts[-1] == "🔔 Rappel\nappeler la ressource"  # held for the night: not "late"


@pytest.mark.parametrize("lanes", [1, 3])
async def test_claims_exactly_once_with_concurrent_dispatchers(app, clock, settings, lanes) -> None:  # type: ignore[no-untyped-def]
    """Two dispatchers with their own engines and connections, at the same time."""
    from bot.app import build_app

    workers = [await add_worker(app, f"w{i}", quiet=("00:00", "00:00")) for i in range(30)]
    ids = []
    for worker in workers:
        for n in range(5):
            ids.append(await remind(app, worker, timedelta(minutes=1), text=f"n{n}"))
    clock.advance(timedelta(minutes=2))
    other = build_app(settings, clock=clock)
    other.services["crypto"] = app.services["crypto"]  # the same RELAIS_DATA_KEY
    shared = Recorder()
    try:
        options = {"limiter": None}
        first = Dispatcher(app, messenger=shared, owner="one", **options)
        second = Dispatcher(other, messenger=shared, owner="two", **options)
        first.settings = second.settings = first.settings.model_copy(
            update={"reminder_batch": 7, "reminder_concurrency": lanes})

        reports = await asyncio.gather(first.run_once(), second.run_once(),
                                       first.run_once(), second.run_once())
    finally:
        await other.close()
    sent = [m.buttons[0][0].data for m in shared.sent]  # rem:done:<job id>
    assert len(sent) == len(ids) == 150
    assert set(sent) == {f"rem:done:{job_id}" for job_id in ids}
    assert len({(m.chat_id, m.text) for m in shared.sent}) == 150
    assert sum(r.sent for r in reports) == 150
    if app.settings.database_url.startswith("postgresql"):
        assert all(r.sent > 0 for r in reports[:2])  # both took part
    async with app.sessionmaker() as session:
        states = (await session.scalars(select(ScheduledJob.state))).all()
    assert set(states) == {JobState.SENT.value}


class Crash(BaseException):
    """Stands for the process dying (nothing after it runs, no cleanup)."""


@pytest.mark.parametrize("accepted", [True, False])
async def test_killed_mid_batch_loses_nothing(app, clock, recorder: Recorder, accepted: bool) -> None:
    """A dispatcher dies while sending its 4th of 10 claimed jobs; another takes over after the
    lease. Only the message in flight may arrive twice, and only if Telegram had accepted it."""
    workers = [await add_worker(app, f"w{i}") for i in range(10)]
    for worker in workers:
        await remind(app, worker, timedelta(minutes=1))
    clock.advance(timedelta(minutes=1))
    count = {"n": 0}

    def die(message):  # type: ignore[no-untyped-def]
        count["n"] += 1
        if count["n"] == 4:
            if accepted:
                recorder.sent.append(message)  # Telegram got it, then the process died
            raise Crash()

    recorder.faults.append(die)
    with pytest.raises(Crash):
        await run_once(app, owner="doomed", limiter=None)
    recorder.faults.clear()
    async with app.sessionmaker() as session:
        rows = (await session.scalars(select(ScheduledJob).order_by(ScheduledJob.due_at,
                                                                    ScheduledJob.id))).all()
    assert [r.state for r in rows].count(JobState.SENT.value) == 3
    assert [r.state for r in rows].count(JobState.SENDING.value) == 7  # leased to the dead one
    report = await run_once(app, owner="survivor", limiter=None)
    assert report.claimed == 0  # the lease has not expired
    clock.advance(timedelta(seconds=61))
    report = await run_once(app, owner="survivor", limiter=None)
    assert report.sent == 7
    chats = [m.chat_id for m in recorder.sent]
    assert set(chats) == {w.telegram_id for w in workers}  # nothing lost
    duplicates = [c for c in set(chats) if chats.count(c) > 1]
    assert duplicates == ([workers[3].telegram_id] if accepted else [])


async def test_cancelled_dispatcher_gives_back_unstarted_jobs(app, clock, recorder: Recorder) -> None:
    """``relais run`` stopping: the task is cancelled during a send; the jobs not started are
    released at once (no lease wait), the one in flight waits for its lease."""
    workers = [await add_worker(app, f"w{i}") for i in range(6)]
    for worker in workers:
        await remind(app, worker, timedelta(minutes=1))
    clock.advance(timedelta(minutes=1))
    started = asyncio.Event()
    gate = asyncio.Event()

    class Slow(Recorder):
        async def send(self, message):  # type: ignore[no-untyped-def]
            if len(self.sent) == 2 and not started.is_set():
                started.set()
                await gate.wait()  # never set: cancelled here
            return await super().send(message)

    slow = Slow()
    task = asyncio.create_task(run_once(app, messenger=slow, limiter=None))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    async with app.sessionmaker() as session:
        states = [s for (s,) in (await session.execute(select(ScheduledJob.state))).all()]
    assert states.count(JobState.SENT.value) == 2
    assert states.count(JobState.SENDING.value) == 1  # in flight
    assert states.count(JobState.PENDING.value) == 3  # given back
    report = await run_once(app, messenger=slow, limiter=None)
    assert report.sent == 3
    clock.advance(timedelta(seconds=61))
    report = await run_once(app, messenger=slow, limiter=None)
    assert report.sent == 1
    assert len({m.chat_id for m in slow.sent}) == 6 == len(slow.sent)


async def test_registered_kind_and_unknown_kind(app, clock, recorder: Recorder) -> None:
    from bot.messenger import OutgoingMessage

    worker = await add_worker(app, language="en")
    calls = []

    async def handoff_remind(app_, session, job):  # type: ignore[no-untyped-def]
        calls.append(job.payload["handoff_id"])
        t = scheduler.text_for(app_, job.worker)
        return [OutgoingMessage(job.worker.telegram_id, scheduler.late_line(t, job) + "handoff "
                                + str(job.payload["handoff_id"]))]

    scheduler.register_job_kind("test.handoff.remind", handoff_remind)
    now = clock.now()
    async with app.sessionmaker() as session:
        await scheduler.schedule(session, "test.handoff.remind", now + timedelta(minutes=5),
                                 now=now, worker=worker, ref="handoff:7",
                                 payload={"handoff_id": 7}, key="handoff:7:remind")
        again = await scheduler.schedule(session, "test.handoff.remind", now, now=now,
                                         worker=worker, key="handoff:7:remind")
        assert again.due_at == now + timedelta(minutes=5)  # same key: the first one stays
        await scheduler.schedule(session, "test.handoff.expire", now + timedelta(minutes=5),
                                 now=now, worker=worker, ref="handoff:7")
        unknown = await scheduler.schedule(session, "test.nobody", now + timedelta(minutes=5),
                                           now=now, worker=worker)
        await session.commit()
    async with app.sessionmaker() as session:
        assert await scheduler.cancel(session, now=now, ref="handoff:7",
                                      kind="test.handoff.expire") == 1
        await session.commit()
    clock.advance(timedelta(minutes=5))
    report = await run_once(app)
    assert calls == [7] and recorder.to(worker.telegram_id) == ["handoff 7"]
    assert report.retried == 1  # the unknown kind waits for a process that knows it
    row = await job_row(app, unknown.id)
    assert row.state == JobState.PENDING.value and row.last_error == "unknown-kind"


async def test_handler_changes_roll_back_when_sending_fails(app, clock, recorder) -> None:  # type: ignore[no-untyped-def]
    from bot.messenger import OutgoingMessage

    worker = await add_worker(app)

    async def acts(app_, session, job):  # type: ignore[no-untyped-def]
        await scheduler.schedule(session, "test.child", clock.now() + timedelta(days=1),
                                 now=clock.now(), worker=job.worker_id)
        return [OutgoingMessage(job.worker.telegram_id, "x")]

    scheduler.register_job_kind("test.acts", acts)
    async with app.sessionmaker() as session:
        await scheduler.schedule(session, "test.acts", clock.now(), now=clock.now(), worker=worker)
        await session.commit()
    recorder.faults.append(lambda m: SendFailed("network"))
    await run_once(app)
    async with app.sessionmaker() as session:
        kinds = (await session.scalars(select(ScheduledJob.kind))).all()
    assert kinds == ["test.acts"]
    recorder.faults.clear()
    clock.advance(timedelta(minutes=1))
    await run_once(app)
    async with app.sessionmaker() as session:
        kinds = sorted((await session.scalars(select(ScheduledJob.kind))).all())
    assert kinds == ["test.acts", "test.child"]


async def test_one_failure_does_not_stop_the_batch(app, clock, recorder: Recorder) -> None:
    workers = [await add_worker(app, f"w{i}", language=("fr", "en")[i % 2]) for i in range(5)]
    for worker in workers:
        await remind(app, worker, timedelta(minutes=1))
    flaky, blocked = workers[1].telegram_id, workers[3].telegram_id
    recorder.faults.append(lambda m: SendFailed("network") if m.chat_id == flaky else None)
    recorder.faults.append(lambda m: RecipientBlocked("blocked") if m.chat_id == blocked else None)
    clock.advance(timedelta(minutes=1))
    report = await run_once(app)
    assert (report.sent, report.retried, report.held) == (3, 1, 1)
    assert sorted(m.chat_id for m in recorder.sent) == sorted(
        w.telegram_id for i, w in enumerate(workers) if i not in (1, 3))
    assert [m.text.split("\n")[0] for m in recorder.sent] == ["🔔 Rappel", "🔔 Rappel",
                                                            "🔔 Rappel"]


async def test_language_from_telegram_when_never_chosen(app, clock, recorder: Recorder) -> None:
    worker = await add_worker(app, language=None)
    async with app.sessionmaker() as session:
        (await session.get(Worker, worker.id)).telegram_language = "en-CA"
        await session.commit()
    await remind(app, worker, timedelta(minutes=1), text="call back")
    clock.advance(timedelta(minutes=1))
    await run_once(app)
    assert recorder.to(worker.telegram_id) == ["🔔 Reminder\ncall back"]


async def test_stopping_the_loop_finishes_the_job_in_flight_and_gives_back_the_rest(app, clock) -> None:  # type: ignore[no-untyped-def]
    """``relais run``/``try`` stopping cancels the loop: the message in flight is finished
    cleanly (no database call cut in the middle, which on SQLite left a thread and hung the
    exit), and the other claimed jobs are given back at once, for another process to send."""
    from bot.jobs.reminders import run

    workers = [await add_worker(app, f"w{i}") for i in range(3)]
    for worker in workers:
        await remind(app, worker, timedelta(minutes=1))
    clock.advance(timedelta(minutes=1))
    sending, go_on = asyncio.Event(), asyncio.Event()

    class Slow(Recorder):
        async def send(self, message):  # type: ignore[no-untyped-def]
            sending.set()
            await go_on.wait()
            return await super().send(message)

    app.messenger = slow = Slow()
    task = asyncio.create_task(run(app))
    await sending.wait()
    task.cancel()
    await asyncio.sleep(0.05)
    assert not task.done()  # waits for the pass
    go_on.set()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(slow.sent) == 1  # the job in flight is finished, the others are given back
    async with app.sessionmaker() as session:
        jobs = (await session.scalars(
            select(ScheduledJob).where(ScheduledJob.kind == "reminder"))).all()
    assert sorted(job.state for job in jobs) == sorted(
        [JobState.PENDING.value] * 2 + [JobState.SENT.value])
    assert all(job.lease_owner is None and job.attempts == 0
               for job in jobs if job.state == JobState.PENDING.value)
