"""Scheduled jobs: personal reminders, handoff timers, follow-ups and periodic checks.

One row per thing to do at a given time. A dispatcher claims due rows (``state`` pending, or
``sending`` whose lease ran out), runs what their ``kind`` does and sends the resulting messages.
See :mod:`bot.services.scheduler` for the API and the life of a row.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.base import Base, UTCDateTime
from bot.models.core import Worker


class JobState(enum.StrEnum):
    """Where a job is in its life."""

    PENDING = "pending"  # waiting for next_attempt_at
    SENDING = "sending"  # claimed by a dispatcher until lease_expires_at (= next_attempt_at)
    SENT = "sent"  # delivered (a reminder can still be marked done or snoozed)
    DONE = "done"  # the worker marked it done
    CANCELLED = "cancelled"
    HELD = "held"  # the recipient blocked the bot or is inactive: kept until they are back
    FAILED = "failed"  # gave up (permanent error or too many attempts)


CLAIMABLE = (JobState.PENDING.value, JobState.SENDING.value)
OPEN_STATES = (JobState.PENDING.value, JobState.SENDING.value, JobState.HELD.value)


class ScheduledJob(Base):
    """Something to do (usually: a message to send) at ``due_at``."""

    __tablename__ = "scheduled_jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(64), index=True)
    worker_id: Mapped[int | None] = mapped_column(
        ForeignKey("workers.id", ondelete="CASCADE"), nullable=True
    )
    # what the job is about: a case code, a handoff id, a service id (never a youth's details)
    ref: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    # a unique key makes scheduling idempotent (e.g. "turning18:K7M-4QX:12:6")
    key: Mapped[str | None] = mapped_column(String(160), nullable=True, unique=True)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    # the screened reminder text only, sealed by bot.services.reminders.store
    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    state: Mapped[str] = mapped_column(String(16), default=JobState.PENDING.value)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # set when quiet hours pushed the job to the morning: lateness counts from here
    deferred_to: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    lease_owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("workers.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    worker: Mapped[Worker | None] = relationship(foreign_keys=[worker_id], lazy="joined")

    __table_args__ = (
        # the dispatcher's claim: small, because finished rows leave it
        Index(
            "ix_scheduled_jobs_due",
            "next_attempt_at",
            postgresql_where=sql_text("state IN ('pending', 'sending')"),
            sqlite_where=sql_text("state IN ('pending', 'sending')"),
        ),
        Index("ix_scheduled_jobs_worker_state", "worker_id", "state"),
        Index("ix_scheduled_jobs_state_worker", "state", "worker_id"),
    )
