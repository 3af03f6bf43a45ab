"""Invented activity for a ``relais try`` database (``relais demo activity``), so that ``/stats``
has a few months of figures to show: fictive workers, cases with random codes, handoffs with
their history and stats columns, and search counts, across the 17 regions.

Only ever into a try database (the command checks it, as ``relais try`` does). Everything is
drawn from a seeded generator (:mod:`.demo_stories`), so the same seed on the same day adds the
same activity. The workers belong to organisations whose names say they are fictive; none of them
receives real requests (they are no service's receivers).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models.cases import Case, CaseParticipant, CaseStatus, ParticipantRole
from bot.models.core import Role, Sector, Worker
from bot.models.directory import DirectoryService, ServiceCategory, ServiceRegion
from bot.models.handoffs import Handoff, HandoffEvent, HandoffRecipient
from bot.services import audit, demo
from bot.services.cases import ALPHABET, CODE_HEAD, CODE_TAIL, age_band_for
from bot.services.organisations import get_or_create_organisation
from bot.services.stats import demo_stories as stories
from bot.services.stats.recording import add_searches
from knowledge.regions import load_regions

#: Telegram-like ids of the fictive workers: above the console's local users (< 10^9).
DEMO_ID_BASE = 8_000_000_000
#: ``handlers.console.driver.DEFAULT_USER``: on a new try database, the console's first user is
#: its coordinator; registered here first, so that the demo workers do not take that place.
CONSOLE_FIRST_USER = "me"
ORGANISATIONS: dict[str, str] = {
    Sector.COMMUNITY.value: "Organisme communautaire de démonstration (fictif)",
    Sector.YOUTH_PROTECTION.value: "Équipe jeunesse de démonstration (fictive)",
    Sector.SHELTER.value: "Hébergement jeunesse de démonstration (fictif)",
}
#: Per region: who asks (community, youth protection) and who receives (shelter).
ROSTER = (Sector.COMMUNITY.value, Sector.COMMUNITY.value, Sector.YOUTH_PROTECTION.value,
          Sector.SHELTER.value, Sector.SHELTER.value)
HANDOFFS_PER_MONTH = 60
SEARCHES_PER_MONTH = 420

Services = dict[tuple[str, str | None], list[tuple[int, str]]]


@dataclass(frozen=True)
class Added:
    """What one run added."""

    workers: int
    cases: int
    handoffs: int
    searches: int
    months: int


@dataclass
class Team:
    """The fictive workers of one region."""

    requesters: list[Worker]
    receivers: list[Worker]


async def add_activity(session: AsyncSession, *, now: datetime, zone: ZoneInfo, months: int = 6,
                       seed: int = 13) -> Added:
    """Add ``months`` months of invented activity up to ``now``, in the caller's transaction."""
    rng = random.Random(seed)
    windows = stories.month_windows(now, zone, months)
    await ensure_console_coordinator(session, now)
    teams, new_workers = await demo_teams(session, since=windows[0].start - timedelta(days=30))
    services = await services_by_region(session)
    codes = set((await session.scalars(select(Case.code))).all())
    planned = [stories.plan(rng, w.start, w.end) for i, w in enumerate(windows)
               for _n in range(round(HANDOFFS_PER_MONTH * (1 + 0.05 * i) * w.share
                                     * rng.uniform(0.85, 1.15)))]
    pairs = [new_handoff(rng, story, now, zone, teams, services, codes) for story in planned]
    session.add_all(case for case, _handoff in pairs)
    await session.flush()
    for case, handoff in pairs:
        handoff.case_id = case.id
    session.add_all(handoff for _case, handoff in pairs)
    searches = 0
    for window in windows:
        count = round(SEARCHES_PER_MONTH * window.share * rng.uniform(0.85, 1.15))
        await add_searches(session, stories.search_cells(rng, window, count))
        searches += count
    added = Added(new_workers, len(pairs), len(pairs), searches, months)
    await audit.record(session, at=now, action="demo.activity_added", handoffs=added.handoffs,
                       searches=searches, months=months)
    await session.flush()
    return added


async def ensure_console_coordinator(session: AsyncSession, now: datetime) -> None:
    """On a try database nobody uses yet, register the console's first user as coordinator."""
    if not await demo.any_worker(session):
        await demo.ensure_demo_worker(session, name=CONSOLE_FIRST_USER,
                                      role=demo.demo_role(True), now=now)


async def demo_teams(session: AsyncSession, *, since: datetime) -> tuple[dict[str, Team], int]:
    """The fictive workers of every region (made once), and how many were made now."""
    organisations = {sector: await get_or_create_organisation(session, name, now=since,
                                                              sector=sector)
                     for sector, name in ORGANISATIONS.items()}
    known = {w.telegram_id: w for w in (await session.scalars(select(Worker).where(
        Worker.telegram_id.between(DEMO_ID_BASE, DEMO_ID_BASE + 999)))).all()}
    teams: dict[str, Team] = {}
    made = 0
    for code in load_regions():
        team = teams[code] = Team([], [])
        for number, sector in enumerate(ROSTER, 1):
            telegram_id = DEMO_ID_BASE + int(code) * 10 + number
            worker = known.get(telegram_id)
            if worker is None:
                worker = Worker(telegram_id=telegram_id, display_name=f"Démo {code}-{number}",
                                role=Role.WORKER.value, telegram_language="fr",
                                organisation_id=organisations[sector].id, created_at=since)
                worker.set_regions([code])
                session.add(worker)
                made += 1
            (team.receivers if sector == Sector.SHELTER.value else team.requesters).append(worker)
    await session.flush()
    return teams, made


