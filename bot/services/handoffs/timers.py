"""Service-level timers of a handoff: remind, escalate, expire, and the day-after follow-up.

:class:`HandoffTimers` is the seam: ``schedule_sla``/``cancel_sla`` (and the follow-up) are
implemented with the durable scheduler (:class:`SchedulerTimers`, job kinds ``handoff.remind``,
``handoff.escalate``, ``handoff.expire``, ``handoff.followup``) or in memory
(:class:`MemoryTimers`, for tests). Timers are only scheduled here, by kind name: what each kind
does lives in :mod:`bot.services.handoffs.sla`, found through the scheduler's registry of job
kinds (:mod:`bot.services.handoffs.jobs`), so this module never imports what it triggers.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db.effects import commit
from bot.models.handoffs import Handoff
from bot.services import scheduler
from bot.services.handoffs.lifecycle import Priority

if TYPE_CHECKING:
    from bot.app import App

REMIND = "handoff.remind"
ESCALATE = "handoff.escalate"
EXPIRE = "handoff.expire"
FOLLOWUP = "handoff.followup"
SLA_KINDS = (REMIND, ESCALATE, EXPIRE)
KINDS = (*SLA_KINDS, FOLLOWUP)
FOLLOWUP_DELAY = timedelta(days=1)
SERVICE_KEY = "handoffs.timers"
# The kind of the scheduler job being run, which must not cancel itself (the dispatcher marks it).
_running: contextvars.ContextVar[tuple[str, int] | None] = contextvars.ContextVar(
    "handoff_job", default=None)


@contextmanager
def running(kind: str, handoff_id: int) -> Iterator[None]:
    """Mark the timer being run, so that what it does never cancels the job running it."""
    token = _running.set((kind, handoff_id))
    try:
        yield
    finally:
        _running.reset(token)


@dataclass(frozen=True)
class DueTimer:
    """A due in-memory timer, shaped like the scheduler's job for the kind's handler."""

    kind: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class Step:
    kind: str
    at: datetime


def sla_plan(settings: Settings, handoff: Handoff) -> list[Step]:
    """When an unanswered request is reminded, escalated and expired."""
    if handoff.priority == Priority.URGENT.value:
        accept = timedelta(minutes=settings.urgent_accept_minutes)
        expire = timedelta(minutes=settings.urgent_expire_minutes)
    else:
        accept = timedelta(days=settings.routine_accept_days)
        expire = timedelta(days=settings.routine_expire_days)
    start = handoff.created_at
    steps = [Step(REMIND, start + accept), Step(ESCALATE, start + 2 * accept)]
    steps = [s for s in steps if s.at < start + expire]
    return [*steps, Step(EXPIRE, start + expire)]


class HandoffTimers(Protocol):
    async def schedule_sla(self, session: AsyncSession, handoff: Handoff) -> None: ...

    async def cancel_sla(self, session: AsyncSession, handoff: Handoff) -> None: ...

    async def schedule_followup(self, session: AsyncSession, handoff: Handoff) -> None: ...

    async def cancel_followup(self, session: AsyncSession, handoff: Handoff) -> None: ...


@dataclass
class MemoryTimers:
    """Timers kept in a list; :meth:`run_due` runs the ones due by the app's clock."""

    app: App
    pending: list[tuple[datetime, str, int]] = field(default_factory=list)

    async def schedule_sla(self, session: AsyncSession, handoff: Handoff) -> None:
        for step in sla_plan(self.app.settings, handoff):
            self.pending.append((step.at, step.kind, handoff.id))

    async def cancel_sla(self, session: AsyncSession, handoff: Handoff) -> None:
        self.pending = [p for p in self.pending if not (p[2] == handoff.id and p[1] in SLA_KINDS)]

    async def schedule_followup(self, session: AsyncSession, handoff: Handoff) -> None:
        self.pending.append((self.app.clock.now() + FOLLOWUP_DELAY, FOLLOWUP, handoff.id))

    async def cancel_followup(self, session: AsyncSession, handoff: Handoff) -> None:
        self.pending = [p for p in self.pending if not (p[2] == handoff.id and p[1] == FOLLOWUP)]

    async def run_due(self) -> int:
        """Run every timer due now, each in its own transaction, with the handler the scheduler
        has for its kind; how many ran."""
        now = self.app.clock.now()
        due = sorted(p for p in self.pending if p[0] <= now)
        self.pending = [p for p in self.pending if p[0] > now]
        handlers = scheduler.job_kinds()
        for _at, kind, handoff_id in due:
            async with self.app.sessionmaker() as session:
                job = DueTimer(kind, {"handoff_id": handoff_id})
                await handlers[kind](self.app, session, job)  # type: ignore[arg-type]
                await commit(session, self.app.sessionmaker)
        return len(due)


@dataclass
class SchedulerTimers:
    """Timers as durable ``scheduled_jobs`` rows (the reminders feature's scheduler).

    Each job is addressed to the requester (quiet hours apply to routine requests; urgent ones
    ignore them) and keyed ``handoff:<id>:<step>`` so scheduling is idempotent. What a due job
    does is :func:`bot.services.handoffs.sla.run_job` (registered as ``JOB_KINDS`` in
    :mod:`bot.services.handoffs.jobs`).
    """

    app: App

    async def _schedule(self, session: AsyncSession, handoff: Handoff, kind: str,
                        at: datetime, worker_id: int | None) -> None:
        await scheduler.schedule(
            session, kind, at, now=self.app.clock.now(), worker=worker_id,
            ref=ref(handoff.id), payload={"handoff_id": handoff.id},
            urgent=handoff.priority == Priority.URGENT.value,
            key=f"{ref(handoff.id)}:{kind.removeprefix('handoff.')}", replace=True,
        )

    async def schedule_sla(self, session: AsyncSession, handoff: Handoff) -> None:
        for step in sla_plan(self.app.settings, handoff):
            await self._schedule(session, handoff, step.kind, step.at, handoff.requester_id)

    async def cancel_sla(self, session: AsyncSession, handoff: Handoff) -> None:
        for kind in SLA_KINDS:
            if _running.get() != (kind, handoff.id):
                await scheduler.cancel(session, now=self.app.clock.now(), ref=ref(handoff.id),
                                       kind=kind)

    async def schedule_followup(self, session: AsyncSession, handoff: Handoff) -> None:
        await self._schedule(session, handoff, FOLLOWUP, self.app.clock.now() + FOLLOWUP_DELAY,
                             handoff.requester_id)

    async def cancel_followup(self, session: AsyncSession, handoff: Handoff) -> None:
        if _running.get() != (FOLLOWUP, handoff.id):
            await scheduler.cancel(session, now=self.app.clock.now(), ref=ref(handoff.id),
                                   kind=FOLLOWUP)


def ref(handoff_id: int) -> str:
    return f"handoff:{handoff_id}"


def get_timers(app: App) -> HandoffTimers:
    """The app's timers: set explicitly (tests: :class:`MemoryTimers`), else the durable
    scheduler."""
    timers = app.services.get(SERVICE_KEY)
    if timers is None:
        timers = SchedulerTimers(app)
        app.services[SERVICE_KEY] = timers
    return timers


def sla_deadline(app: App, handoff: Handoff) -> datetime:
    """When an unanswered request expires."""
    if handoff.priority == Priority.URGENT.value:
        return handoff.created_at + timedelta(minutes=app.settings.urgent_expire_minutes)
    return handoff.created_at + timedelta(days=app.settings.routine_expire_days)
