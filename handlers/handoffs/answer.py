"""Answering and moving a handoff: accept (then the service's free places, one tap), decline
with a reason, the later moves (in progress, on hold, completed, failed, cancelled), and the
screened note of an "other" reason."""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.errors import InvalidInput
from bot.i18n import N_
from bot.models.core import Worker
from bot.models.handoffs import Handoff
from bot.services.directory.format import unit_text
from bot.services.handoffs import notify, places, queries, service
from bot.services.handoffs.lifecycle import REASON_REQUIRED, STATUS_LABELS, Status
from handlers.directory.keyboards import CapacitySet
from handlers.handoffs.common import HandoffFlow, act, from_buttons, texts
from handlers.privacy_reply import screened_or_refused
from handlers.replies import reply_after_commit
from handlers.secure import Verified
from handlers.ui import esc, keyboard


async def accept(
    query: CallbackQuery, object_id: int, app: App, session: AsyncSession, worker: Worker
) -> None:
    """A receiver's "Accept"; then, once it is stored, the service's free places to update."""
    handoff = await act(service.accept(app, session, object_id, worker))
    reply_after_commit(session, query.answer,
                       _("Accepted. You are now a participant of the case."))
    await offer_places(query.message, app, session, handoff, worker)


async def offer_places(target: Message, app: App, session: AsyncSession, handoff: Handoff,
                       worker: Worker) -> None:
    """One tap to update the places searches show: "−1", or keep the current count (the
    directory's capacity buttons store it)."""
    offer = await places.offer_after_accept(app, session, handoff, worker)
    if offer is None:
        return
    t = texts(app)
    count = unit_text(offer.available, offer.unit, t)
    cells = []
    if offer.available > 0:
        cells.append((_("−1 → {count}").format(
            count=unit_text(offer.available - 1, offer.unit, t)),
            CapacitySet(service_id=offer.service_id, op="add", value=-1).pack()))
    cells.append((_("Keep {count}").format(count=count), CapacitySet(
        service_id=offer.service_id, op="set", value=offer.available).pack()))
    reply_after_commit(
        session, target.answer,
        _("🛏 Places shown for {service}: {count}. One may be taken now: update?").format(
            service=esc(offer.service_name), count=esc(count)),
        reply_markup=keyboard([cells]))


async def decline(
    query: CallbackQuery, object_id: int, app: App, session: AsyncSession, worker: Worker
) -> None:
    """A receiver's "Decline": why?"""
    await ask_reason(query, app, session, worker, object_id, Status.REJECTED)


async def ask_reason(query: CallbackQuery, app: App, session: AsyncSession, worker: Worker,
                     handoff_id: int, target: Status) -> None:
    """The reasons of a move, as buttons (refused before asking when the move is not allowed)."""
    handoff = await act(service.prepare_reason(app, session, handoff_id, worker, target))
    await query.answer()
    await query.message.answer(
        _("Why? (case <code>{code}</code>)").format(
            code=esc(await queries.code_of(session, handoff))),
        reply_markup=from_buttons(notify.reason_buttons(app, texts(app), handoff, worker,
                                                        target)),
    )


async def move(
    query: CallbackQuery, secure: Verified, object_id: int, app: App, session: AsyncSession,
    worker: Worker, state: FSMContext,
) -> None:
    """A move's button (``<status>`` or ``<status>.<reason>``): ask what is missing, or move."""
    status_code, _sep, reason = secure.extra.partition(".")
    try:
        target = Status(status_code)
    except ValueError:
        raise InvalidInput(N_("This button is not valid.")) from None
    if target is Status.ACCEPTED:
        await accept(query, object_id=object_id, app=app, session=session, worker=worker)
        return
    if target in REASON_REQUIRED and not reason:
        await ask_reason(query, app, session, worker, object_id, target)
        return
    if reason == "other":
        await act(service.check_move(session, object_id, worker, target))
        await state.set_state(HandoffFlow.reason_note)
        await state.update_data(ho_handoff=object_id, ho_target=target.value)
        await query.answer()
        await query.message.answer(_(
            "Write the reason in a few words (never the youth's name). Send /cancel to stop."))
        return
    handoff = await act(service.transition(app, session, object_id, worker, target,
                                           reason=reason or None))
    reply_after_commit(session, query.answer,
                       _("Saved: {status}.").format(status=_(STATUS_LABELS[target])))
    await show_controls(query.message, app, session, handoff, worker)


async def show_controls(target: Message, app: App, session: AsyncSession, handoff: Handoff,
                        worker: Worker) -> None:
    """After a move, the message the worker pressed offers what they may do next."""
    case = await queries.case_of(session, handoff)
    side = await queries.side_of(session, handoff, worker)
    rows = notify.control_buttons(app, texts(app), handoff, case,
                                  worker, side) if case is not None and side else []
    reply_after_commit(
        session, target.answer,
        _("Case <code>{code}</code> → {service}: now <b>{status}</b>.").format(
            code=esc(case.code if case else "?"), service=esc(handoff.service_name),
            status=_(STATUS_LABELS[Status(handoff.status)])),
        reply_markup=from_buttons(rows), protect_content=True)


async def type_reason(
    message: Message, app: App, session: AsyncSession, worker: Worker, state: FSMContext
) -> None:
    """The screened note of an "other" reason: the move is made with it."""
    note = await screened_or_refused(message, app, session, context="handoff.reason")
    if note is None:
        return
    data = await state.get_data()
    await state.set_state(None)
    target = Status(data.get("ho_target") or Status.REJECTED.value)
    handoff = await act(service.transition(app, session, int(data.get("ho_handoff") or 0),
                                           worker, target, reason="other",
                                           note=note.strip()[:500]))
    await show_controls(message, app, session, handoff, worker)
