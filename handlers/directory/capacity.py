"""``/capacity``: a service's receivers update the places available now, in two taps."""

from __future__ import annotations

import html

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.models.core import Worker
from bot.services.directory import capacity as places
from bot.services.directory import receivers
from bot.services.directory.format import unit_text
from handlers.directory.answers import text_for
from handlers.directory.keyboards import (
    CapacityPick,
    CapacitySet,
    capacity_keyboard,
    capacity_services_keyboard,
)
from handlers.replies import reply_after_commit


async def capacity(message: Message, app: App, session: AsyncSession, worker: Worker) -> None:
    """``/capacity``: the worker's service, or the choice of one when they receive for several."""
    services = await receivers.services_of(session, worker)
    if not services:
        await message.answer(_("You do not receive for any service of the directory. A "
                               "coordinator can register you as a receiver of a listing."))
        return
    if len(services) == 1:
        await show_capacity(message, app, session, services[0].id, edit=False)
        return
    await message.answer(_("Which service?"), reply_markup=capacity_services_keyboard(services))


async def capacity_pick(query: CallbackQuery, callback_data: CapacityPick, app: App,
                        session: AsyncSession) -> None:
    """A service chosen for ``/capacity``: its figure and the buttons to change it."""
    await query.answer()
    await show_capacity(query.message, app, session, callback_data.service_id, edit=True)


async def capacity_set(query: CallbackQuery, callback_data: CapacitySet, app: App,
                       session: AsyncSession, worker: Worker) -> None:
    """A capacity button: the figure stored, then (once committed) "Saved." and the figure."""
    saved = await places.update_capacity(app, session, worker, callback_data.service_id,
                                         callback_data.op, callback_data.value)
    reply_after_commit(session, query.answer, _("Saved."))
    reply_after_commit(
        session, query.message.edit_text,
        _("✅ <b>{name}</b>: {count}, updated just now.").format(
            name=html.escape(saved.service.name),
            count=html.escape(unit_text(saved.available, saved.unit, text_for(app)))),
        reply_markup=capacity_keyboard(callback_data.service_id),
    )


async def show_capacity(message: Message, app: App, session: AsyncSession, service_id: int, *,
                        edit: bool) -> None:
    """A service's places available now, with the buttons to change them."""
    service = await receivers.get_service(session, service_id)
    current = await places.current_capacity(app, session, service_id)
    figure = (_("unknown") if current is None
              else unit_text(current.available, current.unit, text_for(app)))
    text = _("<b>{name}</b>\nPlaces available now (currently: {current}):").format(
        name=html.escape(service.name), current=html.escape(figure))
    if edit:
        await message.edit_text(text, reply_markup=capacity_keyboard(service_id))
    else:
        await message.answer(text, reply_markup=capacity_keyboard(service_id))
