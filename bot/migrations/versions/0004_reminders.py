"""scheduled jobs (reminders, handoff timers, follow-ups, periodic checks)

Revision ID: 0004_reminders
Revises: 0001_core
Create Date: 2026-11-29 03:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.base

revision = "0004_reminders"
down_revision = "0001_core"
branch_labels = None
depends_on = None

CLAIMABLE = "state IN ('pending', 'sending')"


def upgrade() -> None:
    op.create_table(
        "scheduled_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=True),
        sa.Column("ref", sa.String(length=64), nullable=True),
        sa.Column("key", sa.String(length=160), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("due_at", bot.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", bot.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deferred_to", bot.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("lease_expires_at", bot.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent_at", bot.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("last_error", sa.String(length=64), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", bot.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", bot.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["worker_id"], ["workers.id"],
            name=op.f("fk_scheduled_jobs_worker_id_workers"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["workers.id"],
            name=op.f("fk_scheduled_jobs_created_by_workers"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_jobs")),
        sa.UniqueConstraint("key", name=op.f("uq_scheduled_jobs_key")),
    )
    with op.batch_alter_table("scheduled_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scheduled_jobs_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_scheduled_jobs_ref"), ["ref"], unique=False)
        batch_op.create_index(
            "ix_scheduled_jobs_worker_state", ["worker_id", "state"], unique=False
        )
        batch_op.create_index(
            "ix_scheduled_jobs_state_worker", ["state", "worker_id"], unique=False
        )
        batch_op.create_index(
            "ix_scheduled_jobs_due",
            ["next_attempt_at"],
            unique=False,
            postgresql_where=sa.text(CLAIMABLE),
            sqlite_where=sa.text(CLAIMABLE),
        )


def downgrade() -> None:
    with op.batch_alter_table("scheduled_jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_scheduled_jobs_due")
        batch_op.drop_index("ix_scheduled_jobs_state_worker")
        batch_op.drop_index("ix_scheduled_jobs_worker_state")
        batch_op.drop_index(batch_op.f("ix_scheduled_jobs_ref"))
        batch_op.drop_index(batch_op.f("ix_scheduled_jobs_kind"))
    op.drop_table("scheduled_jobs")
