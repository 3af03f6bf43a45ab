"""Updates in: recorded in the inbox before Telegram is told they arrived, then handled.

A webhook call is confirmed to Telegram with its 200, once the update is durably recorded
(:class:`bot.services.inbox.Inbox`). Long polling confirms a batch with the next ``getUpdates``
offset, once each of its updates is either handled (committed) or recorded: the batch is handled
at once, and only the updates still unsettled after :data:`RECORD_AFTER` are recorded, so a
short update costs no inbox transaction. Handling marks an update handled in its own
transaction, so an update whose process died half-way is handled again, by whichever process is
up (Telegram sends an unconfirmed batch again), and one that was handled is never handled twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.methods import GetUpdates
from aiogram.types import Update

from bot.app import App
from bot.services.inbox import Inbox, Received

log = logging.getLogger(__name__)

PRUNE_EVERY = 720  # sweeps between two prunings of old handled ids (an hour at most)
POLL_TIMEOUT = 30  # seconds Telegram holds a getUpdates call open
RECORD_AFTER = 0.25  # seconds a polled batch may take before its unsettled updates are recorded


def payload_of(update: Update) -> dict[str, Any]:
    """Telegram's JSON of an update aiogram parsed (what the inbox keeps)."""
    return update.model_dump(mode="json", by_alias=True, exclude_none=True, exclude_unset=True)


def _wake(ready: asyncio.Future[None]) -> None:
    if not ready.done():
        ready.set_result(None)


