"""Warm handoffs in chat: request from a search result, accept / decline / ask, move it on,
the follow-up, the next services after a decline, ``/handoffs`` and ``/receivers``.

Every button about a handoff or a case carries signed callback data bound to the user it was
sent to (``handlers.secure``); every action re-checks the worker's part in it (services).
Writing in the case thread is the cases feature's flow (its ``case.reply`` button).
"""

from __future__ import annotations

import html
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command as CommandFilter
from aiogram.filters import CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import get_i18n, ngettext
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.errors import InvalidInput, NotAllowed, NotFound, RelaisError
from bot.i18n import N_
from bot.models.cases import Case
from bot.models.core import Worker
from bot.models.directory import DirectoryService
from bot.models.handoffs import Handoff
from bot.services import cases, workers
from bot.services.directory import receivers as directory_receivers
from bot.services.directory.criteria import stored_criteria
from bot.services.handoffs import notify, service
from bot.services.handoffs.lifecycle import (
    REASON_REQUIRED,
    REASONS,
    STATUS_LABELS,
    Priority,
    Side,
    Status,
    check,
)
from handlers.commands import Command
from handlers.directory import STATE_KEY as SEARCHES_KEY
from handlers.directory import RequestHandoff
from handlers.privacy_reply import screened_or_refused
from handlers.replies import reply_after_commit
from handlers.secure import SecureCallback, Verified, sign

COMMANDS = (
    Command("handoffs", N_("Your handoffs (coordinators: those of your regions)")),
    Command("receivers", N_("Who receives a service's handoffs (/receivers SERVICE)"),
            coordinator_only=True),
)

# Signed actions of this router (the request's own buttons are in bot.services.handoffs.notify).
PICK_CASE = "ho.case"
NEW_CASE = "ho.newc"
PRIORITY = "ho.pri"
SEND = "ho.send"
SHOW = "ho.show"
RECEIVER_SERVICE = "ho.rsv"
RECEIVER_TOGGLE = "ho.rcv"


class HandoffFlow(StatesGroup):
    note = State()  # the optional note of a new request
    reason_note = State()  # the screened note of an "other" reason
    question = State()  # a question to the other side of a request


def keyboard(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text=text, callback_data=data) for text, data in row]
        for row in rows if row
    ])


def from_buttons(rows: list[list[notify.Button]]) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text=b.text, callback_data=b.data) for b in row] for row in rows
    ])


def esc(value: object) -> str:
    return html.escape(str(value), quote=False)


def localise(exc: RelaisError) -> RelaisError:
    """Translate parameters that are msgids (status labels) before the error reply."""
    exc.params = {k: _(v) if isinstance(v, str) and v in LABEL_IDS else v
                  for k, v in exc.params.items()}
    return exc


LABEL_IDS = set(STATUS_LABELS.values())


def service_name(svc: DirectoryService, lang: str) -> str:
    return (svc.name_en or svc.name) if lang == "en" else svc.name


