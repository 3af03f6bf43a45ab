"""Personal reminders (``/remind``): about a case code or a short screened text.

The text is screened by the caller (``handlers/reminders.py``) and stored encrypted; it is
decrypted only to render the reminder at send time, in the worker's language.
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.i18n import N_
from bot.messenger import Button, OutgoingMessage
from bot.models.core import Worker
from bot.models.reminders import OPEN_STATES, JobState, ScheduledJob
from bot.services import audit, scheduler
from bot.services.reminders import store
from bot.services.reminders.quiet import next_local, parse_hhmm, worker_zone

if TYPE_CHECKING:
    from bot.app import App

KIND = "reminder"
TEXT_LIMIT = 200
MAX_OPEN = 200
MAX_AHEAD = timedelta(days=366)
# case codes look like "K7-4QX" (bot.services.cases); accept a leading "#"
CASE_CODE = re.compile(r"^(?P<code>[A-Za-z0-9]{2}-[A-Za-z0-9]{3})$")
WRITTEN_CODE = re.compile(r"^[A-Za-z0-9]{2}-[A-Za-z0-9]{3}$")  # with its dash


def button_data(action: str, job_id: int) -> str:
    """Callback data of a reminder button (``handlers.reminders.ReminderButton`` reads it)."""
    return f"rem:{action}:{job_id}"


def case_code(text: str, known: Collection[str] = ()) -> str | None:
    """The case code if ``text`` is written as one, else None.

    Written as one: with its dash ("K7-4QX", "k7-4qx"), or after a "#" ("#K74QX"); any other
    writing ``bot.services.cases`` accepts ("k74qx", "K7 4QX") counts only for a code in
    ``known`` (the worker's cases): ordinary words of five letters of the codes' alphabet
    ("jeune", "check", "appel") are words, not cases nobody has.
    """
    raw = text.strip()
    explicit = raw.startswith("#") or WRITTEN_CODE.match(raw) is not None
    raw = raw.removeprefix("#")
    try:
        from bot.services.cases import normalise_code
    except ModuleNotFoundError:  # pragma: no cover - the cases feature is absent
        match = CASE_CODE.match(raw)
        code = match["code"].upper() if match else None
    else:
        code = normalise_code(raw)
    if code is None or not (explicit or code in known):
        return None
    return code


def split_subject(
    text: str, known: Collection[str] = ()
) -> tuple[str | None, str | None]:
    """(case code, rest) of a subject: "K7-4QX call back" → ("K7-4QX", "call back"); "jeune à
    rappeler" → (None, "jeune à rappeler"). ``known``: the worker's case codes (see
    :func:`case_code`)."""
    text = " ".join(text.split())
    if code := case_code(text, known):
        return code, None
    head, _, rest = text.partition(" ")
    if code := case_code(head, known):
        return code, rest or None
    return None, text or None


async def worker_case_codes(session: AsyncSession, worker: Worker) -> set[str]:
    """Codes of the cases the worker takes part in (open or closed)."""
    try:
        from bot.models.cases import Case, CaseParticipant
    except ModuleNotFoundError:  # pragma: no cover - the cases feature is absent
        return set()
    rows = await session.scalars(
        select(Case.code).join(CaseParticipant, CaseParticipant.case_id == Case.id)
        .where(CaseParticipant.worker_id == worker.id)
    )
    return set(rows.all())


async def check_case(session: AsyncSession, worker: Worker, code: str, now: datetime) -> None:
    """Refuse a case code the worker does not take part in (same answer as no such case)."""
    try:
        from bot.services.cases import case_for_worker
    except ModuleNotFoundError:  # pragma: no cover - the cases feature is absent
        return
    await case_for_worker(session, worker, code, now=now, audit_action=None)


def morning(app: App, worker: Worker, now: datetime, days: int = 1) -> datetime:
    """Tomorrow morning (``RELAIS_REMINDER_MORNING``, 9:00) in the worker's time zone."""
    from bot.services.reminders.settings import reminder_settings
    from bot.services.reminders.timeparse import MORNING

    clock = parse_hhmm(reminder_settings(app).reminder_morning, MORNING)
    return next_local(now, worker_zone(worker, app.settings.zone), clock, days)


