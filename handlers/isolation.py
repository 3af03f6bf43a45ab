"""Updates of one chat are handled one at a time, across every process serving the bot.

aiogram's Redis isolation takes a Redis lock per chat, and a second update of the same chat polls
for it (every 100 ms by default): a worker who taps twice waits a tenth of a second for nothing,
and a burst of one chat's updates turns into Redis traffic. Here the updates of a chat first wait
their turn inside the process, on an asyncio lock, and only the one whose turn it is takes the
Redis lock, which then only ever waits for another process.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

from aiogram.fsm.storage.base import BaseEventIsolation, StorageKey

CROSS_PROCESS_POLL_SECONDS = 0.02  # how often a chat's update retries another process's lock


class LocalFirstIsolation(BaseEventIsolation):
    """In-process per-chat locks in front of a shared isolation (Redis)."""

    def __init__(self, shared: BaseEventIsolation) -> None:
        self.shared = shared
        self._locks: dict[StorageKey, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncGenerator[None, None]:
        lock, waiting = self._locks.get(key, (None, 0))
        if lock is None:
            lock = asyncio.Lock()
        self._locks[key] = (lock, waiting + 1)
        try:
            async with lock, self.shared.lock(key):
                yield
        finally:
            self._release(key)

    def _release(self, key: StorageKey) -> None:
        """Forget a chat's lock when nobody waits for it (no lock per chat kept for ever)."""
        lock, waiting = self._locks[key]
        if waiting <= 1:
            del self._locks[key]
        else:
            self._locks[key] = (lock, waiting - 1)

    async def close(self) -> None:
        self._locks.clear()
        await self.shared.close()
