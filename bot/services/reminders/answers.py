"""What a worker's tap on a reminder does to the stored job: snoozed, cancelled, or a directory
check answered (done is :func:`personal.mark_done`).

The chat layer (``handlers/reminders/``) finds the job with :func:`personal.own_reminder` (the
job must be the worker's own), calls one of these and tells the worker what happened.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models.core import Worker
from bot.models.reminders import JobState, ScheduledJob
from bot.services import audit, scheduler
from bot.services.reminders import directory_checks, personal

if TYPE_CHECKING:
    from bot.app import App

# the moments offered by buttons: "in 1 hour", "tomorrow morning", "in 3 days"
IN_ONE_HOUR, TOMORROW_MORNING, IN_THREE_DAYS = "1h", "tm", "3d"
# what a receiver can say changed about their listing (button action -> correction)
LISTING_CHANGES = {"vcc": "closed", "vcg": "gone", "vco": "other"}


def preset_moment(app: App, worker: Worker, choice: str, now: datetime) -> datetime | None:
    """The moment a preset button stands for, in the worker's time zone; None if unknown."""
    if choice == IN_ONE_HOUR:
        return now + timedelta(hours=1)
    if choice == TOMORROW_MORNING:
        return personal.morning(app, worker, now, 1)
    if choice == IN_THREE_DAYS:
        return personal.morning(app, worker, now, 3)
    return None


async def release_if_back(session: AsyncSession, worker: Worker, now: datetime) -> int:
    """Held reminders become due at once when the worker just wrote again after blocking the bot
    (the worker middleware cleared ``blocked_bot`` in this update)."""
    history = inspect(worker).attrs.blocked_bot.history
    if True not in (history.deleted or ()):
        return 0
    return await scheduler.release_held(session, worker, now)


async def snooze(
    app: App, session: AsyncSession, worker: Worker, job: ScheduledJob, later: str, now: datetime
) -> datetime:
    """Send the reminder again ``later`` (a preset moment); the new due moment."""
    due = preset_moment(app, worker, later, now)
    assert due is not None, later
    await personal.snooze(session, job, due, now)
    return due


async def cancel(session: AsyncSession, job: ScheduledJob, now: datetime) -> bool:
    """Cancel a waiting reminder (written before the list is read again); False if it no
    longer waits."""
    if not await personal.cancel_reminder(session, job, now):
        return False
    await session.flush()
    return True


def awaits_answer(job: ScheduledJob) -> bool:
    """A directory check is answered once: only while it is delivered and not yet closed."""
    return job.state == JobState.SENT.value


def _service_id(job: ScheduledJob) -> int:
    return int((job.payload or {}).get("service_id", 0))


async def confirm_listing(session: AsyncSession, job: ScheduledJob, today: date,
                          now: datetime) -> None:
    """The receiver says the listing is accurate: verified as of ``today``; the check closes."""
    await directory_checks.confirm_listing(session, _service_id(job), today, now)
    job.state = JobState.DONE.value


async def correct_listing(session: AsyncSession, job: ScheduledJob, change: str,
                          now: datetime) -> None:
    """The receiver says what changed (``closed``, ``gone``, ``other``): the listing is
    corrected, the check closes and the correction is audited."""
    service_id = _service_id(job)
    await directory_checks.correct_listing(session, service_id, change, now)
    job.state = JobState.DONE.value
    await audit.record(
        session, at=now, action="directory.correction", actor=job.worker,
        subject_type="service", subject_id=str(service_id), change=change,
    )


async def confirm_capacity(session: AsyncSession, job: ScheduledJob, now: datetime) -> None:
    """The receiver says the published availability is still right; the check closes."""
    await directory_checks.confirm_capacity(session, _service_id(job), now)
    job.state = JobState.DONE.value


def capacity_changed(job: ScheduledJob) -> None:
    """The receiver says the availability changed: they update it themselves; the check closes."""
    job.state = JobState.DONE.value
