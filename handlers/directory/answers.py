"""What the directory sends back to a search: a page of the answer, or the question of the region."""

from __future__ import annotations

import logging

from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.i18n import Text
from bot.models.core import Worker
from bot.services.directory.answers import answer_page
from bot.services.directory.criteria import Criteria
from bot.services.directory.format import answer_text, criteria_line
from bot.services.directory.reach import receivable_ids
from bot.services.directory.search import SearchOutcome
from bot.services.stats.recording import record_search
from handlers.directory.keyboards import answer_keyboard, regions_keyboard
from handlers.directory.queries import recall, remember, update
from handlers.replies import reply_after_commit
from handlers.ui import lang

log = logging.getLogger(__name__)


def text_for(app: App) -> Text:
    """Translation and formatting in the chat's language."""
    return app.translator.text(lang())


async def answer(target: Message, app: App, session: AsyncSession, state: FSMContext,
                 criteria: Criteria, token: str | None = None, page: int = 0) -> None:
    """Search and send one page of the answer, with its buttons."""
    now = app.clock.now()
    outcome = await answer_page(app, session, criteria, now=now, page=page)
    if token is not None:
        counted = await count_once(state, token, outcome)
    elif outcome.offset:
        token = await remember(state, criteria)
        counted = False
    else:  # a new question's first answer: counted, and kept as counted
        token = await remember(state, criteria, counted=True)
        counted = True
    text = answer_text(outcome, text_for(app), now, app.taxonomy)
    reachable = await receivable_ids(session, [r.service_id for r in outcome.results], now=now)
    # The page goes out after the update's commit, with nothing written before it but the
    # counts: the next updates are fetched while it travels (see ``docs/architecture.md``).
    reply_after_commit(session, target.answer, text,
                       reply_markup=answer_keyboard(token, outcome, page, reachable))
    if counted:
        record_search(session, outcome.criteria, outcome, now=now, zone=app.translator.zone)
    log.debug("directory answer: %d result(s) of %d, page %d", len(outcome.results),
              outcome.total, page)


async def count_once(state: FSMContext, token: str, outcome: SearchOutcome) -> bool:
    """Whether to count the question in the figures (marked counted in the kept search): at
    its first answer only, as page turns, corrections and "neighbouring regions" show the same
    question again."""
    kept = await recall(state, token)
    if outcome.offset or kept is None or kept.get("counted"):
        return False
    await update(state, token, counted=True)
    return True


async def ask_region(target: Message, app: App, state: FSMContext, worker: Worker,
                     criteria: Criteria, *, wizard: bool = False) -> None:
    """Ask for the region, the worker's own first (the first step of the ``/find`` buttons)."""
    token = await remember(state, criteria, wizard=wizard)
    line = "" if wizard else criteria_line(criteria, text_for(app), app.taxonomy) + "\n\n"
    await target.answer(
        line + _("In which region? (you can also write a city or a postal prefix like J4K)"),
        reply_markup=regions_keyboard(token, lang(), worker.regions),
    )