class Intake:
    """Records and handles the updates of one bot in one process."""

    def __init__(self, app: App, dispatcher: Dispatcher, bot: Bot, *, concurrency: int = 16
                 ) -> None:
        self.app = app
        self.dispatcher = dispatcher
        self.bot = bot
        self.inbox = Inbox(app)
        self.slots = asyncio.Semaphore(concurrency)
        self.in_hand: dict[int, asyncio.Task[None]] = {}
        self.watched: set[int] = set()  # polled updates whose batch waits for them
        self.settled: set[int] = set()  # of those, the ones handled (or skipped as handled)
        self.unrecorded: set[int] = set()  # polled updates in hand with no inbox copy
        self.polled_through: int | None = None  # the highest update id polled by this process
        self.batch_ready: asyncio.Future[None] | None = None  # the polled batch is all settled

    async def receive(self, updates: Sequence[Received]) -> None:
        """Record ``updates`` (raises if the database cannot), then handle the new ones."""
        recorded = await self.inbox.record(self.bot.id, updates)
        claimed_at = time.monotonic()
        for received in recorded:
            self._start(received.update_id, claimed_at, received.payload)

    async def receive_polled(self, updates: Sequence[Update]) -> None:
        """A long-polling batch: handled at once; returns (and the offset may move) when each
        update is settled or recorded. Raises if the database cannot record the unsettled ones:
        the offset stays, and Telegram sends the batch again.

        A settled update's commit is the point: what follows it (its effects, the chat's lock
        given back) overlaps the next ``getUpdates``."""
        if not updates:
            return
        ids = {update.update_id for update in updates}
        seen_through = self.polled_through
        self.polled_through = max(ids | {seen_through or 0})
        self.watched |= ids
        loop = asyncio.get_running_loop()
        self.batch_ready = ready = loop.create_future()
        # woken by the batch's last settled update or by RECORD_AFTER, whichever comes first (a
        # timer of its own: ``asyncio.wait_for`` took a turn of the loop more to wake)
        timer = loop.call_later(RECORD_AFTER, _wake, ready)
        try:
            for update in updates:
                self._start(update.update_id, None, update,
                            unseen=seen_through is not None and update.update_id > seen_through)
            self._check_batch()
            await ready
            unsettled = [update for update in updates if update.update_id not in self.settled]
        finally:
            timer.cancel()
            self.batch_ready = None
            self.watched -= ids
            self.settled -= ids
        if unsettled:  # still running, or failed without being marked handled
            self.unrecorded -= {update.update_id for update in unsettled}
            await self.inbox.record(self.bot.id, [Received(update.update_id, payload_of(update))
                                                  for update in unsettled])

    def _start(self, update_id: int, claimed_at: float | None,
               update: Update | dict[str, Any], *, unseen: bool = False) -> asyncio.Task[None]:
        """Handle an update in a task of its own, or return the one running already.

        ``update``: Telegram's JSON (from the inbox), or a polled update, parsed (no inbox copy
        until :meth:`receive_polled` records it). ``claimed_at``: when :meth:`Inbox.record`
        returned it as new and ours. ``unseen``: polled after this process's first batch, so
        never delivered before (see :meth:`DatabaseMiddleware`); with neither, the update may
        have been handled already (a takeover, a batch sent again) and is looked up first."""
        if (running := self.in_hand.get(update_id)) is not None:
            return running
        task = asyncio.create_task(self._handle(update_id, claimed_at, update, unseen),
                                   name=f"update-{update_id}")
        self.in_hand[update_id] = task
        if isinstance(update, Update):
            self.unrecorded.add(update_id)
        task.add_done_callback(lambda _t: self._done(update_id))
        return task

    def _done(self, update_id: int) -> None:
        self.in_hand.pop(update_id, None)
        self.unrecorded.discard(update_id)
        self._check_batch()

    def _check_batch(self) -> None:
        """Wake the polled batch once each of its updates is settled, or ended without it."""
        ready = self.batch_ready
        if ready is not None and not ready.done() and all(
                i in self.settled or i not in self.in_hand for i in self.watched):
            ready.set_result(None)

    async def _handle(self, update_id: int, claimed_at: float | None,
                      update: Update | dict[str, Any], unseen: bool) -> None:
        async with self.slots:
            try:
                if isinstance(update, dict):
                    update = Update.model_validate(update, context={"bot": self.bot})
                await self.dispatcher.feed_update(
                    self.bot, update, inbox_claimed_at=claimed_at, inbox_unseen=unseen,
                    inbox_kept=self._kept, inbox_settled=self._settle)
            except Exception as exc:  # answered (or not) by the error middleware; logged here
                log.warning("update %s failed: %s", update_id, type(exc).__name__)

    def _kept(self, update_id: int) -> bool:
        """Whether the update may have an inbox copy (a polled update settled before
        :data:`RECORD_AFTER` has none: its handled mark deletes nothing)."""
        return update_id not in self.unrecorded

    def _settle(self, update_id: int) -> None:
        """Called once an update is handled for good: its polled batch no longer waits."""
        if update_id in self.watched:
            self.settled.add(update_id)
            self._check_batch()

    async def sweep_forever(self) -> None:
        """Handle the updates left unhandled by a process that died (at start, then often)."""
        sweeps = 0
        every = min(5.0, self.app.settings.inbox_claim_seconds / 2)
        while True:
            try:
                await self.inbox.renew(self.bot.id, list(self.in_hand))
                for received in await self.inbox.claim_stale(self.bot.id):
                    self._start(received.update_id, None, received.payload)
                if sweeps % PRUNE_EVERY == 0:
                    await self.inbox.prune()
            except Exception as exc:  # the database is away: try again at the next sweep
                log.warning("inbox sweep failed: %s", type(exc).__name__)
            sweeps += 1
            await asyncio.sleep(every)

    async def drain(self, grace: float) -> None:
        """A graceful stop: let the updates in hand finish, give back those that cannot."""
        if self.in_hand:
            await asyncio.wait(list(self.in_hand.values()), timeout=grace)
        left = list(self.in_hand)
        for task in list(self.in_hand.values()):
            task.cancel()
        for task in list(self.in_hand.values()):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        with contextlib.suppress(Exception):
            await self.inbox.release(self.bot.id, left)


async def poll(intake: Intake, allowed_updates: list[str] | None) -> None:
    """Long polling that moves Telegram's offset only past updates recorded in the inbox."""
    bot = intake.bot
    offset: int | None = None
    delay = 1.0
    request_timeout = int(bot.session.timeout + POLL_TIMEOUT) if bot.session.timeout else None
    while True:
        method = GetUpdates(offset=offset, timeout=POLL_TIMEOUT, allowed_updates=allowed_updates)
        try:
            updates = await bot(method, request_timeout=request_timeout)
            if updates:
                await intake.receive_polled(updates)
                offset = updates[-1].update_id + 1
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # Telegram or the database away: the same batch comes again
            log.warning("polling: %s; again in %.0f s", type(exc).__name__, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)
            continue
        delay = 1.0
