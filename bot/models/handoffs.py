"""Warm handoffs: a referral a named receiving worker accepts, its history and its recipients.

Notes are stored encrypted (``*_enc`` columns, the cases feature's crypto); nothing here holds
a youth's identity: a handoff points at a case code's row and a directory service.
"""

from __future__ import annotations

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
    literal_column,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.base import Base, UTCDateTime


class Handoff(Base):
    """One request from a worker to a service's receiving workers, and its current state."""

    __tablename__ = "handoffs"
    __table_args__ = (
        Index("ix_handoffs_month_service_region", "month", "service_region"),
        Index("ix_handoffs_month_from_region", "month", "from_region"),
        Index("ix_handoffs_month_version", "month", "version"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    service_id: Mapped[int | None] = mapped_column(
        ForeignKey("directory_services.id", ondelete="SET NULL"), nullable=True, index=True
    )
    service_name: Mapped[str] = mapped_column(String(300), default="")
    directory_org_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    region: Mapped[str | None] = mapped_column(String(4), nullable=True, index=True)
    requester_id: Mapped[int | None] = mapped_column(
        ForeignKey("workers.id", ondelete="SET NULL"), nullable=True, index=True
    )
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("workers.id", ondelete="SET NULL"), nullable=True, index=True
    )
    status: Mapped[str] = mapped_column(String(24), default="requested", index=True)
    status_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    status_note_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    priority: Mapped[str] = mapped_column(String(16), default="routine")
    note_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    needs: Mapped[list[str]] = mapped_column(JSON, default=list)
    criteria: Mapped[dict] = mapped_column(JSON, default=dict)
    outcome: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # Shared by the requests of one urgent search sent to several services at once.
    group_key: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    sla_stage: Mapped[int] = mapped_column(Integer, default=0)
    # Anonymous figures (``bot.services.stats``), set as the handoff moves: the local month it
    # was asked in, the requester's region, the service's region (``region`` is the youth's),
    # its first need category, and minutes to the first response by a receiver, to acceptance
    # and to the loop's closing (an end or an outcome).
    month: Mapped[str | None] = mapped_column(String(7), nullable=True)
    from_region: Mapped[str | None] = mapped_column(String(4), nullable=True)
    service_region: Mapped[str | None] = mapped_column(String(4), nullable=True)
    need: Mapped[str | None] = mapped_column(String(64), nullable=True)
    response_min: Mapped[int | None] = mapped_column(Integer, nullable=True)
    accept_min: Mapped[int | None] = mapped_column(Integer, nullable=True)
    closed_min: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Raised by every UPDATE (ORM flush or ``update(Handoff)``): a month's count of handoffs
    # and sum of versions change whenever one of its handoffs does, which tells the figures'
    # monthly rollups (``stats_live_months``) when to count that month again.
    version: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"),
                                         onupdate=literal_column("version") + 1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    events: Mapped[list[HandoffEvent]] = relationship(
        back_populates="handoff", cascade="all, delete-orphan", order_by="HandoffEvent.id",
        passive_deletes=True,
    )
    recipients: Mapped[list[HandoffRecipient]] = relationship(
        back_populates="handoff", cascade="all, delete-orphan", order_by="HandoffRecipient.id",
        passive_deletes=True,
    )


class HandoffEvent(Base):
    """Append-only history: who changed what, when, with which reason."""

    __tablename__ = "handoff_events"
    __table_args__ = (Index("ix_handoff_events_handoff_at", "handoff_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    handoff_id: Mapped[int] = mapped_column(ForeignKey("handoffs.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("workers.id", ondelete="SET NULL"), nullable=True
    )
    kind: Mapped[str] = mapped_column(String(24))  # created|seen|status|reminded|escalated|...
    from_status: Mapped[str | None] = mapped_column(String(24), nullable=True)
    to_status: Mapped[str | None] = mapped_column(String(24), nullable=True)
    reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    note_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    details: Mapped[dict] = mapped_column(JSON, default=dict)

    handoff: Mapped[Handoff] = relationship(back_populates="events")


class HandoffRecipient(Base):
    """Who was sent the request (and why), with the message to edit when it is taken."""

    __tablename__ = "handoff_recipients"
    __table_args__ = (UniqueConstraint("handoff_id", "worker_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    handoff_id: Mapped[int] = mapped_column(
        ForeignKey("handoffs.id", ondelete="CASCADE"), index=True
    )
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16), default="receiver")  # receiver|on_call|coordinator
    chat_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    details: Mapped[str | None] = mapped_column(Text, nullable=True)

    handoff: Mapped[Handoff] = relationship(back_populates="recipients")
