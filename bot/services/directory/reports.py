"""Error reports on a listing: who hears about them, what is kept, and how coordinators close them.

A worker who finds a listing wrong (phone, hours, ages...) describes it in a few words. The
description, screened by the chat beforehand, is stored encrypted (:class:`DirectoryReport`, under
the listing's first region, so that its coordinators find it in ``/reports``) and goes to the
people who answer for the listing (:func:`receivers.owners_of`: its receivers, else its regions'
coordinators), each in their own language, once the update commits. A coordinator of that region
resolves it with an optional short note (screened by the chat, stored encrypted): the reporter is
told, with the note, and so are the listing's receivers. The audit keeps who reported or resolved
which listing and how many were told, never the words.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import or_, select

from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.i18n import N_
from bot.messenger import OutgoingMessage
from bot.models.core import Worker
from bot.models.directory import DirectoryReport, DirectoryService, ServiceRegion
from bot.services import audit, crypto, outgoing
from bot.services.directory import receivers

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.app import App

MAX_REPORT_CHARS = 500
MAX_NOTE_CHARS = 300
REPORTS_SHOWN = 8  # /reports lists the oldest open reports first, this many at a time
OPEN, RESOLVED = "open", "resolved"
COORDINATORS_ONLY = N_("This command is for coordinators.")
REPORT_WINDOW = 15 * 60  # seconds during which the next message is the error description


def report_expired(started_at: float, now: datetime) -> bool:
    """Whether a report begun at ``started_at`` (a timestamp) was forgotten: past the window,
    the next message is a new question, not a description."""
    return now.timestamp() - started_at > REPORT_WINDOW


async def report_error(app: App, session: AsyncSession, worker: Worker, service_id: int,
                       text: str) -> int:
    """Tell the listing's owners (the reporter excepted) about ``text`` and audit the report;
    returns how many will be told (0: nobody is registered, the audit is for coordinators)."""
    service = await receivers.get_service(session, service_id)
    session.add(DirectoryReport(
        service_id=service.id, service_name=service.name[:300],
        region=service.regions[0] if service.regions else None, reporter_id=worker.id,
        text_enc=crypto.encrypt(app, text), status=OPEN, created_at=app.clock.now()))
    told = 0
    for owner in await receivers.owners_of(session, service):
        if owner.id == worker.id:
            continue
        body = report_body(app, owner, worker, service, text)
        told += outgoing.send(app, session, owner,
                              OutgoingMessage(chat_id=owner.telegram_id, text=body))
    await audit.record(session, at=app.clock.now(), action="directory.error_reported",
                       actor=worker, subject_type="service", subject_id=str(service.id),
                       recipients=told)
    return told


def report_body(app: App, owner: Worker, reporter: Worker, service: DirectoryService,
                text: str) -> str:
    """The report as ``owner`` reads it, in their language."""
    t = app.translator.text(owner.preferred_language)
    org = reporter.organisation.name if reporter.organisation else "—"
    return t.gettext(
        "⚠️ <b>Error reported</b> in the listing of <b>{service}</b> by {worker} ({org}):",
        service=html.escape(listing_name(service.name, service, t.lang)),
        worker=html.escape(reporter.display_name), org=html.escape(org),
    ) + "\n\n" + html.escape(text) + "\n\n" + (
        t.gettext("Correct the listing if needed, then resolve the report in /reports.")
        if owner.is_coordinator else
        t.gettext("Please correct the listing or tell your coordinator."))


# ---- /reports: coordinators see and resolve the open reports of their regions ---------------


class NotYourReport(NotAllowed):
    """A coordinator resolves the reports of their regions only."""

    message = N_("This report is not in your regions.")
    audit_action = "directory.report_refused"


@dataclass(frozen=True)
class OpenReport:
    """An open report as ``/reports`` shows it (the description decrypted). Coordinators see
    those of their regions: filed under one of them, or about a listing serving one."""

    report: DirectoryReport
    service: DirectoryService | None
    reporter: Worker | None
    text: str


def require_coordinator(worker: Worker) -> None:
    if not worker.is_coordinator:
        raise NotAllowed(COORDINATORS_ONLY)


def decrypted(app: App, token: str | None) -> str:
    """A stored text in clear; empty when there is none or it no longer decrypts."""
    if not token:
        return ""
    try:
        return crypto.decrypt(app, token)
    except crypto.UndecryptableText:
        return ""


async def open_reports(app: App, session: AsyncSession, coordinator: Worker
                       ) -> tuple[list[OpenReport], int]:
    """The oldest open reports of the coordinator's regions (every region for an admin), at
    most :data:`REPORTS_SHOWN`, and how many are open in all."""
    require_coordinator(coordinator)
    query = select(DirectoryReport).where(DirectoryReport.status == OPEN)
    if not coordinator.is_admin:
        query = query.where(or_(
            DirectoryReport.region.in_(coordinator.regions),
            DirectoryReport.service_id.in_(select(ServiceRegion.service_id).where(
                ServiceRegion.region.in_(coordinator.regions)))))
    rows = (await session.scalars(
        query.order_by(DirectoryReport.created_at, DirectoryReport.id))).all()
    shown = []
    for row in rows[:REPORTS_SHOWN]:
        service = await session.get(DirectoryService, row.service_id) if row.service_id else None
        reporter = await session.get(Worker, row.reporter_id) if row.reporter_id else None
        shown.append(OpenReport(row, service, reporter, decrypted(app, row.text_enc)))
    return shown, len(rows)


async def report_for(session: AsyncSession, coordinator: Worker, report_id: int
                     ) -> DirectoryReport:
    """An open report the coordinator may resolve, or a refusal saying why."""
    require_coordinator(coordinator)
    report = await session.get(DirectoryReport, report_id) if 0 < report_id <= receivers.MAX_ID \
        else None
    if report is None:
        raise NotFound(N_("This report no longer exists."))
    if not coordinator.is_admin and report.region not in coordinator.regions:
        service = await session.get(DirectoryService, report.service_id) \
            if report.service_id else None
        if service is None or not receivers.manages_service(coordinator, service):
            raise NotYourReport()
    if report.status != OPEN:
        raise InvalidInput(N_("This report was already resolved."))
    return report


@dataclass(frozen=True)
class Resolved:
    """A resolved report: whether the reporter will be told, how many receivers will be."""

    report: DirectoryReport
    reporter: Worker | None
    reporter_told: bool
    receivers_told: int


async def resolve(app: App, session: AsyncSession, coordinator: Worker, report_id: int,
                  note: str | None) -> Resolved:
    """Close a report with an optional ``note`` (screened by the chat already); the reporter
    and the listing's receivers are told once it is stored (audited without the words)."""
    report = await report_for(session, coordinator, report_id)
    note = (note or "").strip() or None
    if note is not None and len(note) > MAX_NOTE_CHARS:
        raise InvalidInput(N_("Please keep it under {max} characters."), max=MAX_NOTE_CHARS)
    now = app.clock.now()
    report.status, report.resolved_at, report.resolver_id = RESOLVED, now, coordinator.id
    report.resolution_enc = crypto.encrypt(app, note) if note else None
    text = decrypted(app, report.text_enc)
    reporter = await session.get(Worker, report.reporter_id) if report.reporter_id else None
    service = await session.get(DirectoryService, report.service_id) if report.service_id \
        else None
    reporter_told = False
    if reporter is not None and reporter.id != coordinator.id:
        reporter_told = outgoing.send(app, session, reporter, OutgoingMessage(
            chat_id=reporter.telegram_id, text=resolved_for_reporter(
                app, reporter, coordinator, report, service, note)))
    told = 0
    if report.service_id is not None:
        for receiver in await receivers.receivers_of(session, report.service_id):
            if receiver.id in (coordinator.id, report.reporter_id):
                continue
            told += outgoing.send(app, session, receiver, OutgoingMessage(
                chat_id=receiver.telegram_id, text=resolved_for_receiver(
                    app, receiver, coordinator, report, service, text, note)))
    await audit.record(session, at=now, action="directory.report_resolved", actor=coordinator,
                       subject_type="service", subject_id=str(report.service_id or ""),
                       region=report.region, report_id=report.id, with_note=note is not None,
                       reporter_told=reporter_told, recipients=told)
    return Resolved(report, reporter, reporter_told, told)


