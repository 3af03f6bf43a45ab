"""On-call: what it does, until when, handing it over, and its end.

What on-call does (routing, :mod:`bot.services.handoffs.routing`): an urgent handoff request to
a service of the worker's organisation goes to the on-call workers instead of its receivers
while the service is closed; a request (urgent or routine) nobody answered in time is escalated
to them too.
Nothing else: other requests go to the services' receivers.

On-call may end at a moment (``Worker.on_call_until``, UTC). Routing ignores an on-call whose
end has passed, whatever else happens; at the end a scheduled job (kind :data:`END_KIND`, one
per worker, key :func:`end_key`, survives restarts) switches it off and tells the worker. The
job re-reads the worker, so a stopped, extended or handed-over on-call makes it do nothing.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import InvalidInput, NotFound
from bot.i18n import N_, Text
from bot.messenger import OutgoingMessage
from bot.models.core import Worker, WorkerRegion
from bot.models.reminders import ScheduledJob
from bot.services import audit, outgoing, scheduler
from bot.services.reminders import wording
from bot.services.reminders.quiet import next_local
from bot.services.reminders.timeparse import TooFar, parse_when

if TYPE_CHECKING:
    from bot.app import App

END_KIND = "oncall.end"
LIMIT = timedelta(days=7)  # how far ahead an end may be (a long weekend fits)
END_HOUR = time(8, 0)  # the usual end of a night on call ("until 8 a.m." buttons)
COLLEAGUES_SHOWN = 20
UNTIL_LEAD = re.compile(r"^\s*(?:jusqu\s*['’]?\s*(?:au|à|a)?|until|till|til|up\s+to)\s*",
                        re.IGNORECASE)
STOP_WORDS = {"off", "stop", "end", "arret", "arrêt", "fin", "non", "no"}

WHAT_IT_DOES = N_(
    "While you are on call, you receive:\n"
    "• urgent handoff requests to your organisation's services while the service is closed "
    "(instead of its usual receivers);\n"
    "• requests to your organisation's services that nobody answered in time "
    "(escalations).\n"
    "Other requests go to the services' usual receivers, as always."
)


def end_key(worker_id: int) -> str:
    """The unique key of a worker's end-of-on-call job (one at a time)."""
    return f"{END_KIND}:{worker_id}"


def is_on_call(worker: Worker, now: datetime) -> bool:
    """On call now: switched on, and its end (if any) not reached."""
    return bool(worker.on_call) and (worker.on_call_until is None or worker.on_call_until > now)


def what_it_does(t: Text) -> str:
    return t.gettext(WHAT_IT_DOES)


def next_end(now: datetime, zone: ZoneInfo) -> datetime:
    """The next 8 a.m. (today if it is still ahead, else tomorrow)."""
    return next_local(now, zone, END_HOUR, 0) if now.astimezone(zone).time() < END_HOUR else (
        next_local(now, zone, END_HOUR, 1))


def parse_end(text: str, now: datetime, zone: ZoneInfo) -> datetime:
    """The end written after ``/oncall``: "jusqu'à 8 h", "until 8 am", "until tomorrow 8am",
    "jusqu'à lundi 8 h" (the reminders' parser; a day alone means 8 a.m.)."""
    rest = UNTIL_LEAD.sub("", text.replace("’", "'"), count=1).strip()
    try:
        parsed = parse_when(rest, now, zone, morning=END_HOUR, limit=LIMIT)
    except TooFar:
        raise InvalidInput(N_("On-call can be set for 7 days at most.")) from None
    if parsed is None or parsed.rest:
        raise InvalidInput(N_("I did not understand when your on-call ends. For example: "
                              "/oncall until 8 am, /oncall until tomorrow 8 am."))
    if parsed.at <= now:
        raise InvalidInput(N_("That moment has already passed. Choose a moment in the future."))
    return parsed.at


def wants_stop(text: str) -> bool:
    """``/oncall off`` (``stop``, ``fin``...): stop, whatever the current status."""
    return text.strip().lower() in STOP_WORDS


async def take(
    session: AsyncSession, worker: Worker, now: datetime, until: datetime | None = None,
    *, actor: Worker | None = None,
) -> None:
    """Put ``worker`` on call (until ``until``, or until stopped) and schedule its end."""
    if until is not None and not now < until <= now + LIMIT:
        raise InvalidInput(N_("That moment has already passed. Choose a moment in the future.")
                           if until <= now else N_("On-call can be set for 7 days at most."))
    worker.on_call = True
    worker.on_call_until = until
    if until is None:
        await scheduler.cancel(session, now=now, key=end_key(worker.id))
    else:
        await scheduler.schedule(
            session, END_KIND, until, now=now, worker=worker, key=end_key(worker.id),
            replace=True, urgent=True, payload={"until": until.isoformat()},
        )
    await audit.record(session, at=now, action="worker.on_call", actor=actor or worker,
                       subject_type="worker", subject_id=str(worker.id), on_call=True,
                       until=until.isoformat() if until else None)


async def stop(session: AsyncSession, worker: Worker, now: datetime, *,
               actor: Worker | None = None, reason: str | None = None) -> None:
    """Take ``worker`` off call; their end-of-on-call job has nothing left to do."""
    worker.on_call = False
    worker.on_call_until = None
    await scheduler.cancel(session, now=now, key=end_key(worker.id))
    await audit.record(session, at=now, action="worker.on_call", actor=actor or worker,
                       subject_type="worker", subject_id=str(worker.id), on_call=False,
                       reason=reason)


