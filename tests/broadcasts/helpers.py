"""Helpers for the broadcast and tools tests."""

from __future__ import annotations

import asyncio
import contextlib

from sqlalchemy import func, select

from bot.app import App
from bot.models.broadcasts import Broadcast, BroadcastDelivery
from bot.services.broadcasts.delivery import BroadcastDispatcher
from bot.services.ratelimit import LocalRateLimiter
from tests.support.chat import Chat


async def stop_background_broadcasts(chat: Chat) -> None:
    """Tests drive delivery themselves: stop the console's background broadcast loop."""
    for task in chat.console.tasks:
        if task.get_name() == "bot.jobs.broadcasts":
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def dispatcher(app: App, **options) -> BroadcastDispatcher:  # type: ignore[no-untyped-def]
    options.setdefault("limiter", LocalRateLimiter(1000, 1000, clock=app.clock))
    return BroadcastDispatcher(app, **options)


async def deliver_all(app: App, **options) -> BroadcastDispatcher:  # type: ignore[no-untyped-def]
    worker = dispatcher(app, **options)
    await worker.drain()
    return worker


async def broadcasts(app: App) -> list[Broadcast]:
    async with app.sessionmaker() as session:
        return list((await session.scalars(select(Broadcast).order_by(Broadcast.id))).all())


async def delivery_count(app: App) -> int:
    async with app.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(BroadcastDelivery)) or 0)


def sends_to(chat: Chat, name: str) -> list[str]:
    """Texts of the messages NAME received (sends only, not edits)."""
    return [e.text for e in chat.seen_by(name) if e.kind == "send"]


async def make_broadcast(
    chat: Chat, n: int, *, author: str = "alice", region: str = "06", lang_cycle=("fr", "en"),
    progress: bool = True, start_id: int = 5_000_000,
) -> int:
    """A coordinator, ``n`` workers of ``region`` known to the fake Telegram, and a broadcast to
    all of them with its progress message; returns the broadcast id."""
    from bot.messenger import OutgoingMessage
    from bot.models.core import Worker, WorkerRegion
    from bot.services.broadcasts import audience as aud
    from bot.services.broadcasts import outbox
    from bot.services.broadcasts.outbox import Counts
    from bot.services.broadcasts.progress import progress_buttons, progress_text

    app = chat.app
    coordinator = await chat.register(author, role="coordinator", regions=(region,), lang="fr")
    now = app.clock.now()
    async with app.sessionmaker() as session:
        workers = [
            Worker(telegram_id=start_id + i, display_name=f"w{i:05d}", role="worker",
                   language=lang_cycle[i % len(lang_cycle)], created_at=now)
            for i in range(n)
        ]
        session.add_all(workers)
        await session.flush()
        session.add_all(WorkerRegion(worker_id=w.id, region=region) for w in workers)
        await session.commit()
    for i in range(n):
        chat.telegram.add_user(start_id + i, f"w{i:05d}")
    async with app.sessionmaker() as session:
        author_row = await session.get(Worker, coordinator.id)
        audience = aud.make_audience(author_row, aud.MINE)
        broadcast = await outbox.create_broadcast(
            session, author=author_row, audience=audience, now=now,
            versions={"fr": "Annonce de test (fictive).", "en": "Test announcement (fictional)."},
            author_language="fr",
        )
        if progress:
            t = app.translator.text("fr")
            broadcast.progress_message_id = await app.messenger.send(OutgoingMessage(
                chat_id=broadcast.author_chat_id,
                text=progress_text(t, broadcast, Counts(total=broadcast.total)),
                buttons=progress_buttons(t, broadcast)))
        await session.commit()
        return broadcast.id


def recipients_sent(chat: Chat, start_id: int = 5_000_000) -> list[int]:
    """Chat ids of every announcement sent to a generated worker (one entry per send)."""
    return [e.chat_id for e in chat.telegram.events if e.kind == "send" and e.chat_id >= start_id
            and e.chat_id < start_id + 1_000_000]
