"""What a tap on a delivered job stores: snoozed, cancelled, a listing corrected, held released."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.models.core import AuditEntry, Worker
from bot.models.reminders import JobState, ScheduledJob
from bot.services import scheduler
from bot.services.reminders import answers, directory_checks, personal
from tests.reminders.conftest import add_worker
from tests.reminders.test_turning18_and_directory import make_service


async def new_reminder(app, worker, state: JobState = JobState.SENT) -> int:  # type: ignore[no-untyped-def]
    now = app.clock.now()
    async with app.sessionmaker() as session:
        job = await personal.create_reminder(app, session, worker, now + timedelta(minutes=30),
                                             now=now, text="appeler la ressource")
        job.state = state.value
        await session.commit()
        return job.id


async def stored(app, job_id: int) -> ScheduledJob:  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        job = await session.get(ScheduledJob, job_id)
        assert job is not None
        return job


async def test_snooze_sets_the_reminder_due_again_later(app, clock) -> None:  # type: ignore[no-untyped-def]
    worker = await add_worker(app)
    job_id = await new_reminder(app, worker)
    now = clock.now()
    async with app.sessionmaker() as session:
        job = await personal.own_reminder(session, worker, job_id)
        due = await answers.snooze(app, session, worker, job, answers.IN_ONE_HOUR, now)
        await session.commit()
    assert due == now + timedelta(hours=1)
    job = await stored(app, job_id)
    assert (job.state, job.due_at) == (JobState.PENDING.value, due)


async def test_cancel_only_a_waiting_reminder(app, clock) -> None:  # type: ignore[no-untyped-def]
    worker = await add_worker(app)
    waiting = await new_reminder(app, worker, JobState.PENDING)
    delivered = await new_reminder(app, worker, JobState.DONE)
    async with app.sessionmaker() as session:
        assert await answers.cancel(session, await session.get(ScheduledJob, waiting), clock.now())
        assert not await answers.cancel(session, await session.get(ScheduledJob, delivered),
                                        clock.now())
        assert [j.id for j in await personal.list_reminders(session, worker)] == []
        await session.commit()
    assert (await stored(app, waiting)).state == JobState.CANCELLED.value
    assert (await stored(app, delivered)).state == JobState.DONE.value


async def test_a_listing_correction_is_stored_closed_and_audited(app, clock) -> None:  # type: ignore[no-untyped-def]
    from bot.models.directory import DirectoryService

    worker = await add_worker(app)
    service_id = await make_service(app, worker, assured=None, capacity_age=None)
    now = clock.now()
    async with app.sessionmaker() as session:
        job = await scheduler.schedule(session, directory_checks.VERIFY, now, now=now,
                                       worker=worker.id, payload={"service_id": service_id})
        job.state = JobState.SENT.value
        await session.commit()
        job_id = job.id
    async with app.sessionmaker() as session:
        job = await session.get(ScheduledJob, job_id)
        assert answers.awaits_answer(job)
        await answers.correct_listing(session, job, answers.LISTING_CHANGES["vcg"], now)
        await session.commit()
    job = await stored(app, job_id)
    assert job.state == JobState.DONE.value and not answers.awaits_answer(job)
    async with app.sessionmaker() as session:
        assert (await session.get(DirectoryService, service_id)).status == "inactive"
        entry = await session.scalar(select(AuditEntry).where(
            AuditEntry.action == "directory.correction"))
        assert (entry.actor_id, entry.subject_id) == (worker.id, str(service_id))
        assert entry.details["change"] == "gone"


async def test_held_reminders_are_released_only_when_the_worker_is_back(app, clock) -> None:  # type: ignore[no-untyped-def]
    worker = await add_worker(app)
    job_id = await new_reminder(app, worker, JobState.HELD)
    async with app.sessionmaker() as session:
        row = await session.get(Worker, worker.id)
        row.blocked_bot = True
        await session.commit()
    async with app.sessionmaker() as session:
        row = await session.get(Worker, worker.id)
        assert await answers.release_if_back(session, row, clock.now()) == 0  # still blocked
        row.blocked_bot = False  # they wrote again
        assert await answers.release_if_back(session, row, clock.now()) == 1
        await session.commit()
    assert (await stored(app, job_id)).state == JobState.PENDING.value
