"""Who receives an announcement: a scope of regions and, optionally, a sector, on-call or a role.

A coordinator addresses only their own regions; an administrator any region (or the whole
province). Recipients are active workers who have not blocked the bot, selected in SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import InvalidInput, NotAllowed
from bot.i18n import N_, Text
from bot.models.core import Organisation, Role, Sector, Worker, WorkerRegion

MINE = "mine"  # everyone in my regions
REGIONS = "regions"  # chosen regions
SECTOR = "sector"  # organisations of a sector, in my regions
ONCALL = "oncall"  # on-call workers, in my regions
ROLE = "role"  # a role, in my regions
KINDS = (MINE, REGIONS, SECTOR, ONCALL, ROLE)

AUDIENCE_SECTORS = (
    Sector.COMMUNITY.value,
    Sector.YOUTH_PROTECTION.value,
    Sector.HEALTH.value,
    Sector.POLICE.value,
    Sector.SHELTER.value,
    Sector.VICTIM_SUPPORT.value,
)
SECTOR_LABELS = {
    Sector.COMMUNITY.value: N_("community organisations"),
    Sector.YOUTH_PROTECTION.value: N_("youth protection"),
    Sector.HEALTH.value: N_("health and social services"),
    Sector.POLICE.value: N_("police"),
    Sector.SHELTER.value: N_("shelters"),
    Sector.VICTIM_SUPPORT.value: N_("victim support"),
    Sector.OTHER.value: N_("other organisations"),
}
ROLE_LABELS = {
    Role.WORKER.value: N_("workers"),
    Role.COORDINATOR.value: N_("coordinators"),
    Role.ADMIN.value: N_("administrators"),
}


def all_region_codes() -> list[str]:
    from knowledge.regions import load_regions

    return sorted(load_regions())


def allowed_regions(author: Worker) -> list[str]:
    """The regions an author may address: their own; every region for an administrator."""
    if author.is_admin:
        return all_region_codes()
    if not author.is_coordinator:
        return []
    return author.regions


@dataclass(frozen=True)
class Audience:
    """``regions`` empty means the whole province (administrators only)."""

    kind: str
    regions: tuple[str, ...] = ()
    value: str | None = None  # the sector or role

    def matches(self, worker: Worker) -> bool:
        """Whether ``worker`` is (now) part of this audience (used by /announcements)."""
        if self.regions and not set(self.regions) & set(worker.regions):
            return False
        if self.kind == SECTOR:
            return bool(worker.organisation and worker.organisation.sector == self.value)
        if self.kind == ONCALL:
            return worker.on_call
        if self.kind == ROLE:
            return worker.role == self.value
        return True


def make_audience(
    author: Worker, kind: str, *, regions: Sequence[str] = (), value: str | None = None
) -> Audience:
    """Check and build an audience for ``author``; a coordinator stays within their regions."""
    if not author.is_coordinator:
        raise NotAllowed(N_("This command is for coordinators."))
    if kind not in KINDS:
        raise InvalidInput(N_("Unknown audience."))
    allowed = allowed_regions(author)
    if kind == REGIONS:
        chosen = tuple(sorted(set(regions)))
        if not chosen:
            raise InvalidInput(N_("Choose at least one region."))
        outside = [code for code in chosen if code not in allowed]
        if outside:
            raise NotAllowed(
                N_("You can only address your own regions ({regions})."),
                regions=", ".join(allowed) or "—",
            )
        scope = chosen
    elif author.is_admin:
        # an administrator addresses the whole province, or their own regions for "mine"
        scope = tuple(author.regions) if kind == MINE else ()
    else:
        scope = tuple(allowed)
        if not scope:
            raise NotAllowed(N_("You have no region to address."))
    if kind == SECTOR and value not in AUDIENCE_SECTORS:
        raise InvalidInput(N_("Unknown sector."))
    if kind == ROLE and value not in ROLE_LABELS:
        raise InvalidInput(N_("Unknown role: {role}."), role=value or "")
    if kind in (MINE, REGIONS, ONCALL):
        value = None
    return Audience(kind=kind, regions=scope, value=value)


def recipients_query(audience: Audience, *, exclude_worker_id: int | None = None) -> Select:
    """Workers of the audience who can receive messages, by id."""
    query = select(Worker).where(Worker.active.is_(True), Worker.blocked_bot.is_(False))
    if audience.regions:
        query = query.where(
            Worker.id.in_(
                select(WorkerRegion.worker_id).where(WorkerRegion.region.in_(audience.regions))
            )
        )
    if audience.kind == SECTOR:
        query = query.where(
            Worker.organisation_id.in_(
                select(Organisation.id).where(Organisation.sector == audience.value)
            )
        )
    elif audience.kind == ONCALL:
        query = query.where(Worker.on_call.is_(True))
    elif audience.kind == ROLE:
        query = query.where(Worker.role == audience.value)
    if exclude_worker_id is not None:
        query = query.where(Worker.id != exclude_worker_id)
    return query.order_by(Worker.id)


async def count_recipients(
    session: AsyncSession, audience: Audience, *, exclude_worker_id: int | None = None
) -> int:
    subquery = recipients_query(audience, exclude_worker_id=exclude_worker_id).subquery()
    return int(await session.scalar(select(func.count()).select_from(subquery)) or 0)


def describe(audience: Audience, t: Text) -> str:
    """"everyone in 06 Montréal, 13 Laval" / "police — 06 Montréal"."""
    from knowledge.regions import region_name

    if audience.regions:
        where = ", ".join(f"{code} {region_name(code, t.lang)}" for code in audience.regions)
    else:
        where = t.gettext("all of Québec")
    if audience.kind == SECTOR:
        who = t.gettext(SECTOR_LABELS.get(audience.value or "", SECTOR_LABELS["other"]))
    elif audience.kind == ONCALL:
        who = t.gettext("on-call workers")
    elif audience.kind == ROLE:
        who = t.gettext(ROLE_LABELS.get(audience.value or "", ROLE_LABELS["worker"]))
    else:
        who = t.gettext("everyone")
    return t.gettext("{who} — {where}", who=who, where=where)