async def toggle(session: AsyncSession, worker: Worker, now: datetime) -> bool:
    """``/oncall`` alone: on (until stopped) when off or ended, off when on; the new status."""
    if is_on_call(worker, now):
        await stop(session, worker, now)
        return False
    await take(session, worker, now)
    return True


async def colleagues(session: AsyncSession, worker: Worker) -> list[Worker]:
    """Active workers of the worker's organisation (not the worker), by name."""
    if worker.organisation_id is None:
        return []
    query = select(Worker).where(
        Worker.organisation_id == worker.organisation_id, Worker.id != worker.id,
        Worker.active.is_(True),
    ).order_by(Worker.display_name, Worker.id).limit(COLLEAGUES_SHOWN)
    return list((await session.scalars(query)).all())


async def hand_over(
    app: App, session: AsyncSession, giver: Worker, colleague_id: int, now: datetime,
    until: datetime | None,
) -> Worker:
    """Give on-call to a colleague of the giver's organisation: they are on call (until the
    giver's end, if it is still ahead) and told; the giver is off."""
    colleague = await session.get(Worker, colleague_id)
    if (colleague is None or colleague.id == giver.id or not colleague.active
            or giver.organisation_id is None
            or colleague.organisation_id != giver.organisation_id):
        raise NotFound(N_("This person is not a colleague of your organisation in Relais."))
    if until is not None and (until <= now or until > now + LIMIT):
        until = None
    if is_on_call(colleague, now) and colleague.on_call_until is None:
        until = None  # already on call with no end: it stays so
    elif is_on_call(colleague, now) and until is not None:
        until = max(until, colleague.on_call_until or until)
    await take(session, colleague, now, until, actor=giver)
    await stop(session, giver, now, reason="handed-over")
    t = scheduler.text_for(app, colleague)
    lines = [
        "📟 " + t.gettext("You are now on call for {org}; it was handed over to you by {name}.",
                          org=_org(colleague), name=html.escape(giver.display_name)),
        _end_line(t, until, now),
        "",
        what_it_does(t),
        "",
        t.gettext("To stop it or hand it over: /oncall"),
    ]
    outgoing.send(app, session, colleague,
                  OutgoingMessage(chat_id=colleague.telegram_id, text="\n".join(lines)))
    return colleague


def _org(worker: Worker) -> str:
    """The worker's organisation, escaped for a message."""
    return html.escape(worker.organisation.name) if worker.organisation else "—"


def _end_line(t: Text, until: datetime | None, now: datetime) -> str:
    if until is None:
        return t.gettext("It has no end: it lasts until you stop it.")
    return t.gettext("It ends {when}; I will tell you then.", when=wording.at(t, until, now))


def status_lines(t: Text, worker: Worker, now: datetime) -> list[str]:
    """What ``/oncall`` says once the worker is on call: for whom, until when, what it does."""
    return [
        "✅ " + t.gettext("You are now on call for {org}.", org=_org(worker)),
        _end_line(t, worker.on_call_until, now),
        "",
        what_it_does(t),
    ]


async def on_call_now(
    session: AsyncSession, regions: Sequence[str] | None, now: datetime
) -> list[Worker]:
    """Active workers on call now (end not reached) in ``regions`` (everyone for ``None``)."""
    query = select(Worker).where(
        Worker.on_call.is_(True), Worker.active.is_(True),
        or_(Worker.on_call_until.is_(None), Worker.on_call_until > now),
    ).order_by(Worker.display_name, Worker.id)
    if regions is not None:
        query = query.where(
            Worker.id.in_(select(WorkerRegion.worker_id).where(WorkerRegion.region.in_(regions))))
    return list((await session.scalars(query)).all())


def on_call_line(t: Text, worker: Worker, now: datetime) -> str:
    """"alice — Organisme A · until 8 AM" (escaped for a message)."""
    end = (wording.until(t, worker.on_call_until, now) if worker.on_call_until
           else t.gettext("no end set"))
    return f"{html.escape(worker.display_name)} — {_org(worker)} · {end}"


async def render_end(app: App, session: AsyncSession, job: ScheduledJob):  # type: ignore[no-untyped-def]
    """The end of an on-call (kind :data:`END_KIND`): switch it off and tell the worker.

    Idempotent: a worker no longer on call, or whose end moved later, gets nothing."""
    worker = job.worker
    now = app.clock.now()
    if worker is None or not worker.on_call or worker.on_call_until is None:
        return None
    if worker.on_call_until > now:
        return None  # extended since: its own job (same key, rescheduled) will come
    ended = worker.on_call_until
    worker.on_call = False
    worker.on_call_until = None
    await audit.record(session, at=now, action="worker.on_call", subject_type="worker",
                       subject_id=str(worker.id), on_call=False, reason="ended")
    t = scheduler.text_for(app, worker)
    text = "\n".join([
        scheduler.late_line(t, job) + "🔔 " + t.gettext(
            "Your on-call ended {when}.", when=wording.at(t, ended, now)),
        t.gettext("Urgent requests no longer come to you out of hours, nor escalations."),
        t.gettext("To take it again: /oncall"),
    ])
    return [OutgoingMessage(chat_id=worker.telegram_id, text=text)]


JOB_KINDS = {END_KIND: render_end}
