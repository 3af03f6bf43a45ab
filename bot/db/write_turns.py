"""SQLite write transactions of one engine take turns, in order, instead of polling for the lock.

SQLite has one writer at a time. A connection that writes while another one's write transaction
is open gets ``SQLITE_BUSY``, and its busy handler sleeps and tries again (1, 2, 5, 10, 25... ms)
until the other commits. Updates handled together on one engine (a polled batch, a burst of
searches whose counts are written before their commit) then wait for sleeps, not for the commit:
at eight updates in flight, half a search's time went to those sleeps.

:class:`WriteTurns` hands the writer's place over in order, within the process: a connection
takes its turn just before the statement that opens its write transaction (SQLite's driver opens
one before an ``INSERT``, ``UPDATE``, ``DELETE`` or ``REPLACE``), and gives it back as soon as no
transaction is open on it any more (commit, rollback, close). Nothing about SQLite's own locking
changes: other processes, and statements that open a transaction otherwise, still meet SQLite's
lock and its busy timeout. A turn not given within that same timeout fails as SQLite would
("database is locked"), so two sessions of one task that would wait for each other fail instead
of hanging.
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3
import weakref
from dataclasses import dataclass

#: Statements before which Python's sqlite3 driver opens a transaction (its legacy mode).
OPENING_KEYWORDS = frozenset({"INSERT", "UPDATE", "DELETE", "REPLACE"})


@functools.lru_cache(maxsize=1024)
def opens_transaction(operation: str) -> bool:
    """Whether the driver begins a transaction before ``operation`` when none is open."""
    words = operation.lstrip().split(None, 1)
    return bool(words) and words[0].upper() in OPENING_KEYWORDS


class WriteTurns:
    """The writer's place among one engine's connections, one queue per event loop."""

    def __init__(self, timeout: float | None = None) -> None:
        self.timeout = timeout  # seconds; None until the driver sets it
        self._locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary())

    def lock(self) -> asyncio.Lock:
        """The running loop's lock (a lock belongs to one loop)."""
        loop = asyncio.get_running_loop()
        lock = self._locks.get(loop)
        if lock is None:
            lock = self._locks[loop] = asyncio.Lock()
        return lock

    async def take(self) -> Turn:
        """Wait for the writer's place; raises SQLite's "database is locked" after the timeout."""
        lock = self.lock()
        try:
            async with asyncio.timeout(self.timeout):
                await lock.acquire()
        except TimeoutError:
            raise sqlite3.OperationalError("database is locked") from None
        return Turn(lock, asyncio.get_running_loop())


@dataclass(frozen=True)
class Turn:
    """A writer's place, held by one connection until it gives it back."""

    lock: asyncio.Lock
    loop: asyncio.AbstractEventLoop

    def give_back(self) -> None:
        """Release it from whichever thread holds the connection (the garbage collector's
        included): on its loop's thread, at once; from elsewhere, through that loop."""
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self.loop:
            self.lock.release()
        elif not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self.lock.release)
