"""The buttons of an escalated request: accept it for the service, call the service, send it to
one of the service's receivers (:mod:`bot.services.handoffs.escalation` decides and tells)."""

from __future__ import annotations

from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.errors import InvalidInput
from bot.i18n import N_
from bot.models.core import Worker
from bot.services.handoffs import escalation, notify, queries
from handlers.handoffs.common import act
from handlers.replies import reply_after_commit
from handlers.secure import Verified, sign
from handlers.ui import esc, keyboard

#: A receiver picked from the list: the request goes to them.
REASSIGN_TO = "ho.reat"


async def accept_for_service(
    query: CallbackQuery, object_id: int, app: App, session: AsyncSession, worker: Worker
) -> None:
    """"Accept for the service": the on-call worker or coordinator becomes the owner."""
    await act(escalation.accept_for_service(app, session, object_id, worker))
    reply_after_commit(session, query.answer,
                       _("Accepted for the service. You now follow the case."))


async def call(
    query: CallbackQuery, object_id: int, app: App, session: AsyncSession, worker: Worker
) -> None:
    """"Call the service": its number as a message (a tap on it dials)."""
    handoff, phone = await act(escalation.service_phone(app, session, object_id, worker))
    await query.answer()
    if phone is None:
        await query.message.answer(
            _("No phone number in the directory for this service: {service}.").format(
                service=esc(handoff.service_name)))
        return
    await query.message.answer(_("📞 {service}: {phone}").format(
        service=esc(handoff.service_name), phone=esc(phone)))


async def ask_receiver(
    query: CallbackQuery, object_id: int, app: App, session: AsyncSession, worker: Worker
) -> None:
    """"Reassign": the service's receivers, one button each."""
    handoff, people = await act(escalation.candidates(app, session, object_id, worker))
    await query.answer()
    if not people:
        await query.message.answer(
            _("Nobody receives this service's requests in Relais. Call the service instead."))
        return
    rows = [[(f"{person.display_name} ({notify.org_name(person)})"[:60],
              sign(app, REASSIGN_TO, handoff.id, query.from_user.id, str(person.id)))]
            for person in people[:20]]
    await query.message.answer(
        _("Send the request for case <code>{code}</code> to which receiving worker?").format(
            code=esc(await queries.code_of(session, handoff))),
        reply_markup=keyboard(rows), protect_content=True)


async def reassign(
    query: CallbackQuery, secure: Verified, object_id: int, app: App, session: AsyncSession,
    worker: Worker,
) -> None:
    """A receiver was picked: the request is sent to them."""
    if not secure.extra.isdigit():
        raise InvalidInput(N_("This button is not valid."))
    _handoff, target = await act(escalation.reassign(app, session, object_id, worker,
                                                     int(secure.extra)))
    reply_after_commit(session, query.answer, _("Sent."))
    reply_after_commit(session, query.message.edit_text,
                       _("Request sent to {who}.").format(who=notify.who(target)))
