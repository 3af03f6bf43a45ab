"""An update's turn in its chat: asked for, and perhaps not yet given (``handlers.isolation``)."""

from __future__ import annotations

import asyncio


class TurnNotTaken(Exception):
    """The chat's lock could not be asked for (Redis away): the update is not handled now."""


class Turn:
    """An update's turn in its chat, asked for and perhaps not yet given.

    :meth:`taken` waits for it and says whether what the update read before it is up to date:
    True when the lock was free at the first try and this process was the last to give it back.
    Then the chat's previous update ran here, and this process's lock for the chat (taken before
    anything was read) was given back only once that update had committed; no other process
    has had the chat since. Otherwise (another process had it, or the lock was held), what was
    read before the turn must be read again.

    ``ahead`` says whether reading before the turn is worth it: this process's previous turn of
    the chat was up to date too (``StateReadingIsolation.turn``). Where several processes share
    a chat's updates, a read made ahead would mostly be made twice."""

    def __init__(self, taking: asyncio.Future[bool], *, ahead: bool = False) -> None:
        self.taking = taking
        self.ahead = ahead

    @classmethod
    def given(cls) -> Turn:
        """A turn already taken (a lock waited for): anything is read within it."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        future.set_result(True)
        return cls(future)

    def done(self) -> bool:
        """Whether the turn was taken already (a read made now is made within it)."""
        return self.taking.done() and not self.taking.cancelled() and \
            self.taking.exception() is None

    async def taken(self) -> bool:
        """Wait for the turn; True when what was read before it is up to date."""
        try:
            return await self.taking
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            raise TurnNotTaken(type(exc).__name__) from exc
