"""At most one message in flight: when a message goes out, every earlier one of the batch is
already committed as sent (whether the job's state is written on the batch's autocommit
connection or, after a handler that used the database, in the handler's transaction)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.messenger import OutgoingMessage
from bot.models.reminders import JobState, ScheduledJob
from bot.services import scheduler
from bot.services.reminders import personal
from tests.reminders.conftest import Recorder, add_worker, run_once


class Witness(Recorder):
    """Before each send, reads (in a session of its own) how many jobs are committed as sent."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        super().__init__()
        self.app = app
        self.committed_before: list[int] = []

    async def send(self, message: OutgoingMessage) -> int:
        async with self.app.sessionmaker() as session:
            sent = await session.scalar(
                select(func.count()).select_from(ScheduledJob).where(
                    ScheduledJob.state == JobState.SENT.value,
                    ScheduledJob.kind.in_(("reminder", "test.writes")),
                )
            )
        self.committed_before.append(int(sent or 0))
        return await super().send(message)


async def test_each_send_follows_the_commit_of_the_previous_one(app, clock) -> None:  # type: ignore[no-untyped-def]
    witness = Witness(app)
    app.messenger = witness
    workers = [await add_worker(app, f"w{i}", quiet=("00:00", "00:00")) for i in range(6)]
    for worker in workers:
        async with app.sessionmaker() as session:
            await personal.create_reminder(app, session, worker, clock.now() + timedelta(minutes=1),
                                           now=clock.now(), text="rappel")
            await session.commit()
    clock.advance(timedelta(minutes=2))
    report = await run_once(app, limiter=None)
    assert report.sent == 6
    assert witness.committed_before == [0, 1, 2, 3, 4, 5]


async def test_handler_writes_commit_with_the_sent_state(app, clock) -> None:  # type: ignore[no-untyped-def]
    """Jobs whose handler writes alternate with plain reminders in one batch: each job's own
    changes commit with its state, before the next message goes out."""
    witness = Witness(app)
    app.messenger = witness

    async def writes(app_, session, job):  # type: ignore[no-untyped-def]
        await scheduler.schedule(session, "test.child", clock.now() + timedelta(days=1),
                                 now=clock.now(), worker=job.worker_id, ref=f"child:{job.id}")
        return [OutgoingMessage(job.worker.telegram_id, f"writes {job.id}")]

    scheduler.register_job_kind("test.writes", writes)
    workers = [await add_worker(app, f"w{i}", quiet=("00:00", "00:00")) for i in range(6)]
    parents = []
    for i, worker in enumerate(workers):
        async with app.sessionmaker() as session:
            due = clock.now() + timedelta(minutes=1, seconds=i)
            if i % 2:
                job = await scheduler.schedule(session, "test.writes", due, now=clock.now(),
                                               worker=worker)
                parents.append(job.id)
            else:
                await personal.create_reminder(app, session, worker, due, now=clock.now(),
                                               text="rappel")
            await session.commit()
    clock.advance(timedelta(minutes=2))
    report = await run_once(app, limiter=None)
    assert report.sent == 6
    assert witness.committed_before == [0, 1, 2, 3, 4, 5]
    async with app.sessionmaker() as session:
        children = (await session.scalars(
            select(ScheduledJob.ref).where(ScheduledJob.kind == "test.child"))).all()
    assert sorted(children) == sorted(f"child:{job_id}" for job_id in parents)
