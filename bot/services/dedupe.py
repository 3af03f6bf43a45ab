"""Each Telegram update is handled once: a redelivered ``update_id`` is ignored.

The claim is taken before handling (at most once): a duplicate message is worse for a worker
at 3 a.m. than a lost one that Telegram would show them anyway.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.models.core import ProcessedUpdate

if TYPE_CHECKING:
    from redis.asyncio import Redis

KEEP = timedelta(hours=48)  # Telegram keeps undelivered updates at most 24 h


class UpdateLedger(Protocol):
    async def claim(self, bot_id: int, update_id: int, now: datetime) -> bool: ...


class DatabaseLedger:
    """Claims update ids with a primary-key insert."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self.sessionmaker = sessionmaker

    async def claim(self, bot_id: int, update_id: int, now: datetime) -> bool:
        async with self.sessionmaker() as session:
            session.add(ProcessedUpdate(update_id=update_id, bot_id=bot_id, processed_at=now))
            try:
                await session.commit()
            except IntegrityError:
                return False
            if update_id % 500 == 0:
                await session.execute(
                    delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < now - KEEP)
                )
                await session.commit()
        return True


class RedisLedger:
    """Claims update ids with ``SET NX`` and an expiry, shared by every process."""

    def __init__(self, redis: Redis, prefix: str = "relais") -> None:
        self.redis = redis
        self.prefix = prefix

    async def claim(self, bot_id: int, update_id: int, now: datetime) -> bool:
        key = f"{self.prefix}:update:{bot_id}:{update_id}"
        return bool(await self.redis.set(key, "1", nx=True, ex=int(KEEP.total_seconds())))
