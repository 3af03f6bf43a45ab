"""Registered workers: lookup, language, and what coordinators may change."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from bot.db.direct import direct_on
from bot.db.loaded import attach_loaded, column_keys, held, set_loaded
from bot.db.short_statements import short, short_rows
from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.i18n import LANGUAGES, N_
from bot.models.core import Organisation, Role, Worker, WorkerRegion
from bot.services import audit, oncall, open_threads
from bot.services.directory import receiver_loss


@functools.cache
def _worker_query() -> Select[tuple[Worker]]:
    """Built once: building the statement cost as much as running it on SQLite."""
    return short(select(Worker).where(Worker.telegram_id == bindparam("telegram_id"))
                 .options(joinedload(Worker.organisation), joinedload(Worker.region_links)))


@functools.cache
def _worker_with_thread_query() -> Select[tuple[Worker, bool]]:
    """:func:`_worker_query` with whether a case thread is open with the worker."""
    return _worker_query().add_columns(open_threads.thread_open(Worker.id))


@functools.cache
def _row_query() -> Select[Any]:
    """:func:`_worker_query` as columns, for a direct read (:mod:`bot.db.direct`): the worker's,
    the organisation's, then one region per row."""
    return short(select(*(getattr(Worker, key) for key in column_keys(Worker)),
                        *(getattr(Organisation, key) for key in column_keys(Organisation)),
                        WorkerRegion.region)
                 .outerjoin(Organisation, Organisation.id == Worker.organisation_id)
                 .outerjoin(WorkerRegion, WorkerRegion.worker_id == Worker.id)
                 .where(Worker.telegram_id == bindparam("telegram_id")))


@functools.cache
def _row_with_thread_query() -> Select[Any]:
    return _row_query().add_columns(open_threads.thread_open(Worker.id))


async def with_open_thread(session: AsyncSession, telegram_id: int, *, now: datetime
                           ) -> tuple[Worker | None, bool]:
    """:func:`by_telegram_id`, and whether a case thread is open with the worker at ``now``
    (:mod:`bot.services.open_threads`), in one query: a typed text needs both, and most of the
    time no thread is open (the threads themselves are asked for only when one is)."""
    parameters = {"telegram_id": telegram_id, "since": now - open_threads.THREAD_WINDOW}
    read = await _read_as_columns(session, _row_with_thread_query(), parameters)
    if read is not None:
        worker, extra = read
        return worker, bool(extra and extra[0])
    row = (await session.execute(_worker_with_thread_query(), parameters)).unique().first()
    return (None, False) if row is None else (row[0], bool(row[1]))


async def by_telegram_id(session: AsyncSession, telegram_id: int) -> Worker | None:
    """The worker behind a Telegram account, with organisation and regions, in one query
    (it runs for every update: three round trips were a fifth of a ``/help``)."""
    parameters = {"telegram_id": telegram_id}
    read = await _read_as_columns(session, _row_query(), parameters)
    if read is not None:
        return read[0]
    result = await session.scalars(_worker_query(), parameters)
    return result.unique().first()


async def _read_as_columns(session: AsyncSession, query: Select[Any],
                           parameters: dict[str, Any]
                           ) -> tuple[Worker | None, tuple[Any, ...]] | None:
    """The worker read as columns, and the columns after the region's: straight through
    asyncpg on PostgreSQL (:mod:`bot.db.direct`), else as Core rows on the session's connection
    (the ORM's execution and loading were half the cost of an update's read). None when the
    ORM's query is the one to run: with changes to flush first (the ORM's query flushes them),
    or with the worker already in the session."""
    if session.new or session.dirty or session.deleted:
        return None
    direct = await direct_on(session)
    rows = None if direct is None else await direct.rows(query, parameters)
    if rows is None:
        rows = list(await short_rows(session, query, parameters))
    if not rows:
        return None, ()
    worker = _attached(session, rows)
    return None if worker is None else (worker, tuple(rows[0][_region_at() + 1:]))


def _region_at() -> int:
    """Where the region is in a row of :func:`_row_query` (after the worker's and the
    organisation's columns)."""
    return len(column_keys(Worker)) + len(column_keys(Organisation))


def _attached(session: AsyncSession, rows: list[tuple[Any, ...]]) -> Worker | None:
    """The worker of ``rows`` (see :func:`_row_query`), with organisation and regions, attached
    to the session as if loaded; None when the session holds one of them already."""
    first, at, region = rows[0], len(column_keys(Worker)), _region_at()
    values = dict(zip(column_keys(Worker), first[:at], strict=True))
    organisation_row = None
    if first[at] is not None:
        organisation_row = dict(zip(column_keys(Organisation), first[at:region], strict=True))
    links = [{"worker_id": values["id"], "region": row[region]}
             for row in rows if row[region] is not None]
    if held(session, [(Worker, values), *((WorkerRegion, link) for link in links),
                      *([(Organisation, organisation_row)] if organisation_row else [])]):
        return None
    worker = attach_loaded(session, Worker, values)
    organisation = (None if organisation_row is None
                    else attach_loaded(session, Organisation, organisation_row))
    set_loaded(worker, organisation=organisation,
               region_links=[attach_loaded(session, WorkerRegion, link) for link in links])
    return worker


async def set_language(session: AsyncSession, worker: Worker, language: str, now: datetime) -> None:
    if language not in LANGUAGES:
        raise InvalidInput(N_("Unknown language."))
    worker.language = language
    await audit.record(session, at=now, action="worker.language", actor=worker, lang=language)


