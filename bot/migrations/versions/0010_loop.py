"""the 3 a.m. path: handoff groups, on-call until a time, stored error reports

- ``handoffs.group_key``: an urgent request sent to several services at once shares one key; the
  first acceptance wins for all of them.
- ``workers.on_call_until``: on-call ends at this time (NULL: until the worker stops it).
- ``directory_reports``: a listing's error reports, so that coordinators can list and resolve
  them. The description and the resolution note are screened and stored encrypted.

Revision ID: 0010_loop
Revises: 0009_criteria_words
Create Date: 2026-12-03 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.base

revision = "0010_loop"
down_revision = "0009_criteria_words"
branch_labels = None
depends_on = None

UTC = bot.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("handoffs") as batch:
        batch.add_column(sa.Column("group_key", sa.String(32), nullable=True))
        batch.create_index("ix_handoffs_group_key", ["group_key"])
    with op.batch_alter_table("workers") as batch:
        batch.add_column(sa.Column("on_call_until", UTC, nullable=True))
    op.create_table(
        "directory_reports",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("service_id", sa.Integer,
                  sa.ForeignKey("directory_services.id", ondelete="SET NULL"), nullable=True),
        sa.Column("service_name", sa.String(300), nullable=False, server_default=""),
        sa.Column("region", sa.String(4), nullable=True),
        sa.Column("reporter_id", sa.Integer,
                  sa.ForeignKey("workers.id", ondelete="SET NULL"), nullable=True),
        sa.Column("text_enc", sa.Text, nullable=True),
        sa.Column("status", sa.String(16), nullable=False, server_default="open"),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("resolved_at", UTC, nullable=True),
        sa.Column("resolver_id", sa.Integer,
                  sa.ForeignKey("workers.id", ondelete="SET NULL"), nullable=True),
        sa.Column("resolution_enc", sa.Text, nullable=True),
    )
    op.create_index("ix_directory_reports_status_region", "directory_reports",
                    ["status", "region"])
    op.create_index("ix_directory_reports_service_id", "directory_reports", ["service_id"])


def downgrade() -> None:
    op.drop_index("ix_directory_reports_service_id", "directory_reports")
    op.drop_index("ix_directory_reports_status_region", "directory_reports")
    op.drop_table("directory_reports")
    with op.batch_alter_table("workers") as batch:
        batch.drop_column("on_call_until")
    with op.batch_alter_table("handoffs") as batch:
        batch.drop_index("ix_handoffs_group_key")
        batch.drop_column("group_key")
