"""Live handoffs counted month by month, each month kept (``stats_live_months``) until it changes.

Counting a year of handoffs again at every ``/stats`` would cost as much as the year is big. A
month's counts for one scope of regions are stored with the month's *stamp*: how many handoffs
it has and the sum of their versions (every UPDATE of a handoff raises its ``version``; a new
or purged handoff changes the number). A view reads every month's stamp in one pass over the
``(month, version)`` index, takes the stored counts of months whose stamp is unchanged, and
counts only the others (in practice this month and the few recent months whose handoffs still
move), then stores them in the caller's transaction. The stamp is read before the handoffs: a
change committed in between can only make a stored month newer than its stamp, which then
counts it again, never keep it stale.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, literal_column, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models.handoffs import Handoff
from bot.models.stats import LiveMonthCount
from bot.services.handoffs.lifecycle import Status
from bot.services.stats.fold import WEEK_MINUTES
from bot.services.stats.grouping import execute_all, grouped, read_rows, scoped

#: A loop closed within this many minutes counts as closed within 7 days.
#: The scope of every region.
EVERY_REGION = "*"

DIMENSIONS: dict[str, Any] = {
    "month": Handoff.month, "priority": Handoff.priority, "need": Handoff.need,
    "status": Handoff.status, "reason": Handoff.status_reason,
    "from_region": Handoff.from_region, "region": Handoff.service_region, "outcome": Handoff.outcome,
    "accepted": Handoff.accepted_at.is_not(None),
    "closed": Handoff.closed_min <= literal_column(str(WEEK_MINUTES)),
    "accept_min": Handoff.accept_min, "response_min": Handoff.response_min,
}
#: A month's marginal tables (each keyed by month first), in two groups: one scan each, side
#: by side on two connections where the database allows it.
GROUPS: tuple[dict[str, tuple[str, ...]], ...] = (
    {"by_state": ("month", "priority", "need", "status", "reason"),
     "loops": ("month", "outcome", "accepted", "closed"),
     "response": ("month", "response_min")},
    {"by_place": ("month", "from_region", "region", "status", "reason"),
     "accept": ("month", "accept_min")},
)
TABLES = tuple(name for group in GROUPS for name in group)
#: The stored counts' layout: counts stored in another are counted again, not misread.
LAYOUT = 1


@dataclass
class LiveMonth:
    """One month's live handoffs (entered in error left out), as raw marginal counts: stored
    statuses and reasons, keys without the month."""

    tables: dict[str, Counter[tuple[Any, ...]]] = field(
        default_factory=lambda: {name: Counter() for name in TABLES})

    def to_json(self) -> str:
        """Column by column (each key part a list, then the numbers): read back in C loops."""
        stored: dict[str, Any] = {"layout": LAYOUT}
        for name, table in self.tables.items():
            keys = list(table)
            stored[name] = [[list(part) for part in zip(*keys, strict=True)] if keys else [],
                            [table[key] for key in keys]]
        return json.dumps(stored, separators=(",", ":"))

    @classmethod
    def from_json(cls, stored: str) -> LiveMonth | None:
        """The month stored by :meth:`to_json`; None for another layout (count it again)."""
        found = json.loads(stored)
        if found.get("layout") != LAYOUT:
            return None
        month = cls()
        for name in TABLES:
            parts, numbers = found[name]
            month.tables[name] = Counter(dict(zip(zip(*parts, strict=True), numbers,
                                                  strict=True)))
        return month


@dataclass(frozen=True)
class Stamp:
    """What a month's stored counts hold for: its number of handoffs and sum of versions."""

    handoffs: int = 0
    versions: int = 0


def scope_key(regions: Sequence[str] | None) -> str:
    """"*" for every region, else the sorted codes joined by ","."""
    return EVERY_REGION if regions is None else ",".join(sorted(set(regions)))