async def services_by_region(session: AsyncSession) -> Services:
    """The directory's services by (region, category), and by (region, None)."""
    rows = (await session.execute(
        select(DirectoryService.id, DirectoryService.name, ServiceRegion.region,
               ServiceCategory.category)
        .join(ServiceRegion, ServiceRegion.service_id == DirectoryService.id)
        .join(ServiceCategory, ServiceCategory.service_id == DirectoryService.id)
        .where(DirectoryService.status == "active").order_by(DirectoryService.id)
    )).all()
    services: Services = {}
    for service_id, name, region, category in rows:
        for key in ((region, category), (region, None)):
            if (service_id, name) not in services.setdefault(key, []):
                services[key].append((service_id, name))
    return services


def new_code(rng: random.Random, taken: set[str]) -> str:
    """A random case code no case has (drawn from the seeded generator)."""
    while True:
        chars = "".join(rng.choice(ALPHABET) for _ in range(CODE_HEAD + CODE_TAIL))
        code = f"{chars[:CODE_HEAD]}-{chars[CODE_HEAD:]}"
        if code not in taken:
            taken.add(code)
            return code


def new_handoff(rng: random.Random, story: stories.Story, now: datetime, zone: ZoneInfo,
                teams: dict[str, Team], services: Services, codes: set[str]
                ) -> tuple[Case, Handoff]:
    """The case and the handoff of one story, as they stand at ``now`` (the case id is set by
    the caller once the cases are flushed)."""
    done = stories.replay(story, now)
    requester = rng.choice(teams[story.from_region].requesters)
    receiver = rng.choice(teams[story.region].receivers)
    created = story.created_at.astimezone(UTC)

    def at(minutes: int | None) -> datetime | None:
        return None if minutes is None else created + timedelta(minutes=minutes)

    case = new_case(rng, story, codes, requester, created)
    accepted = done.accept_min is not None
    if accepted:
        case.participants.append(CaseParticipant(
            worker_id=receiver.id, role=ParticipantRole.RECEIVER.value, added_at=at(done.accept_min)))
    closing = at(done.ended_min + 24 * 60) if done.ended_min is not None else None
    if closing is not None and closing <= now:
        case.status, case.closed_at, case.closed_by_id = CaseStatus.CLOSED.value, closing, requester.id
        case.outcome = "handoffs_ended"
    service_id, service_name = rng.choice(
        services.get((story.region, story.need)) or services.get((story.region, None))
        or [(None, "Service de démonstration (fictif)")])
    handoff = Handoff(
        service_id=service_id, service_name=service_name, region=story.region,
        requester_id=requester.id, owner_id=receiver.id if accepted else None,
        status=done.status, status_reason=done.reason, priority=story.priority,
        needs=[story.need], criteria={"regions": [story.region], "needs": [story.need]},
        outcome=done.outcome, sla_stage=done.sla_stage,
        month=story.created_at.astimezone(zone).strftime("%Y-%m"),
        from_region=story.from_region, service_region=story.region, need=story.need,
        response_min=done.response_min,
        accept_min=done.accept_min, closed_min=done.closed_min, created_at=created,
        updated_at=at(done.steps[-1].minutes) if done.steps else created,
        seen_at=at(done.seen_min), accepted_at=at(done.accept_min), ended_at=at(done.ended_min),
    )
    handoff.recipients = [HandoffRecipient(worker_id=receiver.id, role="receiver",
                                           chat_id=receiver.telegram_id, sent_at=created,
                                           seen_at=at(done.seen_min))]
    handoff.events = history(done, created, requester, receiver, story.priority)
    return case, handoff


def new_case(rng: random.Random, story: stories.Story, codes: set[str], requester: Worker,
             created: datetime) -> Case:
    """The case a story's handoff was asked for, opened a little before, with consent."""
    opened = created - timedelta(minutes=rng.randrange(5, 120))
    case = Case(code=new_code(rng, codes), status=CaseStatus.OPEN.value, age=story.age,
                age_band=age_band_for(story.age), languages=["fr"],
                region_origin=story.from_region, region_current=story.region, needs=[story.need],
                consent=True, consent_at=opened, consent_by_id=requester.id,
                created_by_id=requester.id, created_at=opened, updated_at=created)
    case.participants = [CaseParticipant(worker_id=requester.id, role=ParticipantRole.CREATOR.value,
                                         added_at=opened)]
    return case


def history(done: stories.Replayed, created: datetime, requester: Worker, receiver: Worker,
            priority: str) -> list[HandoffEvent]:
    """The ``handoff_events`` of the steps that happened, as the live services write them."""
    events = [HandoffEvent(at=created, actor_id=requester.id, kind="created",
                           to_status="requested", details={"priority": priority, "recipients": 1})]
    status = "requested"
    actors = {"receiver": receiver.id, "requester": requester.id, "system": None}
    for step in done.steps:
        at = created + timedelta(minutes=step.minutes)
        details = {"outcome": step.outcome, "previous": None} if step.kind == "followup" else {}
        event = HandoffEvent(at=at, actor_id=actors[step.side], kind=step.kind, details=details)
        if step.kind == "status":
            event.from_status, event.to_status, event.reason = status, step.to_status, step.reason
            status = step.to_status or status
        events.append(event)
    return events
