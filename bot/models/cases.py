"""Cases (a youth known only by a random case code), their participants and thread messages.

Nothing here holds a youth's name, date of birth, address or any identifier: a case has a code,
an age or age band, regions, languages, needs (taxonomy codes) and consent. Free text (thread
messages) is screened before it is stored and stored encrypted (``bot.services.crypto``).
When a closed case is purged, only anonymous counts remain in ``purged_case_counts``.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.base import Base, UTCDateTime


class CaseStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class ParticipantRole(enum.StrEnum):
    """A worker's role in one case (not their role in Relais)."""

    CREATOR = "creator"
    WORKER = "worker"  # added by the creator or another participant
    RECEIVER = "receiver"  # a worker of a service that accepted a handoff


class Case(Base):
    """One youth, known by ``code`` only (e.g. ``K7-4QX``)."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True, index=True)
    status: Mapped[str] = mapped_column(String(16), default=CaseStatus.OPEN.value, index=True)
    age: Mapped[int | None] = mapped_column(Integer, nullable=True)
    age_band: Mapped[str] = mapped_column(String(16), default="unknown")
    gender: Mapped[str | None] = mapped_column(String(16), nullable=True)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    region_origin: Mapped[str | None] = mapped_column(String(4), nullable=True)
    region_current: Mapped[str | None] = mapped_column(String(4), nullable=True, index=True)
    needs: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Consent of the youth to the referral and information sharing; required before a handoff.
    consent: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    consent_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("workers.id", ondelete="SET NULL"), nullable=True
    )
    # "YYYY-MM" of the month the youth turns 18 (never a date of birth), for reminders.
    turns_18_month: Mapped[str | None] = mapped_column(String(7), nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("workers.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    closed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("workers.id", ondelete="SET NULL"), nullable=True
    )
    # Why it closed: "closed" (by a participant), "handoffs_ended", or a handoff outcome.
    outcome: Mapped[str | None] = mapped_column(String(32), nullable=True)

    participants: Mapped[list[CaseParticipant]] = relationship(
        back_populates="case",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="CaseParticipant.id",
    )

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def participant_ids(self) -> list[int]:
        return [p.worker_id for p in self.participants]


class CaseParticipant(Base):
    """A worker taking part in a case: only participants see or act on it."""

    __tablename__ = "case_participants"
    __table_args__ = (UniqueConstraint("case_id", "worker_id", name="uq_case_participants_case_worker"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16), default=ParticipantRole.WORKER.value)
    added_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("workers.id", ondelete="SET NULL"), nullable=True
    )
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship(back_populates="participants")


class CaseMessage(Base):
    """A message of a case's thread; the text is screened, then stored as a Fernet token."""

    __tablename__ = "case_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    sender_id: Mapped[int | None] = mapped_column(
        ForeignKey("workers.id", ondelete="SET NULL"), nullable=True
    )
    kind: Mapped[str] = mapped_column(String(16), default="message")  # message | note | handoff
    body_encrypted: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class PurgedCaseCount(Base):
    """What remains of purged cases: how many, by closing month, region and outcome."""

    __tablename__ = "purged_case_counts"
    __table_args__ = (
        UniqueConstraint("month", "region", "outcome", name="uq_purged_case_counts_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM the cases were closed
    region: Mapped[str] = mapped_column(String(4))  # current region code, or "??"
    outcome: Mapped[str] = mapped_column(String(32))
    count: Mapped[int] = mapped_column(Integer, default=0)
