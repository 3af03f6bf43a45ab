"""``/case new`` (guided, buttons only), ``/case CODE``, ``/cases``, the case thread, ``/audit CODE``.

Messages carrying case information are sent with ``protect_content=True``; buttons that act on an
existing case carry signed callback data (:mod:`handlers.secure`) and every action re-checks that
the worker takes part in the case.
"""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.filters import Command as CommandFilter
from aiogram.filters import CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from aiogram.utils.i18n import get_i18n, ngettext
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.errors import InvalidInput, NotFound
from bot.i18n import N_
from bot.models.cases import Case
from bot.models.core import Worker
from bot.services import cases, screening
from handlers.commands import Command
from handlers.middlewares.errors import error_text
from handlers.privacy_reply import refuse_identifying, refuse_unavailable, screened_or_refused
from handlers.replies import reply_after_commit
from handlers.secure import SecureCallback, Verified, sign
from knowledge.regions import load_regions, region_name

COMMANDS = (
    Command("case", N_("A case by its code (/case K7-4QX), or a new one (/case new)")),
    Command("cases", N_("Your open cases")),
    Command("audit", N_("Audit trail of a case code, as a CSV file"), coordinator_only=True),
)

TEXT_BUDGET = 3800
NO_SPACE_RULE = N_("Never write the youth's name or contact details: the case code is enough.")


class NewCase(StatesGroup):
    age = State()
    gender = State()
    languages = State()
    origin = State()
    current = State()
    needs = State()
    consent = State()
    turns18 = State()
    participants = State()


class Thread(StatesGroup):
    writing = State()


class Step(CallbackData, prefix="cn"):
    """A button of the ``/case new`` flow (acts on the user's own draft, not on a case)."""

    step: str
    value: str


def lang() -> str:
    return get_i18n().current_locale


def keyboard(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text=text, callback_data=data) for text, data in row]
        for row in rows if row
    ])


