"""relais_meta: facts about the database itself (the ``relais try`` marker)

Revision ID: 0007_meta
Revises: 0006_handoffs
Create Date: 2026-12-02 22:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_meta"
down_revision = "0006_handoffs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "relais_meta",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_relais_meta")),
    )


def downgrade() -> None:
    op.drop_table("relais_meta")
