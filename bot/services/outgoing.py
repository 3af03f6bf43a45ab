"""Messages to workers about stored facts, sent once the transaction that stores them commits.

Services call these instead of ``app.messenger`` while their transaction is open.

- :func:`send` writes the message to the outbox (``outbox_messages``, encrypted) in the same
  transaction and queues an effect (:mod:`bot.db.effects`) that sends it right after the commit,
  then deletes the outbox row and keeps what the send learned: the message id on the row that
  keeps it (``record``: a model with ``chat_id``, ``message_id`` and ``sent_at`` columns), or the
  recipient who blocked the bot. A process that dies between the commit and the send leaves the
  row; :func:`send_left_over` (the ``bot.jobs.outbox`` loop) sends it. A rollback leaves nothing.
- :func:`edit` and :func:`delete` only queue the effect: losing one in a crash leaves an older
  message as it was (its buttons answer "too late").
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from bot.db.base import Base
from bot.db.effects import WriteBack, after_commit
from bot.messenger import Button, OutgoingMessage, RecipientBlocked, SendError
from bot.models.core import Worker
from bot.models.inbox import OutboxMessage
from bot.services import crypto

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.app import App

log = logging.getLogger(__name__)

CLAIM = timedelta(seconds=30)  # the sending process's claim; a dead one's rows go after this
MAX_ATTEMPTS = 5


def send(app: App, session: AsyncSession, worker: Worker, message: OutgoingMessage, *,
         record: Any | None = None) -> bool:
    """Queue ``message`` to ``worker``; False (nothing queued) when they cannot receive it."""
    if app.messenger is None or not worker.can_receive:
        return False
    now = app.clock.now()
    row = OutboxMessage(
        chat_id=message.chat_id, worker_id=worker.id, body_enc=crypto.encrypt(app, dump(message)),
        record_table=record.__tablename__ if record is not None else None,
        record_id=record.id if record is not None else None,
        created_at=now, claimed_until=now + CLAIM, attempts=1)
    session.add(row)

    async def deliver_now() -> list[WriteBack]:
        record_id = record.id if record is not None else None  # flushed by now
        return await deliver(app, Pending(row.id, row.worker_id, 1, row.record_table, record_id),
                             message)

    after_commit(session, deliver_now)
    return True


@dataclass(frozen=True)
class Pending:
    """What sending an outbox row needs to know besides the message."""

    outbox_id: int
    worker_id: int | None
    attempts: int
    record_table: str | None
    record_id: int | None

    @classmethod
    def of(cls, row: OutboxMessage) -> Pending:
        return cls(row.id, row.worker_id, row.attempts, row.record_table, row.record_id)


async def deliver(app: App, pending: Pending, message: OutgoingMessage) -> list[WriteBack]:
    """Send one outbox message; what to store afterwards: the row deleted, unless a passing
    failure leaves it for a later try (once its claim runs out)."""
    messenger = app.messenger
    if messenger is None:
        return []
    done = WriteBack(OutboxMessage, pending.outbox_id)
    try:
        message_id = await messenger.send(message)
    except RecipientBlocked:
        log.info("message not delivered: worker %s blocked the bot", pending.worker_id)
        if pending.worker_id is None:
            return [done]
        return [done, WriteBack(Worker, pending.worker_id, {"blocked_bot": True})]
    except SendError as exc:
        log.warning("message to worker %s failed: %s", pending.worker_id, type(exc).__name__)
        if getattr(exc, "permanent", False) or pending.attempts >= MAX_ATTEMPTS:
            return [done]
        return []
    writes = [done]
    record = record_model(pending.record_table)
    if record is not None and pending.record_id is not None:
        writes.append(WriteBack(record, pending.record_id, {
            "chat_id": message.chat_id, "message_id": message_id, "sent_at": app.clock.now()}))
    return writes


async def send_left_over(app: App, limit: int = 50) -> int:
    """Send the outbox messages whose sending process died (their claim ran out)."""
    from bot.db.effects import write_back

    now = app.clock.now()
    taken: list[OutboxMessage] = []
    async with app.sessionmaker() as session:
        rows = (await session.scalars(select(OutboxMessage).where(
            OutboxMessage.claimed_until <= now).order_by(OutboxMessage.id).limit(limit))).all()
        for row in rows:
            claimed = await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row.id, OutboxMessage.claimed_until == row.claimed_until)
                .values(claimed_until=now + CLAIM, attempts=OutboxMessage.attempts + 1)
                .execution_options(synchronize_session=False))
            if claimed.rowcount == 1:
                taken.append(row)  # row.attempts: the tries before this one
        await session.commit()
    writes: list[WriteBack] = []
    for row in taken:
        try:
            message = load(crypto.decrypt(app, row.body_enc))
        except (crypto.UndecryptableText, ValueError, TypeError):
            log.warning("outbox message %s unreadable with the current key; dropped", row.id)
            writes.append(WriteBack(OutboxMessage, row.id))
            continue
        writes.extend(await deliver(app, Pending.of(row), message))
    if writes:
        await write_back(app.sessionmaker, writes)
    return len(taken)


def dump(message: OutgoingMessage) -> str:
    return json.dumps(asdict(message), ensure_ascii=False)


def load(text: str) -> OutgoingMessage:
    data = json.loads(text)
    return OutgoingMessage(
        chat_id=int(data["chat_id"]), text=str(data["text"]),
        buttons=[[Button(**button) for button in row] for row in data.get("buttons") or []],
        protect_content=bool(data.get("protect_content")))


def record_model(table: str | None) -> type | None:
    """The mapped class of ``table`` (where a sent message's id is kept)."""
    if table is None:
        return None
    for mapper in Base.registry.mappers:
        if getattr(mapper.class_, "__tablename__", None) == table:
            return mapper.class_
    return None


def edit(app: App, session: AsyncSession, chat_id: int | None, message_id: int | None,
         message: OutgoingMessage) -> None:
    """Queue an edit of a message sent earlier (skipped when its id was never known)."""
    if app.messenger is None or chat_id is None or message_id is None:
        return

    async def change() -> None:
        if app.messenger is None:
            return
        try:
            await app.messenger.edit(message, message_id)
        except SendError as exc:  # too old or already gone: it stays as it was
            log.info("message %s not edited: %s", message_id, type(exc).__name__)

    after_commit(session, change)


def delete(app: App, session: AsyncSession, chat_id: int | None, message_id: int | None) -> None:
    """Queue the deletion of a message sent earlier."""
    if app.messenger is None or chat_id is None or message_id is None:
        return

    async def remove() -> None:
        if app.messenger is None:
            return
        try:
            await app.messenger.delete(chat_id, message_id)
        except SendError as exc:  # older than 48 h: it stays, its buttons answer "too late"
            log.info("message %s not deleted: %s", message_id, type(exc).__name__)

    after_commit(session, remove)