def chunk(items: list[tuple[str, str]], size: int) -> list[list[tuple[str, str]]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def need_label(app: App, code: str) -> str:
    try:
        return app.taxonomy.label(code, lang())
    except (KeyError, ImportError, AttributeError):
        return code


def need_codes(app: App) -> list[str]:
    try:
        return list(app.taxonomy.categories)
    except (ImportError, AttributeError):
        return []


def region_label(code: str | None) -> str:
    if code is None:
        return _("not specified")
    if code == cases.OUTSIDE_QUEBEC:
        return _("outside Québec")
    try:
        return region_name(code, lang())
    except KeyError:
        return code


# ---- the /case new flow ---------------------------------------------------------------------


def age_keyboard() -> InlineKeyboardMarkup:
    ages = [(_("under 12"), Step(step="age", value="u12").pack())]
    ages += [(str(a), Step(step="age", value=str(a)).pack()) for a in range(12, 18)]
    ages += [(_("18 or older"), Step(step="age", value="18p").pack()),
             (_("I don't know"), Step(step="age", value="unk").pack())]
    return keyboard(chunk(ages, 4))


def gender_keyboard() -> InlineKeyboardMarkup:
    items = [(_(label), Step(step="gender", value=code).pack())
             for code, label in cases.GENDERS.items()]
    return keyboard([items, [(_("Skip"), Step(step="gender", value="-").pack())]])


def toggle_keyboard(
    step: str, options: list[tuple[str, str]], chosen: list[str], done: str, columns: int = 2
) -> InlineKeyboardMarkup:
    items = [(("✅ " if code in chosen else "") + label, Step(step=step, value=code).pack())
             for code, label in options]
    return keyboard([*chunk(items, columns), [(done, Step(step=step, value="=").pack())]])


def language_options() -> list[tuple[str, str]]:
    return [(code, _(label)) for code, label in cases.LANGUAGE_NAMES.items()]


def need_options(app: App) -> list[tuple[str, str]]:
    return [(code, need_label(app, code)) for code in need_codes(app)]


def region_keyboard(step: str) -> InlineKeyboardMarkup:
    items = [(region_label(code), Step(step=step, value=code).pack()) for code in load_regions()]
    items += [(_("outside Québec"), Step(step=step, value=cases.OUTSIDE_QUEBEC).pack()),
              (_("I don't know"), Step(step=step, value="-").pack())]
    return keyboard(chunk(items, 2))


def consent_keyboard() -> InlineKeyboardMarkup:
    return keyboard([[(_("Yes, the youth consents"), Step(step="consent", value="y").pack()),
                      (_("No"), Step(step="consent", value="n").pack())]])


def draft_from(data: dict) -> cases.CaseDraft:
    return cases.CaseDraft(
        age=data.get("age"), age_band=data.get("age_band", "unknown"), gender=data.get("gender"),
        languages=list(data.get("languages", [])), region_origin=data.get("region_origin"),
        region_current=data.get("region_current"), needs=list(data.get("needs", [])),
        consent=data.get("consent"), turns_18_month=data.get("turns_18_month"),
        participant_ids=list(data.get("participant_ids", [])),
    )


# ---- showing a case -------------------------------------------------------------------------


def case_card(app: App, case: Case, people: list[Worker], entries: list[cases.TimelineEntry],
              *, with_timeline: bool = True) -> str:
    t = app.translator.text(lang())
    needs = ", ".join(escape(need_label(app, n)) for n in case.needs) or _("none recorded")
    about = [_(cases.AGE_BANDS.get(case.age_band, cases.AGE_BANDS["unknown"]))]
    if case.age is not None:
        about[0] = _("{age} years").format(age=case.age)
    if case.gender:
        about.append(_(cases.GENDERS.get(case.gender, case.gender)))
    languages = ", ".join(_(cases.LANGUAGE_NAMES.get(code, code)) for code in case.languages)
    if languages:
        about.append(languages)
    if case.consent is None:
        consent = _("not recorded")
    else:
        recorder = next((w.display_name for w in people if w.id == case.consent_by_id), "?")
        consent = (_("yes") if case.consent else _("no")) + " ({who}, {when})".format(
            who=escape(recorder), when=t.datetime(case.consent_at, "short"))
    names = []
    for worker in people:
        name = escape(worker.display_name)
        if worker.id == case.created_by_id:
            name += " (" + _("created the case") + ")"
        names.append(name)
    lines = [
        _("<b>Case {code}</b> · {status}").format(
            code=case.code, status=_(cases.STATUS_LABELS.get(case.status, case.status))),
        _("Needs: {needs}").format(needs=needs),
        _("Youth: {about}").format(about=escape(" · ".join(about))),
        _("Regions: origin {origin} · now {current}").format(
            origin=escape(region_label(case.region_origin)),
            current=escape(region_label(case.region_current))),
        _("Consent to referral and sharing: {consent}").format(consent=consent),
    ]
    if case.turns_18_month:
        lines.append(_("Turns 18: {month}").format(month=case.turns_18_month))
    lines.append(_("Participants: {names}").format(names=", ".join(names)))
    if with_timeline and entries:
        lines += ["", _("<b>Timeline</b>")]
        timeline_lines = [
            "{when} — {what}".format(
                when=t.datetime(entry.at, "short"),
                what=_(entry.text).format(**{k: escape(str(v)) for k, v in entry.params.items()}),
            )
            for entry in entries
        ]
        budget = TEXT_BUDGET - sum(len(line) + 1 for line in lines)
        kept: list[str] = []
        for line in reversed(timeline_lines):  # the most recent lines fit first
            if len(line) + 1 > budget:
                kept.append("…")
                break
            kept.append(line)
            budget -= len(line) + 1
        lines += list(reversed(kept))
    return "\n".join(lines)


def case_buttons(app: App, case: Case, user_id: int) -> InlineKeyboardMarkup:
    if not case.is_open:
        return keyboard([])
    consent_button = (
        (_("Record: no consent"), sign(app, "case.consent", case.id, user_id, "n"))
        if case.consent else
        (_("Record: youth consents"), sign(app, "case.consent", case.id, user_id, "y"))
    )
    return keyboard([
        [(_("Write in the thread"), sign(app, "case.reply", case.id, user_id))],
        [consent_button],
        [(_("Close the case"), sign(app, "case.close", case.id, user_id))],
    ])


async def show_case(
    app: App, session: AsyncSession, target: Message, case: Case, user_id: int
) -> None:
    people = await cases.participants(session, case)
    entries = await cases.timeline(app, session, case)
    markup = case_buttons(app, case, user_id)
    await target.answer(
        case_card(app, case, people, entries), protect_content=True,
        reply_markup=markup if markup.inline_keyboard else None,
    )


def build_router(app: App) -> Router:
    router = Router(name="cases")

    # ---- /case new ----------------------------------------------------------------------
    @router.message(CommandFilter("case"), F.text.regexp(r"^/case(@\w+)?\s+(new|nouveau)\s*$"))
    async def new_case(message: Message, state: FSMContext) -> None:
        await state.clear()
        await state.set_state(NewCase.age)
        await message.answer(
            _("<b>New case</b>. I only ask what helps find a service; nothing identifies the "
              "youth. A random case code will be created.") + "\n\n" + _("Age of the youth?"),
            reply_markup=age_keyboard(), protect_content=True,
        )

    async def step_ok(query: CallbackQuery, state: FSMContext, expected: State) -> bool:
        if await state.get_state() != expected.state:
            await query.answer(_("This step is over. Start again with /case new."),
                               show_alert=True)
            return False
        return True

    @router.callback_query(Step.filter(F.step == "age"))
    async def choose_age(query: CallbackQuery, callback_data: Step, state: FSMContext) -> None:
        if not await step_ok(query, state, NewCase.age):
            return
        value = callback_data.value
        if value.isdigit() and 1 <= int(value) <= 29:
            await state.update_data(age=int(value), age_band=cases.age_band_for(int(value)))
        else:
            band = {"u12": "under-12", "18p": "18-plus"}.get(value, "unknown")
            await state.update_data(age=None, age_band=band)
        await state.set_state(NewCase.gender)
        await query.answer()
        await query.message.edit_text(_("Gender of the youth (optional)?"),
                                      reply_markup=gender_keyboard())

    @router.callback_query(Step.filter(F.step == "gender"))
    async def choose_gender(query: CallbackQuery, callback_data: Step, state: FSMContext) -> None:
        if not await step_ok(query, state, NewCase.gender):
            return
        gender = callback_data.value if callback_data.value in cases.GENDERS else None
        await state.update_data(gender=gender, languages=[])
        await state.set_state(NewCase.languages)
        await query.answer()
        await query.message.edit_text(
            _("Languages the youth speaks? Tap to select, then Done."),
            reply_markup=toggle_keyboard("lang", language_options(), [], _("Done")),
        )

    @router.callback_query(Step.filter(F.step == "lang"))
    async def choose_language(
        query: CallbackQuery, callback_data: Step, state: FSMContext
    ) -> None:
        if not await step_ok(query, state, NewCase.languages):
            return
        data = await state.get_data()
        chosen = list(data.get("languages", []))
        await query.answer()
        if callback_data.value == "=":
            await state.set_state(NewCase.origin)
            await query.message.edit_text(_("Region the youth comes from?"),
                                          reply_markup=region_keyboard("orig"))
            return
        if callback_data.value in cases.LANGUAGE_NAMES:
            code = callback_data.value
            chosen = [c for c in chosen if c != code] if code in chosen else [*chosen, code]
            await state.update_data(languages=chosen)
        await query.message.edit_reply_markup(
            reply_markup=toggle_keyboard("lang", language_options(), chosen, _("Done")))

    def region_value(value: str) -> str | None:
        return value if value in load_regions() or value == cases.OUTSIDE_QUEBEC else None

    @router.callback_query(Step.filter(F.step == "orig"))
    async def choose_origin(query: CallbackQuery, callback_data: Step, state: FSMContext) -> None:
        if not await step_ok(query, state, NewCase.origin):
            return
        await state.update_data(region_origin=region_value(callback_data.value))
        await state.set_state(NewCase.current)
        await query.answer()
        await query.message.edit_text(_("Region where the youth is now?"),
                                      reply_markup=region_keyboard("cur"))

    @router.callback_query(Step.filter(F.step == "cur"))
    async def choose_current(
        query: CallbackQuery, callback_data: Step, state: FSMContext
    ) -> None:
        if not await step_ok(query, state, NewCase.current):
            return
        await state.update_data(region_current=region_value(callback_data.value), needs=[])
        await state.set_state(NewCase.needs)
        await query.answer()
        await query.message.edit_text(
            _("Needs? Tap to select, then Done."),
            reply_markup=toggle_keyboard("need", need_options(app), [], _("Done"), columns=1),
        )

    @router.callback_query(Step.filter(F.step == "need"))
    async def choose_need(query: CallbackQuery, callback_data: Step, state: FSMContext) -> None:
        if not await step_ok(query, state, NewCase.needs):
            return
        data = await state.get_data()
        chosen = list(data.get("needs", []))
        await query.answer()
        if callback_data.value == "=":
            await state.set_state(NewCase.consent)
            await query.message.edit_text(
                _("Did the youth consent to being referred and to information about them being "
                  "shared with the services involved? (Required before any handoff.)"),
                reply_markup=consent_keyboard(),
            )
            return
        if callback_data.value in need_codes(app):
            code = callback_data.value
            chosen = [c for c in chosen if c != code] if code in chosen else [*chosen, code]
            await state.update_data(needs=chosen)
        await query.message.edit_reply_markup(reply_markup=toggle_keyboard(
            "need", need_options(app), chosen, _("Done"), columns=1))

    @router.callback_query(Step.filter(F.step == "consent"))
    async def choose_consent(
        query: CallbackQuery, callback_data: Step, state: FSMContext, session: AsyncSession,
        worker: Worker,
    ) -> None:
        if not await step_ok(query, state, NewCase.consent):
            return
        await state.update_data(consent=callback_data.value == "y")
        await query.answer()
        data = await state.get_data()
        if data.get("age_band") == "18-plus":
            await state.set_state(NewCase.participants)
            await ask_participants(query.message, state, session, worker, query_edit=True)
            return
        await state.set_state(NewCase.turns18)
        await query.message.edit_text(
            _("Month the youth turns 18, as YYYY-MM (for example 2027-03), for a reminder before "
              "services for minors end. Never a date of birth. Optional."),
            reply_markup=keyboard([[(_("Skip"), Step(step="t18", value="-").pack())]]),
        )

    @router.message(NewCase.turns18, F.text, ~F.text.startswith("/"))
    async def type_turns18(
        message: Message, state: FSMContext, session: AsyncSession, worker: Worker
    ) -> None:
        try:
            month = cases.parse_month(message.text or "", app.clock.now())
        except InvalidInput:
            # Not a month: it may be anything, so check it before leaving it on screen.
            try:
                result = await screening.screen_text(app, session, message.text or "", lang())
            except screening.ScreenUnavailable:
                result = None
            if result is not None and result.identifying:
                await refuse_identifying(message, result, app=app, session=session,
                                         context="case.turns18")
            await message.answer(_("Please write the month as YYYY-MM, for example 2027-03."))
            return
        await state.update_data(turns_18_month=month)
        await state.set_state(NewCase.participants)
        await ask_participants(message, state, session, worker)

    @router.callback_query(Step.filter(F.step == "t18"))
    async def skip_turns18(
        query: CallbackQuery, state: FSMContext, session: AsyncSession, worker: Worker
    ) -> None:
        if not await step_ok(query, state, NewCase.turns18):
            return
        await query.answer()
        await state.set_state(NewCase.participants)
        await ask_participants(query.message, state, session, worker, query_edit=True)

    async def ask_participants(
        target: Message, state: FSMContext, session: AsyncSession, worker: Worker, *,
        query_edit: bool = False,
    ) -> None:
        data = await state.get_data()
        options = data.get("colleagues")
        if options is None:
            found = await cases.colleagues(session, worker)
            options = [[w.id, w.display_name] for w in found]
            await state.update_data(colleagues=options, participant_ids=[])
        markup = participant_keyboard(options, data.get("participant_ids", []))
        text = _("Other workers taking part in this case? You are added first. Tap to select, "
                 "then Create.") if options else _("Ready to create the case.")
        if query_edit:
            await target.edit_text(text, reply_markup=markup)
        else:
            await target.answer(text, reply_markup=markup, protect_content=True)

    def participant_keyboard(options: list, chosen: list[int]) -> InlineKeyboardMarkup:
        items = [(("✅ " if wid in chosen else "") + name[:40],
                  Step(step="who", value=str(wid)).pack()) for wid, name in options]
        return keyboard([*chunk(items, 2),
                         [(_("Create the case"), Step(step="who", value="=").pack())]])

    @router.callback_query(Step.filter(F.step == "who"))
    async def choose_participant(
        query: CallbackQuery, callback_data: Step, state: FSMContext, session: AsyncSession,
        worker: Worker,
    ) -> None:
        if not await step_ok(query, state, NewCase.participants):
            return
        data = await state.get_data()
        chosen = list(data.get("participant_ids", []))
        allowed = {wid for wid, _name in data.get("colleagues", [])}
        if callback_data.value != "=":
            if callback_data.value.isdigit() and int(callback_data.value) in allowed:
                wid = int(callback_data.value)
                chosen = [c for c in chosen if c != wid] if wid in chosen else [*chosen, wid]
                await state.update_data(participant_ids=chosen)
            await query.answer()
            await query.message.edit_reply_markup(
                reply_markup=participant_keyboard(data.get("colleagues", []), chosen))
            return
        draft = draft_from(data)
        case = await cases.create_case(
            session, creator=worker, draft=draft, now=app.clock.now(),
            known_needs=need_codes(app) or None,
        )
        await state.clear()
        await query.answer()
        await query.message.edit_text(
            _("Case <b>{code}</b> created. Use this code, never the youth's name.").format(
                code=case.code))
        await show_case(app, session, query.message, case, query.from_user.id)

    # ---- /case CODE, /cases ---------------------------------------------------------------
    @router.message(CommandFilter("case"))
    async def open_case(
        message: Message, command: CommandObject, session: AsyncSession, worker: Worker,
        state: FSMContext,
    ) -> None:
        if await state.get_state() in (Thread.writing.state,):
            await state.clear()
        args = (command.args or "").strip()
        if not args:
            await message.answer(_("Send /case new to create a case, or /case followed by its "
                                   "code (for example /case K7-4QX) to open it."))
            return
        if cases.normalise_code(args) is None:
            raise InvalidInput(N_("This is not a case code. A code looks like K7-4QX."))
        try:
            case = await cases.case_for_worker(session, worker, args, now=app.clock.now())
        except NotFound as exc:  # answered here so that the "case.denied" audit entry is kept
            await message.answer(error_text(exc))
            return
        await show_case(app, session, message, case, message.from_user.id)

    @router.message(CommandFilter("cases"))
    async def list_cases(
        message: Message, session: AsyncSession, worker: Worker, state: FSMContext
    ) -> None:
        if await state.get_state() in (Thread.writing.state,):
            await state.clear()
        found = await cases.open_cases(session, worker)
        if not found:
            await message.answer(_("You have no open case. Create one with /case new."))
            return
        rows = []
        for case in found[:30]:
            needs = ", ".join(need_label(app, n) for n in case.needs[:2]) or "—"
            label = f"{case.code} · {needs}"[:60]
            rows.append([(label, sign(app, "case.view", case.id, message.from_user.id))])
        await message.answer(_("Your open cases:"), reply_markup=keyboard(rows),
                             protect_content=True)

    @router.callback_query(SecureCallback.filter(action="case.view"))
    async def view_from_button(
        query: CallbackQuery, object_id: int, session: AsyncSession, worker: Worker
    ) -> None:
        case = await cases.case_for_worker(session, worker, object_id, now=app.clock.now())
        await query.answer()
        await show_case(app, session, query.message, case, query.from_user.id)

    # ---- consent, closing -------------------------------------------------------------------
    @router.callback_query(SecureCallback.filter(action="case.consent"))
    async def change_consent(
        query: CallbackQuery, object_id: int, secure: Verified, session: AsyncSession, worker: Worker
    ) -> None:
        case = await cases.case_for_worker(session, worker, object_id, now=app.clock.now(),
                                           audit_action=None)
        cases.require_open(case)
        await cases.record_consent(session, case, consent=secure.extra == "y", by=worker,
                                   now=app.clock.now())
        await query.answer(_("Saved."))
        await show_case(app, session, query.message, case, query.from_user.id)

    @router.callback_query(SecureCallback.filter(action="case.close"))
    async def ask_close(
        query: CallbackQuery, object_id: int, session: AsyncSession, worker: Worker
    ) -> None:
        case = await cases.case_for_worker(session, worker, object_id, now=app.clock.now(),
                                           audit_action=None)
        cases.require_open(case)
        await query.answer()
        await query.message.answer(
            _("Close case {code}? Its thread and details will be deleted {days} days after "
              "closing; only anonymous counts remain.").format(
                code=case.code, days=app.settings.retention_days),
            reply_markup=keyboard([[
                (_("Yes, close it"), sign(app, "case.closeok", case.id, query.from_user.id)),
                (_("No"), sign(app, "case.view", case.id, query.from_user.id)),
            ]]),
            protect_content=True,
        )

    @router.callback_query(SecureCallback.filter(action="case.closeok"))
    async def close(
        query: CallbackQuery, object_id: int, session: AsyncSession, worker: Worker
    ) -> None:
        case = await cases.case_for_worker(session, worker, object_id, now=app.clock.now(),
                                           audit_action=None)
        closed = await cases.close_case(session, case, by=worker, now=app.clock.now())
        await query.answer()
        text = (_("Case {code} is closed.") if closed
                else _("Case {code} was already closed.")).format(code=case.code)
        await query.message.edit_text(text)

    # ---- the thread -------------------------------------------------------------------------
    @router.callback_query(SecureCallback.filter(action="case.reply"))
    async def start_writing(
        query: CallbackQuery, object_id: int, session: AsyncSession, worker: Worker,
        state: FSMContext,
    ) -> None:
        case = await cases.case_for_worker(session, worker, object_id, now=app.clock.now(),
                                           audit_action=None)
        cases.require_open(case)
        await state.set_state(Thread.writing)
        await state.update_data(thread_case_id=case.id)
        await query.answer()
        await query.message.answer(
            _("Write your message for case {code}; the other participants will receive it. "
              "Send /cancel to stop.").format(code=case.code) + "\n" + _(NO_SPACE_RULE),
        )

    @router.message(Thread.writing, CommandFilter("cancel"))
    async def cancel_writing(message: Message, state: FSMContext) -> None:
        await state.clear()
        await message.answer(_("Cancelled. Nothing was sent."))

    @router.message(NewCase.turns18, CommandFilter("cancel"))
    @router.message(NewCase.participants, CommandFilter("cancel"))
    async def cancel_new(message: Message, state: FSMContext) -> None:
        await state.clear()
        await message.answer(_("Cancelled. No case was created."))

    @router.message(Thread.writing, F.text, ~F.text.startswith("/"))
    async def write(
        message: Message, session: AsyncSession, worker: Worker, state: FSMContext
    ) -> None:
        data = await state.get_data()
        case_id = data.get("thread_case_id")
        text = await screened_or_refused(message, app, session, context="case.thread")
        if text is None:
            return  # refused (and deleted if flagged); stay in the writing state to rephrase
        try:
            case = await cases.case_for_worker(session, worker, int(case_id or 0),
                                               now=app.clock.now(), audit_action=None)
            await cases.post_thread_message(app, session, case, worker, text, lang=lang())
        except screening.IdentifyingText as exc:
            await refuse_identifying(message, exc.result, app=app, session=session,
                                     context="case.thread")
            return  # stay in the writing state so they can rephrase
        except screening.ScreenUnavailable:
            await refuse_unavailable(message, app=app, session=session, context="case.thread")
            return
        except NotFound:
            await state.clear()
            raise
        await state.clear()
        reply_after_commit(
            session, message.answer,
            _("Sent to the participants of case {code}.").format(code=case.code),
            protect_content=True,
        )

    # ---- /audit CODE ------------------------------------------------------------------------
    @router.message(CommandFilter("audit"))
    async def export_audit(
        message: Message, command: CommandObject, session: AsyncSession, worker: Worker
    ) -> None:
        args = (command.args or "").strip()
        if not args:
            await message.answer(_("Send /audit followed by a case code, for example "
                                   "/audit K7-4QX."))
            return
        try:
            code, entries = await cases.audit_trail(session, worker, args, now=app.clock.now())
        except NotFound as exc:  # answered here so that the "audit.denied" entry is kept
            await message.answer(error_text(exc))
            return
        data = await cases.audit_csv(session, entries)
        await message.answer_document(
            BufferedInputFile(data, filename=f"audit-{code}.csv"),
            caption=ngettext(
                "Audit trail of case {code}: {n} entry (who, what, when; no message text).",
                "Audit trail of case {code}: {n} entries (who, what, when; no message text).",
                len(entries),
            ).format(code=code, n=len(entries)),
            protect_content=True,
        )

    return router