def manages(coordinator: Worker, worker: Worker) -> bool:
    """Admins manage everyone; coordinators the workers who share one of their regions."""
    if coordinator.is_admin:
        return True
    if not coordinator.is_coordinator:
        return False
    return bool(set(coordinator.regions) & set(worker.regions))


async def workers_in_regions(
    session: AsyncSession, regions: Sequence[str] | None, *, include_inactive: bool = True
) -> list[Worker]:
    """Workers of the given regions (all workers when ``regions`` is None), by name."""
    query = select(Worker).order_by(Worker.display_name, Worker.id)
    if regions is not None:
        query = query.where(
            Worker.id.in_(select(WorkerRegion.worker_id).where(WorkerRegion.region.in_(regions)))
        )
    if not include_inactive:
        query = query.where(Worker.active.is_(True))
    return list((await session.scalars(query)).all())


async def managed_worker(session: AsyncSession, coordinator: Worker, worker_id: int) -> Worker:
    """A worker the coordinator may manage, or a refusal that reveals nothing."""
    worker = await session.get(Worker, worker_id)
    if worker is None or not manages(coordinator, worker):
        raise NotFound(N_("No such worker in your regions."))
    return worker


async def set_active(
    session: AsyncSession, coordinator: Worker, worker_id: int, active: bool, now: datetime
) -> Worker:
    worker = await managed_worker(session, coordinator, worker_id)
    if worker.id == coordinator.id and not active:
        raise NotAllowed(N_("You cannot deactivate yourself."))
    # the last worker receiving for a service leaves: its regions' coordinators are told
    leaving = worker.active and not active
    watched = await receiver_loss.watch_worker(session, worker, now=now) if leaving else None
    worker.active = active
    if watched is not None:
        await receiver_loss.tell_lost(session, watched)
    await audit.record(
        session,
        at=now,
        action="worker.activated" if active else "worker.deactivated",
        actor=coordinator,
        subject_type="worker",
        subject_id=str(worker.id),
    )
    return worker


async def set_role(
    session: AsyncSession, coordinator: Worker, worker_id: int, role: str, now: datetime
) -> Worker:
    worker = await managed_worker(session, coordinator, worker_id)
    if role not in {r.value for r in Role}:
        raise InvalidInput(N_("Unknown role: {role}."), role=role)
    if Role.ADMIN.value in (role, worker.role) and not coordinator.is_admin:
        raise NotAllowed(N_("Only administrators can grant or remove the administrator role."))
    if worker.id == coordinator.id:
        raise NotAllowed(N_("You cannot change your own role."))
    worker.role = role
    await audit.record(
        session,
        at=now,
        action="worker.role",
        actor=coordinator,
        subject_type="worker",
        subject_id=str(worker.id),
        role=role,
    )
    return worker


async def set_on_call(session: AsyncSession, worker: Worker, on_call: bool, now: datetime) -> None:
    """On call until stopped, or off (see :mod:`bot.services.oncall` for ends and hand-overs)."""
    if on_call:
        await oncall.take(session, worker, now)
    else:
        await oncall.stop(session, worker, now)


async def add_admin(session: AsyncSession, telegram_id: int, now: datetime) -> Worker:
    """Bootstrap an administrator (from the command line), registered or not yet."""
    worker = await by_telegram_id(session, telegram_id)
    if worker is None:
        worker = Worker(telegram_id=telegram_id, display_name=str(telegram_id), created_at=now)
        session.add(worker)
    worker.role = Role.ADMIN.value
    worker.active = True
    await session.flush()
    await audit.record(
        session, at=now, action="worker.admin_added", subject_type="worker", subject_id=str(worker.id),
        system="cli",
    )
    return worker


# ---- what the team commands decide (``/oncall``, ``/workers`` and a worker's buttons) ----------


def require_coordinator(worker: Worker) -> None:
    """Team management is for coordinators (and administrators)."""
    if not worker.is_coordinator:
        raise NotAllowed(N_("This command is for coordinators."))


async def toggle_on_call(session: AsyncSession, worker: Worker, now: datetime) -> bool:
    """Flip the worker's on-call status (an ended on-call counts as off); the new status."""
    return await oncall.toggle(session, worker, now)


async def managed_team(session: AsyncSession, coordinator: Worker) -> list[Worker]:
    """The workers a coordinator sees in ``/workers``: their regions' (everyone for an admin)."""
    require_coordinator(coordinator)
    regions = None if coordinator.is_admin else coordinator.regions
    return await workers_in_regions(session, regions)


async def coordinated_worker(session: AsyncSession, coordinator: Worker, worker_id: int) -> Worker:
    """A worker shown to a coordinator: refused to non-coordinators, hidden outside their regions."""
    require_coordinator(coordinator)
    return await managed_worker(session, coordinator, worker_id)


WORKER_ACTIONS = ("activate", "deactivate", "role-worker", "role-coordinator")


async def change_worker(
    session: AsyncSession, coordinator: Worker, worker_id: int, action: str, now: datetime
) -> Worker:
    """Apply one of :data:`WORKER_ACTIONS` (a button under a worker) to a managed worker."""
    require_coordinator(coordinator)
    match action:
        case "activate" | "deactivate":
            return await set_active(session, coordinator, worker_id, action == "activate", now)
        case "role-worker" | "role-coordinator":
            return await set_role(session, coordinator, worker_id, action.removeprefix("role-"), now)
        case _:
            raise NotAllowed(N_("This button is not valid."))
