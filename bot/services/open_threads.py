"""Which case threads are "open" with a worker: where a message they type without a button may
be meant to go.

A worker who has just read a thread message, or written one, often answers by simply typing; that
text would otherwise be read as a directory search. A thread counts as open with a worker for
:data:`THREAD_WINDOW` (30 minutes) after the last sign of a conversation in it that concerns
them, in an open case they take part in:

- a thread message written by them, or by someone else while they took part (so it reached them);
- the acceptance of a handoff of the case (the moment "Write in the thread" is offered to both).

Thirty minutes covers a reply written after a call or a short intervention, and is short enough
that a search typed later in the shift is not questioned. Only ids and times are read: never the
messages' text.
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.db.short_statements import short, short_rows
from bot.models.cases import Case, CaseMessage, CaseParticipant
from bot.models.core import Worker
from bot.models.handoffs import Handoff, HandoffEvent

THREAD_WINDOW = timedelta(minutes=30)
MAX_OFFERED = 3  # threads offered at once as "Send to the thread of case ..." buttons
ACCEPTED = "accepted"


def _activity(worker_id: Any, since: Any) -> tuple[Any, Any]:
    """The signs of a conversation concerning the worker ``worker_id`` (a column or a bound
    parameter) since ``since``, in an open case they take part in: thread messages written
    since they joined, and accepted handoffs (``case_id``, ``at``)."""
    mine, case = aliased(CaseParticipant), aliased(Case)
    messages = (
        select(CaseMessage.case_id.label("case_id"), CaseMessage.created_at.label("at"))
        .join(mine, mine.case_id == CaseMessage.case_id)
        .join(case, case.id == CaseMessage.case_id)
        .where(mine.worker_id == worker_id, case.closed_at.is_(None),
               CaseMessage.created_at >= since, CaseMessage.created_at >= mine.added_at)
    )
    accepted = (
        select(Handoff.case_id.label("case_id"), HandoffEvent.at.label("at"))
        .join(Handoff, Handoff.id == HandoffEvent.handoff_id)
        .join(mine, mine.case_id == Handoff.case_id)
        .join(case, case.id == Handoff.case_id)
        .where(mine.worker_id == worker_id, case.closed_at.is_(None), HandoffEvent.at >= since,
               HandoffEvent.kind == "status", HandoffEvent.to_status == ACCEPTED)
    )
    return messages, accepted


@functools.cache
def _open_threads_query() -> Any:
    """Built once, with ``worker_id``, ``since`` and ``limit`` bound at each call: every typed
    text runs it, and building it cost more than running it."""
    activity = union_all(*_activity(bindparam("worker_id"), bindparam("since"))).subquery()
    latest = func.max(activity.c.at)
    return short(select(activity.c.case_id, latest)
                 .group_by(activity.c.case_id)
                 .order_by(latest.desc(), activity.c.case_id.desc())
                 .limit(bindparam("limit")))


def thread_open(worker_id: Any) -> Any:
    """Whether a thread is open with the worker ``worker_id`` (a column or a value) since the
    bound parameter ``since``: :func:`open_threads` would find one. Two ``EXISTS`` to put in the
    worker's own query (:func:`bot.services.workers.with_open_thread`), so that a typed text
    asks the database once."""
    messages, accepted = _activity(worker_id, bindparam("since"))
    return or_(messages.exists(), accepted.exists())


async def open_threads(session: AsyncSession, worker: Worker, *, now: datetime,
                       limit: int = MAX_OFFERED) -> list[Case]:
    """The open cases whose thread is open with ``worker`` at ``now``, latest activity first."""
    rows = await short_rows(session, _open_threads_query(), {
        "worker_id": worker.id, "since": now - THREAD_WINDOW, "limit": limit})
    found = []
    for case_id, _at in rows:
        case = await session.get(Case, case_id)
        if case is not None:
            found.append(case)
    return found
