"""The dispatcher: claims due jobs, runs their kind's handler, sends, marks them sent. Once.

Claiming is one statement in its own short transaction::

    UPDATE scheduled_jobs SET state='sending', lease_owner=:me, attempts=attempts+1,
           lease_expires_at=:lease_end, next_attempt_at=:lease_end
     WHERE id IN (SELECT id FROM scheduled_jobs
                   WHERE state IN ('pending','sending') AND next_attempt_at <= :now
                   ORDER BY next_attempt_at LIMIT :batch
                   FOR UPDATE SKIP LOCKED)          -- PostgreSQL; SQLite runs one writer
    RETURNING id

so any number of dispatchers (processes) share the work without taking the same row. Then each
claimed job is handled and sent, and marked ``sent`` in its own commit right after Telegram
accepted it. A dispatcher that dies leaves its unsent claimed rows in ``sending``; their
``next_attempt_at`` is the lease's end, after which any dispatcher claims them again. Only the
job whose message was in flight when the process died can be sent twice (if Telegram had
accepted it but the ``sent`` commit never happened): see :meth:`Dispatcher._process`.

Failures: ``RetryAfter`` pauses every sender (shared rate limiter) and puts the job and the rest
of the batch back; ``RecipientBlocked`` marks the worker ``blocked_bot`` and holds the job until
they write again; other errors back off (doubling) up to ``reminder_max_attempts``.
Quiet hours (per worker, default 21:00-08:00) push non-urgent jobs to the morning, except for
workers on call. Jobs sent more than ``reminder_late_seconds`` after their time are marked late.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, func, inspect, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from bot.db.effects import has_queued, run_committed
from bot.messenger import Messenger, RecipientBlocked, RetryAfter, SendFailed
from bot.models.core import Worker
from bot.models.reminders import CLAIMABLE, JobState, ScheduledJob
from bot.services import oncall, scheduler
from bot.services.reminders.quiet import quiet_until
from bot.services.reminders.settings import ReminderSettings, reminder_settings

if TYPE_CHECKING:
    from bot.app import App
    from bot.services.ratelimit import RateLimiter

log = logging.getLogger(__name__)

UNKNOWN_KIND_RETRY = timedelta(minutes=5)
UNKNOWN_KIND_GIVE_UP = timedelta(days=1)
PERIODIC_CHECK = timedelta(minutes=5)
FAST = "reminders.autocommit"  # session.info key of the batch's autocommit connection


class Outcome(enum.Enum):
    SENT = "sent"
    HELD = "held"
    DEFERRED = "deferred"
    RETRY = "retry"
    FAILED = "failed"
    PAUSE = "pause"
    LOST = "lost"


@dataclass
class DispatchReport:
    """What one pass did (counts only)."""

    released: int = 0
    claimed: int = 0
    sent: int = 0
    held: int = 0
    deferred: int = 0
    retried: int = 0
    failed: int = 0
    paused: int = 0

    def add(self, outcome: Outcome) -> None:
        name = {Outcome.SENT: "sent", Outcome.HELD: "held", Outcome.DEFERRED: "deferred",
                Outcome.RETRY: "retried", Outcome.FAILED: "failed", Outcome.PAUSE: "paused"}
        if outcome in name:
            setattr(self, name[outcome], getattr(self, name[outcome]) + 1)


def default_owner() -> str:
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Dispatcher:
    """Processes due jobs; ``run_once`` for one pass (tests), ``run_forever`` as a loop."""

    def __init__(
        self,
        app: App,
        *,
        messenger: Messenger | None = None,
        owner: str | None = None,
        settings: ReminderSettings | None = None,
        limiter: RateLimiter | None | bool = True,
    ) -> None:
        self.app = app
        messenger = messenger or app.messenger
        if messenger is None:
            raise RuntimeError("the dispatcher needs a messenger (app.messenger)")
        self.messenger: Messenger = messenger
        self.owner = (owner or default_owner())[:64]
        self.settings = settings or reminder_settings(app)
        if limiter is True:
            limiter = self._shared_limiter() if self.settings.reminder_rate_limit else None
        self.limiter: RateLimiter | None = limiter or None
        self.is_postgres = app.engine.dialect.name == "postgresql"
        self.kinds = scheduler.job_kinds()
        self.paused_until: datetime | None = None
        # set when the process stops: the job in flight ends, no other is started or claimed
        self.stopping = False
        self._statements: dict[frozenset[str], Any] = {}

    def _shared_limiter(self) -> RateLimiter | None:
        try:
            from bot.services.ratelimit import get_limiter
        except ModuleNotFoundError:  # pragma: no cover - the broadcasts feature is absent
            return None
        return get_limiter(self.app)

    @property
    def now(self) -> datetime:
        return self.app.clock.now()

    # ---- the loop ------------------------------------------------------------------------------
    async def ensure_periodic(self) -> None:
        """Seed the periodic jobs of every feature (idempotent)."""
        for hook in scheduler.periodic_hooks():
            try:
                async with self.app.sessionmaker() as session:
                    await hook(self.app, session, self.now)
                    await session.commit()
            except Exception as exc:
                log.warning("periodic job seeding failed: %s", type(exc).__name__)

    async def run_forever(self) -> None:
        """Pass after pass until cancelled. At a stop, the job in flight is finished (a
        database call cut in the middle can leave a connection, and on SQLite its thread,
        behind; a message cut in the middle may or may not have been delivered), the claimed
        jobs not started yet are given back at once (:meth:`release_leases`), so that another
        process sends them now rather than when their lease runs out."""
        log.info("reminder dispatcher %s started", self.owner)
        seeded: datetime | None = None
        while True:
            work = asyncio.ensure_future(self._pass(seeded))
            try:
                seeded, delay = await asyncio.shield(work)
            except asyncio.CancelledError:
                self.stopping = True
                with contextlib.suppress(Exception):
                    await work
                await asyncio.shield(self.release_leases())
                raise
            # pacing is wall-clock time (what is due is decided by app.clock): under a FakeClock
            # the loop idles instead of racing the fake time forward; tests call run_once
            try:
                await asyncio.sleep(delay)
            except asyncio.CancelledError:
                await asyncio.shield(self.release_leases())
                raise

    async def release_leases(self) -> int:
        """Give back every job this dispatcher still holds (claimed, not sent: nothing of it is
        in flight once the pass under way has ended), without counting an attempt; how many.
        Called at a stop; a failure is logged, and the leases then simply run out."""
        try:
            async with self.app.sessionmaker() as session:
                ids = list((await session.scalars(
                    select(ScheduledJob.id).where(
                        ScheduledJob.lease_owner == self.owner,
                        ScheduledJob.state == JobState.SENDING.value,
                    )
                )).all())
        except Exception as exc:
            log.warning("could not look up the jobs to release at stop: %s",
                        type(exc).__name__)
            return 0
        await self._release(ids, self.now)
        if ids:
            log.info("reminder dispatcher %s stopping: released %d claimed jobs", self.owner,
                     len(ids))
        return len(ids)

    async def _pass(self, seeded: datetime | None) -> tuple[datetime | None, float]:
        """Seed periodic jobs (every few minutes), dispatch, and say how long to wait."""
        if seeded is None or self.now - seeded >= PERIODIC_CHECK:
            seeded = self.now
            await self.ensure_periodic()
        claimed = 0
        try:
            report = await self.run_once()
            claimed = report.claimed
            if report.claimed:
                log.info("dispatch: %s", report)
            delay = await self.next_delay()
        except Exception as exc:  # database down, ...: keep going
            log.exception("dispatch pass failed: %s", type(exc).__name__)
            delay = self.settings.reminder_poll_seconds
        if claimed == 0:
            delay = max(delay, 0.05)
        return seeded, delay

    async def next_delay(self) -> float:
        """Seconds until the next job falls due, at most the poll interval; longer if paused."""
        poll = self.settings.reminder_poll_seconds
        paused = await self._paused_for()
        async with self.app.sessionmaker() as session:
            soonest = await session.scalar(
                select(func.min(ScheduledJob.next_attempt_at)).where(
                    ScheduledJob.state.in_(CLAIMABLE)
                )
            )
        delay = poll
        if soonest is not None:
            delay = min(poll, max(0.0, (soonest - self.now).total_seconds()))
        return max(delay, paused)

    async def _paused_for(self) -> float:
        local = 0.0
        if self.paused_until is not None:
            local = max(0.0, (self.paused_until - self.now).total_seconds())
        shared = await self.limiter.paused_for() if self.limiter is not None else 0.0
        return max(local, shared)

    async def run_once(self) -> DispatchReport:
        """Release held jobs of workers who are back, then process every due job."""
        report = DispatchReport()
        async with self.app.sessionmaker() as session:
            report.released = await scheduler.release_held(session, None, self.now)
            await session.commit()
        batch = self.settings.reminder_batch
        while not self.stopping and await self._paused_for() <= 0:
            ids = await self.claim(batch)
            if not ids:
                break
            report.claimed += len(ids)
            paused = await self._process_batch(ids, report)
            if paused or len(ids) < batch:
                break
        return report

    # ---- claiming ------------------------------------------------------------------------------
    async def claim(self, limit: int) -> list[int]:
        """Claim up to ``limit`` due jobs for this dispatcher (committed before returning)."""
        now = self.now
        lease_end = now + timedelta(seconds=self.settings.reminder_lease_seconds)
        due = (
            select(ScheduledJob.id)
            .where(ScheduledJob.state.in_(CLAIMABLE), ScheduledJob.next_attempt_at <= now)
            .order_by(ScheduledJob.next_attempt_at, ScheduledJob.id)
            .limit(limit)
        )
        if self.is_postgres:
            due = due.with_for_update(skip_locked=True)
        statement = (
            update(ScheduledJob)
            .where(ScheduledJob.id.in_(due.scalar_subquery()))
            .values(
                state=JobState.SENDING.value,
                lease_owner=self.owner,
                lease_expires_at=lease_end,
                next_attempt_at=lease_end,
                attempts=ScheduledJob.attempts + 1,
                updated_at=now,
            )
            .returning(ScheduledJob.id)
            .execution_options(synchronize_session=False)
        )
        async with self.app.sessionmaker() as session:
            ids = list((await session.execute(statement)).scalars().all())
            await session.commit()
        return ids

    async def _process_batch(self, ids: list[int], report: DispatchReport) -> bool:
        """Handle claimed jobs in due order; True when a retry_after pause stopped the batch.

        Each job commits on its own (its ``sent`` state with its handler's changes), right after
        its message went out.
        """
        async with self.app.sessionmaker() as session:
            jobs = list(
                (
                    await session.scalars(
                        select(ScheduledJob)
                        .where(
                            ScheduledJob.id.in_(ids),
                            ScheduledJob.lease_owner == self.owner,
                            ScheduledJob.state == JobState.SENDING.value,
                        )
                        .order_by(ScheduledJob.due_at, ScheduledJob.id)
                    )
                ).unique().all()
            )
            if self.settings.reminder_concurrency > 1:
                session.expunge_all()
            else:
                # end the read transaction (objects stay loaded: expire_on_commit=False), so that
                # each job starts with a clean session and _finish can tell whether its handler
                # touched the database
                await session.commit()
                async with self._marker(session):
                    return await self._process_in_turn(session, jobs, report)
        return await self._process_concurrently(jobs, report)

    @contextlib.asynccontextmanager
    async def _marker(self, session: AsyncSession):  # type: ignore[no-untyped-def]
        """A connection in autocommit mode for the batch (kept in ``session.info``): a job whose
        handler did not touch the database is marked with one UPDATE that commits on its own
        (one round trip instead of a pool checkout with its ping, BEGIN, UPDATE and COMMIT).
        Either way the row is committed before the next message is sent."""
        try:
            async with self.app.engine.connect() as connection:
                session.info[FAST] = await connection.execution_options(
                    isolation_level="AUTOCOMMIT")
                yield
        finally:
            session.info.pop(FAST, None)

    async def _process_in_turn(
        self, session: AsyncSession, jobs: list[ScheduledJob], report: DispatchReport
    ) -> bool:
        """One job at a time: at most one message is ever in flight."""
        pending = [job.id for job in jobs]
        try:
            for job in jobs:
                if self.stopping:  # the rest goes back in one statement
                    await self._release(pending, self.now)
                    return False
                pending.remove(job.id)
                if inspect(job).expired_attributes:  # a failed job rolled back the session
                    await session.refresh(job)
                    if job.worker is not None:
                        await session.refresh(job.worker)
                outcome = await self._process(session, job)
                report.add(outcome)
                if outcome is Outcome.PAUSE:
                    await self._release(pending, self.paused_until or self.now)
                    return True
        except asyncio.CancelledError:
            # stopping (relais run shuts down): give back what was not started at once;
            # the job in flight keeps its lease (it may or may not have been delivered)
            await asyncio.shield(self._release(pending, self.now))
            raise
        return False

    async def _process_concurrently(self, jobs: list[ScheduledJob], report: DispatchReport) -> bool:
        """Up to ``reminder_concurrency`` jobs at once, each in a session of its own; as many
        messages can be in flight (and be sent twice if the process dies at that moment)."""
        queue = list(jobs)
        not_started = [job.id for job in jobs]
        paused = False

        async def lane() -> None:
            nonlocal paused
            while queue and not paused and not self.stopping:
                job = queue.pop(0)
                not_started.remove(job.id)
                async with self.app.sessionmaker() as session:
                    outcome = await self._process(session, await session.merge(job, load=False))
                report.add(outcome)
                if outcome is Outcome.PAUSE:
                    paused = True

        lanes = min(self.settings.reminder_concurrency, len(jobs))
        try:
            await asyncio.gather(*(lane() for _ in range(lanes)))
        except asyncio.CancelledError:
            await asyncio.shield(self._release(not_started, self.now))
            raise
        if paused:
            await self._release(not_started, self.paused_until or self.now)
        elif not_started:  # stopping
            await self._release(not_started, self.now)
        return paused

    async def _release(self, ids: list[int], at: datetime) -> None:
        """Give claimed, unstarted jobs back (without counting an attempt)."""
        if not ids:
            return
        try:
            async with self.app.sessionmaker() as session:
                await session.execute(
                    update(ScheduledJob)
                    .where(
                        ScheduledJob.id.in_(ids),
                        ScheduledJob.lease_owner == self.owner,
                        ScheduledJob.state == JobState.SENDING.value,
                    )
                    .values(
                        state=JobState.PENDING.value,
                        next_attempt_at=at,
                        lease_owner=None,
                        lease_expires_at=None,
                        attempts=ScheduledJob.attempts - 1,
                    )
                    .execution_options(synchronize_session=False)
                )
                await session.commit()
        except Exception as exc:  # the lease will expire and another pass takes them
            log.warning("could not release %d claimed jobs: %s", len(ids), type(exc).__name__)

    # ---- one job -------------------------------------------------------------------------------
    async def _finish(self, session: AsyncSession, job_id: int, **values: Any) -> bool:
        """Update a job this dispatcher still holds, and commit; False if the lease was lost."""
        values.setdefault("updated_at", self.now)
        if values.get("state") != JobState.SENDING.value:
            values.setdefault("lease_owner", None)
            values.setdefault("lease_expires_at", None)
        statement = self._statement(frozenset(values))
        params = {"b_job": job_id, "b_owner": self.owner}
        params.update({"v_" + name: value for name, value in values.items()})
        fast: AsyncConnection | None = session.info.get(FAST)
        if fast is not None and not (
            session.in_transaction() or session.new or session.dirty or session.deleted
            or has_queued(session)
        ):  # the handler read and wrote nothing: nothing to commit with the job's state
            result = await fast.execute(statement, params)
        else:  # the job's state commits together with the handler's changes
            result = await session.execute(statement, params)
            await session.commit()
            await run_committed(session, self.app.sessionmaker)  # what the handler queued
        if not result.rowcount:
            log.warning("job %s: lease lost before it was marked", job_id)
            return False
        return True

    def _statement(self, names: frozenset[str]) -> Any:
        """The Core UPDATE of a held job setting ``names``, built once per set of columns (a
        statement object reused keeps its compiled form cached: no cache key to rebuild)."""
        statement = self._statements.get(names)
        if statement is None:
            table = ScheduledJob.__table__
            statement = self._statements[names] = (
                update(table)
                .where(
                    table.c.id == bindparam("b_job"),
                    table.c.lease_owner == bindparam("b_owner"),
                    table.c.state == JobState.SENDING.value,
                )
                .values({name: bindparam("v_" + name, type_=table.c[name].type)
                         for name in sorted(names)})
            )
        return statement

    def _backoff(self, attempts: int) -> timedelta:
        seconds = self.settings.reminder_backoff_seconds * (2 ** max(0, attempts - 1))
        return timedelta(seconds=min(seconds, self.settings.reminder_backoff_max_seconds))

    async def _retry_later(
        self, session: AsyncSession, job_id: int, attempts: int, reason: str
    ) -> Outcome:
        if attempts >= self.settings.reminder_max_attempts:
            log.warning("job %s failed after %d attempts (%s)", job_id, attempts, reason)
            await self._finish(session, job_id, state=JobState.FAILED.value, last_error=reason)
            return Outcome.FAILED
        await self._finish(
            session,
            job_id,
            state=JobState.PENDING.value,
            next_attempt_at=self.now + self._backoff(attempts),
            last_error=reason,
        )
        return Outcome.RETRY

    async def _process(self, session: AsyncSession, job: ScheduledJob) -> Outcome:
        """Hold, defer, or run and send one claimed job.

        The in-flight case: between ``messenger.send`` returning (Telegram accepted the message)
        and the commit of ``sent`` below, a process killed loses that knowledge; the row is still
        ``sending`` and is sent again after its lease ends. That one message, and only it, can
        arrive twice. Every other claimed row was either committed as sent or never sent.
        """
        now = self.now
        job_id, attempts, worker = job.id, job.attempts, job.worker
        if job.worker_id is not None:
            if worker is None or not worker.can_receive:
                await self._finish(
                    session, job_id, state=JobState.HELD.value, next_attempt_at=now,
                    attempts=max(0, attempts - 1),
                    last_error="blocked" if worker is not None and worker.blocked_bot else "inactive",
                )
                return Outcome.HELD
            if not job.urgent and not oncall.is_on_call(worker, now):
                until = quiet_until(now, worker, self.app.settings.zone)
                if until is not None:
                    await self._finish(
                        session, job_id, state=JobState.PENDING.value, next_attempt_at=until,
                        deferred_to=until, attempts=max(0, attempts - 1),
                    )
                    return Outcome.DEFERRED
        handler = self.kinds.get(job.kind)
        if handler is None:
            log.warning("job %s: no handler for kind %s in this process", job_id, job.kind)
            if now - job.due_at > UNKNOWN_KIND_GIVE_UP:
                await self._finish(session, job_id, state=JobState.FAILED.value,
                                   last_error="unknown-kind")
                return Outcome.FAILED
            await self._finish(session, job_id, state=JobState.PENDING.value,
                               next_attempt_at=now + UNKNOWN_KIND_RETRY,
                               attempts=max(0, attempts - 1), last_error="unknown-kind")
            return Outcome.RETRY
        reference = job.deferred_to or job.due_at
        late = (now - reference).total_seconds() > self.settings.reminder_late_seconds
        # seen by the handler, written by _finish only (no extra UPDATE through the ORM)
        set_committed_value(job, "late", late)
        set_committed_value(job, "updated_at", now)
        try:
            messages = list(await handler(self.app, session, job) or [])
        except Exception as exc:
            log.exception("job %s (%s): handler failed: %s", job_id, job.kind, type(exc).__name__)
            await session.rollback()
            return await self._retry_later(session, job_id, attempts, "handler:" + type(exc).__name__)

        recipient = worker.telegram_id if worker is not None else None
        message_id: int | None = None
        try:
            for message in messages:
                if self.limiter is not None:
                    await self.limiter.acquire(message.chat_id)
                sent_id = await self.messenger.send(message)
                message_id = message_id or sent_id
        except RecipientBlocked:
            await session.rollback()
            chat_id = message.chat_id
            await session.execute(
                update(Worker).where(Worker.telegram_id == chat_id).values(blocked_bot=True)
            )
            log.info("job %s: recipient blocked the bot; held", job_id)
            if chat_id == recipient:
                await self._finish(session, job_id, state=JobState.HELD.value,
                                   next_attempt_at=now, attempts=max(0, attempts - 1),
                                   last_error="blocked")
                return Outcome.HELD
            await self._finish(session, job_id, state=JobState.FAILED.value,
                               last_error="other-recipient-blocked")
            return Outcome.FAILED
        except RetryAfter as exc:
            await session.rollback()
            seconds = max(1.0, float(exc.seconds))
            self.paused_until = now + timedelta(seconds=seconds)
            if self.limiter is not None:
                await self.limiter.pause(seconds)
            log.warning("job %s: Telegram asks to wait %.0f s; pausing", job_id, seconds)
            await self._finish(session, job_id, state=JobState.PENDING.value,
                               next_attempt_at=self.paused_until, attempts=max(0, attempts - 1),
                               last_error="retry-after")
            return Outcome.PAUSE
        except SendFailed as exc:
            await session.rollback()
            if exc.permanent:
                log.warning("job %s: permanent send failure (%s)", job_id, exc)
                await self._finish(session, job_id, state=JobState.FAILED.value,
                                   last_error=str(exc)[:64])
                return Outcome.FAILED
            return await self._retry_later(session, job_id, attempts, str(exc)[:64])
        if not await self._finish(
            session, job_id, state=JobState.SENT.value, sent_at=now, late=late,
            message_id=message_id, last_error=None,
        ):
            return Outcome.LOST
        return Outcome.SENT


async def run_once(app: App, **options: Any) -> DispatchReport:
    """One dispatch pass with ``app.messenger`` (tests drive time with a FakeClock)."""
    return await Dispatcher(app, **options).run_once()
