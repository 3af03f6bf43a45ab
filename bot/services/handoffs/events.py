"""What is written down about a handoff: its events (``handoff_events``) and the audit log.

Neither ever holds a note's text in clear: a note goes in encrypted (``note_enc``) or not at all.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.models.core import Worker
from bot.models.handoffs import Handoff, HandoffEvent
from bot.services import audit as audit_log


def add_event(
    session: AsyncSession, handoff: Handoff, *, at: datetime, kind: str,
    actor: Worker | None = None, from_status: str | None = None, to_status: str | None = None,
    reason: str | None = None, note_enc: str | None = None, **details: Any,
) -> HandoffEvent:
    """One line of the handoff's history, in the caller's transaction."""
    event = HandoffEvent(
        handoff_id=handoff.id, at=at, actor_id=actor.id if actor else None, kind=kind,
        from_status=from_status, to_status=to_status, reason=reason, note_enc=note_enc,
        details=details,
    )
    session.add(event)
    return event


async def audit(session: AsyncSession, now: datetime, action: str, actor: Worker | None,
                handoff: Handoff, **details: str | int | bool | None) -> None:
    """An audit entry about a handoff, filed under its region."""
    await audit_log.record(session, at=now, action=action, actor=actor, subject_type="handoff",
                           subject_id=str(handoff.id), region=handoff.region, **details)
