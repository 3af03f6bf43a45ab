"""Workers, organisations, invitations, update dedupe and the audit log."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.base import Base, UTCDateTime


class Role(enum.StrEnum):
    """What a worker may do: coordinators manage their regions, admins everything."""

    WORKER = "worker"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


class Sector(enum.StrEnum):
    """Kinds of partner organisations (broadcast audiences use them)."""

    COMMUNITY = "community"
    YOUTH_PROTECTION = "youth_protection"
    HEALTH = "health"
    POLICE = "police"
    SHELTER = "shelter"
    VICTIM_SUPPORT = "victim_support"
    OTHER = "other"


class Organisation(Base):
    """A partner organisation whose workers use Relais."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    sector: Mapped[str] = mapped_column(String(32), default=Sector.OTHER.value)
    regions: Mapped[list[str]] = mapped_column(JSON, default=list)
    directory_org_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    workers: Mapped[list[Worker]] = relationship(back_populates="organisation")


class Worker(Base):
    """A registered caseworker, coordinator or admin, known by their Telegram user id."""

    __tablename__ = "workers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True, index=True)
    display_name: Mapped[str] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    telegram_language: Mapped[str | None] = mapped_column(String(16), nullable=True)
    role: Mapped[str] = mapped_column(String(16), default=Role.WORKER.value)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id"), nullable=True
    )
    on_call: Mapped[bool] = mapped_column(Boolean, default=False)
    on_call_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    blocked_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    timezone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    quiet_start: Mapped[str] = mapped_column(String(5), default="21:00")
    quiet_end: Mapped[str] = mapped_column(String(5), default="08:00")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation | None] = relationship(
        back_populates="workers", lazy="selectin"
    )
    region_links: Mapped[list[WorkerRegion]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def regions(self) -> list[str]:
        return sorted(link.region for link in self.region_links)

    def set_regions(self, codes: list[str]) -> None:
        """Replace the regions this worker serves (or coordinates)."""
        self.region_links = [WorkerRegion(region=code) for code in sorted(set(codes))]

    @property
    def preferred_language(self) -> str | None:
        """Their saved choice, else what their Telegram app says; None means the default."""
        if self.language:
            return self.language
        if self.telegram_language:
            return "fr" if self.telegram_language.lower().startswith("fr") else "en"
        return None

    @property
    def is_coordinator(self) -> bool:
        return self.role in (Role.COORDINATOR.value, Role.ADMIN.value)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN.value

    @property
    def can_receive(self) -> bool:
        """Whether messages can be delivered to this worker now."""
        return self.active and not self.blocked_bot


class WorkerRegion(Base):
    """A region a worker serves; a table so that audiences can be selected in SQL."""

    __tablename__ = "worker_regions"

    worker_id: Mapped[int] = mapped_column(
        ForeignKey("workers.id", ondelete="CASCADE"), primary_key=True
    )
    region: Mapped[str] = mapped_column(String(4), primary_key=True, index=True)


class Invitation(Base):
    """A single-use, expiring invitation; only the token's hash is stored."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    role: Mapped[str] = mapped_column(String(16))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    regions: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("workers.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    used_by: Mapped[int | None] = mapped_column(ForeignKey("workers.id"), nullable=True)

    organisation: Mapped[Organisation] = relationship()


class ProcessedUpdate(Base):
    """Telegram update ids already handled, so a redelivered update is ignored."""

    __tablename__ = "processed_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class AuditEntry(Base):
    """Append-only trail of who did what, when; never message text."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("workers.id", ondelete="SET NULL"), nullable=True
    )
    actor_telegram_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    subject_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    subject_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    region: Mapped[str | None] = mapped_column(String(4), nullable=True)
    details: Mapped[dict] = mapped_column(JSON, default=dict)


class DatabaseMeta(Base):
    """Facts about the database itself: ``relais try`` marks the databases it creates here
    (key ``try_database``), and nothing else ever may be wiped or seeded with sample data."""

    __tablename__ = "relais_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
