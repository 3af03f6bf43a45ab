"""Error reports on a listing: who hears about them, and what the audit trail keeps.

A worker who finds a listing wrong (phone, hours, ages...) describes it in a few words. The
description, screened by the chat beforehand, goes to the people who answer for the listing
(:func:`receivers.owners_of`: its receivers, else its regions' coordinators), each in their own
language, once the update commits. The audit keeps who reported which listing and how many were
told, never the words.
"""

from __future__ import annotations

import html
from datetime import datetime
from typing import TYPE_CHECKING

from bot.messenger import OutgoingMessage
from bot.models.core import Worker
from bot.models.directory import DirectoryService
from bot.services import audit, outgoing
from bot.services.directory import receivers

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.app import App

MAX_REPORT_CHARS = 500
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
        service=html.escape(service.name), worker=html.escape(reporter.display_name),
        org=html.escape(org),
    ) + "\n\n" + html.escape(text) + "\n\n" + t.gettext(
        "Please correct the listing or tell your coordinator.")
