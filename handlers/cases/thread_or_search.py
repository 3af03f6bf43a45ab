"""Text typed without a button while a case thread is open: to the thread, or a search?

A worker who has just exchanged in a case thread often answers by typing, without "Reply" or
"Write in the thread"; the directory would read that as a search. While a thread is open with
them (:mod:`bot.services.open_threads`: a thread message to or from them, or an accepted handoff
of the case, in the last 30 minutes), :class:`ThreadOpen` lets this handler take the text first
(the cases router runs before the directory's): it is screened (an identifying text is deleted and
refused, nothing is kept), then kept encrypted in the conversation state for
:data:`PENDING_SECONDS` at most, and the worker picks "Send to the thread of case X" or "Search
the directory". Either tap takes the text out of the state; an expired one is dropped unread.
"""

from __future__ import annotations

from typing import Any

from aiogram.filters import Filter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.models.cases import Case
from bot.models.core import Worker
from bot.services import cases, crypto, open_threads
from handlers.directory.questions import handle_question
from handlers.privacy_reply import screened_or_refused
from handlers.replies import reply_after_commit
from handlers.secure import sign
from handlers.ui import keyboard, lang

TO_THREAD = "case.typed"  # "Send to the thread of case X" (object: the case)
TO_SEARCH = "case.search"  # "Search the directory"
PENDING_KEY = "typed_pending"  # {"enc": Fernet token of the screened text, "at": timestamp}
PENDING_SECONDS = 10 * 60


class ThreadOpen(Filter):
    """Only when a case thread is open with the worker; hands the cases to the handler."""

    async def __call__(self, message: Message, app: App, session: AsyncSession,
                       worker: Worker | None = None, thread_open: bool = True
                       ) -> bool | dict[str, Any]:
        if worker is None or not thread_open:  # known with the worker: none is open
            return False
        # no autoflush: a query here must not flush the worker's pending changes (a returning
        # worker's "blocked" flag is read from its history to release held reminders)
        with session.no_autoflush:
            found = await open_threads.open_threads(session, worker, now=app.clock.now())
        return {"threads": found} if found else False


async def ask_where(message: Message, app: App, session: AsyncSession, state: FSMContext,
                    threads: list[Case]) -> None:
    """Screen the text, keep it encrypted for a short while, and ask where it goes."""
    text = await screened_or_refused(message, app, session, context="case.thread")
    if text is None:
        return  # refused (and deleted if flagged): nothing is kept
    await state.update_data({PENDING_KEY: {"enc": crypto.encrypt(app, text),
                                           "at": app.clock.now().timestamp()}})
    user_id = message.from_user.id
    rows = [[(_("💬 Send to the thread of case {code}").format(code=case.code),
              sign(app, TO_THREAD, case.id, user_id))] for case in threads]
    rows.append([(_("🔎 Search the directory"), sign(app, TO_SEARCH, 0, user_id))])
    codes = ", ".join(case.code for case in threads)
    await message.answer(
        _("A case thread is open with you ({codes}). Is this message for the thread, or a "
          "search in the directory?").format(codes=codes),
        reply_markup=keyboard(rows))


async def take_pending(app: App, state: FSMContext) -> str | None:
    """The kept text, removed from the state; None when there is none or it expired."""
    data = await state.get_data()
    pending = data.get(PENDING_KEY)
    if pending:
        await state.update_data({PENDING_KEY: None})
    if not isinstance(pending, dict):
        return None
    if app.clock.now().timestamp() - float(pending.get("at") or 0) > PENDING_SECONDS:
        return None
    try:
        return crypto.decrypt(app, str(pending.get("enc") or ""))
    except crypto.UndecryptableText:
        return None


async def gone(query: CallbackQuery) -> None:
    await query.answer(_("This message is no longer kept. Please write it again."),
                       show_alert=True)


async def to_thread(query: CallbackQuery, object_id: int, app: App, session: AsyncSession,
                    worker: Worker, state: FSMContext) -> None:
    """"Send to the thread of case X": stored and relayed (screened again), then said."""
    case = await cases.open_case_for_action(session, worker, object_id, now=app.clock.now())
    text = await take_pending(app, state)
    if text is None:
        await gone(query)
        return
    await cases.post_for_worker(app, session, worker, case.id, text, lang=lang())
    reply_after_commit(session, query.answer)
    reply_after_commit(session, query.message.edit_reply_markup, reply_markup=None)
    reply_after_commit(
        session, query.message.answer,
        _("Sent to the participants of case {code}.").format(code=case.code),
        protect_content=True)


async def to_search(query: CallbackQuery, app: App, session: AsyncSession, worker: Worker,
                    state: FSMContext) -> None:
    """"Search the directory": the kept text is read as a question."""
    text = await take_pending(app, state)
    if text is None:
        await gone(query)
        return
    await query.answer()
    await query.message.edit_reply_markup(reply_markup=None)
    # The question's own handler screens its message: hand it the worker's text, not ours.
    typed = query.message.model_copy(update={"text": text, "from_user": query.from_user})
    await handle_question(typed, app, session, state, worker, text)
