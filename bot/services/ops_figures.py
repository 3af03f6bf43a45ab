"""What an operator watches, read from the database: counts only, never a row's content.

- :func:`read_figures`: handoffs by status, scheduled jobs due and late, broadcast deliveries
  waiting (read at each ``/metrics`` scrape, so several processes report the same figures);
- :func:`database_answers`, :func:`migration_problem`: two of ``/readyz``'s checks.

Reminders follow the dispatcher's own rule (:mod:`bot.services.reminders.dispatcher`): a job is
due from its ``deferred_to`` (quiet hours) or else its ``due_at``, and late once that moment is
more than ``RELAIS_REMINDER_LATE_SECONDS`` old; only jobs not sent yet (pending, or being sent)
count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import case, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

OTHER_STATUS = "other"  # a status written by a newer version, until it is listed


@dataclass(frozen=True)
class Figures:
    handoffs_by_status: dict[str, int] = field(default_factory=dict)
    reminders_due: int = 0
    reminders_late: int = 0
    broadcast_queue: int = 0


def handoff_statuses() -> tuple[str, ...]:
    from bot.services.handoffs.lifecycle import Status

    return tuple(status.value for status in Status)


async def count_handoffs(session: AsyncSession) -> dict[str, int]:
    """Handoffs by status; every known status present (0 when none)."""
    from bot.models.handoffs import Handoff

    known = handoff_statuses()
    counts = dict.fromkeys(known, 0)
    rows = await session.execute(select(Handoff.status, func.count()).group_by(Handoff.status))
    for status, count in rows.all():
        key = status if status in counts else OTHER_STATUS
        counts[key] = counts.get(key, 0) + int(count)
    return counts


async def count_reminders(session: AsyncSession, now: datetime, late_seconds: float
                          ) -> tuple[int, int]:
    """(due, late): scheduled jobs not sent yet whose moment has come, and came long ago."""
    from bot.models.reminders import CLAIMABLE, ScheduledJob

    moment = func.coalesce(ScheduledJob.deferred_to, ScheduledJob.due_at)
    late_before = now - timedelta(seconds=late_seconds)
    row = (await session.execute(
        select(
            func.coalesce(func.sum(case((moment <= now, 1), else_=0)), 0),
            func.coalesce(func.sum(case((moment < late_before, 1), else_=0)), 0),
        ).where(ScheduledJob.state.in_(CLAIMABLE))
    )).one()
    return int(row[0]), int(row[1])


async def count_broadcast_queue(session: AsyncSession) -> int:
    """Broadcast deliveries waiting to be sent (pending, or claimed and not sent yet)."""
    from bot.models.broadcasts import OPEN_STATUSES, BroadcastDelivery

    return int(await session.scalar(
        select(func.count()).select_from(BroadcastDelivery)
        .where(BroadcastDelivery.status.in_(OPEN_STATUSES))
    ) or 0)


async def read_figures(session: AsyncSession, *, now: datetime, late_seconds: float) -> Figures:
    """Every figure, read in one session."""
    from bot.models import load_all_models

    load_all_models()  # the mappers reach each other's tables
    due, late = await count_reminders(session, now, late_seconds)
    return Figures(
        handoffs_by_status=await count_handoffs(session),
        reminders_due=due,
        reminders_late=late,
        broadcast_queue=await count_broadcast_queue(session),
    )


async def database_answers(session: AsyncSession) -> None:
    """Raises when the database does not answer a trivial query."""
    await session.execute(text("SELECT 1"))


async def applied_revisions(session: AsyncSession) -> set[str]:
    """The Alembic revisions the database is at (empty when never migrated)."""
    try:
        rows = await session.execute(text("SELECT version_num FROM alembic_version"))
    except Exception:  # no alembic_version table: never migrated
        await session.rollback()
        return set()
    return {str(row[0]) for row in rows.all()}


@cache
def code_heads() -> frozenset[str]:
    """The head revision(s) of the migrations shipped with this code (read once)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from bot.db.migrate import MIGRATIONS_DIR

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def migration_problem(applied: set[str], heads: frozenset[str]) -> str | None:
    """One line when the database is not at the code's head revision(s), else None."""
    if set(applied) == set(heads):
        return None
    shown = ", ".join(sorted(applied)) or "no revision"
    return (f"database at {shown}, code at {', '.join(sorted(heads))} "
            "(run `relais db upgrade`)")
