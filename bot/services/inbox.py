"""Every Telegram update is handled once, even when a process dies while handling it.

- :meth:`Inbox.record` stores received updates (encrypted: they may hold identifying text the
  privacy screen has not seen yet) before Telegram is told they arrived: the next ``getUpdates``
  offset, or the webhook's 200. Updates already handled or already recorded are left out, so a
  redelivery is never handled twice.
- :func:`mark_handled` runs in the update's own transaction: the ``processed_updates`` row and
  the inbox row's deletion commit together with the update's effects, or not at all.
- A mark that is its update's only write, for a polled update with no inbox copy, commits
  without waiting for the disk (PostgreSQL's ``synchronous_commit`` off, for that statement
  alone): the wait was two thirds of its trip, in the cycle of every update. Nothing else was
  stored, and the mark only matters while Telegram may send the update again, until the offset
  moves past it, usually as the mark returns. A database crash before the offset moves (the
  batch waiting for a slower update, or the bot's machine going down with the database's) may
  lose the mark: the update, which stored nothing, is then handled once more, its reply sent
  twice, as when a process dies before its commit (:mod:`bot.db.effects`).
- :meth:`Inbox.claim_stale` hands a live process the updates whose handler died with its process
  (their claim ran out); :meth:`Inbox.release` gives back, at a graceful stop, those not handled.
"""

from __future__ import annotations

import functools
import json
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, delete, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.last_write import execute_last
from bot.db.short_statements import short
from bot.models.core import ProcessedUpdate
from bot.models.inbox import InboxUpdate
from bot.services import crypto

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

# The tables, for the statements every update runs: Core statements on a table skip the ORM's
# bulk-statement machinery (a third of the database time of a short update, measured).
PROCESSED = ProcessedUpdate.__table__
INBOX = InboxUpdate.__table__
KEEP_HANDLED = timedelta(hours=48)  # Telegram keeps an undelivered update at most 24 h
MAX_ATTEMPTS = 5  # an update whose handling died this often is dropped (logged by id)


@dataclass(frozen=True)
class Received:
    """An update to handle: its id and Telegram's JSON object."""

    update_id: int
    payload: dict[str, Any]


def new_owner() -> str:
    """A name for this process's claims."""
    return uuid.uuid4().hex[:16]


@functools.cache
def _is_handled_query() -> Any:
    """Built once, like the handled mark: building it cost as much as running it."""
    handled = PROCESSED.c
    return short(select(handled.update_id).where(handled.bot_id == bindparam("bot_id"),
                                                 handled.update_id == bindparam("update_id")))


async def is_handled(session: AsyncSession, bot_id: int, update_id: int) -> bool:
    return await session.scalar(_is_handled_query(),
                                {"bot_id": bot_id, "update_id": update_id}) is not None


async def forget(session: AsyncSession, bot_id: int, update_id: int) -> None:
    """Delete the inbox copy of an update handled already (recorded again by a redelivery that
    crossed its handling)."""
    await session.execute(delete(InboxUpdate).where(
        InboxUpdate.bot_id == bot_id, InboxUpdate.update_id == update_id))
    await session.commit()


INBOX_COLUMNS = ("update_id", "bot_id", "received_at", "payload_enc", "claimed_by",
                 "claimed_until", "attempts")


@functools.lru_cache(maxsize=128)
def _claim_statement(rows: int) -> Any:
    """``INSERT .. ON CONFLICT DO NOTHING RETURNING update_id`` for ``rows`` updates, parameters
    ``<column>_<row>``. Built once per batch size, as text with typed parameters: SQLAlchemy does
    not cache dialect inserts with ``ON CONFLICT``, and compiling one for every batch cost more
    than running it. The same SQL serves SQLite and PostgreSQL."""
    values = ", ".join("(" + ", ".join(f":{name}_{i}" for name in INBOX_COLUMNS) + ")"
                       for i in range(rows))
    statement = text(f"INSERT INTO {INBOX.name} ({', '.join(INBOX_COLUMNS)}) VALUES {values} "
                     "ON CONFLICT DO NOTHING RETURNING update_id")
    return statement.bindparams(*[bindparam(f"{name}_{i}", type_=INBOX.c[name].type)
                                  for i in range(rows) for name in INBOX_COLUMNS])


