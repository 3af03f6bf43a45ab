"""Who can take this youth in region X: free-text questions, ``/find``, ``/capacity``, error reports.

A question (or ``/find`` with its buttons) becomes criteria, shown back in one line with buttons
to correct them; the answer lists the few services that can take the youth now, best first,
each with "request handoff" (handled by the handoff router) and "report an error" buttons.
Criteria of recent questions are kept in the conversation state under a short token, so that
"more results" and the correction buttons work on the question they belong to.

Every typed text (a question, ``/find`` words, an error report) passes the privacy screen before
anything else, its length included: an identifying one is deleted and refused, and nothing of it
is answered or kept. What the conversation state keeps of a search is its interpretation only
(:meth:`Criteria.to_dict`: regions, place, needs, age, language, flags, vocabulary keywords) and
gazetteer place names offered as choices, never the words typed.
"""

from __future__ import annotations

import html
import logging
import re
import secrets
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command as CommandFilter
from aiogram.filters import CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import get_i18n, ngettext
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.i18n import N_, Text
from bot.messenger import OutgoingMessage
from bot.models.core import Worker
from bot.services import audit, outgoing
from bot.services.directory import receivers
from bot.services.directory.criteria import (
    MAX_QUERY_CHARS,
    Criteria,
    Interpretation,
    PlaceChoice,
    interpret,
)
from bot.services.directory.format import answer_text, criteria_line, unit_text
from bot.services.directory.index import app_holder
from bot.services.directory.search import rank
from handlers.commands import Command
from handlers.directory_keyboards import (
    CapacityPick,
    CapacitySet,
    Change,
    Page,
    PickAge,
    PickNeed,
    PickPlace,
    PickRegion,
    ReportError,
    RequestHandoff,
    ages_keyboard,
    answer_keyboard,
    capacity_keyboard,
    capacity_services_keyboard,
    needs_keyboard,
    places_keyboard,
    regions_keyboard,
)
from handlers.privacy_reply import screened_or_refused
from knowledge.regions import load_regions

__all__ = ["RequestHandoff", "build_router"]

log = logging.getLogger(__name__)

COMMANDS = (
    Command("find", N_("Find a service: who can take this youth, where, now")),
    Command("capacity", N_("Update the places available in your services")),
)

PAGE_SIZE = 3
KEEP_QUERIES = 8
MAX_REPORT_CHARS = 500
REPORT_WINDOW = 15 * 60  # seconds during which the next message is the error description
STATE_KEY = "directory_queries"


class ReportStates(StatesGroup):
    description = State()


def lang() -> str:
    try:
        return get_i18n().current_locale
    except LookupError:
        return "fr"


# ------------------------------------------------------------------ stored questions
async def remember(state: FSMContext, criteria: Criteria, *, choices: list[PlaceChoice] | None = None,
                   wizard: bool = False) -> str:
    data = await state.get_data()
    queries: dict[str, Any] = dict(data.get(STATE_KEY) or {})
    token = secrets.token_urlsafe(4)[:6]
    queries[token] = {
        "criteria": criteria.to_dict(),
        "choices": [[c.name, list(c.regions)] for c in (choices or [])],
        "wizard": wizard,
    }
    while len(queries) > KEEP_QUERIES:
        queries.pop(next(iter(queries)))
    await state.update_data({STATE_KEY: queries})
    return token


async def recall(state: FSMContext, token: str) -> dict[str, Any] | None:
    data = await state.get_data()
    return (data.get(STATE_KEY) or {}).get(token)


async def update(state: FSMContext, token: str, **changes: Any) -> None:
    data = await state.get_data()
    queries = dict(data.get(STATE_KEY) or {})
    if token in queries:
        queries[token] = {**queries[token], **changes}
        await state.update_data({STATE_KEY: queries})


