"""The append-only audit trail: who did what, when, on which subject; never message text."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.models.core import AuditEntry, Worker


async def record(
    session: AsyncSession,
    *,
    at: datetime,
    action: str,
    actor: Worker | None = None,
    actor_telegram_id: int | None = None,
    subject_type: str | None = None,
    subject_id: str | None = None,
    region: str | None = None,
    **details: str | int | bool | None,
) -> AuditEntry:
    """Append one audit entry to the session (committed with the caller's transaction)."""
    entry = AuditEntry(
        at=at,
        actor_id=actor.id if actor else None,
        actor_telegram_id=actor.telegram_id if actor else actor_telegram_id,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        region=region,
        details=details,
    )
    session.add(entry)
    return entry
