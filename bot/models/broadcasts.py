"""Coordinators' announcements and their durable outbox (one delivery row per recipient)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, UTCDateTime


class BroadcastStatus(enum.StrEnum):
    SENDING = "sending"  # deliveries are being sent
    CANCELLING = "cancelling"  # cancelled by its author; rows in flight finish, then final report
    DONE = "done"
    CANCELLED = "cancelled"


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"  # waiting to be claimed (at ``next_attempt_at``)
    SENDING = "sending"  # claimed by a dispatcher until ``lease_until``
    SENT = "sent"
    BLOCKED = "blocked"  # the worker blocked the bot (or deleted their account)
    FAILED = "failed"  # permanent failure or too many attempts
    CANCELLED = "cancelled"  # the broadcast was cancelled before this row was sent


OPEN_STATUSES = (DeliveryStatus.PENDING.value, DeliveryStatus.SENDING.value)


class Broadcast(Base):
    """One announcement: its text in one or two languages, its audience, its progress message."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("workers.id", ondelete="SET NULL"), nullable=True, index=True
    )
    author_chat_id: Mapped[int] = mapped_column(BigInteger)
    author_language: Mapped[str] = mapped_column(String(8), default="fr")
    author_label: Mapped[str] = mapped_column(String(300), default="")
    text_fr: Mapped[str | None] = mapped_column(Text, nullable=True)
    text_en: Mapped[str | None] = mapped_column(Text, nullable=True)
    # audience: kind (mine | regions | sector | oncall | role), regions in scope ([] = all Québec),
    # and the sector or role when the kind needs one
    audience_kind: Mapped[str] = mapped_column(String(16))
    audience_value: Mapped[str | None] = mapped_column(String(32), nullable=True)
    regions: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default=BroadcastStatus.SENDING.value, index=True)
    total: Mapped[int] = mapped_column(Integer, default=0)
    progress_message_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    progress_edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    def text_for(self, lang: str | None) -> str:
        """The version in ``lang``, else the one there is."""
        first, second = (self.text_en, self.text_fr) if lang == "en" else (self.text_fr, self.text_en)
        return first or second or ""

    @property
    def languages(self) -> list[str]:
        return [lang for lang, text in (("fr", self.text_fr), ("en", self.text_en)) if text]


class BroadcastDelivery(Base):
    """One recipient of one broadcast: the outbox row a dispatcher claims, sends and settles."""

    __tablename__ = "broadcast_deliveries"
    __table_args__ = (
        UniqueConstraint("broadcast_id", "worker_id"),
        Index("ix_broadcast_deliveries_claim", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(
        ForeignKey("broadcasts.id", ondelete="CASCADE"), index=True
    )
    worker_id: Mapped[int | None] = mapped_column(
        ForeignKey("workers.id", ondelete="SET NULL"), nullable=True, index=True
    )
    chat_id: Mapped[int] = mapped_column(BigInteger)
    language: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    error: Mapped[str | None] = mapped_column(String(64), nullable=True)
