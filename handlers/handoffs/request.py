"""Asking for a handoff from a search result: which case (or a new one), priority, an optional
screened note (an urgent one may go to two more services of the same search: :mod:`.group`),
then the request goes out (:mod:`bot.services.handoffs.creating`).

A service nobody receives for (an old or forged button) is refused at each step, before any case
is created for it, with the number on its card."""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.errors import InvalidInput
from bot.i18n import N_
from bot.models.cases import Case
from bot.models.core import Worker
from bot.models.directory import DirectoryService
from bot.services import cases
from bot.services.handoffs import creating, notify, queries
from bot.services.handoffs.lifecycle import Priority, Side
from handlers.directory import STATE_KEY as SEARCHES_KEY
from handlers.directory import RequestHandoff
from handlers.handoffs import group as also
from handlers.handoffs.common import (
    NEW_CASE,
    PICK_CASE,
    PRIORITY,
    HandoffFlow,
    act,
    from_buttons,
    service_name,
    texts,
)
from handlers.privacy_reply import screened_or_refused
from handlers.replies import reply_after_commit
from handlers.secure import Verified, sign
from handlers.ui import esc, keyboard


async def request_from_result(
    query: CallbackQuery, callback_data: RequestHandoff, app: App, session: AsyncSession,
    worker: Worker, state: FSMContext,
) -> None:
    """A search result's "Request handoff": for which case?"""
    await state.set_state(None)
    svc = await queries.directory_service(session, callback_data.service_id)
    if await refused(query, app, session, svc):
        return
    # The directory keeps the worker's recent searches in the conversation data; the latest
    # one is the search this result came from: kept on the handoff for re-routing.
    searches = (await state.get_data()).get(SEARCHES_KEY) or {}
    latest = list(searches.values())[-1] if searches else None
    await state.update_data(ho_criteria=(latest or {}).get("criteria"))
    await query.answer()
    await ask_case(query.message, app, session, worker, svc, query.from_user.id)


async def refused(query: CallbackQuery, app: App, session: AsyncSession,
                  svc: DirectoryService) -> bool:
    """Refuse (True) a request to a service nobody can receive for now: say so, and give the
    number on its card."""
    if await creating.is_receivable(app, session, svc):
        return False
    await query.answer()
    phone = await creating.service_phone(app, session, svc.id)
    text = _(creating.NOBODY_RECEIVES).format(
        service=f"<b>{esc(service_name(svc, texts(app).lang))}</b>")
    text += "\n" + (_("Call the service instead: {phone}").format(phone=esc(phone)) if phone else
                    _("Contact them directly: their details are on the directory card."))
    await query.message.answer(text)
    return True


async def ask_case(target: Message, app: App, session: AsyncSession, worker: Worker,
                   svc: DirectoryService, user_id: int) -> None:
    """The worker's open cases (⚠️ without consent) and a new case, as buttons."""
    open_cases = await cases.open_cases(session, worker)
    rows = []
    for case in open_cases[:12]:
        consent = "" if case.consent else " ⚠️"
        rows.append([(f"{case.code}{consent}",
                      sign(app, PICK_CASE, case.id, user_id, str(svc.id)))])
    rows.append([(_("➕ New case"), sign(app, NEW_CASE, svc.id, user_id))])
    await target.answer(
        _("Request a handoff to <b>{service}</b>. For which case?").format(
            service=esc(service_name(svc, texts(app).lang)))
        + "\n" + _("A handoff needs the youth's consent recorded on the case (⚠️: not yet)."),
        reply_markup=keyboard(rows), protect_content=True,
    )


async def new_case(
    query: CallbackQuery, secure: Verified, object_id: int, app: App, session: AsyncSession,
    worker: Worker, state: FSMContext,
) -> None:
    """"New case": ask for the youth's consent, then create the case and ask the priority."""
    svc = await queries.directory_service(session, object_id)
    if await refused(query, app, session, svc):
        return
    if secure.extra != "y":
        await query.answer()
        await query.message.answer(
            _("A new case for this request, with a code instead of the youth's name. Has "
              "the youth consented to this referral and to sharing information with the "
              "receiving worker?"),
            reply_markup=keyboard([[
                (_("Yes, the youth consents"),
                 sign(app, NEW_CASE, svc.id, query.from_user.id, "y")),
            ]]),
        )
        return
    criteria = (await state.get_data()).get("ho_criteria")
    case = await creating.quick_case(session, worker, svc, criteria, now=app.clock.now())
    await query.answer()
    reply_after_commit(
        session, query.message.edit_text,
        _("Case <b>{code}</b> created, consent recorded. Complete it later with /case {code}.")
        .format(code=case.code))
    text, markup = priority_question(app, case, svc, query.from_user.id)
    reply_after_commit(session, query.message.answer, text, reply_markup=markup)


async def pick_case(
    query: CallbackQuery, secure: Verified, object_id: int, app: App, session: AsyncSession,
    worker: Worker,
) -> None:
    """An existing case was picked: ask the priority."""
    case = await creating.requestable_case(session, worker, object_id, now=app.clock.now())
    svc = await queries.directory_service(session, int(secure.extra or 0))
    if await refused(query, app, session, svc):
        return
    await query.answer()
    await ask_priority(query.message, app, case, svc, query.from_user.id)


