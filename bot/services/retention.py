"""Retention: closed cases and their threads are deleted ``RELAIS_RETENTION_DAYS`` after closing.

What remains is anonymous: ``purged_case_counts`` rows (closing month, current region, outcome,
count), and the cases' handoffs folded into the figures' monthly counts
(:mod:`bot.services.stats.fold`) before they go, in the same transaction. Participants, thread
messages and handoffs (with their history) go with the case, deleted explicitly as well as by
``ON DELETE CASCADE``; features whose tables reference ``cases.id`` (reminders) must declare
``ondelete="CASCADE"`` too.
Audit entries stay (who did what, when, on which meaningless code; never message text).
Resolved error reports on listings (their typed description and note) go after the same delay.

``relais purge [--dry-run]`` runs it by hand; :func:`run` is the background loop (every
:data:`INTERVAL_SECONDS`, first after :data:`FIRST_DELAY_SECONDS`).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models.cases import Case, CaseMessage, PurgedCaseCount
from bot.models.directory import DirectoryReport
from bot.models.handoffs import Handoff, HandoffEvent, HandoffRecipient
from bot.services import audit
from bot.services.stats import fold

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

FIRST_DELAY_SECONDS = 600.0
INTERVAL_SECONDS = 6 * 3600.0
UNKNOWN_REGION = "??"


@dataclass
class PurgeReport:
    """What a purge removed (or would remove): counts only."""

    cutoff: datetime
    cases: int = 0
    messages: int = 0
    counts: dict[tuple[str, str, str], int] = field(default_factory=dict)  # (month, region, outcome)
    reports: int = 0  # resolved error reports on listings
    handoffs: int = 0  # the cases' handoffs folded into the figures' counts (not in error)
    dry_run: bool = False


def cutoff_for(now: datetime, retention_days: int) -> datetime:
    return now - timedelta(days=retention_days)


def resolved_before(cutoff: datetime) -> tuple:
    """Where-clauses of the error reports resolved before ``cutoff``."""
    return (DirectoryReport.status == "resolved", DirectoryReport.resolved_at <= cutoff)


async def plan(session: AsyncSession, now: datetime, retention_days: int) -> tuple[PurgeReport,
                                                                                     list[int]]:
    """The report and the ids of the closed cases past retention."""
    cutoff = cutoff_for(now, retention_days)
    rows = (await session.execute(
        select(Case.id, Case.closed_at, Case.region_current, Case.outcome)
        .where(Case.closed_at.is_not(None), Case.closed_at <= cutoff)
        .order_by(Case.id)
    )).all()
    report = PurgeReport(cutoff=cutoff, cases=len(rows))
    report.reports = int(await session.scalar(
        select(func.count()).select_from(DirectoryReport).where(*resolved_before(cutoff))
    ) or 0)
    ids = [row.id for row in rows]
    for row in rows:
        key = (row.closed_at.strftime("%Y-%m"), row.region_current or UNKNOWN_REGION,
               (row.outcome or "closed")[:32])
        report.counts[key] = report.counts.get(key, 0) + 1
    if ids:
        report.messages = int(await session.scalar(
            select(func.count()).select_from(CaseMessage).where(CaseMessage.case_id.in_(ids))
        ) or 0)
    return report, ids


async def purge(
    session: AsyncSession, *, now: datetime, retention_days: int, dry_run: bool = False,
    zone: ZoneInfo | None = None,
) -> PurgeReport:
    """Delete closed cases past retention, adding them to the anonymous counts first.

    The caller commits (the count increments and the deletions are one transaction). ``zone``
    (the app's) dates a handoff that has no month of its own; UTC when not given.
    """
    report, ids = await plan(session, now, retention_days)
    report.dry_run = dry_run
    tally = await fold.tally_cases(session, ids, zone or ZoneInfo("UTC"))
    report.handoffs = tally.handoffs
    if dry_run:
        return report
    if report.reports:
        await session.execute(delete(DirectoryReport).where(*resolved_before(report.cutoff)))
    if not ids:
        return report
    for (month, region, outcome), n in report.counts.items():
        row = await session.scalar(select(PurgedCaseCount).where(
            PurgedCaseCount.month == month, PurgedCaseCount.region == region,
            PurgedCaseCount.outcome == outcome,
        ).with_for_update())
        if row is None:
            session.add(PurgedCaseCount(month=month, region=region, outcome=outcome, count=n))
        else:
            row.count += n
    await fold.add_tally(session, tally)
    for start in range(0, len(ids), 500):
        batch = ids[start:start + 500]
        # Explicit deletes as well as ON DELETE CASCADE, so nothing depends on SQLite pragmas.
        await session.execute(delete(CaseMessage).where(CaseMessage.case_id.in_(batch)))
        from bot.models.cases import CaseParticipant

        await session.execute(delete(CaseParticipant).where(CaseParticipant.case_id.in_(batch)))
        handoffs = select(Handoff.id).where(Handoff.case_id.in_(batch))
        await session.execute(delete(HandoffEvent).where(HandoffEvent.handoff_id.in_(handoffs)))
        await session.execute(delete(HandoffRecipient).where(
            HandoffRecipient.handoff_id.in_(handoffs)))
        await session.execute(delete(Handoff).where(Handoff.case_id.in_(batch)))
        await session.execute(delete(Case).where(Case.id.in_(batch)))
    await audit.record(session, at=now, action="retention.purged", cases=report.cases,
                       messages=report.messages, handoffs=report.handoffs,
                       retention_days=retention_days, system="retention")
    log.info("purged %d closed cases and %d thread messages; %d handoffs folded", report.cases,
             report.messages, report.handoffs)
    return report


async def purge_with_app(app: App, *, dry_run: bool = False) -> PurgeReport:
    async with app.sessionmaker() as session:
        report = await purge(session, now=app.clock.now(),
                             retention_days=app.settings.retention_days, dry_run=dry_run,
                             zone=app.translator.zone)
        await session.commit()
    return report


async def run(app: App) -> None:
    """Background loop: purge now and then; never stops the bot on a failure."""
    await asyncio.sleep(FIRST_DELAY_SECONDS)
    while True:
        try:
            await purge_with_app(app)
        except Exception as exc:  # logged by type only; retried at the next round
            log.error("retention purge failed: %s", type(exc).__name__)
        await asyncio.sleep(INTERVAL_SECONDS)