def listing_name(service_name: str, service: DirectoryService | None, lang: str) -> str:
    """The listing's name in ``lang`` (its stored name when the listing is gone)."""
    if service is None:
        return service_name
    return (service.name_en or service.name) if lang == "en" else service.name


def resolved_for_reporter(app: App, reporter: Worker, coordinator: Worker,
                          report: DirectoryReport, service: DirectoryService | None,
                          note: str | None) -> str:
    """What the reporter reads: who resolved it, the listing, the note if any."""
    t = app.translator.text(reporter.preferred_language)
    body = t.gettext("✅ Your error report was resolved by {who} — listing: <b>{service}</b>.",
                     who=html.escape(coordinator.display_name),
                     service=html.escape(listing_name(report.service_name, service, t.lang)))
    return body + (("\n" + t.gettext("Note: {note}", note=html.escape(note))) if note else "")


def resolved_for_receiver(app: App, receiver: Worker, coordinator: Worker,
                          report: DirectoryReport, service: DirectoryService | None, text: str,
                          note: str | None) -> str:
    """What a receiver of the listing reads: what was reported, who resolved it, the note."""
    t = app.translator.text(receiver.preferred_language)
    lines = [t.gettext("✅ An error report was resolved by {who} — listing: <b>{service}</b>.",
                       who=html.escape(coordinator.display_name),
                       service=html.escape(listing_name(report.service_name, service, t.lang)))]
    if text:
        lines.append(t.gettext("Reported: {text}", text=html.escape(text)))
    if note:
        lines.append(t.gettext("Note: {note}", note=html.escape(note)))
    return "\n".join(lines)
