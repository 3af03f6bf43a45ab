"""inbox of received Telegram updates kept until handled, outbox of messages kept until sent

Revision ID: 0008_inbox
Revises: 0007_meta
Create Date: 2026-12-02 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.base

revision = "0008_inbox"
down_revision = "0007_meta"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("bot_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("payload_enc", sa.Text(), nullable=False),
        sa.Column("received_at", bot.db.base.UTCDateTime(), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("claimed_until", bot.db.base.UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("update_id", "bot_id"),
    )
    op.create_index("ix_inbox_updates_claimed_until", "inbox_updates", ["claimed_until"])
    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=True),
        sa.Column("body_enc", sa.Text(), nullable=False),
        sa.Column("record_table", sa.String(length=64), nullable=True),
        sa.Column("record_id", sa.Integer(), nullable=True),
        sa.Column("created_at", bot.db.base.UTCDateTime(), nullable=False),
        sa.Column("claimed_until", bot.db.base.UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_outbox_messages_claimed_until", "outbox_messages", ["claimed_until"])


def downgrade() -> None:
    op.drop_index("ix_outbox_messages_claimed_until", table_name="outbox_messages")
    op.drop_table("outbox_messages")
    op.drop_index("ix_inbox_updates_claimed_until", table_name="inbox_updates")
    op.drop_table("inbox_updates")
