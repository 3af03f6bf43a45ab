"""Typed questions and ``/find``: screened, read into criteria, answered or completed.

Every typed text passes the privacy screen before anything else, its length included: an
identifying one is deleted and refused, and nothing of it is answered or kept.
"""

from __future__ import annotations

import re

from aiogram.filters import CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.models.core import Worker
from bot.services.directory.criteria import MAX_QUERY_CHARS, Criteria, Interpretation, interpret
from bot.services.directory.format import criteria_line
from handlers.directory.answers import answer, ask_region, text_for
from handlers.directory.keyboards import places_keyboard, regions_keyboard
from handlers.directory.queries import remember
from handlers.privacy_reply import screened_or_refused
from handlers.ui import lang
from knowledge.smalltalk import ABOUT, THANKS, small_talk

_CODE_RE = re.compile(r"\b(0[1-9]|1[0-7])\b")


async def find(message: Message, command: CommandObject, app: App, session: AsyncSession,
               state: FSMContext, worker: Worker) -> None:
    """``/find words``: the question; ``/find`` alone: the buttons, region first."""
    if command.args and command.args.strip():
        await handle_question(message, app, session, state, worker, command.args,
                              codes_allowed=True)
        return
    await ask_region(message, app, state, worker, Criteria(), wizard=True)


async def question(message: Message, app: App, session: AsyncSession, state: FSMContext,
                   worker: Worker) -> None:
    """Any other text: a question to the directory (a greeting or thanks alone is answered
    as such, not with the region picker)."""
    await handle_question(message, app, session, state, worker, message.text or "",
                          small_talk_allowed=True)


def small_talk_reply(kind: str) -> str:
    """A short answer to a greeting, thanks or "what can you do", pointing to what Relais does."""
    example = _("<i>shelter for a 16 year old in Longueuil tonight</i>")
    if kind == THANKS:
        return _("You are welcome! Write a new question whenever you need; /help lists "
                 "everything Relais does.")
    if kind == ABOUT:
        return _("I find who can take a youth here and now in the partner directory: write who, "
                 "where and what is needed, for example {example}. From an answer you can "
                 "request a handoff to a named worker who accepts it, and Relais reminds you "
                 "until the loop is closed (/handoffs, /remind). /help lists every command."
                 ).format(example=example)
    return _("Hello! Tell me who you are looking for and where, in a few words, for example "
             "{example}: I answer with the services that can take the youth now. Handoffs, "
             "reminders and everything else: /help.").format(example=example)


async def handle_question(message: Message, app: App, session: AsyncSession, state: FSMContext,
                          worker: Worker, text: str, *, codes_allowed: bool = False,
                          small_talk_allowed: bool = False) -> None:
    """Screen, read and answer a question; only its interpretation (criteria) is kept."""
    text = " ".join(text.split())
    if not text:
        await message.answer(_("Write your question in a few words, for example: "
                               "<i>shelter for a 16 year old in Longueuil tonight</i>."))
        return
    # The screen comes first, even for a text too long to search: an identifying question
    # is deleted and refused as such, and nothing of it is read, answered or kept.
    if await screened_or_refused(message, app, session, context="directory.search") is None:
        return
    if len(text) > MAX_QUERY_CHARS:
        await message.answer(_("That is too long for a search ({count} characters; at most "
                               "{max}). Say in a few words who, where and what is needed, "
                               "without details about the youth.").format(
                                   count=len(text), max=MAX_QUERY_CHARS))
        return
    if small_talk_allowed and (kind := small_talk(text)) is not None:
        await message.answer(small_talk_reply(kind))
        return
    found = interpret(text, lang(), gazetteer=app.gazetteer, taxonomy=app.taxonomy)
    if codes_allowed:
        found = _with_codes(found, text)
    criteria = found.criteria
    if found.ambiguous:
        token = await remember(state, criteria, choices=found.ambiguous)
        await message.answer(
            criteria_line(criteria, text_for(app), app.taxonomy) + "\n\n"
            + _("This place exists in several regions. Which one?"),
            reply_markup=places_keyboard(token, found.ambiguous, lang(), other_region=True),
        )
        return
    if found.unknown_place and not criteria.regions:
        token = await remember(state, criteria, choices=found.suggestions)
        if found.suggestions:
            prompt = _("I did not recognise the place. Did you mean:")
        else:
            prompt = _("I did not recognise the place. Choose the region:")
        await message.answer(
            criteria_line(criteria, text_for(app), app.taxonomy) + "\n\n" + prompt,
            reply_markup=(places_keyboard(token, found.suggestions, lang(), other_region=True)
                          if found.suggestions else regions_keyboard(token, lang(), worker.regions)),
        )
        return
    if not criteria.regions:
        await ask_region(message, app, state, worker, criteria)
        return
    await answer(message, app, session, state, criteria)


def _with_codes(found: Interpretation, text: str) -> Interpretation:
    """``/find transition-18 06``: bare region codes count as regions when no place was named."""
    if found.criteria.regions:
        return found
    codes = [c for c in _CODE_RE.findall(text)
             if found.criteria.age is None or int(c) != found.criteria.age]
    if not codes:
        return found
    found.criteria = found.criteria.with_(regions=tuple(dict.fromkeys(codes)))
    found.unknown_place = None
    return found
