"""Anonymous counts for coordinators' figures (``/stats``, ``relais stats``).

Nothing here ties back to a case code, a worker or a text: each row is a cell of a monthly
table (month, regions, category codes) and a count. ``stats_searches`` is counted at the time of
each directory search (its region, need categories, age band, hour band, whether anything could
take the youth now and whether a place was free; never its words). ``stats_handoff_months`` and
``stats_handoff_times`` keep the handoffs of purged cases, folded in by the retention purge, so
that figures outlive the cases; live handoffs are counted from ``handoffs`` itself.
Unknown regions and categories are stored as "" so that the unique keys hold.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base


class SearchCount(Base):
    """How many searches fell in one cell; ``need`` "*" counts each search once (its total),
    other rows count it once per need category it named."""

    __tablename__ = "stats_searches"
    __table_args__ = (
        UniqueConstraint("month", "region", "need", "age_band", "hour_band", "can_take_now",
                         "place_free", name="uq_stats_searches_cell"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM, local time
    region: Mapped[str] = mapped_column(String(4))  # "" when the search named no region
    need: Mapped[str] = mapped_column(String(64))  # taxonomy category, or "*" (every search)
    age_band: Mapped[str] = mapped_column(String(16))  # bot.services.cases.AGE_BANDS or unknown
    hour_band: Mapped[str] = mapped_column(String(16))  # night|morning|afternoon|evening
    can_take_now: Mapped[bool] = mapped_column(Boolean)
    place_free: Mapped[bool] = mapped_column(Boolean)
    count: Mapped[int] = mapped_column(Integer, default=0)


class SearchNeedCount(Base):
    """How many searches fell in one cell of the unmet-need map: ``stats_searches`` without its
    age and hour bands, counted beside it, so that a year of figures reads a few thousand
    cells rather than every band's."""

    __tablename__ = "stats_search_needs"
    __table_args__ = (
        UniqueConstraint("month", "region", "need", "can_take_now", "place_free",
                         name="uq_stats_search_needs_cell"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[str] = mapped_column(String(7))
    region: Mapped[str] = mapped_column(String(4))
    need: Mapped[str] = mapped_column(String(64))
    can_take_now: Mapped[bool] = mapped_column(Boolean)
    place_free: Mapped[bool] = mapped_column(Boolean)
    count: Mapped[int] = mapped_column(Integer, default=0)


class LiveMonthCount(Base):
    """One month's live handoffs counted for one scope of regions ("*" for all, else the
    regions' codes joined by ","), as JSON of marginal counts (codes and numbers only). It
    holds while the month's number of handoffs and sum of versions are still ``handoffs`` and
    ``versions``: any new, changed or purged handoff of that month changes one of them."""

    __tablename__ = "stats_live_months"
    __table_args__ = (UniqueConstraint("month", "scope", name="uq_stats_live_months_cell"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[str] = mapped_column(String(7))
    scope: Mapped[str] = mapped_column(String(80))
    handoffs: Mapped[int] = mapped_column(Integer)
    versions: Mapped[int] = mapped_column(BigInteger)
    counts: Mapped[str] = mapped_column(Text)


class HandoffMonthCount(Base):
    """Handoffs of purged cases, by month and category: what remains of them."""

    __tablename__ = "stats_handoff_months"
    __table_args__ = (
        UniqueConstraint("month", "from_region", "region", "priority", "need", "state",
                         "reason", "outcome", "closed_7d", name="uq_stats_handoff_months_cell"),
        Index("ix_stats_handoff_months_month", "month"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[str] = mapped_column(String(7))
    from_region: Mapped[str] = mapped_column(String(4))  # the requester's region
    region: Mapped[str] = mapped_column(String(4))  # the service's region
    priority: Mapped[str] = mapped_column(String(16))
    need: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))  # bot.services.stats.states.STATES
    reason: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(32))  # outcome code, "unrecorded" or ""
    closed_7d: Mapped[bool] = mapped_column(Boolean)
    count: Mapped[int] = mapped_column(Integer, default=0)


class HandoffTimeCount(Base):
    """Minutes to first response or to acceptance of purged cases' handoffs, as counts."""

    __tablename__ = "stats_handoff_times"
    __table_args__ = (
        UniqueConstraint("month", "from_region", "region", "priority", "need", "measure",
                         "minutes", name="uq_stats_handoff_times_cell"),
        Index("ix_stats_handoff_times_month", "month"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[str] = mapped_column(String(7))
    from_region: Mapped[str] = mapped_column(String(4))
    region: Mapped[str] = mapped_column(String(4))
    priority: Mapped[str] = mapped_column(String(16))
    need: Mapped[str] = mapped_column(String(64))
    measure: Mapped[str] = mapped_column(String(16))  # response | accept
    minutes: Mapped[int] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(Integer, default=0)
