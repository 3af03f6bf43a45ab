"""The unit of work of an update: one session, one commit, then the effects of what was stored.

This middleware owns the update's transaction (handlers and services never commit it):

1. an update already handled (Telegram delivered it twice, or a process took it over) is
   skipped;
2. the handlers run with ``session`` in their data and queue what they have to tell people
   (:mod:`bot.db.effects`; a reply that announces nothing stored may leave at once, alongside
   the commit, and is waited for before anything else goes out);
3. the update is marked handled (:func:`bot.services.inbox.mark_handled`) and everything commits
   at once; only then do the queued messages go out. A mark that ran alone, nothing written
   before it, is stored as it returns: the polled batch is told so at once, and its next
   ``getUpdates`` leaves before the session's commit, which has nothing left to store;
4. if the commit fails, nothing was stored and nobody is told anything but the person who acted,
   who gets an apology.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update
from aiogram.utils.i18n import I18n
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.db.effects import run_committed, sent_alongside
from bot.i18n import pick_language
from bot.services import inbox, workers
from handlers.middlewares.chat_turn import wait_turn
from handlers.middlewares.errors import GENERIC_ERROR
from handlers.turn import TurnNotTaken

log = logging.getLogger(__name__)


class DatabaseMiddleware(BaseMiddleware):
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock,
                 i18n: I18n, default_language: str, claim_seconds: float = 30.0) -> None:
        self.sessionmaker = sessionmaker
        self.claim_seconds = claim_seconds
        self.clock = clock
        self.i18n = i18n
        self.default_language = default_language

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        update_id = event.update_id if isinstance(event, Update) else None
        bot_id = data["bot"].id
        async with self.sessionmaker() as session:
            if update_id is not None and not self._surely_new(data) and await self._handled(
                    session, bot_id, update_id, data):
                log.info("update %s already handled, skipped", update_id)
                await inbox.forget(session, bot_id, update_id)
                self._settled(data, update_id)
                return None
            data["session"] = session
            try:
                return await self._handle(handler, event, data, session, update_id)
            finally:
                await sent_alongside(session)  # on every path: nothing left running

    async def _handle(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
        session: AsyncSession,
        update_id: int | None,
    ) -> Any:
        """Run the handlers, mark the update handled and commit, then run the effects."""
        bot_id = data["bot"].id
        try:
            result = await handler(event, data)
            await wait_turn(data)  # nothing commits outside the chat's turn
        except TurnNotTaken:
            await session.rollback()
            raise  # not handled: tried again (the inbox keeps it, or Telegram sends it again)
        except Exception:
            await session.rollback()
            # answered with an apology: not again
            if await self._mark_alone(bot_id, update_id):
                self._settled(data, update_id)
            raise
        try:
            if update_id is not None and await inbox.mark_handled(
                    session, bot_id, update_id, self.clock.now(), kept=self._kept(data, update_id)):
                # stored already, and nothing else to store: the next getUpdates may leave
                # before the commit's bookkeeping (the batch waits for it, the poller is idle)
                self._settled(data, update_id)
                await asyncio.sleep(0)
            await session.commit()
        except IntegrityError:
            await session.rollback()
            log.info("update %s was handled meanwhile elsewhere; dropped", update_id)
            self._settled(data, update_id)
            return None
        except Exception as exc:
            await session.rollback()
            log.error("update %s not stored: %s", update_id, type(exc).__name__)
            data["update_failed"] = True  # for the metrics: answered, but nothing stored
            await sent_alongside(session)  # the apology comes after what already left
            await self._apologise(data)
            if await self._mark_alone(bot_id, update_id):
                self._settled(data, update_id)
            return None
        self._settled(data, update_id)
        await run_committed(session, self.sessionmaker)
        return result

    @staticmethod
    async def _handled(session: AsyncSession, bot_id: int, update_id: int,
                       data: dict[str, Any]) -> bool:
        """Whether the update was handled already, looked up within the chat's turn (a process
        handling it now gives the turn back only after its commit)."""
        await wait_turn(data)
        return await inbox.is_handled(session, bot_id, update_id)

    @staticmethod
    def _settled(data: dict[str, Any], update_id: int | None) -> None:
        """Tell the intake the update is handled for good (a polled batch waits for that)."""
        if update_id is not None and (settled := data.get("inbox_settled")) is not None:
            settled(update_id)

    def _surely_new(self, data: dict[str, Any]) -> bool:
        """Whether nobody can have handled this update yet, so the look-up is saved:

        - the inbox has just recorded it as new and ours (:meth:`Inbox.record` checks that it
          was not handled, after claiming it), and our claim is young;
        - or it was polled after this process's first batch (``inbox_unseen``). Only one
          process polls, and Telegram sends again only the batch it was not told had arrived,
          which comes first to the next poller: every later update is delivered for the first
          time. The handled mark's primary key still refuses a second commit."""
        if data.get("inbox_unseen"):
            return True
        claimed_at = data.get("inbox_claimed_at")
        return claimed_at is not None and time.monotonic() - claimed_at < self.claim_seconds / 2

    @staticmethod
    def _kept(data: dict[str, Any], update_id: int) -> bool:
        """Whether the update may have an inbox copy to delete with its handled mark."""
        kept = data.get("inbox_kept")
        return kept is None or kept(update_id)

    async def _mark_alone(self, bot_id: int, update_id: int | None) -> bool:
        """Mark a failed update handled in a transaction of its own, so it is not tried again
        (True when done); when even that fails, the inbox keeps it for a later try."""
        if update_id is None:
            return False
        try:
            async with self.sessionmaker() as session:
                await inbox.mark_handled(session, bot_id, update_id, self.clock.now())
                await session.commit()
        except Exception as exc:
            log.warning("update %s not marked handled: %s", update_id, type(exc).__name__)
            return False
        return True

    async def _apologise(self, data: dict[str, Any]) -> None:
        """Tell the person who acted that nothing was saved, in their language."""
        user = data.get("event_from_user")
        chat = data.get("event_chat")
        if user is None or chat is None:
            return
        saved = None
        try:  # their saved language, when the database still answers
            async with self.sessionmaker() as session:
                worker = await workers.by_telegram_id(session, user.id)
                saved = worker.language if worker is not None else None
        except Exception as exc:
            log.info("language of the apology not read: %s", type(exc).__name__)
        locale = pick_language(saved, user.language_code, self.default_language)
        try:
            await data["bot"].send_message(chat.id, self.i18n.gettext(GENERIC_ERROR, locale=locale))
        except Exception as exc:  # Telegram down too: nothing more to do
            log.warning("could not send the apology: %s", type(exc).__name__)
