"""monthly rollups for figures: handoff versions, live month counts, searches by need

- ``handoffs.version``: raised by every UPDATE of a handoff (SQLAlchemy ``onupdate``), so that
  a month's (handoffs, sum of versions) changes whenever one of its handoffs does.
- ``stats_live_months``: the counts of one month's live handoffs for one scope of regions, kept
  with the month's (handoffs, sum of versions) at the time; reused while that pair holds.
- ``stats_search_needs``: searches by month, region, need category and outcome (the age and
  hour bands left out), counted beside ``stats_searches``; filled in from it.

Revision ID: 0012_stats_rollups
Revises: 0011_stats
Create Date: 2026-12-03 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_stats_rollups"
down_revision = "0011_stats"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN (with its default, SQLite allows NOT NULL): no copy of the table.
    op.add_column("handoffs", sa.Column("version", sa.Integer, nullable=False,
                                        server_default=sa.text("0")))
    op.create_index("ix_handoffs_month_version", "handoffs", ["month", "version"])
    op.create_table(
        "stats_live_months",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("scope", sa.String(80), nullable=False),
        sa.Column("handoffs", sa.Integer, nullable=False),
        sa.Column("versions", sa.BigInteger, nullable=False),
        sa.Column("counts", sa.Text, nullable=False),
        sa.UniqueConstraint("month", "scope", name="uq_stats_live_months_cell"),
    )
    op.create_table(
        "stats_search_needs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("region", sa.String(4), nullable=False),
        sa.Column("need", sa.String(64), nullable=False),
        sa.Column("can_take_now", sa.Boolean, nullable=False),
        sa.Column("place_free", sa.Boolean, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.UniqueConstraint("month", "region", "need", "can_take_now", "place_free",
                            name="uq_stats_search_needs_cell"),
    )
    op.execute(
        "INSERT INTO stats_search_needs (month, region, need, can_take_now, place_free, count) "
        "SELECT month, region, need, can_take_now, place_free, SUM(count) FROM stats_searches "
        "GROUP BY month, region, need, can_take_now, place_free")


def downgrade() -> None:
    op.drop_table("stats_search_needs")
    op.drop_table("stats_live_months")
    op.drop_index("ix_handoffs_month_version", "handoffs")
    with op.batch_alter_table("handoffs") as batch:
        batch.drop_column("version")
