"""The community of practice: shared tools and good practices (bilingual library items)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, UTCDateTime


class PracticeTool(Base):
    """A guide, checklist, contact list or training offer, in French and/or English.

    ``key`` identifies an item across imports (an import updates the item with the same key);
    ``regions`` empty means the whole of Québec; ``retired_at`` hides it without deleting it.
    """

    __tablename__ = "practice_tools"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    title_fr: Mapped[str | None] = mapped_column(String(200), nullable=True)
    title_en: Mapped[str | None] = mapped_column(String(200), nullable=True)
    summary_fr: Mapped[str | None] = mapped_column(Text, nullable=True)
    summary_en: Mapped[str | None] = mapped_column(Text, nullable=True)
    body_fr: Mapped[str | None] = mapped_column(Text, nullable=True)
    body_en: Mapped[str | None] = mapped_column(Text, nullable=True)
    url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    regions: Mapped[list[str]] = mapped_column(JSON, default=list)
    organisation: Mapped[str] = mapped_column(String(200), default="")
    published_on: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(16), default="chat")  # chat | import | starter
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("workers.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)

    def field(self, name: str, lang: str | None) -> str:
        """``title``/``summary``/``body`` in ``lang``, else in the other language, else ''."""
        fr, en = getattr(self, f"{name}_fr"), getattr(self, f"{name}_en")
        first, second = (en, fr) if lang == "en" else (fr, en)
        return first or second or ""
