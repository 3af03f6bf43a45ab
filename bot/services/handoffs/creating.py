"""A new handoff request: the case it is for, who receives it, what it keeps of the search.

A request is created for a case the requester takes part in, open and with the youth's consent,
to the receiving workers of a directory service (:mod:`.routing`); each receives it in their
language (:mod:`.notify`) once the transaction commits, and its SLA timers start. An urgent one
may go to up to two more services of the same search at once (:func:`candidates`), the requests
sharing a group key (:mod:`.group`). A service nobody can receive for is refused before any case
is made for it (:func:`is_receivable`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import InvalidInput, NotFound
from bot.i18n import N_
from bot.models.cases import Case
from bot.models.core import Worker
from bot.models.directory import DirectoryService
from bot.models.handoffs import Handoff, HandoffRecipient
from bot.services import cases, crypto
from bot.services.directory import Criteria
from bot.services.directory.criteria import stored_criteria
from bot.services.directory.index import app_holder
from bot.services.directory.reach import receivable, receivable_ids
from bot.services.handoffs import group, notify, routing
from bot.services.handoffs.events import add_event, audit
from bot.services.handoffs.lifecycle import OPEN, Priority, Status
from bot.services.handoffs.queries import SERVICE_GONE, recipients
from bot.services.handoffs.timers import get_timers
from bot.services.stats.recording import handoff_created_fields

if TYPE_CHECKING:
    from bot.app import App


def criteria_from_case(case: Case, service: DirectoryService) -> dict[str, Any]:
    """Directory search criteria (``Criteria.to_dict()``) to search again with when a request
    is declined, from the case (its region, needs, age and first language; no free text)."""
    region = case.region_current or (service.regions[0] if service.regions else None)
    return Criteria(
        regions=(region,) if region else (),
        needs=tuple(case.needs or service.categories),
        age=case.age,
        language=(case.languages or [None])[0],
    ).to_dict()


def stored_search(criteria: dict[str, Any] | None, case: Case,
                  service: DirectoryService) -> dict[str, Any]:
    """What a handoff keeps of the search it came from: the interpreted criteria only (regions,
    place, needs, age, language, flags, vocabulary keywords), never words the worker typed;
    the case's criteria when it came from no search."""
    if not criteria:
        return criteria_from_case(case, service)
    return stored_criteria(criteria)


async def requestable_case(session: AsyncSession, worker: Worker, case_id: int, *,
                           now: datetime) -> Case:
    """A case of the worker's that a handoff may be asked for: open, with consent recorded."""
    case = await cases.case_for_worker(session, worker, case_id, now=now, audit_action=None)
    cases.require_open(case)
    cases.require_consent(case)
    return case


async def create(
    app: App, session: AsyncSession, *, requester: Worker, case: Case, service_id: int,
    priority: str = Priority.ROUTINE.value, note: str | None = None,
    criteria: dict[str, Any] | None = None, group_key: str | None = None,
) -> Handoff:
    """Send a request for ``case`` to the receiving workers of a service.

    ``note`` must already be screened (the chat layer does it); it is stored encrypted.
    ``group_key`` joins it to the other requests of one urgent search sent at once.
    """
    now = app.clock.now()
    if not cases.is_participant(case, requester):
        raise NotFound(cases.NOT_VISIBLE)
    cases.require_open(case)
    cases.require_consent(case)
    if priority not in {p.value for p in Priority}:
        raise InvalidInput(N_("Unknown priority."))
    service = await session.get(DirectoryService, service_id)
    if service is None or service.status not in ("active", None):
        raise NotFound(SERVICE_GONE)
    duplicate = await session.scalar(select(Handoff.id).where(
        Handoff.case_id == case.id, Handoff.service_id == service.id,
        Handoff.status.in_([s.value for s in OPEN])))
    if duplicate is not None:
        raise InvalidInput(N_("Case {code} already has an open handoff to this service."),
                           code=case.code)
    targets = await routing.recipients_for(
        session, service, urgent=priority == Priority.URGENT.value, now=now,
        exclude=requester.id)
    if not targets:
        raise NotFound(N_(
            "Nobody at this service receives handoffs through Relais yet. Contact them by "
            "phone, or ask your coordinator to add a receiving worker (/receivers)."))
    handoff = Handoff(
        case_id=case.id, service_id=service.id, service_name=service.name,
        directory_org_id=await routing.service_hsds_org(session, service),
        region=case.region_current or (service.regions[0] if service.regions else None)
        or (requester.regions[0] if requester.regions else None),
        requester_id=requester.id, owner_id=None, status=Status.REQUESTED.value,
        priority=priority, note_enc=crypto.encrypt(app, note) if note else None,
        needs=list(case.needs or []), criteria=stored_search(criteria, case, service),
        sla_stage=0, created_at=now, updated_at=now, group_key=group_key,
        **handoff_created_fields(created_at=now, zone=app.translator.zone,
                                 requester_regions=requester.regions,
                                 case_region=case.region_current,
                                 service_regions=service.regions, needs=case.needs or []),
    )
    session.add(handoff)
    await session.flush()
    add_event(session, handoff, at=now, kind="created", actor=requester,
              to_status=Status.REQUESTED.value, priority=priority,
              recipients=len(targets), **({"group": group_key} if group_key else {}))
    rows = []
    for worker, role in targets:
        row = HandoffRecipient(handoff_id=handoff.id, worker_id=worker.id, role=role)
        session.add(row)
        rows.append((worker, row))
    await session.flush()
    await audit(session, now, "handoff.created", requester, handoff, case=case.code,
                priority=priority, recipients=len(targets))
    await get_timers(app).schedule_sla(session, handoff)
    for worker, row in rows:
        await notify.send_request(app, session, handoff, case, worker, row, note=note)
    return handoff


