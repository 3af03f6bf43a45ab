"""An urgent request sent to up to three services at once: the requests share a ``group_key``.

The first acceptance wins for all (:func:`bot.services.handoffs.service.withdraw_group`): the
others are cancelled with the reason ``accepted-elsewhere``, every copy of them is edited and
their receivers get a short notice; the requester is told once. This module finds, locks and
tells; it moves nothing itself (the moves are :mod:`.service`'s, which imports this one).
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models.core import Worker
from bot.models.handoffs import Handoff
from bot.services.handoffs import notify
from bot.services.handoffs.queries import recipients

if TYPE_CHECKING:
    from bot.app import App
    from bot.models.cases import Case

#: How many services an urgent request may go to besides the first one.
MAX_EXTRA = 2
ACCEPTED_ELSEWHERE = "accepted-elsewhere"


def new_key() -> str:
    """A fresh group key (16 hex characters; the column holds 32)."""
    return secrets.token_hex(8)


async def lock(session: AsyncSession, group_key: str) -> list[Handoff]:
    """The group's requests, locked in id order and read afresh (PostgreSQL ``FOR UPDATE``;
    SQLite has one writer at a time anyway): two receivers accepting two requests of one group
    queue here, and the second then finds its request withdrawn."""
    return list((await session.scalars(
        select(Handoff).where(Handoff.group_key == group_key).order_by(Handoff.id)
        .with_for_update().execution_options(populate_existing=True))).all())


async def members(session: AsyncSession, group_key: str) -> list[Handoff]:
    """The group's requests, in the order they were made."""
    return list((await session.scalars(
        select(Handoff).where(Handoff.group_key == group_key).order_by(Handoff.id))).all())


async def winner(session: AsyncSession, handoff: Handoff) -> Handoff | None:
    """The request of ``handoff``'s group that was accepted, if any."""
    if not handoff.group_key:
        return None
    return await session.scalar(
        select(Handoff).where(Handoff.group_key == handoff.group_key,
                              Handoff.accepted_at.is_not(None))
        .order_by(Handoff.accepted_at, Handoff.id).limit(1))


async def tell_withdrawn(app: App, session: AsyncSession, handoff: Handoff, case: Case,
                         winner: Handoff) -> None:
    """Every copy of a withdrawn request loses its buttons and says why; its receivers (and
    whoever it was escalated to) get a short notice."""
    for row in await recipients(session, handoff.id):
        worker = await session.get(Worker, row.worker_id)
        if worker is None:
            continue
        t = notify.text_for(app, worker)
        why = t.gettext("↪️ Withdrawn: this urgent request went to several services and {service} "
                        "accepted it first. Nothing more to do.",
                        service=notify.esc(winner.service_name))
        notify.edit(app, session, row, why + "\n" + notify.summary(app, t, handoff, case))
        notify.send(app, session, worker, t.gettext(
            "ℹ️ Case <code>{code}</code> → {service}: request withdrawn, another service "
            "accepted it first.", code=notify.esc(case.code),
            service=notify.esc(handoff.service_name)))


async def tell_requester(app: App, session: AsyncSession, winner: Handoff, case: Case,
                         requester: Worker, withdrawn: list[Handoff]) -> None:
    """One line for the requester: which requests of the group were withdrawn."""
    t = notify.text_for(app, requester)
    names = ", ".join(notify.esc(h.service_name) for h in withdrawn)
    notify.send(app, session, requester, t.ngettext(
        "Case <code>{code}</code>: {service} accepted first, so your request to {others} was "
        "withdrawn and its receivers told.",
        "Case <code>{code}</code>: {service} accepted first, so your requests to {others} were "
        "withdrawn and their receivers told.", len(withdrawn),
        code=notify.esc(case.code), service=notify.esc(winner.service_name), others=names))
