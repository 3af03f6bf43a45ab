"""The broadcast dispatcher: claims outbox rows, sends them through the shared rate limiter,
writes the results, keeps the author's progress message up to date and sends the final report.

- :meth:`BroadcastDispatcher.run_once` handles one claimed batch start to end (tests, CLI).
- :meth:`BroadcastDispatcher.run` is the background loop: a claimer keeps a small queue of
  claimed rows, ``concurrency`` senders drain it (each waiting for a rate-limiter slot), and
  results are written in batches, so the database never stalls the sending rate.

A 429 (:class:`bot.messenger.RetryAfter`) pauses the limiter, hence every sender in every process
sharing it; the row is retried once the pause is over (still under this dispatcher's lease, or
given back when the pause is longer than the lease allows). A blocked recipient is marked
``blocked_bot``; other failures are retried with backoff, then marked failed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import select

from bot.messenger import (
    Messenger,
    OutgoingMessage,
    RecipientBlocked,
    RetryAfter,
    SendError,
    SendFailed,
)
from bot.models.broadcasts import Broadcast, BroadcastStatus, DeliveryStatus
from bot.services.broadcasts import outbox
from bot.services.broadcasts.compose import render
from bot.services.broadcasts.outbox import Claimed, Outcome
from bot.services.broadcasts.progress import (
    progress_buttons,
    progress_text,
    report_buttons,
    report_text,
)
from bot.services.ratelimit import RateLimiter, get_limiter

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_ATTEMPTS = 5
PROGRESS_INTERVAL = 2.0  # seconds between two edits of a progress message
WAKEUP_KEY = "broadcasts.wakeup"


async def _to_the_end(work: Awaitable[T]) -> T:
    """Await ``work`` (database calls) to its end even when the caller is cancelled meanwhile,
    then pass the cancellation on.

    A query cut in the middle makes SQLAlchemy invalidate its connection; cancelled again while
    that connection closes (a stop cancels the loop's tasks more than once), the close is left
    in a task waiting for an aiosqlite thread that has already stopped, which nothing can finish:
    the event loop then never closes (seen as a hang at a test's teardown)."""
    task = asyncio.ensure_future(work)
    cancelled = False
    while not task.done():
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            cancelled = cancelled or not task.done()
        except Exception:
            pass  # the work's own failure: task.result() raises it below
    if cancelled:
        if not task.cancelled():
            task.exception()  # retrieved: the cancellation wins
        raise asyncio.CancelledError
    return task.result()


def wake(app: App) -> None:
    """Tell this process's dispatcher loop that rows are waiting (others poll)."""
    event = app.services.get(WAKEUP_KEY)
    if isinstance(event, asyncio.Event):
        event.set()


@dataclass
class Stats:
    sent: int = 0
    blocked: int = 0
    failed: int = 0
    retried: int = 0
    pauses: list[float] = field(default_factory=list)
    lost_lease: int = 0


@dataclass
class _Meta:
    status: str
    text_fr: str | None
    text_en: str | None
    author_label: str
    rendered: dict[str, str] = field(default_factory=dict)  # language -> message text


class BroadcastDispatcher:
    """Delivers broadcast outbox rows; any number may run at once (on PostgreSQL)."""

    def __init__(
        self,
        app: App,
        *,
        messenger: Messenger | None = None,
        limiter: RateLimiter | None = None,
        name: str | None = None,
        batch_size: int | None = None,
        concurrency: int | None = None,
        lease_seconds: float = 60.0,
        progress_interval: float = PROGRESS_INTERVAL,
        idle_seconds: float = 1.0,
    ) -> None:
        self.app = app
        self._messenger = messenger
        self.limiter = limiter or get_limiter(app)
        self.name = name or f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        rate = self.limiter.rate
        self.batch_size = batch_size or max(10, min(500, int(rate / 2)))
        self.concurrency = concurrency or max(4, min(256, int(rate / 8)))
        self.lease = timedelta(seconds=lease_seconds)
        self.progress_interval = progress_interval
        self.idle_seconds = idle_seconds
        self.stats = Stats()
        self._meta: dict[int, _Meta] = {}
        self._last_progress: dict[int, str] = {}
        self._on_wire: set[int] = set()  # rows whose send request is in flight

    @property
    def messenger(self) -> Messenger:
        messenger = self._messenger or self.app.messenger
        if messenger is None:
            raise RuntimeError("no messenger: app.messenger is not set")
        return messenger

    # ---- one batch ------------------------------------------------------------------------
    async def run_once(self) -> int:
        """Claim one batch, send it, write the results, update progress; rows handled."""
        rows = await self._claim(self.batch_size)
        if rows:
            await self._refresh_meta({row.broadcast_id for row in rows})
            semaphore = asyncio.Semaphore(self.concurrency)

            async def one(row: Claimed) -> Outcome:
                async with semaphore:
                    return await self._deliver(row)

            outcomes = await asyncio.gather(*(one(row) for row in rows))
            await self._settle(outcomes)
        await self.tick({row.broadcast_id for row in rows} if rows else None)
        return len(rows)

    async def drain(self, max_batches: int = 10_000) -> int:
        """``run_once`` until nothing is due; rows handled."""
        total = 0
        for _ in range(max_batches):
            handled = await self.run_once()
            total += handled
            if not handled:
                break
        return total

    # ---- the loop -------------------------------------------------------------------------
    async def run(self) -> None:
        """Deliver until cancelled: claimer -> queue -> senders -> batched result writes."""
        queue: asyncio.Queue[Claimed] = asyncio.Queue(maxsize=self.batch_size * 2)
        results: list[Outcome] = []
        held: dict[int, Claimed] = {}  # claimed, not yet settled
        touched: set[int] = set()
        flushed = asyncio.Event()
        wakeup = self.app.services.setdefault(WAKEUP_KEY, asyncio.Event())

        async def claim(limit: int) -> list[Claimed]:
            rows = await self._claim(limit)
            held.update((row.id, row) for row in rows)  # from now on a stop gives them back
            return rows

        async def claimer() -> None:
            while True:
                free = queue.maxsize - queue.qsize()
                rows: list[Claimed] = []
                if free >= self.batch_size // 2 or queue.empty():
                    try:  # a stop lets the claim under way finish (see _to_the_end)
                        rows = await _to_the_end(claim(min(self.batch_size, max(free, 1))))
                    except Exception as exc:  # database unavailable: retry later
                        log.warning("broadcast claim failed: %s", type(exc).__name__)
                    if rows:
                        await _to_the_end(self._refresh_meta({row.broadcast_id for row in rows}))
                        for row in rows:
                            await queue.put(row)
                        continue
                if queue.empty() and not held:
                    await _to_the_end(self._safe_tick(None))
                    wakeup.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(wakeup.wait(), self.idle_seconds)
                else:
                    await asyncio.sleep(0.02)

        async def sender() -> None:
            while True:
                row = await queue.get()
                outcome = await self._deliver(row)
                results.append(outcome)
                touched.add(row.broadcast_id)
                if len(results) >= self.batch_size // 2:
                    flushed.set()

        async def writer() -> None:
            while True:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(flushed.wait(), 0.25)
                flushed.clear()
                await _to_the_end(flush())

        async def flush() -> None:
            if not results:
                return
            batch = results[:]
            del results[: len(batch)]
            try:
                await self._settle(batch)
            except Exception as exc:
                log.warning("broadcast settle failed, retrying: %s", type(exc).__name__)
                results[:0] = batch
                return
            for outcome in batch:
                held.pop(outcome.id, None)
            ids = set(touched)
            touched.clear()
            await self._safe_tick(ids)

        claim_task = asyncio.create_task(claimer(), name="broadcast-claimer")
        writer_task = asyncio.create_task(writer(), name="broadcast-writer")
        senders = [asyncio.create_task(sender(), name="broadcast-sender")
                   for _ in range(self.concurrency)]
        try:
            await asyncio.gather(claim_task, writer_task, *senders)
        finally:
            await self._stop(claim_task, writer_task, senders, held, results, flush)

    async def _stop(self, claim_task, writer_task, senders, held, results, flush) -> None:  # type: ignore[no-untyped-def]
        """Stop claiming, let sends already on the wire finish (a few seconds at most), write
        their results, and give back rows never sent, so another dispatcher takes them at once."""
        claim_task.cancel()
        for _ in range(50):
            if not self._on_wire:
                break
            await asyncio.sleep(0.1)
        for task in (claim_task, *senders, writer_task):
            task.cancel()
        for task in (claim_task, *senders, writer_task):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        with contextlib.suppress(Exception):
            await _to_the_end(flush())
        settled = {outcome.id for outcome in results}
        # rows on the wire when cancelled may have been sent: their lease decides (no release)
        unsent = [row_id for row_id in held if row_id not in settled and row_id not in self._on_wire]
        with contextlib.suppress(Exception):
            await _to_the_end(self._release(unsent))

    async def _release(self, ids: list[int]) -> None:
        async with self.app.sessionmaker() as session:
            await outbox.release(session, me=self.name, ids=ids, now=self.app.clock.now())

    # ---- parts ----------------------------------------------------------------------------
    async def _claim(self, limit: int) -> list[Claimed]:
        async with self.app.sessionmaker() as session:
            return await outbox.claim(
                session, me=self.name, now=self.app.clock.now(), lease=self.lease, limit=limit
            )

    async def _refresh_meta(self, broadcast_ids: set[int]) -> None:
        async with self.app.sessionmaker() as session:
            rows = await session.execute(
                select(Broadcast.id, Broadcast.status, Broadcast.text_fr, Broadcast.text_en,
                       Broadcast.author_label).where(Broadcast.id.in_(broadcast_ids))
            )
            for bid, status, text_fr, text_en, label in rows.all():
                known = self._meta.get(bid)
                if known is not None and (known.text_fr, known.text_en) == (text_fr, text_en):
                    known.status = status
                else:
                    self._meta[bid] = _Meta(status, text_fr, text_en, label)

    def _text(self, row: Claimed, meta: _Meta) -> str:
        text = meta.rendered.get(row.language)
        if text is None:
            first, second = (meta.text_en, meta.text_fr) if row.language == "en" else (
                meta.text_fr, meta.text_en)
            t = self.app.translator.text(row.language)
            text = meta.rendered[row.language] = render(t, meta.author_label, first or second or "")
        return text

    async def _deliver(self, row: Claimed) -> Outcome:
        meta = self._meta.get(row.broadcast_id)
        if meta is None or meta.status != BroadcastStatus.SENDING.value:
            return Outcome(row.id, DeliveryStatus.CANCELLED.value, attempts=row.attempts)
        message = OutgoingMessage(chat_id=row.chat_id, text=self._text(row, meta))
        while True:
            await self.limiter.acquire(row.chat_id)
            self._on_wire.add(row.id)
            try:
                message_id = await self.messenger.send(message)
            except RetryAfter as exc:
                self._on_wire.discard(row.id)
                self.stats.pauses.append(exc.seconds)
                await self.limiter.pause(exc.seconds)
                if exc.seconds < self.lease.total_seconds() / 4:
                    continue  # the row is still ours: send it once the pause is over
                return Outcome(row.id, DeliveryStatus.PENDING.value, attempts=row.attempts,
                               retry_at=self.app.clock.now() + timedelta(seconds=exc.seconds))
            except RecipientBlocked:
                self._on_wire.discard(row.id)
                self.stats.blocked += 1
                return Outcome(row.id, DeliveryStatus.BLOCKED.value, worker_id=row.worker_id,
                               error="blocked", attempts=row.attempts + 1)
            except SendFailed as exc:
                self._on_wire.discard(row.id)
                return self._failure(row, str(exc)[:64] or "failed", permanent=exc.permanent)
            except SendError as exc:
                self._on_wire.discard(row.id)
                return self._failure(row, type(exc).__name__, permanent=False)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # network trouble and the like: retry later
                self._on_wire.discard(row.id)
                log.warning("broadcast send failed: %s", type(exc).__name__)
                return self._failure(row, type(exc).__name__[:64], permanent=False)
            self._on_wire.discard(row.id)
            self.stats.sent += 1
            return Outcome(row.id, DeliveryStatus.SENT.value, message_id=message_id,
                           attempts=row.attempts + 1)

    def _failure(self, row: Claimed, error: str, *, permanent: bool) -> Outcome:
        attempts = row.attempts + 1
        if permanent or attempts >= MAX_ATTEMPTS:
            self.stats.failed += 1
            return Outcome(row.id, DeliveryStatus.FAILED.value, error=error, attempts=attempts)
        self.stats.retried += 1
        backoff = timedelta(seconds=5 * 2 ** (attempts - 1))
        return Outcome(row.id, DeliveryStatus.PENDING.value, error=error, attempts=attempts,
                       retry_at=self.app.clock.now() + backoff)

    async def _settle(self, outcomes: list[Outcome]) -> None:
        async with self.app.sessionmaker() as session:
            await outbox.settle(session, me=self.name, now=self.app.clock.now(), outcomes=outcomes)

    async def _safe_tick(self, broadcast_ids: set[int] | None) -> None:
        try:
            await self.tick(broadcast_ids)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("broadcast progress failed: %s", type(exc).__name__)

    async def tick(self, broadcast_ids: set[int] | None = None) -> None:
        """Update progress messages (throttled) and close finished broadcasts with a report.

        ``None`` checks every unfinished broadcast (when idle)."""
        async with self.app.sessionmaker() as session:
            if broadcast_ids is None:
                broadcast_ids = set(await outbox.unfinished_broadcast_ids(session))
            for broadcast_id in sorted(broadcast_ids):
                now = self.app.clock.now()
                if await outbox.finish_if_complete(session, broadcast_id, now):
                    await self._final(session, broadcast_id)
                elif await outbox.take_progress_turn(
                    session, broadcast_id, now, self.progress_interval
                ):
                    await self._progress(session, broadcast_id)

    async def _progress(self, session, broadcast_id: int) -> None:  # type: ignore[no-untyped-def]
        broadcast = await session.get(Broadcast, broadcast_id, populate_existing=True)
        if broadcast is None or broadcast.progress_message_id is None:
            return
        t = self.app.translator.text(broadcast.author_language)
        counts = await outbox.counts(session, broadcast_id)
        text = progress_text(t, broadcast, counts)
        if self._last_progress.get(broadcast_id) == text:
            return
        await self._edit(broadcast, text, progress_buttons(t, broadcast))
        self._last_progress[broadcast_id] = text

    async def _final(self, session, broadcast_id: int) -> None:  # type: ignore[no-untyped-def]
        broadcast = await session.get(Broadcast, broadcast_id, populate_existing=True)
        if broadcast is None:
            return
        t = self.app.translator.text(broadcast.author_language)
        counts = await outbox.counts(session, broadcast_id)
        if broadcast.progress_message_id is not None:
            await self._edit(broadcast, progress_text(t, broadcast, counts), [])
        report = OutgoingMessage(
            chat_id=broadcast.author_chat_id,
            text=report_text(t, broadcast, counts),
            buttons=report_buttons(t, broadcast, counts),
        )
        await self._send_own(report)
        self._last_progress.pop(broadcast_id, None)
        log.info("broadcast %s finished: %s", broadcast_id, counts.by_status)

    async def _edit(self, broadcast: Broadcast, text: str, buttons) -> None:  # type: ignore[no-untyped-def]
        message = OutgoingMessage(chat_id=broadcast.author_chat_id, text=text, buttons=buttons)
        for _ in range(3):
            await self.limiter.acquire(broadcast.author_chat_id)
            try:
                await self.messenger.edit(message, broadcast.progress_message_id)  # type: ignore[arg-type]
                return
            except RetryAfter as exc:
                await self.limiter.pause(exc.seconds)
            except SendError as exc:  # e.g. "message is not modified", or deleted: never fatal
                log.info("progress edit skipped: %s", type(exc).__name__)
                return

    async def _send_own(self, message: OutgoingMessage) -> None:
        for _ in range(3):
            await self.limiter.acquire(message.chat_id)
            try:
                await self.messenger.send(message)
                return
            except RetryAfter as exc:
                await self.limiter.pause(exc.seconds)
            except SendError as exc:
                log.info("broadcast report not delivered: %s", type(exc).__name__)
                return


async def run_once(app: App, **options: object) -> int:
    """One batch with a dispatcher built from the app (tests and one-shot use)."""
    return await BroadcastDispatcher(app, **options).run_once()  # type: ignore[arg-type]
