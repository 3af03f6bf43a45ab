"""handoffs, their history and their recipients (merges directory, cases and reminders)

Revision ID: 0006_handoffs
Revises: 0002_directory, 0003_cases, 0004_reminders
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.base

revision = "0006_handoffs"
down_revision = ("0002_directory", "0003_cases", "0004_reminders")
branch_labels = None
depends_on = None

UTC = bot.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "handoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=True),
        sa.Column("service_name", sa.String(length=300), nullable=False),
        sa.Column("directory_org_id", sa.String(length=64), nullable=True),
        sa.Column("region", sa.String(length=4), nullable=True),
        sa.Column("requester_id", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("status_reason", sa.String(length=32), nullable=True),
        sa.Column("status_note_enc", sa.Text(), nullable=True),
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("note_enc", sa.Text(), nullable=True),
        sa.Column("needs", sa.JSON(), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("sla_stage", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.Column("seen_at", UTC, nullable=True),
        sa.Column("accepted_at", UTC, nullable=True),
        sa.Column("ended_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_handoffs_case_id_cases"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["service_id"], ["directory_services.id"],
                                name=op.f("fk_handoffs_service_id_directory_services"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["requester_id"], ["workers.id"],
                                name=op.f("fk_handoffs_requester_id_workers"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["owner_id"], ["workers.id"],
                                name=op.f("fk_handoffs_owner_id_workers"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoffs")),
    )
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        for column in ("case_id", "service_id", "region", "requester_id", "owner_id", "status"):
            batch_op.create_index(batch_op.f(f"ix_handoffs_{column}"), [column], unique=False)

    op.create_table(
        "handoff_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("from_status", sa.String(length=24), nullable=True),
        sa.Column("to_status", sa.String(length=24), nullable=True),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("note_enc", sa.Text(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["handoff_id"], ["handoffs.id"],
                                name=op.f("fk_handoff_events_handoff_id_handoffs"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["actor_id"], ["workers.id"],
                                name=op.f("fk_handoff_events_actor_id_workers"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoff_events")),
    )
    with op.batch_alter_table("handoff_events", schema=None) as batch_op:
        batch_op.create_index("ix_handoff_events_handoff_at", ["handoff_id", "at"], unique=False)

    op.create_table(
        "handoff_recipients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("sent_at", UTC, nullable=True),
        sa.Column("seen_at", UTC, nullable=True),
        sa.Column("details", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["handoff_id"], ["handoffs.id"],
                                name=op.f("fk_handoff_recipients_handoff_id_handoffs"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["worker_id"], ["workers.id"],
                                name=op.f("fk_handoff_recipients_worker_id_workers"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoff_recipients")),
        sa.UniqueConstraint("handoff_id", "worker_id",
                            name=op.f("uq_handoff_recipients_handoff_id")),
    )
    with op.batch_alter_table("handoff_recipients", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_handoff_recipients_handoff_id"), ["handoff_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_handoff_recipients_worker_id"), ["worker_id"],
                              unique=False)


def downgrade() -> None:
    op.drop_table("handoff_recipients")
    op.drop_table("handoff_events")
    op.drop_table("handoffs")
