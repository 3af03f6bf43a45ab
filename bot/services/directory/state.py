"""The directory's version: bumped on every change so each process knows its index is stale."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models.directory import DirectoryState


async def current_version(session: AsyncSession) -> int:
    """The directory version (0 when nothing was ever imported)."""
    return int(await session.scalar(select(DirectoryState.version).where(DirectoryState.id == 1)) or 0)


async def bump_version(session: AsyncSession, now: datetime) -> None:
    """Mark the directory as changed (in the caller's transaction)."""
    result = await session.execute(
        update(DirectoryState)
        .where(DirectoryState.id == 1)
        .values(version=DirectoryState.version + 1, changed_at=now)
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        session.add(DirectoryState(id=1, version=1, changed_at=now))
        await session.flush()