def build_router(app: App) -> Router:
    router = Router(name="directory")

    def text_for(language: str | None = None) -> Text:
        return app.translator.text(language or lang())

    async def answer(target: Message, session: AsyncSession, state: FSMContext, criteria: Criteria,
                     token: str | None = None, page: int = 0) -> None:
        """Search and send one page of the answer, with its buttons."""
        if token is None:
            token = await remember(state, criteria)
        holder = app_holder(app)
        index = await holder.get(session)
        now = app.clock.now()
        outcome = rank(index, criteria, now=now, limit=PAGE_SIZE, offset=page * PAGE_SIZE)
        text = answer_text(outcome, text_for(), now, app.taxonomy)
        await target.answer(text, reply_markup=answer_keyboard(token, outcome, page))
        log.info("directory answer: %d result(s) of %d, page %d", len(outcome.results),
                 outcome.total, page)

    async def ask_region(target: Message, state: FSMContext, worker: Worker, criteria: Criteria,
                         token: str | None = None, wizard: bool = False) -> None:
        if token is None:
            token = await remember(state, criteria, wizard=wizard)
        line = "" if wizard else criteria_line(criteria, text_for(), app.taxonomy) + "\n\n"
        await target.answer(
            line + _("In which region? (you can also write a city or a postal prefix like J4K)"),
            reply_markup=regions_keyboard(token, lang(), worker.regions),
        )

    async def handle_question(message: Message, session: AsyncSession, state: FSMContext,
                              worker: Worker, text: str, *, codes_allowed: bool = False) -> None:
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
        found = interpret(text, lang(), gazetteer=app.gazetteer, taxonomy=app.taxonomy)
        if codes_allowed:
            found = _with_codes(found, text)
        criteria = found.criteria
        if found.ambiguous:
            token = await remember(state, criteria, choices=found.ambiguous)
            await message.answer(
                criteria_line(criteria, text_for(), app.taxonomy) + "\n\n"
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
                criteria_line(criteria, text_for(), app.taxonomy) + "\n\n" + prompt,
                reply_markup=(places_keyboard(token, found.suggestions, lang(), other_region=True)
                              if found.suggestions else regions_keyboard(token, lang(), worker.regions)),
            )
            return
        if not criteria.regions:
            await ask_region(message, state, worker, criteria)
            return
        await answer(message, session, state, criteria)

    # ----------------------------------------------------------------- error reports
    @router.callback_query(ReportError.filter())
    async def report_start(query: CallbackQuery, callback_data: ReportError, session: AsyncSession,
                           state: FSMContext) -> None:
        service = await receivers.get_service(session, callback_data.service_id)
        await state.set_state(ReportStates.description)
        await state.update_data(report_service=service.id, report_at=app.clock.now().timestamp())
        await query.answer()
        await query.message.answer(_(
            "What is wrong in the listing of <b>{name}</b>? Describe it in a few words "
            "(phone, hours, ages, closed...). Never write anything about a youth."
        ).format(name=html.escape(service.name)))

    @router.message(ReportStates.description, F.text)
    async def report_text(message: Message, session: AsyncSession, state: FSMContext,
                          worker: Worker) -> None:
        data = await state.get_data()
        if app.clock.now().timestamp() - float(data.get("report_at") or 0) > REPORT_WINDOW:
            await state.set_state(None)  # an old, forgotten report: this is a new question
            await handle_question(message, session, state, worker, message.text or "")
            return
        # Screened before the length check: an identifying report is deleted even when too long.
        text = await screened_or_refused(message, app, session, context="directory.error_report")
        if text is None:
            return  # refused and explained; the user can write it again
        if len(text) > MAX_REPORT_CHARS:
            await message.answer(_("Please keep it under {max} characters.").format(max=MAX_REPORT_CHARS))
            return
        service = await receivers.get_service(session, int(data.get("report_service", 0)))
        owners = await receivers.owners_of(session, service)
        delivered = 0
        org = worker.organisation.name if worker.organisation else "—"
        for owner in owners:
            if owner.id == worker.id:
                continue
            t = app.translator.text(owner.preferred_language)
            body = t.gettext(
                "⚠️ <b>Error reported</b> in the listing of <b>{service}</b> by {worker} ({org}):",
                service=html.escape(service.name), worker=html.escape(worker.display_name),
                org=html.escape(org),
            ) + "\n\n" + html.escape(text) + "\n\n" + t.gettext(
                "Please correct the listing or tell your coordinator.")
            delivered += outgoing.send(app, session, owner,
                                       OutgoingMessage(chat_id=owner.telegram_id, text=body))
        await audit.record(session, at=app.clock.now(), action="directory.error_reported",
                           actor=worker, subject_type="service", subject_id=str(service.id),
                           recipients=delivered)
        await state.set_state(None)
        if delivered:
            await message.answer(ngettext(
                "Thank you. Your report was sent to {n} person responsible for this listing.",
                "Thank you. Your report was sent to {n} people responsible for this listing.",
                delivered).format(n=delivered))
        else:
            await message.answer(_("Thank you. Nobody is registered for this listing yet; your "
                                   "report is recorded for the coordinators."))

    # --------------------------------------------------------------------- capacity
    @router.message(CommandFilter("capacity"))
    async def capacity(message: Message, session: AsyncSession, worker: Worker) -> None:
        services = await receivers.services_of(session, worker)
        if not services:
            await message.answer(_("You do not receive for any service of the directory. A "
                                   "coordinator can register you as a receiver of a listing."))
            return
        if len(services) == 1:
            await show_capacity(message, session, services[0].id, edit=False)
            return
        await message.answer(_("Which service?"), reply_markup=capacity_services_keyboard(services))

    async def show_capacity(message: Message, session: AsyncSession, service_id: int, *,
                            edit: bool) -> None:
        service = await receivers.get_service(session, service_id)
        index = await app_holder(app).get(session)
        entry = index.get(service_id)
        t = text_for()
        current = _("unknown")
        if entry is not None and entry.capacity is not None:
            current = unit_text(entry.capacity.available, entry.capacity.unit, t)
        text = _("<b>{name}</b>\nPlaces available now (currently: {current}):").format(
            name=html.escape(service.name), current=html.escape(current))
        if edit:
            await message.edit_text(text, reply_markup=capacity_keyboard(service_id))
        else:
            await message.answer(text, reply_markup=capacity_keyboard(service_id))

    @router.callback_query(CapacityPick.filter())
    async def capacity_pick(query: CallbackQuery, callback_data: CapacityPick,
                            session: AsyncSession) -> None:
        await query.answer()
        await show_capacity(query.message, session, callback_data.service_id, edit=True)

    @router.callback_query(CapacitySet.filter())
    async def capacity_set(query: CallbackQuery, callback_data: CapacitySet, session: AsyncSession,
                           worker: Worker) -> None:
        value = callback_data.value
        if callback_data.op == "add":
            index = await app_holder(app).get(session)
            entry = index.get(callback_data.service_id)
            base = entry.capacity.available if entry is not None and entry.capacity else 0
            value = max(0, int(base) + value)
        saved = await receivers.set_capacity(session, worker, callback_data.service_id, value,
                                             app.clock.now())
        service = await receivers.get_service(session, callback_data.service_id)
        unit = saved.unit.name if saved.unit is not None else "place"
        t = text_for()
        await query.answer(_("Saved."))
        await query.message.edit_text(
            _("✅ <b>{name}</b>: {count}, updated just now.").format(
                name=html.escape(service.name), count=html.escape(unit_text(value, unit, t))),
            reply_markup=capacity_keyboard(callback_data.service_id),
        )

    # ------------------------------------------------------------------ /find and buttons
    @router.message(CommandFilter("find"))
    async def find(message: Message, command: CommandObject, session: AsyncSession,
                   state: FSMContext, worker: Worker) -> None:
        if command.args and command.args.strip():
            await handle_question(message, session, state, worker, command.args, codes_allowed=True)
            return
        await ask_region(message, state, worker, Criteria(), wizard=True)

    @router.callback_query(PickRegion.filter())
    async def pick_region(query: CallbackQuery, callback_data: PickRegion, session: AsyncSession,
                          state: FSMContext) -> None:
        stored = await stale_or(query, state, callback_data.q)
        if stored is None or callback_data.region not in load_regions():
            return
        criteria = Criteria.from_dict(stored["criteria"]).with_(regions=(callback_data.region,),
                                                                place=None)
        await query.answer()
        await continue_with(query.message, session, state, callback_data.q, stored, criteria, "region")

    @router.callback_query(PickPlace.filter())
    async def pick_place(query: CallbackQuery, callback_data: PickPlace, session: AsyncSession,
                         state: FSMContext) -> None:
        stored = await stale_or(query, state, callback_data.q)
        if stored is None:
            return
        choices = stored.get("choices") or []
        if not 0 <= callback_data.i < len(choices):
            await query.answer(_("This button is no longer valid."), show_alert=True)
            return
        name, regions = choices[callback_data.i]
        criteria = Criteria.from_dict(stored["criteria"]).with_(regions=tuple(regions), place=name)
        await query.answer()
        await continue_with(query.message, session, state, callback_data.q, stored, criteria, "region")

    @router.callback_query(PickNeed.filter())
    async def pick_need(query: CallbackQuery, callback_data: PickNeed, session: AsyncSession,
                        state: FSMContext) -> None:
        stored = await stale_or(query, state, callback_data.q)
        if stored is None:
            return
        codes = list(app.taxonomy.categories)
        needs = () if callback_data.i < 0 or callback_data.i >= len(codes) else (codes[callback_data.i],)
        criteria = Criteria.from_dict(stored["criteria"]).with_(needs=needs, keywords=())
        await query.answer()
        await continue_with(query.message, session, state, callback_data.q, stored, criteria, "need")

    @router.callback_query(PickAge.filter())
    async def pick_age(query: CallbackQuery, callback_data: PickAge, session: AsyncSession,
                       state: FSMContext) -> None:
        stored = await stale_or(query, state, callback_data.q)
        if stored is None:
            return
        age = callback_data.age if 0 < callback_data.age < 100 else None
        criteria = Criteria.from_dict(stored["criteria"]).with_(age=age)
        await query.answer()
        await continue_with(query.message, session, state, callback_data.q, stored, criteria, "age")

    async def continue_with(message: Message, session: AsyncSession, state: FSMContext, token: str,
                            stored: dict[str, Any], criteria: Criteria, step: str) -> None:
        """Next wizard step, or the answer with the corrected criteria."""
        await update(state, token, criteria=criteria.to_dict())
        if stored.get("wizard") and step == "region":
            await message.answer(_("What is needed?"),
                                 reply_markup=needs_keyboard(token, app.taxonomy, lang()))
            return
        if stored.get("wizard") and step == "need":
            await message.answer(_("Age of the youth?"), reply_markup=ages_keyboard(token))
            return
        if stored.get("wizard"):
            await update(state, token, wizard=False)
        await answer(message, session, state, criteria, token=token)

    @router.callback_query(Change.filter())
    async def change(query: CallbackQuery, callback_data: Change, session: AsyncSession,
                     state: FSMContext, worker: Worker) -> None:
        stored = await stale_or(query, state, callback_data.q)
        if stored is None:
            return
        criteria = Criteria.from_dict(stored["criteria"])
        await query.answer()
        token = callback_data.q
        match callback_data.what:
            case "region":
                await query.message.answer(
                    _("In which region?"), reply_markup=regions_keyboard(token, lang(), worker.regions))
            case "need":
                await query.message.answer(_("What is needed?"),
                                           reply_markup=needs_keyboard(token, app.taxonomy, lang()))
            case "age":
                await query.message.answer(_("Age of the youth?"), reply_markup=ages_keyboard(token))
            case "now":
                criteria = criteria.with_(now=False)
                await update(state, token, criteria=criteria.to_dict())
                await answer(query.message, session, state, criteria, token=token)

    @router.callback_query(Page.filter())
    async def more(query: CallbackQuery, callback_data: Page, session: AsyncSession,
                   state: FSMContext) -> None:
        stored = await stale_or(query, state, callback_data.q)
        if stored is None:
            return
        await query.answer()
        await answer(query.message, session, state, Criteria.from_dict(stored["criteria"]),
                     token=callback_data.q, page=max(0, callback_data.page))

    async def stale_or(query: CallbackQuery, state: FSMContext, token: str) -> dict[str, Any] | None:
        stored = await recall(state, token)
        if stored is None:
            await query.answer(_("This search has expired. Please ask again."), show_alert=True)
        return stored

    # ---------------------------------------------------------------- free text, last
    @router.message(F.text & ~F.text.startswith("/"))
    async def question(message: Message, session: AsyncSession, state: FSMContext,
                       worker: Worker) -> None:
        await handle_question(message, session, state, worker, message.text or "")

    return router


_CODE_RE = re.compile(r"\b(0[1-9]|1[0-7])\b")


def _with_codes(found: Interpretation, text: str) -> Interpretation:
    """``/find transition-18 06``: bare region codes count as regions when no place was named."""
    if found.criteria.regions:
        return found
    codes = [c for c in _CODE_RE.findall(text) if found.criteria.age is None or int(c) != found.criteria.age]
    if not codes:
        return found
    found.criteria = found.criteria.with_(regions=tuple(dict.fromkeys(codes)))
    found.unknown_place = None
    return found
