"""handoff criteria keep no typed words: strip what older versions stored beyond interpretation

Older versions kept the leftover words of a search question (``text_terms``) in
``handoffs.criteria``; those words could name a youth. Only interpreted criteria are kept now
(see ``bot.services.directory.criteria.STORED_KEYS``), and this migration removes every other
key from rows already stored. There is no way back: a downgrade leaves the rows as they are.

Revision ID: 0009_criteria_words
Revises: 0008_inbox
Create Date: 2026-12-03 03:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_criteria_words"
down_revision = "0008_inbox"
branch_labels = None
depends_on = None

# Frozen copy of the keys an interpreted search has at this revision (a migration must not
# change meaning when the application code changes later).
KEPT = ("regions", "needs", "age", "language", "now", "urgent", "keywords", "place")
BATCH = 500

handoffs = sa.table(
    "handoffs", sa.column("id", sa.Integer), sa.column("criteria", sa.JSON)
)


def upgrade() -> None:
    bind = op.get_bind()
    last = 0
    while True:
        rows = bind.execute(
            sa.select(handoffs.c.id, handoffs.c.criteria)
            .where(handoffs.c.id > last).order_by(handoffs.c.id).limit(BATCH)
        ).all()
        if not rows:
            return
        for row_id, criteria in rows:
            if isinstance(criteria, dict) and set(criteria) - set(KEPT):
                kept = {key: criteria[key] for key in KEPT if key in criteria}
                bind.execute(
                    handoffs.update().where(handoffs.c.id == row_id).values(criteria=kept)
                )
        last = rows[-1][0]


def downgrade() -> None:
    """Nothing to restore: the removed words are gone on purpose."""