@functools.cache
def _handled_statements() -> tuple[Any, Any, Any]:
    """Built once (they run for every update, and building them cost as much as running them):
    the handled mark; the same, when it runs alone, with a commit that does not wait for the
    disk (``set_config(.., true)`` holds for the statement's own transaction only; see the
    module's docstring); and the inbox copy's deletion."""
    handled = PROCESSED.c
    binds = (bindparam("update_id", type_=handled.update_id.type),
             bindparam("bot_id", type_=handled.bot_id.type),
             bindparam("now", type_=handled.processed_at.type))
    # as text, so that counts queued with ``write_late`` can join it in one statement
    mark = text("INSERT INTO processed_updates (update_id, bot_id, processed_at) "
                "VALUES (:update_id, :bot_id, :now)").bindparams(*binds)
    relaxed = text("INSERT INTO processed_updates (update_id, bot_id, processed_at) "
                   "SELECT :update_id, :bot_id, :now FROM "
                   "(SELECT set_config('synchronous_commit', 'off', true)) AS relaxed"
                   ).bindparams(*binds)
    return (short(mark), short(relaxed),
            short(delete(INBOX).where(INBOX.c.bot_id == bindparam("bot_id"),
                                      INBOX.c.update_id == bindparam("update_id"))))


async def mark_handled(session: AsyncSession, bot_id: int, update_id: int, now: datetime, *,
                       kept: bool = True) -> bool:
    """In the update's transaction: it is handled, and its inbox copy goes with the commit
    (``kept=False``: it has none, a polled update settled before it had to be recorded; a copy
    recorded meanwhile is met by the record's own handled check, or by a later sweep). True
    when the mark is stored already: it ran alone, committed as it ran, nothing written before
    it (:func:`bot.db.last_write.execute_last`), its commit not waiting for the disk."""
    mark, relaxed, forget_copy = _handled_statements()
    if not kept:  # the mark is the transaction's last statement (the commit follows)
        return await execute_last(session, mark,
                                  {"update_id": update_id, "bot_id": bot_id, "now": now},
                                  alone=relaxed)
    await session.execute(mark, {"update_id": update_id, "bot_id": bot_id, "now": now})
    await session.execute(forget_copy, {"update_id": update_id, "bot_id": bot_id})
    return False


