"""anonymous figures: handoff stats columns, search counts, what remains of purged handoffs

- ``handoffs``: ``month`` (local month asked), ``from_region`` (the requester's region),
  ``service_region`` (the service's region, where ``region`` is the youth's),
  ``need`` (first need category), ``response_min``, ``accept_min``, ``closed_min`` (minutes to
  the first response, to acceptance, to the loop's closing); filled in for existing handoffs.
- ``stats_searches``: directory searches counted by cell (never their words).
- ``stats_handoff_months`` and ``stats_handoff_times``: handoffs of purged cases, as counts.

Revision ID: 0011_stats
Revises: 0010_loop
Create Date: 2026-12-03 11:30:00
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0011_stats"
down_revision = "0010_loop"
branch_labels = None
depends_on = None

CELL = ("month", "from_region", "region", "priority", "need")


def _key_columns(*names: str) -> list[sa.Column]:
    sizes = {"month": 7, "from_region": 4, "region": 4, "priority": 16, "need": 64,
             "state": 16, "reason": 32, "outcome": 32, "measure": 16, "age_band": 16,
             "hour_band": 16}
    return [sa.Column(name, sa.String(sizes[name]), nullable=False) for name in names]


def upgrade() -> None:
    with op.batch_alter_table("handoffs") as batch:
        batch.add_column(sa.Column("month", sa.String(7), nullable=True))
        batch.add_column(sa.Column("from_region", sa.String(4), nullable=True))
        batch.add_column(sa.Column("service_region", sa.String(4), nullable=True))
        batch.add_column(sa.Column("need", sa.String(64), nullable=True))
        batch.add_column(sa.Column("response_min", sa.Integer, nullable=True))
        batch.add_column(sa.Column("accept_min", sa.Integer, nullable=True))
        batch.add_column(sa.Column("closed_min", sa.Integer, nullable=True))
    op.create_index("ix_handoffs_month_service_region", "handoffs", ["month", "service_region"])
    op.create_index("ix_handoffs_month_from_region", "handoffs", ["month", "from_region"])
    op.create_table(
        "stats_searches",
        sa.Column("id", sa.Integer, primary_key=True),
        *_key_columns("month", "region", "need", "age_band", "hour_band"),
        sa.Column("can_take_now", sa.Boolean, nullable=False),
        sa.Column("place_free", sa.Boolean, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.UniqueConstraint("month", "region", "need", "age_band", "hour_band", "can_take_now",
                            "place_free", name="uq_stats_searches_cell"),
    )
    op.create_table(
        "stats_handoff_months",
        sa.Column("id", sa.Integer, primary_key=True),
        *_key_columns(*CELL, "state", "reason", "outcome"),
        sa.Column("closed_7d", sa.Boolean, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.UniqueConstraint(*CELL, "state", "reason", "outcome", "closed_7d",
                            name="uq_stats_handoff_months_cell"),
    )
    op.create_index("ix_stats_handoff_months_month", "stats_handoff_months", ["month"])
    op.create_table(
        "stats_handoff_times",
        sa.Column("id", sa.Integer, primary_key=True),
        *_key_columns(*CELL, "measure"),
        sa.Column("minutes", sa.Integer, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.UniqueConstraint(*CELL, "measure", "minutes", name="uq_stats_handoff_times_cell"),
    )
    op.create_index("ix_stats_handoff_times_month", "stats_handoff_times", ["month"])
    _fill_existing()


def _aware(value: datetime | str | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _minutes(start: datetime, end: datetime | None) -> int | None:
    return None if end is None else max(0, round((end - start).total_seconds() / 60))


def _service_region(youth_region: str | None, served: set[str] | None) -> str | None:
    """The service's region: the youth's when the service serves it, else its first."""
    if not served or youth_region in served:
        return youth_region
    return min(served)


def _fill_existing() -> None:
    """The new columns of handoffs made before this version, from what they already hold."""
    bind = op.get_bind()
    zone = ZoneInfo(os.environ.get("RELAIS_TIMEZONE") or "America/Toronto")
    first_region = dict(bind.execute(sa.text(
        "SELECT worker_id, MIN(region) FROM worker_regions GROUP BY worker_id")).all())
    served: dict[int, set[str]] = {}
    for service_id, region in bind.execute(sa.text(
            "SELECT service_id, region FROM directory_service_regions")).all():
        served.setdefault(service_id, set()).add(region)
    rows = bind.execute(sa.text(
        "SELECT id, requester_id, service_id, region, needs, status, status_reason, "
        "created_at, accepted_at, ended_at FROM handoffs")).all()
    for row in rows:
        created = _aware(row.created_at)
        if created is None:
            continue
        needs = row.needs if not isinstance(row.needs, str) else json.loads(row.needs or "[]")
        accepted, ended = _aware(row.accepted_at), _aware(row.ended_at)
        answered = accepted or (ended if row.status == "rejected"
                                and row.status_reason != "no-response" else None)
        bind.execute(sa.text(
            "UPDATE handoffs SET month = :month, from_region = :from_region, "
            "service_region = :service_region, need = :need, "
            "response_min = :response, accept_min = :accept, closed_min = :closed "
            "WHERE id = :id"), {
                "id": row.id, "month": created.astimezone(zone).strftime("%Y-%m"),
                "from_region": first_region.get(row.requester_id),
                "service_region": _service_region(row.region, served.get(row.service_id)),
                "need": (needs or [None])[0], "response": _minutes(created, answered),
                "accept": _minutes(created, accepted), "closed": _minutes(created, ended)})


def downgrade() -> None:
    op.drop_index("ix_stats_handoff_times_month", "stats_handoff_times")
    op.drop_table("stats_handoff_times")
    op.drop_index("ix_stats_handoff_months_month", "stats_handoff_months")
    op.drop_table("stats_handoff_months")
    op.drop_table("stats_searches")
    op.drop_index("ix_handoffs_month_from_region", "handoffs")
    op.drop_index("ix_handoffs_month_service_region", "handoffs")
    with op.batch_alter_table("handoffs") as batch:
        for name in ("closed_min", "accept_min", "response_min", "need", "service_region",
                     "from_region", "month"):
            batch.drop_column(name)