@dataclass(frozen=True)
class Sent:
    """A request just created, for the requester's confirmation (``also``: the other requests
    of its group, sent at once)."""

    handoff: Handoff
    case: Case
    notified: int
    also: tuple[Handoff, ...] = ()


async def request(
    app: App, session: AsyncSession, *, requester: Worker, case_id: int, service_id: int,
    priority: str, note: str | None, criteria: dict[str, Any] | None,
    also: Sequence[int] = (),
) -> Sent:
    """The chat's request: the requester's case by id, then :func:`create`; an urgent one also
    to the services of ``also`` (at most two, those still possible), all in one group."""
    case = await cases.case_for_worker(session, requester, case_id, now=app.clock.now(),
                                       audit_action=None)
    extra: list[int] = []
    if priority == Priority.URGENT.value and also:
        wanted = [s for s in dict.fromkeys(also) if s != service_id][:group.MAX_EXTRA]
        extra = await still_possible(session, case, wanted, now=app.clock.now())
    key = group.new_key() if extra else None
    handoff = await create(app, session, requester=requester, case=case, service_id=service_id,
                           priority=priority, note=note, criteria=criteria or None, group_key=key)
    others = [await create(app, session, requester=requester, case=case, service_id=other,
                           priority=priority, note=note, criteria=criteria or None,
                           group_key=key) for other in extra]
    notified = 0
    for each in (handoff, *others):
        notified += len(await recipients(session, each.id))
    return Sent(handoff, case, notified, tuple(others))


async def open_services(session: AsyncSession, case: Case) -> set[int]:
    """Services the case already has an open request or handoff with."""
    return {sid for sid in (await session.scalars(select(Handoff.service_id).where(
        Handoff.case_id == case.id, Handoff.status.in_([s.value for s in OPEN])))).all()
        if sid is not None}


async def still_possible(session: AsyncSession, case: Case, service_ids: Sequence[int], *,
                         now: datetime) -> list[int]:
    """Of ``service_ids``, in order, those a request for ``case`` can go to now: in the
    directory and active, someone receives for them, none open with the case already."""
    rows = (await session.scalars(select(DirectoryService).where(
        DirectoryService.id.in_(list(service_ids))))).all()
    active = [s for s in rows if s.status in ("active", None)]
    reachable = await receivable(session, active, now=now)
    taken = await open_services(session, case)
    return [s for s in service_ids if s in reachable and s not in taken]


@dataclass(frozen=True)
class Candidate:
    """Another service of the same search an urgent request may go to as well."""

    service_id: int
    name: str
    name_en: str | None
    via_region: str | None  # a neighbouring region's result carries its region


async def candidates(
    app: App, session: AsyncSession, *, case: Case, service_id: int,
    criteria: dict[str, Any] | None, limit: int = 3,
) -> list[Candidate]:
    """The best other services of the search the request came from (the case's criteria when
    it came from none) that someone can receive for now, without those already asked."""
    service = await session.get(DirectoryService, service_id)
    if service is None:
        return []
    wanted = stored_search(criteria, case, service)
    exclude = {service_id} | await open_services(session, case)
    results = await routing.rerun_search(app, session, wanted, exclude=exclude, limit=limit + 5)
    reachable = await receivable_ids(session, [r.service_id for r in results], now=app.clock.now())
    return [Candidate(r.service_id, r.entry.name, getattr(r.entry, "name_en", None),
                      getattr(r, "via_region", None))
            for r in results if r.service_id in reachable][:limit]


NOBODY_RECEIVES = N_("Nobody receives handoffs for {service} through Relais, so no request was "
                     "sent and no case was created.")


async def is_receivable(app: App, session: AsyncSession, service: DirectoryService) -> bool:
    """Whether a request to ``service`` would reach someone now (an active listing)."""
    if service.status not in ("active", None):
        return False
    return service.id in await receivable(session, [service], now=app.clock.now())


async def service_phone(app: App, session: AsyncSession, service_id: int) -> str | None:
    """The number on the service's card, as searches show it."""
    entry = (await app_holder(app).get(session)).get(service_id)
    return entry.phone if entry is not None else None


async def quick_case(
    session: AsyncSession,
    worker: Worker,
    service: DirectoryService,
    criteria: dict[str, Any] | None,
    *,
    now: datetime,
) -> Case:
    """A new case, with consent recorded, for a handoff asked from a search result.

    What the search already says (the youth's age and language, the region, the needs) fills
    the case, so the receiving worker sees it without the requester typing it again.
    """
    criteria = criteria or {}
    searched_regions = [r for r in criteria.get("regions") or () if r in service.regions]
    region = next(iter(searched_regions), None) or next(
        (r for r in service.regions if r in worker.regions), None
    ) or (worker.regions[0] if worker.regions else None)
    language = criteria.get("language")
    draft = cases.CaseDraft(
        age=criteria.get("age"),
        languages=[language] if language in cases.LANGUAGE_NAMES else [],
        region_current=region,
        region_origin=region,
        needs=list(criteria.get("needs") or service.categories)[:3],
        consent=True,
    )
    return await cases.create_case(session, creator=worker, draft=draft, now=now)
