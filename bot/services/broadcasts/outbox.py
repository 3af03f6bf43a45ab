"""The durable outbox: one delivery row per recipient, claimed by dispatchers under a lease.

Claiming is one ``UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED) RETURNING``: on
PostgreSQL any number of dispatchers take disjoint rows; on SQLite the statement is atomic under
the database's single writer. A claimed row carries ``claimed_by`` and a lease (``lease_until``,
mirrored in ``next_attempt_at`` so one index serves both): when a process dies, its rows become
due again once the lease expires and another dispatcher takes them over. Results are written only
``WHERE claimed_by = me AND status = 'sending'``, so a dispatcher that lost its lease cannot
overwrite the new owner's result.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import bindparam, case, func, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.base import UTCDateTime
from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.i18n import N_
from bot.models.broadcasts import (
    OPEN_STATUSES,
    Broadcast,
    BroadcastDelivery,
    BroadcastStatus,
    DeliveryStatus,
)
from bot.models.core import Worker
from bot.services import audit
from bot.services.broadcasts.audience import Audience, recipients_query

D = BroadcastDelivery
DELIVERIES = BroadcastDelivery.__table__


async def create_broadcast(
    session: AsyncSession,
    *,
    author: Worker,
    audience: Audience,
    versions: dict[str, str],
    now: datetime,
    default_language: str = "fr",
    author_language: str | None = None,
) -> Broadcast:
    """Store the announcement and one pending delivery per recipient (one INSERT ... SELECT).

    ``versions`` must already have passed the privacy screen.
    """
    if not author.is_coordinator:
        raise NotAllowed(N_("This command is for coordinators."))
    if not any(versions.get(lang) for lang in ("fr", "en")):
        raise InvalidInput(N_("The announcement is empty."))
    org = author.organisation.name if author.organisation else ""
    broadcast = Broadcast(
        author_id=author.id,
        author_chat_id=author.telegram_id,
        author_language=author_language or author.preferred_language or default_language,
        author_label=f"{author.display_name} ({org})" if org else author.display_name,
        text_fr=versions.get("fr") or None,
        text_en=versions.get("en") or None,
        audience_kind=audience.kind,
        audience_value=audience.value,
        regions=list(audience.regions),
        status=BroadcastStatus.SENDING.value,
        total=0,
        created_at=now,
    )
    session.add(broadcast)
    await session.flush()
    workers = recipients_query(audience, exclude_worker_id=author.id).subquery()
    rows = select(
        literal(broadcast.id),
        workers.c.id,
        workers.c.telegram_id,
        # their saved choice, else their Telegram app's language, else the default
        case(
            (workers.c.language.is_not(None), workers.c.language),
            (func.lower(workers.c.telegram_language).like("fr%"), literal("fr")),
            (workers.c.telegram_language.is_not(None), literal("en")),
            else_=literal(default_language),
        ),
        literal(DeliveryStatus.PENDING.value),
        literal(0),
        literal(now, UTCDateTime()),
    )
    result = await session.execute(
        DELIVERIES.insert().from_select(
            ["broadcast_id", "worker_id", "chat_id", "language", "status", "attempts",
             "next_attempt_at"],
            rows,
        )
    )
    total = result.rowcount
    if total is None or total < 0:
        total = int(
            await session.scalar(select(func.count()).where(D.broadcast_id == broadcast.id)) or 0
        )
    if total == 0:
        raise InvalidInput(N_("No worker of this audience can receive the announcement."))
    broadcast.total = total
    await audit.record(
        session, at=now, action="broadcast.created", actor=author, subject_type="broadcast",
        subject_id=str(broadcast.id), recipients=total, audience=audience.kind,
        languages=",".join(broadcast.languages),
    )
    return broadcast


def may_manage(worker: Worker, broadcast: Broadcast) -> bool:
    return worker.is_admin or (worker.is_coordinator and broadcast.author_id == worker.id)


async def get_managed(session: AsyncSession, worker: Worker, broadcast_id: int) -> Broadcast:
    broadcast = await session.get(Broadcast, broadcast_id)
    if broadcast is None or not may_manage(worker, broadcast):
        raise NotFound(N_("No such announcement."))
    return broadcast


async def cancel(
    session: AsyncSession, worker: Worker, broadcast_id: int, now: datetime
) -> Broadcast:
    """Stop sending: pending rows are cancelled; rows in flight finish; then the final report."""
    broadcast = await get_managed(session, worker, broadcast_id)
    if broadcast.status != BroadcastStatus.SENDING.value:
        return broadcast
    await session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast.id, Broadcast.status == BroadcastStatus.SENDING.value)
        .values(status=BroadcastStatus.CANCELLING.value)
    )
    await session.execute(
        update(D)
        .where(D.broadcast_id == broadcast.id, D.status == DeliveryStatus.PENDING.value)
        .values(status=DeliveryStatus.CANCELLED.value, claimed_by=None, lease_until=None)
    )
    await audit.record(
        session, at=now, action="broadcast.cancelled", actor=worker, subject_type="broadcast",
        subject_id=str(broadcast.id),
    )
    await session.refresh(broadcast)
    return broadcast


# ---- dispatchers' side ------------------------------------------------------------------


@dataclass(frozen=True)
class Claimed:
    id: int
    broadcast_id: int
    worker_id: int | None
    chat_id: int
    language: str
    attempts: int


async def claim(
    session: AsyncSession, *, me: str, now: datetime, lease: timedelta, limit: int
) -> list[Claimed]:
    """Take up to ``limit`` due rows (pending, or whose lease expired) for ``me``; committed."""
    due = (
        select(D.id)
        .where(D.status.in_(OPEN_STATUSES), D.next_attempt_at <= now)
        .order_by(D.next_attempt_at, D.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    until = now + lease
    result = await session.execute(
        update(D)
        .where(D.id.in_(due.scalar_subquery()))
        .values(
            status=DeliveryStatus.SENDING.value, claimed_by=me, lease_until=until,
            next_attempt_at=until,
        )
        .returning(D.id, D.broadcast_id, D.worker_id, D.chat_id, D.language, D.attempts)
        .execution_options(synchronize_session=False)
    )
    rows = [Claimed(*row) for row in result.all()]
    await session.commit()
    return sorted(rows, key=lambda row: row.id)


@dataclass
class Outcome:
    """What happened to one claimed row."""

    id: int
    status: str
    worker_id: int | None = None
    message_id: int | None = None
    error: str | None = None
    retry_at: datetime | None = None  # for status pending
    attempts: int = 0


async def settle(
    session: AsyncSession, *, me: str, now: datetime, outcomes: Sequence[Outcome]
) -> int:
    """Write results of rows ``me`` still holds; mark workers who blocked the bot. Committed."""
    if not outcomes:
        return 0
    params = [
        {
            "b_id": o.id,
            "b_me": me,
            "b_status": o.status,
            "b_sent_at": now if o.status == DeliveryStatus.SENT.value else None,
            "b_message_id": o.message_id,
            "b_error": o.error,
            "b_next": o.retry_at or now,
            "b_attempts": o.attempts,
            "b_claimed_by": None,
        }
        for o in outcomes
    ]
    statement = (
        update(DELIVERIES)
        .where(
            DELIVERIES.c.id == bindparam("b_id"),
            DELIVERIES.c.claimed_by == bindparam("b_me"),
            DELIVERIES.c.status == DeliveryStatus.SENDING.value,
        )
        .values(
            status=bindparam("b_status"),
            sent_at=bindparam("b_sent_at", type_=UTCDateTime()),
            message_id=bindparam("b_message_id"),
            error=bindparam("b_error"),
            next_attempt_at=bindparam("b_next", type_=UTCDateTime()),
            attempts=bindparam("b_attempts"),
            lease_until=None,
            claimed_by=bindparam("b_claimed_by"),
        )
    )
    await session.execute(statement, params)
    blocked = {o.worker_id for o in outcomes
               if o.status == DeliveryStatus.BLOCKED.value and o.worker_id is not None}
    if blocked:
        await session.execute(
            update(Worker).where(Worker.id.in_(blocked)).values(blocked_bot=True)
            .execution_options(synchronize_session=False)
        )
    await session.commit()
    return len(outcomes)


async def release(session: AsyncSession, *, me: str, ids: Iterable[int], now: datetime) -> None:
    """Give back rows claimed but not sent (a dispatcher stopping); committed."""
    ids = list(ids)
    if not ids:
        return
    await session.execute(
        update(D)
        .where(D.id.in_(ids), D.claimed_by == me, D.status == DeliveryStatus.SENDING.value)
        .values(status=DeliveryStatus.PENDING.value, claimed_by=None, lease_until=None,
                next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )
    await session.commit()


@dataclass
class Counts:
    total: int = 0
    by_status: dict[str, int] = field(default_factory=dict)

    def __getitem__(self, status: str) -> int:
        return self.by_status.get(status, 0)

    @property
    def sent(self) -> int:
        return self[DeliveryStatus.SENT.value]

    @property
    def blocked(self) -> int:
        return self[DeliveryStatus.BLOCKED.value]

    @property
    def failed(self) -> int:
        return self[DeliveryStatus.FAILED.value]

    @property
    def cancelled(self) -> int:
        return self[DeliveryStatus.CANCELLED.value]

    @property
    def open(self) -> int:
        return sum(self[s] for s in OPEN_STATUSES)


async def counts(session: AsyncSession, broadcast_id: int) -> Counts:
    rows = await session.execute(
        select(D.status, func.count()).where(D.broadcast_id == broadcast_id).group_by(D.status)
    )
    by_status = {status: int(n) for status, n in rows.all()}
    return Counts(total=sum(by_status.values()), by_status=by_status)


async def take_progress_turn(
    session: AsyncSession, broadcast_id: int, now: datetime, interval: float
) -> bool:
    """Whether this process may edit the progress message now (at most every ``interval`` s,
    across processes); committed."""
    result = await session.execute(
        update(Broadcast)
        .where(
            Broadcast.id == broadcast_id,
            Broadcast.status.in_((BroadcastStatus.SENDING.value, BroadcastStatus.CANCELLING.value)),
            or_(
                Broadcast.progress_edited_at.is_(None),
                Broadcast.progress_edited_at <= now - timedelta(seconds=interval),
            ),
        )
        .values(progress_edited_at=now)
        .execution_options(synchronize_session=False)
    )
    await session.commit()
    return result.rowcount == 1


async def finish_if_complete(session: AsyncSession, broadcast_id: int, now: datetime) -> bool:
    """Close a broadcast with no open rows left; True for the one process that closed it."""
    still_open = (
        select(D.id).where(D.broadcast_id == broadcast_id, D.status.in_(OPEN_STATUSES)).exists()
    )
    result = await session.execute(
        update(Broadcast)
        .where(
            Broadcast.id == broadcast_id,
            Broadcast.status.in_((BroadcastStatus.SENDING.value, BroadcastStatus.CANCELLING.value)),
            ~still_open,
        )
        .values(
            status=case(  # sending -> done, cancelling -> cancelled
                (Broadcast.status == BroadcastStatus.CANCELLING.value,
                 BroadcastStatus.CANCELLED.value),
                else_=BroadcastStatus.DONE.value,
            ),
            finished_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    await session.commit()
    return result.rowcount == 1


async def unfinished_broadcast_ids(session: AsyncSession) -> list[int]:
    rows = await session.scalars(
        select(Broadcast.id).where(
            Broadcast.status.in_((BroadcastStatus.SENDING.value, BroadcastStatus.CANCELLING.value))
        )
    )
    return list(rows.all())


# ---- reading --------------------------------------------------------------------------


async def not_received(
    session: AsyncSession, broadcast_id: int, limit: int = 200
) -> list[tuple[Worker | None, BroadcastDelivery]]:
    """Deliveries that did not reach their worker (blocked, failed, cancelled), by name."""
    rows = await session.execute(
        select(Worker, D)
        .join(Worker, Worker.id == D.worker_id, isouter=True)
        .where(
            D.broadcast_id == broadcast_id,
            D.status.in_((DeliveryStatus.BLOCKED.value, DeliveryStatus.FAILED.value,
                          DeliveryStatus.CANCELLED.value)),
        )
        .order_by(Worker.display_name, D.id)
        .limit(limit)
    )
    return [(worker, delivery) for worker, delivery in rows.all()]


def audience_of(broadcast: Broadcast) -> Audience:
    return Audience(
        kind=broadcast.audience_kind, regions=tuple(broadcast.regions or ()),
        value=broadcast.audience_value,
    )


async def recent_for(
    session: AsyncSession, worker: Worker, *, limit: int = 5, scan: int = 100
) -> list[Broadcast]:
    """Recent announcements for ``worker``: those sent to them, and those of their regions and
    audience they joined too late for (cancelled ones excluded), newest first."""
    received = select(D.broadcast_id).where(
        D.worker_id == worker.id, D.status == DeliveryStatus.SENT.value
    )
    candidates = (
        await session.scalars(
            select(Broadcast)
            .where(
                Broadcast.status.in_((BroadcastStatus.SENDING.value, BroadcastStatus.DONE.value)),
            )
            .order_by(Broadcast.created_at.desc(), Broadcast.id.desc())
            .limit(scan)
        )
    ).all()
    got = set((await session.scalars(received.where(D.broadcast_id.in_(
        [b.id for b in candidates] or [-1])))).all())
    visible = [
        b for b in candidates
        if b.id in got or b.author_id == worker.id or audience_of(b).matches(worker)
    ]
    return visible[:limit]


__all__ = [
    "Claimed", "Counts", "Outcome", "cancel", "claim", "counts", "create_broadcast",
    "finish_if_complete", "get_managed", "not_received", "recent_for", "release", "settle",
    "take_progress_turn", "unfinished_broadcast_ids",
]
