"""Directory freshness: receivers confirm their listing every ``RELAIS_VERIFY_DAYS`` days, and
services that publish capacity get a nudge when it is older than ``capacity_stale_hours``.

A periodic job (``directory.sweep``, hourly, seeded by :func:`ensure_periodic` when a dispatcher
starts; unique keys make that safe with many processes) finds the services concerned and
schedules one ``directory.verify`` / ``directory.capacity`` job per receiving worker; those
arrive like reminders (quiet hours, language, blocked users held). The buttons are handled in
``handlers/reminders.py``: confirm in one tap, or correct in two (what changed).
"""

from __future__ import annotations

import html
import logging
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.messenger import Button, OutgoingMessage
from bot.models.reminders import ScheduledJob
from bot.services import scheduler

if TYPE_CHECKING:
    from bot.app import App
    from bot.models.core import Worker

log = logging.getLogger(__name__)

SWEEP = "directory.sweep"
VERIFY = "directory.verify"
CAPACITY = "directory.capacity"
SWEEP_EVERY = timedelta(hours=1)
ACTIVE = "active"
# what a receiver can say changed (second tap); the status values are HSDS's
CORRECTIONS = {
    "closed": "temporarily closed",
    "gone": "inactive",
    "other": None,  # a coordinator follows up
}


def _models() -> Any | None:
    try:
        from bot.models import directory
    except ModuleNotFoundError:  # the directory feature is absent
        return None
    return directory


def _slot(now: datetime) -> str:
    return now.astimezone(UTC).strftime("%Y%m%d%H")


async def ensure_periodic(app: App, session: AsyncSession, now: datetime) -> None:
    """Make sure the next sweep is scheduled (idempotent, safe from any number of processes)."""
    if _models() is None:
        return
    await scheduler.schedule(session, SWEEP, now, now=now, key=f"{SWEEP}:{_slot(now)}")


def _period(today: date, days: int) -> int:
    return today.toordinal() // days


async def sweep(app: App, session: AsyncSession, job: ScheduledJob) -> None:
    """Schedule verification requests and capacity nudges, then the next sweep."""
    from bot.services.reminders.settings import reminder_settings

    models = _models()
    now = job.updated_at
    nxt = now + SWEEP_EVERY
    await scheduler.schedule(session, SWEEP, nxt, now=now, key=f"{SWEEP}:{_slot(nxt)}")
    if models is None:
        return None
    settings = reminder_settings(app)
    today = now.astimezone(app.settings.zone).date()
    service, receiver = models.DirectoryService, models.ServiceReceiver
    stale_before = today - timedelta(days=settings.verify_days)
    rows = await session.execute(
        select(service.id, receiver.worker_id)
        .join(receiver, receiver.service_id == service.id)
        .where(
            service.status == ACTIVE,
            (service.assured_date.is_(None)) | (service.assured_date <= stale_before),
        )
    )
    period = _period(today, settings.verify_days)
    verify = 0
    for service_id, worker_id in rows:
        await scheduler.schedule(
            session, VERIFY, now, now=now, worker=worker_id, ref=f"service:{service_id}",
            payload={"service_id": service_id}, key=f"dverify:{service_id}:{worker_id}:{period}",
        )
        verify += 1
    capacity = models.ServiceCapacity
    latest = (
        select(capacity.service_id, func.max(capacity.updated).label("updated"))
        .group_by(capacity.service_id)
        .subquery()
    )
    stale_capacity = now - timedelta(hours=settings.capacity_stale_hours)
    rows = await session.execute(
        select(latest.c.service_id, receiver.worker_id)
        .join(receiver, receiver.service_id == latest.c.service_id)
        .join(service, service.id == latest.c.service_id)
        .where(service.status == ACTIVE, latest.c.updated < stale_capacity)
    )
    nudges = 0
    for service_id, worker_id in rows:
        await scheduler.schedule(
            session, CAPACITY, now, now=now, worker=worker_id, ref=f"service:{service_id}",
            payload={"service_id": service_id}, key=f"dcap:{service_id}:{worker_id}:{today}",
        )
        nudges += 1
    if verify or nudges:
        log.info("directory sweep: %d verification requests, %d capacity nudges", verify, nudges)
    return None


def service_name(service: Any, lang: str) -> str:
    name = (service.name_en if lang == "en" and service.name_en else service.name) or "?"
    return html.escape(name)


async def _still_receiver(session: AsyncSession, models: Any, service_id: int, worker: Worker) -> bool:
    receiver = models.ServiceReceiver
    found = await session.scalar(
        select(func.count()).select_from(receiver).where(
            receiver.service_id == service_id, receiver.worker_id == worker.id
        )
    )
    return bool(found)