class Inbox:
    """The inbox of one process (its claims carry ``owner``)."""

    def __init__(self, app: App, owner: str | None = None) -> None:
        self.app = app
        self.owner = owner or new_owner()
        # a handler running longer than this is taken for dead (RELAIS_INBOX_CLAIM_SECONDS)
        self.claim = timedelta(seconds=app.settings.inbox_claim_seconds)

    async def record(self, bot_id: int, updates: Sequence[Received]) -> list[Received]:
        """Store the updates not seen before, claimed by this process, in one commit; returns
        them (the ones to handle now)."""
        if not updates:
            return []
        now = self.app.clock.now()
        rows = [{
            "update_id": u.update_id, "bot_id": bot_id, "received_at": now,
            "payload_enc": crypto.encrypt(self.app, json.dumps(u.payload)),
            "claimed_by": self.owner, "claimed_until": now + self.claim, "attempts": 1,
        } for u in updates]
        async with self.app.sessionmaker() as session:
            # Claim first, then look for a handled copy: a process that handles one of these
            # deletes its inbox row in the commit that marks it handled, so either our insert
            # meets its row (no claim), or our look-up, made after, meets the handled mark.
            # An update returned here is ours alone, and not handled, as of this commit.
            inserted = set((await session.scalars(
                _claim_statement(len(rows)),
                {f"{name}_{i}": value for i, row in enumerate(rows) for name, value in row.items()},
            )).all())
            if not inserted:
                return []
            handled = set((await session.scalars(select(PROCESSED.c.update_id).where(
                PROCESSED.c.bot_id == bot_id,
                PROCESSED.c.update_id.in_(inserted)))).all())
            if handled:
                await session.execute(delete(InboxUpdate).where(
                    InboxUpdate.bot_id == bot_id, InboxUpdate.update_id.in_(handled)))
            await session.commit()
        return [u for u in updates if u.update_id in inserted - handled]

    async def claim_stale(self, bot_id: int, limit: int = 50) -> list[Received]:
        """Take over updates whose claim ran out (their process died); drop the hopeless."""
        now = self.app.clock.now()
        taken: list[Received] = []
        async with self.app.sessionmaker() as session:
            rows = (await session.scalars(
                select(InboxUpdate).where(InboxUpdate.bot_id == bot_id,
                                          InboxUpdate.claimed_until <= now)
                .order_by(InboxUpdate.update_id).limit(limit))).all()
            for row in rows:
                claimed = await session.execute(
                    update(InboxUpdate)
                    .where(InboxUpdate.bot_id == bot_id, InboxUpdate.update_id == row.update_id,
                           InboxUpdate.claimed_until == row.claimed_until)
                    .values(claimed_by=self.owner, claimed_until=now + self.claim,
                            attempts=InboxUpdate.attempts + 1)
                    .execution_options(synchronize_session=False))
                if claimed.rowcount != 1:
                    continue  # another process took it first
                if row.attempts >= MAX_ATTEMPTS:
                    log.warning("update %s dropped after %d attempts", row.update_id, row.attempts)
                    await mark_handled(session, bot_id, row.update_id, now)
                    continue
                payload = self._payload(row)
                if payload is None:
                    await mark_handled(session, bot_id, row.update_id, now)
                    continue
                taken.append(Received(row.update_id, payload))
            await session.commit()
        if taken:
            log.info("took over %d update(s) left unhandled", len(taken))
        return taken

    def _payload(self, row: InboxUpdate) -> dict[str, Any] | None:
        try:
            return json.loads(crypto.decrypt(self.app, row.payload_enc))
        except (crypto.UndecryptableText, ValueError):
            log.warning("update %s cannot be read with the current data key; dropped",
                        row.update_id)
            return None

    async def renew(self, bot_id: int, update_ids: Sequence[int]) -> None:
        """Extend this process's claims on the updates it is still handling (a slow handler,
        or one waiting for the chat's lock, is not taken for dead)."""
        await self._set_claims(bot_id, update_ids, claimed_until=self.app.clock.now() + self.claim)

    async def release(self, bot_id: int, update_ids: Sequence[int]) -> None:
        """Give back updates this process claimed but will not handle (a graceful stop)."""
        await self._set_claims(bot_id, update_ids, claimed_by=None,
                               claimed_until=self.app.clock.now())

    async def _set_claims(self, bot_id: int, update_ids: Sequence[int], **values: Any) -> None:
        """Change this process's own claims on ``update_ids``."""
        if not update_ids:
            return
        async with self.app.sessionmaker() as session:
            await session.execute(
                update(InboxUpdate)
                .where(InboxUpdate.bot_id == bot_id, InboxUpdate.update_id.in_(list(update_ids)),
                       InboxUpdate.claimed_by == self.owner)
                .values(**values)
                .execution_options(synchronize_session=False))
            await session.commit()

    async def prune(self) -> int:
        """Forget handled update ids older than Telegram could redeliver them."""
        async with self.app.sessionmaker() as session:
            result = await session.execute(delete(ProcessedUpdate).where(
                ProcessedUpdate.processed_at < self.app.clock.now() - KEEP_HANDLED))
            await session.commit()
        return int(result.rowcount or 0)

    async def pending(self, bot_id: int) -> int:
        """How many recorded updates are not handled yet."""
        from sqlalchemy import func

        async with self.app.sessionmaker() as session:
            return int(await session.scalar(select(func.count()).select_from(InboxUpdate).where(
                InboxUpdate.bot_id == bot_id)) or 0)
