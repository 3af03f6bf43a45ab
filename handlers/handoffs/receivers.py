"""``/receivers``: coordinators name who receives a service's handoffs
(:mod:`bot.services.handoffs.receivers` decides who may manage and who may receive).

Service names are shown in the chat's language, as search shows them; "Saved." and the new
marks go out once the change is stored, with a warning when nobody receives any more."""

from __future__ import annotations

from aiogram.filters import CommandObject
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.models.core import Worker
from bot.models.directory import DirectoryService
from bot.services.directory.receiver_loss import lost_text
from bot.services.handoffs import receivers as receiving
from handlers.handoffs.common import RECEIVER_SERVICE, RECEIVER_TOGGLE, service_name, texts
from handlers.privacy_reply import screened_or_refused
from handlers.replies import reply_after_commit
from handlers.secure import Verified, sign
from handlers.ui import esc, keyboard, lang


async def receivers(
    message: Message, command: CommandObject, app: App, session: AsyncSession, worker: Worker
) -> None:
    """``/receivers SERVICE``: which service (by name or number)?"""
    receiving.require_coordinator(worker)
    words = (command.args or "").strip()
    if not words:
        await message.answer(_("Send /receivers followed by a service's name (or its "
                               "number), for example /receivers hébergement."))
        return
    if await screened_or_refused(message, app, session, context="receivers.search") is None:
        return
    found = await receiving.find(session, worker, words)
    if not found:
        await message.answer(_("No service by that name in the directory."))
        return
    rows = [[(service_name(svc, lang())[:60], sign(app, RECEIVER_SERVICE, svc.id,
                                                  message.from_user.id))] for svc in found]
    await message.answer(_("Which service?"), reply_markup=keyboard(rows))


async def receiver_keyboard(app: App, session: AsyncSession, coordinator: Worker,
                            svc: DirectoryService, user_id: int) -> InlineKeyboardMarkup:
    """One button per worker who receives (✅) or may receive; a tap adds or removes them."""
    team = await receiving.team(session, coordinator, svc)
    return keyboard([[(("✅ " if current else "") + w.display_name[:40],
                       sign(app, RECEIVER_TOGGLE, svc.id, user_id, str(w.id)))]
                     for w, current in team])


async def receiver_service(
    query: CallbackQuery, object_id: int, app: App, session: AsyncSession, worker: Worker
) -> None:
    """A service was picked: its receivers and the workers who may receive."""
    svc = await receiving.managed(session, worker, object_id)
    await query.answer()
    await query.message.answer(
        _("Receiving workers of <b>{service}</b> (✅). Tap a name to add or remove it.")
        .format(service=esc(service_name(svc, lang()))),
        reply_markup=await receiver_keyboard(app, session, worker, svc, query.from_user.id))


async def receiver_toggle(
    query: CallbackQuery, secure: Verified, object_id: int, app: App, session: AsyncSession,
    worker: Worker,
) -> None:
    """A worker's name was tapped: add or remove them as a receiver; once stored, "Saved.",
    the new marks, and a warning when nobody receives for the service any more."""
    done = await receiving.toggle(session, worker, object_id,
                                  int(secure.extra) if secure.extra.isdigit() else 0,
                                  app.clock.now())
    markup = await receiver_keyboard(app, session, worker, done.service, query.from_user.id)
    reply_after_commit(session, query.answer, _("Saved."))
    reply_after_commit(session, query.message.edit_reply_markup, reply_markup=markup)
    if done.lost:
        reply_after_commit(session, query.message.answer, lost_text(
            texts(app), esc(service_name(done.service, lang()))))
