"""``/case new``: a guided, buttons-only wizard; its rules are in :mod:`bot.services.case_wizard`.

Each handler reads one answer, stores what the service makes of it in the conversation's state,
moves to the next step and asks its question. The case is created at the last step.
"""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.errors import InvalidInput
from bot.models.core import Worker
from bot.services import case_wizard, cases, screening
from handlers.cases.card import show_case
from handlers.cases.states import NewCase, Step
from handlers.cases.wizard_keyboards import (
    DONE,
    age_keyboard,
    consent_keyboard,
    gender_keyboard,
    language_keyboard,
    need_keyboard,
    participant_keyboard,
    region_keyboard,
    skip_turns18_keyboard,
)
from handlers.privacy_reply import refuse_identifying
from handlers.replies import reply_after_commit
from handlers.ui import lang


async def new_case(message: Message, state: FSMContext) -> None:
    """``/case new``: start the wizard with the age question."""
    await state.clear()
    await state.set_state(NewCase.age)
    await message.answer(
        _("<b>New case</b>. I only ask what helps find a service; nothing identifies the "
          "youth. A random case code will be created.") + "\n\n" + _("Age of the youth?"),
        reply_markup=age_keyboard(), protect_content=True,
    )


async def step_ok(query: CallbackQuery, state: FSMContext, expected: State) -> bool:
    """Whether the button belongs to the current step; an old step's button is refused."""
    if await state.get_state() != expected.state:
        await query.answer(_("This step is over. Start again with /case new."), show_alert=True)
        return False
    return True


async def advance(state: FSMContext, step: str) -> str | None:
    """Move the conversation to the step the service says follows ``step``; return its name."""
    following = case_wizard.next_step(step, await state.get_data())
    if following is not None:
        await state.set_state(getattr(NewCase, following))
    return following


async def choose_age(query: CallbackQuery, callback_data: Step, state: FSMContext) -> None:
    """An age button: store the age or band, ask the gender."""
    if not await step_ok(query, state, NewCase.age):
        return
    await state.update_data(**case_wizard.age_answer(callback_data.value))
    await advance(state, "age")
    await query.answer()
    await query.message.edit_text(_("Gender of the youth (optional)?"),
                                  reply_markup=gender_keyboard())


async def choose_gender(query: CallbackQuery, callback_data: Step, state: FSMContext) -> None:
    """A gender button (or Skip): store it, ask the languages."""
    if not await step_ok(query, state, NewCase.gender):
        return
    await state.update_data(**case_wizard.gender_answer(callback_data.value))
    await advance(state, "gender")
    await query.answer()
    await query.message.edit_text(_("Languages the youth speaks? Tap to select, then Done."),
                                  reply_markup=language_keyboard([]))


async def choose_language(query: CallbackQuery, callback_data: Step, state: FSMContext) -> None:
    """A language button ticks or unticks it; Done asks the region of origin."""
    if not await step_ok(query, state, NewCase.languages):
        return
    before = list((await state.get_data()).get("languages", []))
    await query.answer()
    if callback_data.value == DONE:
        await advance(state, "languages")
        await query.message.edit_text(_("Region the youth comes from?"),
                                      reply_markup=region_keyboard("orig"))
        return
    chosen = case_wizard.toggle_language(before, callback_data.value)
    if chosen != before:
        await state.update_data(languages=chosen)
    await query.message.edit_reply_markup(reply_markup=language_keyboard(chosen))


async def choose_origin(query: CallbackQuery, callback_data: Step, state: FSMContext) -> None:
    """A region button: store the region of origin, ask the current region."""
    if not await step_ok(query, state, NewCase.origin):
        return
    await state.update_data(region_origin=case_wizard.region_answer(callback_data.value))
    await advance(state, "origin")
    await query.answer()
    await query.message.edit_text(_("Region where the youth is now?"),
                                  reply_markup=region_keyboard("cur"))


async def choose_current(
    query: CallbackQuery, callback_data: Step, state: FSMContext, app: App
) -> None:
    """A region button: store the current region, ask the needs."""
    if not await step_ok(query, state, NewCase.current):
        return
    await state.update_data(region_current=case_wizard.region_answer(callback_data.value),
                            needs=[])
    await advance(state, "current")
    await query.answer()
    await query.message.edit_text(_("Needs? Tap to select, then Done."),
                                  reply_markup=need_keyboard(app, []))


