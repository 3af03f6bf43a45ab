"""What survives a process's death: updates received but not yet handled (the inbox), and
messages about stored facts not yet sent (the outbox)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, UTCDateTime


class InboxUpdate(Base):
    """One update, recorded before Telegram is told it arrived, deleted in the transaction that
    handles it. ``payload_enc`` is the raw update encrypted with the data key: it may hold a
    youth's identifying text that the privacy screen has not seen yet."""

    __tablename__ = "inbox_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    payload_enc: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # the process handling it, until when; a later process takes it over once this passes
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    claimed_until: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class OutboxMessage(Base):
    """A message about a stored fact, written in the transaction that stores the fact and
    deleted once sent: a process that dies between the commit and the send leaves it here for a
    live process to send (``bot.jobs.outbox``). ``body_enc`` is the encrypted text and buttons."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    worker_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    body_enc: Mapped[str] = mapped_column(Text)
    # where the sent message's id is kept (a table with chat_id, message_id and sent_at columns)
    record_table: Mapped[str | None] = mapped_column(String(64), nullable=True)
    record_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_until: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