async def render_verify(app: App, session: AsyncSession, job: ScheduledJob):  # type: ignore[no-untyped-def]
    from bot.services.reminders.personal import button_data

    models, worker = _models(), job.worker
    if models is None or worker is None:
        return None
    service_id = int(job.payload.get("service_id", 0))
    service = await session.get(models.DirectoryService, service_id)
    if service is None or not await _still_receiver(session, models, service_id, worker):
        return None
    t = scheduler.text_for(app, worker)
    verified = (
        t.date(service.assured_date, "d MMMM y") if service.assured_date else t.gettext("never")
    )
    text = "\n".join([
        scheduler.late_line(t, job) + "📋 " + t.gettext(
            "Is the listing of “{service}” still accurate (hours, eligibility, contact, "
            "how to refer)?", service=service_name(service, t.lang),
        ),
        t.gettext("Last verified: {date}.", date=verified),
    ])
    buttons = [[
        Button(t.gettext("✅ Still accurate"), data=button_data("vok", job.id)),
        Button(t.gettext("✏️ Needs changes"), data=button_data("vfix", job.id)),
    ]]
    return [OutgoingMessage(chat_id=worker.telegram_id, text=text, buttons=buttons)]


async def latest_capacity(session: AsyncSession, models: Any, service_id: int) -> Any | None:
    capacity = models.ServiceCapacity
    return await session.scalar(
        select(capacity).where(capacity.service_id == service_id)
        .order_by(capacity.updated.desc()).limit(1)
    )


async def render_capacity(app: App, session: AsyncSession, job: ScheduledJob):  # type: ignore[no-untyped-def]
    from bot.services.reminders.personal import button_data
    from bot.services.reminders.settings import reminder_settings

    models, worker = _models(), job.worker
    if models is None or worker is None:
        return None
    service_id = int(job.payload.get("service_id", 0))
    service = await session.get(models.DirectoryService, service_id)
    current = await latest_capacity(session, models, service_id)
    if service is None or current is None:
        return None
    now = job.updated_at
    if now - current.updated < timedelta(hours=reminder_settings(app).capacity_stale_hours):
        return None  # updated since the sweep
    if not await _still_receiver(session, models, service_id, worker):
        return None
    t = scheduler.text_for(app, worker)
    unit = html.escape(current.unit.name) if current.unit is not None else ""
    text = "\n".join([
        scheduler.late_line(t, job) + "🛏️ " + t.gettext(
            "The availability shown for “{service}” dates from {ago} ago.",
            service=service_name(service, t.lang), ago=t.ago(now - current.updated),
        ),
        t.gettext("Still {available} {unit} available?",
                  available=t.number(current.available), unit=unit),
    ])
    buttons = [[
        Button(t.gettext("✅ Still right"), data=button_data("cok", job.id)),
        Button(t.gettext("✏️ It changed"), data=button_data("cfix", job.id)),
    ]]
    return [OutgoingMessage(chat_id=worker.telegram_id, text=text, buttons=buttons)]


async def confirm_listing(session: AsyncSession, service_id: int, today: date, now: datetime) -> Any:
    """The receiver says the listing is accurate: it is verified as of today."""
    from bot.services.directory.state import bump_version

    models = _models()
    assert models is not None
    service = await session.get(models.DirectoryService, service_id)
    if service is None:
        return None
    service.assured_date = today
    await bump_version(session, now)
    return service


async def correct_listing(session: AsyncSession, service_id: int, change: str, now: datetime) -> Any:
    """The receiver says what changed: closed for now, no longer offered, or something else."""
    from bot.services.directory.state import bump_version

    models = _models()
    assert models is not None
    service = await session.get(models.DirectoryService, service_id)
    if service is None or change not in CORRECTIONS:
        return None
    status = CORRECTIONS[change]
    if status is not None:
        service.status = status
        service.last_modified = now
        await bump_version(session, now)
    return service


async def confirm_capacity(session: AsyncSession, service_id: int, now: datetime) -> Any:
    """The receiver says the published availability is still right: it is current as of now."""
    from bot.services.directory.state import bump_version

    models = _models()
    assert models is not None
    current = await latest_capacity(session, models, service_id)
    if current is None:
        return None
    current.updated = now
    await bump_version(session, now)
    return current


JOB_KINDS = {SWEEP: sweep, VERIFY: render_verify, CAPACITY: render_capacity}
