"""Which announcements a worker may read again (``/announcements``)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.models.broadcasts import Broadcast
from bot.models.core import Worker
from bot.services.broadcasts import outbox

READABLE = 50  # how far back "read in full" still works


async def readable(session: AsyncSession, worker: Worker, broadcast_id: int) -> Broadcast | None:
    """The announcement if it is among the recent ones the worker may read; else None."""
    items = await outbox.recent_for(session, worker, limit=READABLE)
    return next((b for b in items if b.id == broadcast_id), None)