def priority_question(app: App, case: Case, svc: DirectoryService, user_id: int
                      ) -> tuple[str, InlineKeyboardMarkup]:
    """The request's priority, as two buttons (translated now, sent now or after commit)."""
    return (_("Case <code>{code}</code> → {service}. Priority?").format(
        code=case.code, service=esc(service_name(svc, texts(app).lang))), keyboard([[
            (_("🔴 Urgent"), sign(app, PRIORITY, case.id, user_id, f"{svc.id}.u")),
            (_("Routine"), sign(app, PRIORITY, case.id, user_id, f"{svc.id}.r")),
        ]]))


async def ask_priority(target: Message, app: App, case: Case, svc: DirectoryService,
                       user_id: int) -> None:
    """The request's priority, as two buttons."""
    text, markup = priority_question(app, case, svc, user_id)
    await target.answer(text, reply_markup=markup)


def parse_choice(extra: str) -> tuple[int, str]:
    """``"<service id>.u"`` / ``".r"`` of the priority buttons: the service and the priority."""
    service_id, _sep, code = extra.partition(".")
    if not service_id.isdigit() or code not in ("u", "r"):
        raise InvalidInput(N_("This button is not valid."))
    return int(service_id), Priority.URGENT.value if code == "u" else Priority.ROUTINE.value


async def pick_priority(
    query: CallbackQuery, secure: Verified, object_id: int, app: App, session: AsyncSession,
    worker: Worker, state: FSMContext,
) -> None:
    """A priority was picked: ask for an optional note."""
    case = await cases.case_for_worker(session, worker, object_id, now=app.clock.now(),
                                       audit_action=None)
    service_id, priority = parse_choice(secure.extra)
    pool: list = []
    if priority == Priority.URGENT.value:
        pool = also.pool_of(await creating.candidates(
            app, session, case=case, service_id=service_id,
            criteria=(await state.get_data()).get("ho_criteria")), app)
    await state.set_state(HandoffFlow.note)
    await state.update_data(ho_case=case.id, ho_service=service_id, ho_priority=priority,
                            ho_pool=pool, ho_also=[])
    await query.answer()
    text = _("Add a note for the receiving worker (optional): what they need to know to help. "
             "Never the youth's name or contact details: the case code is enough. Or send the "
             "request without a note.")
    if pool:
        text += "\n\n" + _("Urgent: it can also go to up to two more services of the same "
                            "search (tap to add). The first to accept takes it; the others are "
                            "then withdrawn and told.")
    await query.message.answer(text, reply_markup=also.note_keyboard(
        app, case.id, query.from_user.id, secure.extra, pool, []))


async def send_without_note(
    query: CallbackQuery, secure: Verified, object_id: int, app: App, session: AsyncSession,
    worker: Worker, state: FSMContext,
) -> None:
    """"Send without a note": the request goes out."""
    service_id, priority = parse_choice(secure.extra)
    await state.set_state(None)
    await query.answer()
    await send(query.message, app, session, worker, state, object_id, service_id, priority, None)


async def cancel_flow(message: Message, state: FSMContext) -> None:
    """``/cancel`` while a note, a reason or a question is asked."""
    await state.set_state(None)
    await message.answer(_("Cancelled. Nothing was sent."))


async def type_note(
    message: Message, app: App, session: AsyncSession, worker: Worker, state: FSMContext
) -> None:
    """The request's note (screened): the request goes out with it."""
    note = await screened_or_refused(message, app, session, context="handoff.note")
    if note is None:
        return  # flagged: they stay here and may rephrase
    data = await state.get_data()
    await state.set_state(None)
    await send(message, app, session, worker, state, int(data.get("ho_case") or 0),
               int(data.get("ho_service") or 0),
               data.get("ho_priority") or Priority.ROUTINE.value, note.strip()[:1000])


async def send(target: Message, app: App, session: AsyncSession, worker: Worker,
               state: FSMContext, case_id: int, service_id: int, priority: str,
               note: str | None) -> None:
    """Create the request; its confirmation goes out once it is stored."""
    data = await state.get_data()
    sent = await act(creating.request(app, session, requester=worker, case_id=case_id,
                                      service_id=service_id, priority=priority, note=note,
                                      criteria=data.get("ho_criteria"),
                                      also=also.added(data, case_id, service_id)))
    await state.update_data(ho_criteria=None, ho_pool=None, ho_also=None)
    handoff = sent.handoff
    if sent.also:
        head = _("Urgent request sent for case <code>{code}</code> to {n} services at once: "
                 "{services}.").format(code=sent.case.code, n=1 + len(sent.also), services=", ".join(
                     esc(h.service_name) for h in (handoff, *sent.also)))
        tail = _("The first to accept takes it; the others are then withdrawn and told.")
    else:
        head = _("Request sent for case <code>{code}</code> to {service}.").format(
            code=sent.case.code, service=esc(handoff.service_name))
        tail = _("You will be told as soon as someone answers.")
    reply_after_commit(
        session, target.answer,
        head + " " + ngettext("{n} receiving worker notified.", "{n} receiving workers notified.",
                              sent.notified).format(n=sent.notified) + " " + tail,
        reply_markup=from_buttons(notify.control_buttons(app, texts(app), handoff, sent.case,
                                                         worker, Side.REQUESTER)),
        protect_content=True,
    )
