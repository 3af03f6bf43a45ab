"""Durable scheduled jobs: schedule a row, register what its ``kind`` does when due.

Every reminder, handoff timer, follow-up and periodic check is a ``scheduled_jobs`` row
(:class:`bot.models.reminders.ScheduledJob`). Dispatchers (``bot.jobs.reminders`` inside
``relais run``, or ``relais worker`` alone, any number of them on PostgreSQL) claim due rows,
run the handler registered for the row's kind and send the messages it returns, once.

Scheduling (in the caller's transaction; nothing is sent before the caller commits)::

    from bot.services import scheduler
    job = await scheduler.schedule(
        session, "handoff.remind", due_at, now=now,
        worker=receiver,                  # the recipient (Worker or id); quiet hours, blocked
        ref=f"handoff:{handoff.id}",      # what it is about (an id, a case code: no free text)
        payload={"handoff_id": handoff.id},  # JSON, no free text
        urgent=handoff.priority == "urgent",  # urgent jobs ignore quiet hours
        key=f"handoff:{handoff.id}:remind",   # optional: at most one job per key (idempotent)
    )
    await scheduler.cancel(session, now=now, ref=f"handoff:{handoff.id}")  # open jobs only
    await scheduler.cancel(session, now=now, ref=..., kind_prefix="handoff.")

Registering what a kind does (once per process, before the dispatcher runs; e.g. in the
feature's ``build_router`` or at import of a module listed in :data:`JOB_KIND_MODULES`)::

    async def remind_receiver(app, session, job) -> list[OutgoingMessage] | None:
        handoff = await session.get(Handoff, job.payload["handoff_id"])
        if handoff is None or handoff.status != "requested":
            return None                       # nothing to do any more: the job ends as sent
        t = scheduler.text_for(app, job.worker)   # the recipient's language and time zone
        return [OutgoingMessage(job.worker.telegram_id, scheduler.late_line(t, job) + t.gettext(...),
                                buttons=[[Button(t.gettext("Accept"), data=sign(...))]])]

    scheduler.register_job_kind("handoff.remind", remind_receiver)
    # or, declaratively, in a module of JOB_KIND_MODULES:  JOB_KINDS = {"handoff.remind": ...}

Rules for handlers:
- They run in the dispatcher's session; their database changes commit together with the job's
  ``sent`` state, after the messages went out. If sending fails they are rolled back and the
  handler runs again at the next attempt, so a handler re-reads the current state and is
  idempotent (it returns ``None``/``[]`` when there is nothing left to do).
- Send to the job's own worker (``job.worker``). A job whose recipient blocked the bot is held
  and runs again when they write to the bot. To tell several people, schedule one job each
  (``schedule(...)`` inside the handler works: the rows commit with the parent's result).
- Messages are rendered at send time, in the recipient's language (:func:`text_for`); mark late
  ones with :func:`late_line`.
- A follow-up "did the youth arrive?" a day after a handoff is accepted: on acceptance, call
  ``schedule(session, "handoff.followup", accepted_at + timedelta(days=1), now=now,
  worker=requester, ref=f"handoff:{id}", key=f"handoff:{id}:followup")`` and register
  ``"handoff.followup"`` with a handler returning the question and its yes / not yet / no buttons.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Text
from bot.messenger import OutgoingMessage
from bot.models.core import Worker
from bot.models.reminders import OPEN_STATES, JobState, ScheduledJob
from bot.plugins import import_modules
from bot.services.reminders import wording
from bot.services.reminders.quiet import worker_zone

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

JobHandler = Callable[
    ["App", AsyncSession, ScheduledJob], Awaitable[Sequence[OutgoingMessage] | None]
]

# Modules that declare ``JOB_KINDS = {"kind": handler}`` (and may have ``ensure_periodic``).
JOB_KIND_MODULES: tuple[str, ...] = (
    "bot.services.reminders.kinds",
    "bot.services.handoffs.jobs",
)

_REGISTRY: dict[str, JobHandler] = {}


def register_job_kind(kind: str, handler: JobHandler) -> None:
    """Say what a kind does when due (replaces an earlier registration of the same kind)."""
    if not kind or len(kind) > 64:
        raise ValueError("a job kind is 1 to 64 characters")
    _REGISTRY[kind] = handler


def job_kinds() -> Mapping[str, JobHandler]:
    """Every registered kind, after importing :data:`JOB_KIND_MODULES`."""
    for module in import_modules(JOB_KIND_MODULES):
        for kind, handler in getattr(module, "JOB_KINDS", {}).items():
            _REGISTRY.setdefault(kind, handler)
    return _REGISTRY


def periodic_hooks() -> list[Callable[[App, AsyncSession, datetime], Awaitable[None]]]:
    """``ensure_periodic(app, session, now)`` of the modules of :data:`JOB_KIND_MODULES`: each
    makes sure its periodic job is scheduled (with a unique key, so any process may call it)."""
    return [
        module.ensure_periodic
        for module in import_modules(JOB_KIND_MODULES)
        if hasattr(module, "ensure_periodic")
    ]


def _worker_id(worker: Worker | int | None) -> int | None:
    if worker is None or isinstance(worker, int):
        return worker
    return worker.id


async def schedule(
    session: AsyncSession,
    kind: str,
    due_at: datetime,
    *,
    now: datetime,
    worker: Worker | int | None = None,
    ref: str | None = None,
    payload: dict[str, Any] | None = None,
    text: str | None = None,
    urgent: bool = False,
    key: str | None = None,
    replace: bool = False,
    created_by: Worker | int | None = None,
) -> ScheduledJob:
    """Add a job (flushed, so it has an id). ``text`` must already be sealed (see store.seal).

    With ``key``: if a job with that key exists it is returned unchanged, or, with
    ``replace=True``, set back to pending with the new time and payload.
    """
    if due_at.tzinfo is None:
        raise ValueError("due_at must be timezone-aware")
    if key is not None:
        existing = await session.scalar(select(ScheduledJob).where(ScheduledJob.key == key))
        if existing is not None:
            if replace:
                _reset(existing, due_at, now, payload=payload, urgent=urgent)
                await session.flush()
            return existing
    job = ScheduledJob(
        kind=kind,
        worker_id=_worker_id(worker),
        ref=ref,
        key=key,
        payload=dict(payload or {}),
        text=text,
        state=JobState.PENDING.value,
        urgent=urgent,
        late=False,
        attempts=0,
        due_at=due_at,
        next_attempt_at=due_at,
        created_by=_worker_id(created_by),
        created_at=now,
        updated_at=now,
    )
    if key is None:
        session.add(job)
        await session.flush()
        return job
    try:
        async with session.begin_nested():
            session.add(job)
    except IntegrityError:  # another process scheduled the same key meanwhile
        existing = await session.scalar(select(ScheduledJob).where(ScheduledJob.key == key))
        if existing is None:
            raise
        return existing
    return job


def _reset(
    job: ScheduledJob,
    due_at: datetime,
    now: datetime,
    *,
    payload: dict[str, Any] | None = None,
    urgent: bool | None = None,
) -> None:
    job.state = JobState.PENDING.value
    job.due_at = due_at
    job.next_attempt_at = due_at
    job.deferred_to = None
    job.late = False
    job.attempts = 0
    job.lease_owner = None
    job.lease_expires_at = None
    job.last_error = None
    job.updated_at = now
    if payload is not None:
        job.payload = dict(payload)
    if urgent is not None:
        job.urgent = urgent


async def reschedule(session: AsyncSession, job: ScheduledJob, due_at: datetime, now: datetime) -> None:
    """Set a job (sent, held or pending) to run again at ``due_at`` (a snooze)."""
    _reset(job, due_at, now)
    await session.flush()


async def cancel(
    session: AsyncSession,
    *,
    now: datetime,
    job_id: int | None = None,
    ref: str | None = None,
    kind: str | None = None,
    kind_prefix: str | None = None,
    worker: Worker | int | None = None,
    key: str | None = None,
) -> int:
    """Cancel the open (pending, sending or held) jobs matching every given filter."""
    filters = []
    if job_id is not None:
        filters.append(ScheduledJob.id == job_id)
    if ref is not None:
        filters.append(ScheduledJob.ref == ref)
    if kind is not None:
        filters.append(ScheduledJob.kind == kind)
    if kind_prefix is not None:
        filters.append(ScheduledJob.kind.startswith(kind_prefix, autoescape=True))
    if worker is not None:
        filters.append(ScheduledJob.worker_id == _worker_id(worker))
    if key is not None:
        filters.append(ScheduledJob.key == key)
    if not filters:
        raise ValueError("cancel needs at least one filter")
    result = await session.execute(
        update(ScheduledJob)
        .where(ScheduledJob.state.in_(OPEN_STATES), *filters)
        .values(state=JobState.CANCELLED.value, lease_owner=None, updated_at=now)
        .execution_options(synchronize_session="fetch")
    )
    return int(result.rowcount or 0)


async def release_held(session: AsyncSession, worker: Worker | int | None, now: datetime) -> int:
    """Held jobs of a worker (or of every worker who can receive again, when ``None``) become
    due now. The dispatcher does this for everyone on each pass; chat handlers may call it for
    the worker who just wrote, so their reminders arrive at once."""
    query = update(ScheduledJob).where(ScheduledJob.state == JobState.HELD.value)
    receivable = select(Worker.id).where(Worker.active.is_(True), Worker.blocked_bot.is_(False))
    if worker is None:
        query = query.where(ScheduledJob.worker_id.in_(receivable))
    else:
        query = query.where(ScheduledJob.worker_id == _worker_id(worker))
    result = await session.execute(
        query.values(state=JobState.PENDING.value, next_attempt_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


async def open_jobs(
    session: AsyncSession, worker: Worker | int, kinds: Sequence[str] | None = None
) -> list[ScheduledJob]:
    """A worker's pending and held jobs, soonest first."""
    query = select(ScheduledJob).where(
        ScheduledJob.worker_id == _worker_id(worker), ScheduledJob.state.in_(OPEN_STATES)
    )
    if kinds is not None:
        query = query.where(ScheduledJob.kind.in_(kinds))
    return list((await session.scalars(query.order_by(ScheduledJob.due_at, ScheduledJob.id))).all())


# ---- rendering helpers for handlers ------------------------------------------------------------
def text_for(app: App, worker: Worker | None) -> Text:
    """Translation and formatting in the worker's language and time zone."""
    lang = getattr(worker, "preferred_language", None) if worker is not None else None
    base = app.translator.text(lang)
    return dataclasses.replace(base, zone=worker_zone(worker, app.settings.zone))


def when(t: Text, moment: datetime, now: datetime | None = None) -> str:
    """A moment on a list line: "jeu. 15 janv., 9 h" (the date dropped for today)."""
    local = moment.astimezone(t.zone)
    if now is not None and local.date() == now.astimezone(t.zone).date():
        return t.clock_time(moment)
    day = t.date(local.date(), "EEE d MMM")
    return f"{day}, {t.clock_time(moment)}"


def late_line(t: Text, job: ScheduledJob) -> str:
    """"⏰ En retard — prévu à 9 h\\n" for a late job ("prévu le 15 janvier à 9 h" another
    day), else ""."""
    if not job.late:
        return ""
    due = wording.at(t, job.due_at, job.updated_at)
    return "⏰ " + t.gettext("Late — due {when}", when=due) + "\n"