async def create_reminder(
    app: App,
    session: AsyncSession,
    worker: Worker,
    due_at: datetime,
    *,
    now: datetime,
    text: str | None = None,
    code: str | None = None,
) -> ScheduledJob:
    """A personal reminder; ``text`` must have passed the privacy screen."""
    text = " ".join((text or "").split()) or None
    if text is None and code is None:
        raise InvalidInput(N_("What should I remind you about? A case code or a short text."))
    if text is not None and len(text) > TEXT_LIMIT:
        raise InvalidInput(
            N_("That is too long for a reminder: {limit} characters at most."), limit=TEXT_LIMIT
        )
    if due_at <= now:
        raise InvalidInput(N_("That moment has already passed. Choose a moment in the future."))
    if due_at - now > MAX_AHEAD:
        raise InvalidInput(N_("Reminders can be set up to one year ahead."))
    count = await session.scalar(
        select(func.count()).select_from(ScheduledJob).where(
            ScheduledJob.worker_id == worker.id,
            ScheduledJob.kind == KIND,
            ScheduledJob.state.in_(OPEN_STATES),
        )
    )
    if (count or 0) >= MAX_OPEN:
        raise InvalidInput(
            N_("You already have {n} reminders waiting. Cancel some with /reminders."), n=MAX_OPEN
        )
    job = await scheduler.schedule(
        session, KIND, due_at, now=now, worker=worker, ref=code,
        payload={"case": code} if code else {}, text=store.seal(app, text), created_by=worker,
    )
    await audit.record(
        session, at=now, action="reminder.created", actor=worker,
        subject_type="reminder", subject_id=str(job.id),
    )
    return job


async def own_reminder(session: AsyncSession, worker: Worker, job_id: int) -> ScheduledJob:
    """A reminder of this worker, or a refusal (a button pressed by someone else, or forged)."""
    job = await session.get(ScheduledJob, job_id, with_for_update={"of": ScheduledJob})
    if job is None:
        raise NotFound(N_("This reminder no longer exists."))
    if job.worker_id != worker.id:
        raise NotAllowed(N_("This button is not for you."))
    return job


async def list_reminders(session: AsyncSession, worker: Worker) -> list[ScheduledJob]:
    return await scheduler.open_jobs(session, worker, kinds=[KIND])


async def mark_done(session: AsyncSession, job: ScheduledJob, now: datetime) -> None:
    if job.state in (JobState.CANCELLED.value, JobState.FAILED.value):
        raise InvalidInput(N_("This reminder was cancelled."))
    job.state = JobState.DONE.value
    job.updated_at = now


async def snooze(session: AsyncSession, job: ScheduledJob, due_at: datetime, now: datetime) -> None:
    if job.state in (JobState.CANCELLED.value, JobState.DONE.value, JobState.FAILED.value):
        raise InvalidInput(N_("This reminder is already closed."))
    await scheduler.reschedule(session, job, due_at, now)


async def cancel_reminder(session: AsyncSession, job: ScheduledJob, now: datetime) -> bool:
    if job.state not in OPEN_STATES:
        return False
    job.state = JobState.CANCELLED.value
    job.updated_at = now
    return True


def subject(app: App, job: ScheduledJob) -> tuple[str | None, str | None]:
    """(case code, decrypted text) of a reminder."""
    code = (job.payload or {}).get("case") or None
    return code, store.unseal(app, job.text)


def reminder_body(app: App, t, job: ScheduledJob, known=None) -> str:  # type: ignore[no-untyped-def]
    """The reminder's lines; ``known`` is its :func:`subject` when the caller has it already."""
    code, text = known if known is not None else subject(app, job)
    lines = []
    if code:
        lines.append(t.gettext("Case {code}", code=code))
    if text:
        lines.append(html.escape(text))
    elif job.text:
        lines.append(t.gettext("(this reminder's text can no longer be read)"))
    return "\n".join(lines)


async def render_reminder(app: App, session: AsyncSession, job: ScheduledJob):  # type: ignore[no-untyped-def]
    """What a personal reminder looks like when it arrives (the ``reminder`` kind)."""
    worker = job.worker
    if worker is None:
        return None
    t = scheduler.text_for(app, worker)
    known = subject(app, job)  # decrypted once
    code = known[0]
    parts = [scheduler.late_line(t, job) + "🔔 " + t.gettext("Reminder"),
             reminder_body(app, t, job, known)]
    if code:
        parts.append(t.gettext("To open the case: /case {code}", code=code))
    buttons = [
        [Button(t.gettext("✅ Done"), data=button_data("done", job.id))],
        [
            Button(t.gettext("⏰ In 1 h"), data=button_data("s1h", job.id)),
            Button(t.gettext("🌅 Tomorrow"), data=button_data("stm", job.id)),
        ],
    ]
    return [OutgoingMessage(chat_id=worker.telegram_id, text="\n".join(p for p in parts if p),
                            buttons=buttons, protect_content=True)]
