"""Sending an announcement from the chat, with the update's unit of work owning the commit.

The broadcast and its deliveries are stored in the update's transaction; the author's progress
message can only be sent after the commit (it announces a stored fact), and the dispatchers must
know its id before they send (they edit it as they go, and in place at the end). So the new
deliveries are held back for :data:`HOLD`: after the commit the chat layer sends the progress
message and calls :func:`progress_shown`, which stores its id and lets the deliveries go at once.
Should the process die in between, they go when the hold runs out (without a progress message;
the final report still comes).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.effects import after_commit
from bot.models.broadcasts import Broadcast, BroadcastDelivery, BroadcastStatus, DeliveryStatus
from bot.models.core import Worker
from bot.services.broadcasts import outbox
from bot.services.broadcasts.delivery import wake
from bot.services.broadcasts.drafts import draft_audience

if TYPE_CHECKING:
    from bot.app import App

HOLD = timedelta(seconds=30)
D = BroadcastDelivery


async def start(
    app: App, session: AsyncSession, author: Worker, draft: Mapping[str, Any], *,
    author_language: str,
) -> Broadcast:
    """Store the announcement of ``draft`` for its audience; its deliveries wait for
    :func:`progress_shown` (or the end of :data:`HOLD`)."""
    now = app.clock.now()
    broadcast = await outbox.create_broadcast(
        session, author=author, audience=draft_audience(author, draft),
        versions=draft["versions"], now=now, default_language=app.settings.default_language,
        author_language=author_language,
    )
    await session.execute(
        update(D)
        .where(D.broadcast_id == broadcast.id, D.status == DeliveryStatus.PENDING.value)
        .values(next_attempt_at=now + HOLD)
        .execution_options(synchronize_session=False)
    )
    return broadcast


async def progress_shown(app: App, broadcast_id: int, message_id: int | None) -> None:
    """After the commit: keep the progress message's id (None: it could not be sent), let the
    deliveries go now and wake this process's dispatcher. Its own short transaction."""
    now = app.clock.now()
    async with app.sessionmaker() as session:
        if message_id is not None:
            await session.execute(
                update(Broadcast).where(Broadcast.id == broadcast_id)
                .values(progress_message_id=message_id)
                .execution_options(synchronize_session=False)
            )
        await session.execute(
            update(D)
            .where(D.broadcast_id == broadcast_id, D.status == DeliveryStatus.PENDING.value,
                   D.next_attempt_at > now)
            .values(next_attempt_at=now)
            .execution_options(synchronize_session=False)
        )
        await session.commit()
    wake(app)


async def stop(app: App, session: AsyncSession, worker: Worker, broadcast_id: int
               ) -> Broadcast | None:
    """Cancel what was not sent yet (the author or an administrator may); None when the
    announcement was already fully sent."""
    broadcast = await outbox.cancel(session, worker, broadcast_id, app.clock.now())
    if broadcast.status != BroadcastStatus.CANCELLING.value:
        return None
    return broadcast


def wake_after_commit(app: App, session: AsyncSession) -> None:
    """Wake this process's dispatcher once what was stored is committed (queued last, after the
    replies, so that its report comes after them)."""

    async def wake_now() -> None:
        wake(app)

    after_commit(session, wake_now)
