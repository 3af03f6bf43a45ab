"""The buttons of a search: the ``/find`` pickers, the corrections and "more results".

Each button carries the token of the search it belongs to (:mod:`handlers.directory.queries`);
a picker changes one criterion, then the search goes on: the next ``/find`` step, or the answer.
"""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.models.core import Worker
from bot.services.directory.answers import service_phone
from bot.services.directory.criteria import Criteria
from handlers.directory.answers import answer
from handlers.directory.keyboards import (
    CallService,
    Change,
    Page,
    PickAge,
    PickNeed,
    PickPlace,
    PickRegion,
    ages_keyboard,
    needs_keyboard,
    regions_keyboard,
)
from handlers.directory.queries import Search, open_search, update
from handlers.ui import esc, lang
from knowledge.regions import load_regions


async def pick_region(query: CallbackQuery, callback_data: PickRegion, app: App,
                      session: AsyncSession, state: FSMContext) -> None:
    """A region button: the search in that region (a place named before is dropped)."""
    search = await open_search(query, state, callback_data.q)
    if search is None or callback_data.region not in load_regions():
        return
    criteria = search.criteria.with_(regions=(callback_data.region,), place=None)
    await go_on(query, app, session, state, search, criteria, "region")


async def pick_place(query: CallbackQuery, callback_data: PickPlace, app: App,
                     session: AsyncSession, state: FSMContext) -> None:
    """A place offered as a choice: the search there, in that place's regions."""
    search = await open_search(query, state, callback_data.q)
    if search is None:
        return
    choices = search.stored.get("choices") or []
    if not 0 <= callback_data.i < len(choices):
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    name, regions = choices[callback_data.i]
    criteria = search.criteria.with_(regions=tuple(regions), place=name)
    await go_on(query, app, session, state, search, criteria, "region")


async def pick_need(query: CallbackQuery, callback_data: PickNeed, app: App,
                    session: AsyncSession, state: FSMContext) -> None:
    """A need button (or "any need"): the search for that category, typed keywords dropped."""
    search = await open_search(query, state, callback_data.q)
    if search is None:
        return
    codes = list(app.taxonomy.categories)
    needs = () if callback_data.i < 0 or callback_data.i >= len(codes) else (codes[callback_data.i],)
    criteria = search.criteria.with_(needs=needs, keywords=())
    await go_on(query, app, session, state, search, criteria, "need")


async def pick_age(query: CallbackQuery, callback_data: PickAge, app: App,
                   session: AsyncSession, state: FSMContext) -> None:
    """An age button (or "age not given"): the search for that age."""
    search = await open_search(query, state, callback_data.q)
    if search is None:
        return
    age = callback_data.age if 0 < callback_data.age < 100 else None
    await go_on(query, app, session, state, search, search.criteria.with_(age=age), "age")


async def go_on(query: CallbackQuery, app: App, session: AsyncSession, state: FSMContext,
                search: Search, criteria: Criteria, step: str) -> None:
    """Keep the picked criteria, then the next ``/find`` step, or the answer."""
    await query.answer()
    message = query.message
    token = search.token
    wizard = search.stored.get("wizard")
    await update(state, token, criteria=criteria.to_dict())
    if wizard and step == "region":
        await message.answer(_("What is needed?"),
                             reply_markup=needs_keyboard(token, app.taxonomy, lang()))
        return
    if wizard and step == "need":
        await message.answer(_("Age of the youth?"), reply_markup=ages_keyboard(token))
        return
    if wizard:
        await update(state, token, wizard=False)
    await answer(message, app, session, state, criteria, token=token)


async def change(query: CallbackQuery, callback_data: Change, app: App, session: AsyncSession,
                 state: FSMContext, worker: Worker) -> None:
    """A correction button under an answer: ask again for one criterion, or drop "open now"."""
    search = await open_search(query, state, callback_data.q)
    if search is None:
        return
    await query.answer()
    message = query.message
    token = search.token
    match callback_data.what:
        case "region":
            await message.answer(_("In which region?"),
                                 reply_markup=regions_keyboard(token, lang(), worker.regions))
        case "need":
            await message.answer(_("What is needed?"),
                                 reply_markup=needs_keyboard(token, app.taxonomy, lang()))
        case "age":
            await message.answer(_("Age of the youth?"), reply_markup=ages_keyboard(token))
        case "now" | "near":
            if callback_data.what == "now":
                criteria = search.criteria.with_(now=False)
            else:
                criteria = search.criteria.with_(near=True)
            await update(state, token, criteria=criteria.to_dict())
            await answer(message, app, session, state, criteria, token=token)


async def call(query: CallbackQuery, callback_data: CallService, app: App,
               session: AsyncSession) -> None:
    """"Call": the card's number as a message, which Telegram makes tappable."""
    found = await service_phone(app, session, callback_data.service_id, lang())
    if found is None:
        await query.answer(_("This service has no phone number in the directory."),
                           show_alert=True)
        return
    await query.answer()
    name, phone = found
    await query.message.answer(f"📞 <b>{esc(name)}</b>\n{esc(phone)}")


async def more(query: CallbackQuery, callback_data: Page, app: App, session: AsyncSession,
               state: FSMContext) -> None:
    """"More results": the next page of the same search."""
    search = await open_search(query, state, callback_data.q)
    if search is None:
        return
    await query.answer()
    await answer(query.message, app, session, state, search.criteria,
                 token=search.token, page=max(0, callback_data.page))