async def stamps(session: AsyncSession, months: Sequence[str]) -> dict[str, Stamp]:
    """Every month's stamp (months without handoffs: the empty stamp)."""
    rows = await session.execute(
        select(Handoff.month, func.count(), func.coalesce(func.sum(Handoff.version), 0))
        .where(Handoff.month.between(min(months), max(months))).group_by(Handoff.month))
    found = {month: Stamp(int(n), int(versions)) for month, n, versions in rows}
    return {month: found.get(month, Stamp()) for month in months}


async def unchanged(session: AsyncSession, months: Sequence[str], scope: str,
                    month_stamps: Mapping[str, Stamp]) -> dict[str, LiveMonth]:
    """The stored counts of ``months`` for ``scope`` that still hold (same stamp)."""
    table = LiveMonthCount
    rows = await session.execute(
        select(table.month, table.handoffs, table.versions, table.counts)
        .where(table.scope == scope, table.month.between(min(months), max(months))))
    found = {month: LiveMonth.from_json(counts) for month, handoffs, versions, counts in rows
             if Stamp(handoffs, versions) == month_stamps.get(month)}
    return {month: live for month, live in found.items() if live is not None}


def queries(months: Sequence[str], regions: Sequence[str] | None, grouping_sets: bool
            ) -> list[tuple[Any, Any, Mapping[str, tuple[str, ...]]]]:
    """The scans that count ``months`` (query, how to read its rows, its tables)."""
    where = (Handoff.month.in_(list(months)),
             Handoff.status != Status.ENTERED_IN_ERROR.value, scoped(Handoff.service_region, Handoff.from_region, regions))
    return [(query, how, sets) for sets in GROUPS
            for query, how in grouped(DIMENSIONS, sets, func.count(), where, grouping_sets)]


def split(found: Mapping[str, Counter[tuple[Any, ...]]], months: Iterable[str]
          ) -> dict[str, LiveMonth]:
    """Counts keyed by month first, as one :class:`LiveMonth` per month."""
    by_month = {month: LiveMonth() for month in months}
    for name, table in found.items():
        for (month, *key), number in table.items():
            if month in by_month:
                by_month[month].tables[name][tuple(key)] += number
    return by_month


async def store(session: AsyncSession, scope: str, counted: Mapping[str, LiveMonth],
                month_stamps: Mapping[str, Stamp]) -> None:
    """Keep freshly counted months with the stamps read before counting them (in the caller's
    transaction; months in order, so that concurrent views lock rows in the same order)."""
    if not counted:
        return
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    rows = [{"month": month, "scope": scope, "handoffs": month_stamps[month].handoffs,
             "versions": month_stamps[month].versions, "counts": counted[month].to_json()}
            for month in sorted(counted)]
    statement = dialect.insert(LiveMonthCount).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=["month", "scope"],
        set_={name: statement.excluded[name] for name in ("handoffs", "versions", "counts")})
    await session.execute(statement)


async def live_by_month(session: AsyncSession, months: Sequence[str],
                        regions: Sequence[str] | None, *, keep: bool) -> dict[str, LiveMonth]:
    """Each month's live handoffs for ``regions``: as stored while unchanged, else counted
    (and stored when ``keep``, in the caller's transaction)."""
    scope = scope_key(regions)
    month_stamps = await stamps(session, months)
    found = await unchanged(session, months, scope, month_stamps)
    stale = [month for month in months if month not in found]
    if not stale:
        return found
    postgres = session.get_bind().dialect.name == "postgresql"
    plans = queries(stale, regions, postgres)
    counted: dict[str, Counter[tuple[Any, ...]]] = {}
    results = await execute_all(session, [query for query, _how, _sets in plans])
    for (_query, how, sets), rows in zip(plans, results, strict=True):
        read_rows(rows, how, sets, counted)
    fresh = split(counted, stale)
    if keep:
        await store(session, scope, fresh, month_stamps)
    return {**found, **fresh}