async def choose_need(
    query: CallbackQuery, callback_data: Step, state: FSMContext, app: App
) -> None:
    """A need button ticks or unticks it; Done asks about consent."""
    if not await step_ok(query, state, NewCase.needs):
        return
    before = list((await state.get_data()).get("needs", []))
    await query.answer()
    if callback_data.value == DONE:
        await advance(state, "needs")
        await query.message.edit_text(
            _("Did the youth consent to being referred and to information about them being "
              "shared with the services involved? (Required before any handoff.)"),
            reply_markup=consent_keyboard(),
        )
        return
    chosen = case_wizard.toggle_need(before, callback_data.value, case_wizard.known_needs(app))
    if chosen != before:
        await state.update_data(needs=chosen)
    await query.message.edit_reply_markup(reply_markup=need_keyboard(app, chosen))


async def choose_consent(
    query: CallbackQuery, callback_data: Step, state: FSMContext, session: AsyncSession,
    worker: Worker,
) -> None:
    """Yes/No: store the consent, then ask the month of 18 (minors) or the participants."""
    if not await step_ok(query, state, NewCase.consent):
        return
    await state.update_data(consent=callback_data.value == "y")
    await query.answer()
    if await advance(state, "consent") == "participants":
        await ask_participants(query.message, state, session, worker, query_edit=True)
        return
    await query.message.edit_text(
        _("Month the youth turns 18, as YYYY-MM (for example 2027-03), for a reminder before "
          "services for minors end. Never a date of birth. Optional."),
        reply_markup=skip_turns18_keyboard(),
    )


async def type_turns18(
    message: Message, state: FSMContext, session: AsyncSession, worker: Worker, app: App
) -> None:
    """A typed month of 18: store it and ask the participants; anything else is refused."""
    try:
        month = cases.parse_month(message.text or "", app.clock.now())
    except InvalidInput:
        await refuse_stray_text(message, app, session)
        await message.answer(_("Please write the month as YYYY-MM, for example 2027-03."))
        return
    await state.update_data(turns_18_month=month)
    await advance(state, "turns18")
    await ask_participants(message, state, session, worker)


async def refuse_stray_text(message: Message, app: App, session: AsyncSession) -> None:
    """Not a month: it may be anything, so check it before leaving it on screen."""
    try:
        result = await screening.screen_text(app, session, message.text or "", lang())
    except screening.ScreenUnavailable:
        return
    if result.identifying:
        await refuse_identifying(message, result, app=app, session=session,
                                 context="case.turns18")


async def skip_turns18(
    query: CallbackQuery, state: FSMContext, session: AsyncSession, worker: Worker
) -> None:
    """Skip the month of 18: ask the participants."""
    if not await step_ok(query, state, NewCase.turns18):
        return
    await query.answer()
    await advance(state, "turns18")
    await ask_participants(query.message, state, session, worker, query_edit=True)


async def ask_participants(
    target: Message, state: FSMContext, session: AsyncSession, worker: Worker, *,
    query_edit: bool = False,
) -> None:
    """Offer the worker's colleagues as participants (looked up once per wizard)."""
    data = await state.get_data()
    options = data.get("colleagues")
    if options is None:
        options = await case_wizard.colleague_choices(session, worker)
        await state.update_data(colleagues=options, participant_ids=[])
    markup = participant_keyboard(options, data.get("participant_ids", []))
    text = _("Other workers taking part in this case? You are added first. Tap to select, "
             "then Create.") if options else _("Ready to create the case.")
    if query_edit:
        await target.edit_text(text, reply_markup=markup)
    else:
        await target.answer(text, reply_markup=markup, protect_content=True)


async def choose_participant(
    query: CallbackQuery, callback_data: Step, state: FSMContext, session: AsyncSession,
    worker: Worker, app: App,
) -> None:
    """A colleague button ticks or unticks them; Create the case creates it and shows it."""
    if not await step_ok(query, state, NewCase.participants):
        return
    data = await state.get_data()
    if callback_data.value != DONE:
        chosen = case_wizard.toggle_participant(data, callback_data.value)
        if chosen != list(data.get("participant_ids", [])):
            await state.update_data(participant_ids=chosen)
        await query.answer()
        await query.message.edit_reply_markup(
            reply_markup=participant_keyboard(data.get("colleagues", []), chosen))
        return
    case = await case_wizard.create_case(app, session, worker, data, now=app.clock.now())
    await state.clear()
    await query.answer()
    reply_after_commit(  # announced once stored: a failed commit creates no case
        session, query.message.edit_text,
        _("Case <b>{code}</b> created. Use this code, never the youth's name.").format(
            code=case.code))
    await show_case(app, session, query.message, case, query.from_user.id, after_commit=True)


async def cancel_new(message: Message, state: FSMContext) -> None:
    """``/cancel`` during the wizard's typed steps: nothing is created."""
    await state.clear()
    await message.answer(_("Cancelled. No case was created."))
