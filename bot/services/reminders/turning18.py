"""Turning 18: reminders 6 months and 1 month before the month a youth turns 18.

The cases feature records the month (``Case.turns_18_month``, "YYYY-MM") and calls::

    from bot.services.reminders.turning18 import schedule_turning_18
    await schedule_turning_18(session, case.code, case.turns_18_month, case.participant_ids(),
                              now=now, zone=app.settings.zone, region=case.region_current)

again whenever the month or the participants change (it is idempotent: reminders already sent
are not sent again; open ones no longer wanted are cancelled). Each reminder offers the
directory's ``transition-18`` services of the region one tap away.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import InvalidInput
from bot.i18n import N_
from bot.messenger import Button, OutgoingMessage
from bot.models.core import Worker
from bot.models.reminders import OPEN_STATES, JobState, ScheduledJob
from bot.services import scheduler

if TYPE_CHECKING:
    from bot.app import App

KIND = "case.turning18"
LEADS = (6, 1)  # months before
SEND_AT = time(9, 0)
CATEGORY = "transition-18"


def parse_month(month: str | date) -> date:
    if isinstance(month, date):
        return month.replace(day=1)
    try:
        year, number = (int(part) for part in month.split("-")[:2])
        return date(year, number, 1)
    except (ValueError, AttributeError):
        raise InvalidInput(N_("A month is written YYYY-MM, e.g. 2027-03.")) from None


def months_before(month: date, lead: int) -> date:
    index = month.year * 12 + month.month - 1 - lead
    return date(index // 12, index % 12 + 1, 1)


async def schedule_turning_18(
    session: AsyncSession,
    case_ref: str,
    month: str | date,
    participants: Iterable[Worker | int],
    *,
    now: datetime,
    zone: ZoneInfo | None = None,
    region: str | None = None,
) -> list[ScheduledJob]:
    """(Re)schedule the 6-month and 1-month reminders of a case for each participant."""
    first = parse_month(month)
    zone = zone or ZoneInfo("America/Toronto")
    worker_ids = sorted({p if isinstance(p, int) else p.id for p in participants})
    wanted: dict[str, tuple[int, int, datetime]] = {}
    for worker_id in worker_ids:
        for lead in LEADS:
            due = datetime.combine(months_before(first, lead), SEND_AT, tzinfo=zone).astimezone(UTC)
            if due <= now:
                continue
            key = f"t18:{case_ref}:{first:%Y-%m}:{worker_id}:{lead}"
            wanted[key] = (worker_id, lead, due)
    stale = await session.scalars(
        select(ScheduledJob).where(
            ScheduledJob.kind == KIND, ScheduledJob.ref == case_ref,
            ScheduledJob.state.in_(OPEN_STATES),
        )
    )
    for job in stale:
        if job.key not in wanted:
            job.state = JobState.CANCELLED.value
            job.updated_at = now
    jobs = []
    for key, (worker_id, lead, due) in wanted.items():
        job = await scheduler.schedule(
            session, KIND, due, now=now, worker=worker_id, ref=case_ref, key=key,
            payload={"case": case_ref, "month": f"{first:%Y-%m}", "lead": lead, "region": region},
        )
        if job.state == JobState.CANCELLED.value:
            await scheduler.reschedule(session, job, due, now)
        jobs.append(job)
    await session.flush()
    return jobs


async def cancel_turning_18(session: AsyncSession, case_ref: str, now: datetime) -> int:
    """When a case closes."""
    return await scheduler.cancel(session, now=now, kind=KIND, ref=case_ref)


async def render_turning_18(app: App, session: AsyncSession, job: ScheduledJob):  # type: ignore[no-untyped-def]
    from bot.services.reminders.personal import button_data

    worker = job.worker
    if worker is None:
        return None
    payload = job.payload or {}
    code = payload.get("case") or job.ref or "?"
    t = scheduler.text_for(app, worker)
    month = t.date(parse_month(payload.get("month", "2000-01")), "MMMM y")
    lead = int(payload.get("lead") or 1)
    text = "\n".join([
        scheduler.late_line(t, job) + "🎂 " + t.ngettext(
            "Case {code}: the youth turns 18 in {month}, in {n} month.",
            "Case {code}: the youth turns 18 in {month}, in {n} months.",
            lead, code=code, month=month,
        ),
        t.gettext("Time to prepare the transition to adult services (housing, income, health)."),
        t.gettext("To open the case: /case {code}", code=code),
    ])
    buttons = [[Button(t.gettext("🔎 Transition services (18+)"), data=button_data("t18", job.id))]]
    return [OutgoingMessage(chat_id=worker.telegram_id, text=text, buttons=buttons,
                            protect_content=True)]
