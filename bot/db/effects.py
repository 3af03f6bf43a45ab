"""Effects after commit: a message that announces a stored fact goes out only once it is stored.

Services and handlers do not send while their transaction is open; they queue an effect on the
session with :func:`after_commit`. The unit of work's owner (the database middleware for an
update, the dispatcher loop for a job) commits, then calls :func:`run_committed`:

- a commit moves the queued effects to the "ready" list (facts stored: they may be told);
- a rollback of the outer transaction drops the effects queued since the last commit (nothing
  was stored: nobody is told);
- :func:`run_committed` runs the ready effects in the order they were queued. One that fails is
  logged by type and the others still run: the facts are stored either way.

Effects that learn something worth storing (the id of a sent message, a recipient who blocked
the bot) return it as :class:`WriteBack` values, applied afterwards in one short transaction.

An effect that announces nothing stored (``/help``'s text) need not wait for the commit:
:func:`alongside` starts it at once, so it travels while the transaction commits. The owner
waits for it (:func:`sent_alongside`, first thing in :func:`run_committed`) before the committed
effects, and before anything else goes to that chat (an apology when the commit fails), so the
messages of an update keep their order. It is sent even if the commit then fails, and again if a
process dies before the commit and the update is handled a second time: nothing it says depends
on the commit.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, event, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, SessionTransaction

log = logging.getLogger(__name__)

KEY = "relais.effects"

Effect = Callable[[], Awaitable[Any]]


@dataclass(frozen=True)
class WriteBack:
    """``UPDATE <model> SET <values> WHERE id = <row_id>`` (``DELETE`` when ``values`` is None),
    after the effect that learned it."""

    model: type
    row_id: int
    values: dict[str, Any] | None = None


@dataclass
class Effects:
    """The effects of one session: queued (not yet committed) and ready (committed)."""

    queued: list[Effect] = field(default_factory=list)
    ready: list[Effect] = field(default_factory=list)
    alongside: list[asyncio.Task[Any]] = field(default_factory=list)  # started, not yet waited


class UnitOfWorkSession(Session):
    """The sync session behind every :class:`AsyncSession` of the app; it carries the effects."""


def effects_of(session: AsyncSession | Session) -> Effects:
    sync = session.sync_session if isinstance(session, AsyncSession) else session
    effects = sync.info.get(KEY)
    if effects is None:
        effects = sync.info[KEY] = Effects()
    return effects


def after_commit(session: AsyncSession, effect: Effect) -> None:
    """Run ``effect`` once the session's current transaction commits; never if it rolls back."""
    effects_of(session).queued.append(effect)


def alongside(session: AsyncSession, effect: Effect) -> None:
    """Start ``effect`` now, while the session's transaction goes on: for a message that
    announces nothing stored (see the module's docstring)."""
    effects_of(session).alongside.append(asyncio.create_task(effect()))


async def sent_alongside(session: AsyncSession) -> None:
    """Wait for the effects started :func:`alongside`; one that failed is logged by type."""
    effects = session.sync_session.info.get(KEY)
    if effects is None or not effects.alongside:
        return
    started, effects.alongside = effects.alongside, []
    # each awaited in turn (usually one): ``asyncio.gather`` took one more turn of the loop
    for number, task in enumerate(started):
        try:
            await task
        except asyncio.CancelledError as exc:
            current = asyncio.current_task()
            if current is not None and current.cancelling():  # we are: so are the others
                for later in started[number + 1:]:
                    later.cancel()
                raise
            log.warning("an effect alongside the commit failed: %s", type(exc).__name__)
        except Exception as exc:
            log.warning("an effect alongside the commit failed: %s", type(exc).__name__)


def has_queued(session: AsyncSession) -> bool:
    effects = session.sync_session.info.get(KEY)
    return bool(effects and effects.queued)


@event.listens_for(UnitOfWorkSession, "after_commit")
def _committed(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: nothing is stored until the outer transaction commits
    effects = session.info.get(KEY)
    if effects is not None and effects.queued:
        effects.ready.extend(effects.queued)
        effects.queued.clear()


@event.listens_for(UnitOfWorkSession, "after_soft_rollback")
def _rolled_back(session: Session, previous: SessionTransaction) -> None:
    effects = session.info.get(KEY)
    if effects is not None and previous.parent is None:
        effects.queued.clear()


async def run_committed(
    session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession] | None = None
) -> None:
    """Run the committed effects in order, after those started :func:`alongside`, then store
    what they learned (:class:`WriteBack`)."""
    await sent_alongside(session)
    effects = session.sync_session.info.get(KEY)
    if effects is None or not effects.ready:
        return
    ready, effects.ready = effects.ready, []
    writes: list[WriteBack] = []
    for effect in ready:
        try:
            result = await effect()
        except Exception as exc:  # the fact is stored; one failed message stops no other
            log.warning("an effect after commit failed: %s", type(exc).__name__)
            continue
        if isinstance(result, WriteBack):
            writes.append(result)
        elif isinstance(result, list):
            writes.extend(r for r in result if isinstance(r, WriteBack))
    if writes and sessionmaker is not None:
        await write_back(sessionmaker, writes)


async def write_back(sessionmaker: async_sessionmaker[AsyncSession], writes: list[WriteBack]
                     ) -> None:
    try:
        async with sessionmaker() as session:
            for item in writes:
                where = item.model.id == item.row_id
                statement = (delete(item.model).where(where) if item.values is None
                             else update(item.model).where(where).values(**item.values))
                await session.execute(statement.execution_options(synchronize_session=False))
            await session.commit()
    except Exception as exc:  # a message id not kept: its buttons still work, edits are skipped
        log.warning("could not store what %d sent messages returned: %s", len(writes),
                    type(exc).__name__)


async def commit(session: AsyncSession,
                 sessionmaker: async_sessionmaker[AsyncSession] | None = None) -> None:
    """Commit the unit of work, then run its effects (for owners: middleware, job loops)."""
    await session.commit()
    await run_committed(session, sessionmaker)