def build_router(app: App) -> Router:
    router = Router(name="handoffs")

    def t_now() -> Any:
        """Texts in the chat's current language (the same as ``_``), for the shared renderers."""
        return app.translator.text(get_i18n().current_locale)

    def lang_of(worker: Worker) -> str:
        return t_now().lang

    async def act(coro: Any) -> Any:
        try:
            return await coro
        except RelaisError as exc:
            raise localise(exc) from None

    # ---- 1. from a search result: which case? -------------------------------------------------
    @router.callback_query(RequestHandoff.filter())
    async def request_from_result(
        query: CallbackQuery, callback_data: RequestHandoff, session: AsyncSession,
        worker: Worker, state: FSMContext,
    ) -> None:
        await state.set_state(None)
        svc = await session.get(DirectoryService, callback_data.service_id)
        if svc is None:
            raise NotFound(N_("This service is no longer in the directory."))
        # The directory keeps the worker's recent searches in the conversation data; the latest
        # one is the search this result came from: kept on the handoff for re-routing.
        searches = (await state.get_data()).get(SEARCHES_KEY) or {}
        latest = list(searches.values())[-1] if searches else None
        await state.update_data(ho_criteria=(latest or {}).get("criteria"))
        await query.answer()
        await ask_case(query.message, session, worker, svc, query.from_user.id)

    async def ask_case(target: Message, session: AsyncSession, worker: Worker,
                       svc: DirectoryService, user_id: int) -> None:
        open_cases = await cases.open_cases(session, worker)
        rows = []
        for case in open_cases[:12]:
            consent = "" if case.consent else " ⚠️"
            rows.append([(f"{case.code}{consent}",
                          sign(app, PICK_CASE, case.id, user_id, str(svc.id)))])
        rows.append([(_("➕ New case"), sign(app, NEW_CASE, svc.id, user_id))])
        await target.answer(
            _("Request a handoff to <b>{service}</b>. For which case?").format(
                service=esc(service_name(svc, lang_of(worker))))
            + "\n" + _("A handoff needs the youth's consent recorded on the case (⚠️: not yet)."),
            reply_markup=keyboard(rows), protect_content=True,
        )

    @router.callback_query(SecureCallback.filter(action=NEW_CASE))
    async def new_case(
        query: CallbackQuery, secure: Verified, object_id: int, session: AsyncSession,
        worker: Worker, state: FSMContext,
    ) -> None:
        svc = await session.get(DirectoryService, object_id)
        if svc is None:
            raise NotFound(N_("This service is no longer in the directory."))
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
        case = await service.quick_case(session, worker, svc, criteria, now=app.clock.now())
        await query.answer()
        await query.message.edit_text(
            _("Case <b>{code}</b> created, consent recorded. Complete it later with /case {code}.")
            .format(code=case.code))
        await ask_priority(query.message, case, svc, query.from_user.id)

    # ---- 2. the case: priority ----------------------------------------------------------------
    @router.callback_query(SecureCallback.filter(action=PICK_CASE))
    async def pick_case(
        query: CallbackQuery, secure: Verified, object_id: int, session: AsyncSession,
        worker: Worker,
    ) -> None:
        case = await cases.case_for_worker(session, worker, object_id, now=app.clock.now(),
                                           audit_action=None)
        cases.require_open(case)
        cases.require_consent(case)
        svc = await session.get(DirectoryService, int(secure.extra or 0))
        if svc is None:
            raise NotFound(N_("This service is no longer in the directory."))
        await query.answer()
        await ask_priority(query.message, case, svc, query.from_user.id)

    async def ask_priority(target: Message, case: Case, svc: DirectoryService,
                           user_id: int) -> None:
        await target.answer(
            _("Case <code>{code}</code> → {service}. Priority?").format(
                code=case.code, service=esc(svc.name)),
            reply_markup=keyboard([[
                (_("🔴 Urgent"), sign(app, PRIORITY, case.id, user_id, f"{svc.id}.u")),
                (_("Routine"), sign(app, PRIORITY, case.id, user_id, f"{svc.id}.r")),
            ]]),
        )

    def parse_choice(extra: str) -> tuple[int, str]:
        service_id, _sep, code = extra.partition(".")
        if not service_id.isdigit() or code not in ("u", "r"):
            raise InvalidInput(N_("This button is not valid."))
        return int(service_id), Priority.URGENT.value if code == "u" else Priority.ROUTINE.value

    # ---- 3. an optional note ------------------------------------------------------------------
    @router.callback_query(SecureCallback.filter(action=PRIORITY))
    async def pick_priority(
        query: CallbackQuery, secure: Verified, object_id: int, session: AsyncSession,
        worker: Worker, state: FSMContext,
    ) -> None:
        case = await cases.case_for_worker(session, worker, object_id, now=app.clock.now(),
                                           audit_action=None)
        service_id, priority = parse_choice(secure.extra)
        await state.set_state(HandoffFlow.note)
        await state.update_data(ho_case=case.id, ho_service=service_id, ho_priority=priority)
        await query.answer()
        await query.message.answer(
            _("Add a note for the receiving worker (optional): what they need to know to help. "
              "Never the youth's name or contact details: the case code is enough. Or send the "
              "request without a note."),
            reply_markup=keyboard([[(_("Send without a note"), sign(
                app, SEND, case.id, query.from_user.id, secure.extra))]]),
        )

    @router.callback_query(SecureCallback.filter(action=SEND))
    async def send_without_note(
        query: CallbackQuery, secure: Verified, object_id: int, session: AsyncSession,
        worker: Worker, state: FSMContext,
    ) -> None:
        service_id, priority = parse_choice(secure.extra)
        await state.set_state(None)
        await query.answer()
        await create(query.message, session, worker, state, object_id, service_id, priority,
                     None)

    @router.message(HandoffFlow.note, CommandFilter("cancel"))
    @router.message(HandoffFlow.reason_note, CommandFilter("cancel"))
    @router.message(HandoffFlow.question, CommandFilter("cancel"))
    async def cancel_flow(message: Message, state: FSMContext) -> None:
        await state.set_state(None)
        await message.answer(_("Cancelled. Nothing was sent."))

    @router.message(HandoffFlow.note, F.text, ~F.text.startswith("/"))
    async def type_note(
        message: Message, session: AsyncSession, worker: Worker, state: FSMContext
    ) -> None:
        note = await screened_or_refused(message, app, session, context="handoff.note")
        if note is None:
            return  # flagged: they stay here and may rephrase
        data = await state.get_data()
        await state.set_state(None)
        await create(message, session, worker, state, int(data.get("ho_case") or 0),
                     int(data.get("ho_service") or 0),
                     data.get("ho_priority") or Priority.ROUTINE.value, note.strip()[:1000])

    async def create(target: Message, session: AsyncSession, worker: Worker, state: FSMContext,
                     case_id: int, service_id: int, priority: str, note: str | None) -> None:
        case = await cases.case_for_worker(session, worker, case_id, now=app.clock.now(),
                                           audit_action=None)
        criteria = (await state.get_data()).get("ho_criteria")
        handoff = await act(service.create(app, session, requester=worker, case=case,
                                           service_id=service_id, priority=priority, note=note,
                                           criteria=criteria or None))
        await state.update_data(ho_criteria=None)
        rows = await service.recipients(session, handoff.id)
        t = t_now()
        reply_after_commit(
            session, target.answer,
            _("Request sent for case <code>{code}</code> to {service}.").format(
                code=case.code, service=esc(handoff.service_name)) + " "
            + ngettext("{n} receiving worker notified.", "{n} receiving workers notified.",
                       len(rows)).format(n=len(rows)) + " "
            + _("You will be told as soon as someone answers."),
            reply_markup=from_buttons(notify.control_buttons(app, t, handoff, case, worker,
                                                             Side.REQUESTER)),
            protect_content=True,
        )

    # ---- the receiving side: accept, decline, ask ---------------------------------------------
    @router.callback_query(SecureCallback.filter(action=notify.ACCEPT))
    async def accept(
        query: CallbackQuery, object_id: int, session: AsyncSession, worker: Worker
    ) -> None:
        await seen(session, object_id, worker)
        await act(service.transition(app, session, object_id, worker, Status.ACCEPTED))
        reply_after_commit(session, query.answer,
                           _("Accepted. You are now a participant of the case."))

    async def seen(session: AsyncSession, handoff_id: int, worker: Worker) -> None:
        handoff = await session.get(Handoff, handoff_id)
        if handoff is not None:
            await service.mark_seen(app, session, handoff, worker)

    @router.callback_query(SecureCallback.filter(action=notify.DECLINE))
    async def decline(
        query: CallbackQuery, object_id: int, session: AsyncSession, worker: Worker
    ) -> None:
        await ask_reason(query, session, worker, object_id, Status.REJECTED)

    async def precheck(session: AsyncSession, handoff_id: int, worker: Worker,
                       target: Status) -> tuple[Handoff, Side]:
        """Refuse before asking for a reason or a note, not after."""
        await act(service.explain_if_answered(session, handoff_id, worker))
        handoff, side = await act(service.for_actor(session, handoff_id, worker))
        try:
            check(handoff.status, target, side, next(iter(REASONS.get(target, {"": ""}))) or None)
        except RelaisError as exc:
            raise localise(exc) from None
        return handoff, side

    async def ask_reason(query: CallbackQuery, session: AsyncSession, worker: Worker,
                         handoff_id: int, target: Status) -> None:
        handoff, side = await precheck(session, handoff_id, worker, target)
        if side is Side.RECEIVER:
            await service.mark_seen(app, session, handoff, worker)
        t = t_now()
        await query.answer()
        await query.message.answer(
            _("Why? (case <code>{code}</code>)").format(code=esc(await code_of(session, handoff))),
            reply_markup=from_buttons(notify.reason_buttons(app, t, handoff, worker, target)),
        )

    async def code_of(session: AsyncSession, handoff: Handoff) -> str:
        case = await session.get(Case, handoff.case_id)
        return case.code if case else "?"

    @router.callback_query(SecureCallback.filter(action=notify.MOVE))
    async def move(
        query: CallbackQuery, secure: Verified, object_id: int, session: AsyncSession,
        worker: Worker, state: FSMContext,
    ) -> None:
        status_code, _sep, reason = secure.extra.partition(".")
        try:
            target = Status(status_code)
        except ValueError:
            raise InvalidInput(N_("This button is not valid.")) from None
        if target is Status.ACCEPTED:
            await accept(query, object_id, session, worker)
            return
        if target in REASON_REQUIRED and not reason:
            await ask_reason(query, session, worker, object_id, target)
            return
        if reason == "other":
            await precheck(session, object_id, worker, target)
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
        await show_controls(query.message, session, handoff, worker)

    async def show_controls(target: Message, session: AsyncSession, handoff: Handoff,
                            worker: Worker) -> None:
        """After a move, the message the worker pressed offers what they may do next."""
        case = await session.get(Case, handoff.case_id)
        side = await service.side_of(session, handoff, worker)
        rows = notify.control_buttons(app, t_now(), handoff, case,
                                      worker, side) if case is not None and side else []
        reply_after_commit(
            session, target.answer,
            _("Case <code>{code}</code> → {service}: now <b>{status}</b>.").format(
                code=esc(case.code if case else "?"), service=esc(handoff.service_name),
                status=_(STATUS_LABELS[Status(handoff.status)])),
            reply_markup=from_buttons(rows), protect_content=True)

    @router.message(HandoffFlow.reason_note, F.text, ~F.text.startswith("/"))
    async def type_reason(
        message: Message, session: AsyncSession, worker: Worker, state: FSMContext
    ) -> None:
        note = await screened_or_refused(message, app, session, context="handoff.reason")
        if note is None:
            return
        data = await state.get_data()
        await state.set_state(None)
        target = Status(data.get("ho_target") or Status.REJECTED.value)
        handoff = await act(service.transition(app, session, int(data.get("ho_handoff") or 0),
                                               worker, target, reason="other",
                                               note=note.strip()[:500]))
        await show_controls(message, session, handoff, worker)

    @router.callback_query(SecureCallback.filter(action=notify.ASK))
    async def ask(
        query: CallbackQuery, secure: Verified, object_id: int, session: AsyncSession,
        worker: Worker, state: FSMContext,
    ) -> None:
        handoff, side = await act(service.for_actor(session, object_id, worker))
        if side is Side.RECEIVER:
            await service.mark_seen(app, session, handoff, worker)
            to = handoff.requester_id
        else:
            to = int(secure.extra) if secure.extra.isdigit() else handoff.owner_id
        if not to:
            raise NotAllowed(N_("There is nobody to ask yet."))
        await state.set_state(HandoffFlow.question)
        await state.update_data(ho_handoff=handoff.id, ho_to=to)
        await query.answer()
        await query.message.answer(_(
            "Write your question (never the youth's name or contact details). "
            "Send /cancel to stop."))

    @router.message(HandoffFlow.question, F.text, ~F.text.startswith("/"))
    async def type_question(
        message: Message, session: AsyncSession, worker: Worker, state: FSMContext
    ) -> None:
        text = await screened_or_refused(message, app, session, context="handoff.question")
        if text is None:
            return
        data = await state.get_data()
        await state.set_state(None)
        handoff, side = await act(service.for_actor(session, int(data.get("ho_handoff") or 0),
                                                    worker))
        to = await session.get(Worker, int(data.get("ho_to") or 0))
        allowed = {handoff.requester_id, handoff.owner_id} | {
            r.worker_id for r in await service.recipients(session, handoff.id)}
        if to is None or to.id not in allowed or to.id == worker.id:
            raise NotAllowed(service.NOT_YOURS)
        case = await session.get(Case, handoff.case_id)
        t = app.translator.text(to.preferred_language)
        body = t.gettext("❓ Question about case <code>{code}</code> → {service}, from {who}:",
                         code=esc(case.code if case else "?"),
                         service=esc(handoff.service_name), who=notify.who(worker))
        notify.send(app, session, to, body + "\n\n" + esc(text.strip()[:1500]), [[notify.Button(
            t.gettext("Reply"), notify.sign(app, notify.ASK, handoff.id, to.telegram_id,
                                           str(worker.id)))]])
        service.add_event(session, handoff, at=app.clock.now(), kind="question", actor=worker,
                          to_worker=to.id)
        reply_after_commit(session, message.answer, _("Sent to {who}.").format(who=notify.who(to)))

    # ---- follow-up and the next services ------------------------------------------------------
    @router.callback_query(SecureCallback.filter(action=notify.FOLLOWUP))
    async def followup(
        query: CallbackQuery, secure: Verified, object_id: int, session: AsyncSession,
        worker: Worker,
    ) -> None:
        await act(service.answer_followup(app, session, object_id, worker, secure.extra))
        reply_after_commit(session, query.answer, _("Thank you, noted."))
        reply_after_commit(session, query.message.edit_reply_markup, reply_markup=None)

    @router.callback_query(SecureCallback.filter(action=notify.NEXT))
    async def next_services(
        query: CallbackQuery, object_id: int, session: AsyncSession, worker: Worker,
        state: FSMContext,
    ) -> None:
        handoff, side = await act(service.for_actor(session, object_id, worker))
        if side is not Side.REQUESTER:
            raise NotAllowed(service.NOT_YOURS)
        results = await service.next_services(app, session, handoff)
        await state.update_data(ho_criteria=stored_criteria(handoff.criteria) or None)
        await query.answer()
        if not results:
            await query.message.answer(_("No other service matches the same search. Try a "
                                         "wider search (another region or fewer needs)."))
            return
        lang = lang_of(worker)
        lines, rows = [_("Next services for case <code>{code}</code>:").format(
            code=esc(await code_of(session, handoff)))], []
        for number, result in enumerate(results, 1):
            entry = result.entry
            name = (entry.name_en or entry.name) if lang == "en" else entry.name
            org = (entry.organization_en or entry.organization) if lang == "en" else \
                entry.organization
            lines.append(f"{number}. <b>{esc(name)}</b> — {esc(org)}")
            rows.append([(_("Request handoff: {n}").format(n=number)[:60],
                          sign(app, PICK_CASE, handoff.case_id, query.from_user.id,
                               str(entry.id)))])
        await query.message.answer("\n".join(lines), reply_markup=keyboard(rows),
                                   protect_content=True)

    # ---- /handoffs ----------------------------------------------------------------------------
    @router.message(CommandFilter("handoffs"))
    async def list_handoffs(message: Message, session: AsyncSession, worker: Worker) -> None:
        t = t_now()
        mine = await service.worker_handoffs(session, worker)
        pending = [h for h in await service.pending_for(session, worker)
                   if h.id not in {m.id for m in mine}]
        lines, rows = [], []
        if mine or pending:
            lines.append(_("<b>Your handoffs</b>"))
            for handoff in [*pending, *mine]:
                code = await code_of(session, handoff)
                label = f"{code} → {handoff.service_name}"[:40] + " · " + _(
                    STATUS_LABELS[Status(handoff.status)])
                lines.append("• " + esc(label))
                rows.append([(label[:60], sign(app, SHOW, handoff.id, message.from_user.id))])
        if worker.is_coordinator:
            regions = None if worker.is_admin else worker.regions
            region_list = await service.region_handoffs(session, regions)
            lines.append("")
            lines.append(_("<b>Handoffs of your regions</b> (codes, statuses and times only)"))
            if not region_list:
                lines.append(_("None."))
            for handoff in region_list:
                lines.append("• {code} → {service} · {status} · {since}".format(
                    code=esc(await code_of(session, handoff)),
                    service=esc(handoff.service_name),
                    status=_(STATUS_LABELS[Status(handoff.status)]),
                    since=t.datetime(handoff.updated_at, "short")))
        if not lines:
            await message.answer(_("You have no open handoff. Search the directory and tap "
                                   "\"Request handoff\" on a result."))
            return
        await message.answer("\n".join(lines), reply_markup=keyboard(rows) if rows else None,
                             protect_content=True)

    @router.callback_query(SecureCallback.filter(action=SHOW))
    async def show(
        query: CallbackQuery, object_id: int, session: AsyncSession, worker: Worker
    ) -> None:
        handoff, side = await act(service.for_actor(session, object_id, worker))
        case = await session.get(Case, handoff.case_id)
        if case is None:
            raise NotAllowed(service.NOT_YOURS)
        t = t_now()
        requester = await session.get(Worker, handoff.requester_id) if handoff.requester_id \
            else None
        note = service.note_of(app, handoff.note_enc)
        if handoff.status == Status.REQUESTED.value and side is Side.RECEIVER:
            await service.mark_seen(app, session, handoff, worker)
            text = notify.request_text(app, t, handoff, case, requester, note)
            buttons = notify.request_buttons(app, t, handoff, query.from_user.id)
        else:
            owner = await session.get(Worker, handoff.owner_id) if handoff.owner_id else None
            text = notify.summary(app, t, handoff, case) + "\n" + _("Requested by: {who}").format(
                who=notify.who(requester))
            if owner is not None:
                text += "\n" + _("Taken by: {who}").format(who=notify.who(owner))
            if note and cases.is_participant(case, worker):
                text += "\n" + _("Note: {note}").format(note=esc(note))
            buttons = notify.control_buttons(app, t, handoff, case, worker, side)
        await query.answer()
        await query.message.answer(text, reply_markup=from_buttons(buttons), protect_content=True)

    # ---- /receivers: who receives a service's handoffs (coordinators) -------------------------
    @router.message(CommandFilter("receivers"))
    async def receivers(
        message: Message, command: CommandObject, session: AsyncSession, worker: Worker
    ) -> None:
        if not worker.is_coordinator:
            raise NotAllowed(N_("This command is for coordinators."))
        words = (command.args or "").strip()
        if not words:
            await message.answer(_("Send /receivers followed by a service's name (or its "
                                   "number), for example /receivers hébergement."))
            return
        if await screened_or_refused(message, app, session, context="receivers.search") is None:
            return
        found = await directory_receivers.find_services(
            session, words, regions=None if worker.is_admin else worker.regions)
        if not found:
            if await directory_receivers.find_services(session, words, limit=1):
                raise directory_receivers.NotYourService()
            await message.answer(_("No service by that name in the directory."))
            return
        rows = [[(f"{svc.name}"[:60], sign(app, RECEIVER_SERVICE, svc.id,
                                           message.from_user.id))] for svc in found]
        await message.answer(_("Which service?"), reply_markup=keyboard(rows))

    async def receiver_keyboard(session: AsyncSession, coordinator: Worker,
                                svc: DirectoryService, user_id: int) -> InlineKeyboardMarkup:
        current = {w.id for w in await directory_receivers.receivers_of(session, svc.id)}
        team = await workers.workers_in_regions(
            session, None if coordinator.is_admin else coordinator.regions,
            include_inactive=False)
        # Current receivers (to remove them) and the people who may receive for this service.
        team = [w for w in team
                if w.id in current or await directory_receivers.may_receive(session, w, svc)]
        rows = [[(("✅ " if w.id in current else "") + w.display_name[:40],
                  sign(app, RECEIVER_TOGGLE, svc.id, user_id, str(w.id)))] for w in team[:30]]
        return keyboard(rows)

    @router.callback_query(SecureCallback.filter(action=RECEIVER_SERVICE))
    async def receiver_service(
        query: CallbackQuery, object_id: int, session: AsyncSession, worker: Worker
    ) -> None:
        if not worker.is_coordinator:
            raise NotAllowed(N_("This command is for coordinators."))
        svc = await directory_receivers.managed_service(session, worker, object_id)
        await query.answer()
        await query.message.answer(
            _("Receiving workers of <b>{service}</b> (✅). Tap a name to add or remove it.")
            .format(service=esc(svc.name)),
            reply_markup=await receiver_keyboard(session, worker, svc, query.from_user.id))

    @router.callback_query(SecureCallback.filter(action=RECEIVER_TOGGLE))
    async def receiver_toggle(
        query: CallbackQuery, secure: Verified, object_id: int, session: AsyncSession,
        worker: Worker,
    ) -> None:
        if not worker.is_coordinator:
            raise NotAllowed(N_("This command is for coordinators."))
        svc = await directory_receivers.managed_service(session, worker, object_id)
        target = await workers.managed_worker(session, worker, int(secure.extra or 0))
        await directory_receivers.toggle_receiver(
            session, svc.id, target, app.clock.now(), actor=worker
        )
        await query.answer(_("Saved."))
        await query.message.edit_reply_markup(
            reply_markup=await receiver_keyboard(session, worker, svc, query.from_user.id))

    return router
