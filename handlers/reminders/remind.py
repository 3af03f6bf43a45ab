"""``/remind``: a subject (a case code or a short screened text) and a moment, in any order."""

from __future__ import annotations

import html
from datetime import datetime

from aiogram.filters import CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.errors import InvalidInput, NotAllowed
from bot.i18n import N_
from bot.models.core import Worker
from bot.services import screening
from bot.services.reminders import answers, personal, wording
from bot.services.reminders.quiet import worker_zone
from bot.services.reminders.timeparse import parse_when
from handlers.privacy_reply import refuse_identifying, refuse_unavailable
from handlers.reminders.common import EXAMPLES, text_for, when_keyboard
from handlers.reminders.keys import WhenChoice
from handlers.replies import reply_after_commit
from handlers.ui import lang


class RemindStates(StatesGroup):
    subject = State()
    when = State()
    custom = State()


async def screened(message: Message, app: App, session: AsyncSession, text: str) -> bool:
    """Whether ``text`` passed the privacy screen; when not, it was deleted and refused."""
    try:
        result = await screening.screen_text(app, session, text, lang())
    except screening.ScreenUnavailable:
        await refuse_unavailable(message, app=app, session=session, context="reminder")
        return False
    if result.identifying:
        await refuse_identifying(message, result, app=app, session=session, context="reminder")
        return False
    return True


async def take_subject(
    message: Message, app: App, session: AsyncSession, worker: Worker, raw: str
) -> dict[str, str] | None:
    """Case code and/or screened text of a subject; None when refused (already answered).

    The text is screened before anything else (the case code, its length): an identifying
    text is deleted and refused as such even when it is also too long."""
    code, text = personal.split_subject(raw, await personal.worker_case_codes(session, worker))
    if text and not await screened(message, app, session, text):
        return None
    if code is not None:
        await personal.check_case(session, worker, code, app.clock.now())
    if text and len(text) > personal.TEXT_LIMIT:
        raise InvalidInput(
            N_("That is too long for a reminder: {limit} characters at most."),
            limit=personal.TEXT_LIMIT,
        )
    subject: dict[str, str] = {}
    if code:
        subject["code"] = code
    if text:
        subject["text"] = text
    return subject


async def create(
    message: Message, app: App, session: AsyncSession, worker: Worker, state: FSMContext,
    due_at: datetime, subject: dict[str, str],
) -> None:
    """Store the reminder, end the flow and say when it will come (once it is stored)."""
    now = app.clock.now()
    job = await personal.create_reminder(
        app, session, worker, due_at, now=now,
        text=subject.get("text"), code=subject.get("code"),
    )
    await state.clear()
    t = text_for(app, worker)
    about = subject.get("code") or html.escape(subject.get("text") or "")
    reply_after_commit(
        session, message.answer,
        _("✅ Noted. I will remind you {when}: {about}").format(
            when=wording.at(t, job.due_at, now), about=about
        )
        + "\n"
        + _("See or cancel your reminders: /reminders"),
    )


async def remind(
    message: Message, command: CommandObject, app: App, session: AsyncSession, worker: Worker,
    state: FSMContext,
) -> None:
    """``/remind [moment] [subject]``: set it at once, or ask for what is missing."""
    await state.clear()
    args = (command.args or "").strip()
    if not args:
        await state.set_state(RemindStates.subject)
        await message.answer(
            _("What should I remind you about? Send a case code (e.g. K7-4QX) or a short "
              "text, without names or contact details.")
        )
        return
    now = app.clock.now()
    zone = worker_zone(worker, app.settings.zone)
    parsed = parse_when(args, now, zone)
    if parsed is not None and parsed.rest:
        subject = await take_subject(message, app, session, worker, parsed.rest)
        if subject is not None:
            await create(message, app, session, worker, state, parsed.at, subject)
        return
    if parsed is not None:
        if parsed.at <= now:
            raise InvalidInput(N_("That moment has already passed. Choose a moment in the future."))
        await state.set_state(RemindStates.subject)
        await state.update_data(due=parsed.at.isoformat())
        t = text_for(app, worker)
        await message.answer(
            _("Reminder {when}. What about? Send a case code (e.g. K7-4QX) or a short text, "
              "without names or contact details.").format(when=wording.at(t, parsed.at, now))
        )
        return
    subject = await take_subject(message, app, session, worker, args)
    if subject is None:
        return
    await state.set_state(RemindStates.when)
    await state.update_data(**subject)
    await message.answer(_("When should I remind you?"), reply_markup=when_keyboard())


async def remind_subject(
    message: Message, app: App, session: AsyncSession, worker: Worker, state: FSMContext
) -> None:
    """The subject typed after ``/remind``: set it when the moment is known, else ask when."""
    subject = await take_subject(message, app, session, worker, message.text or "")
    if subject is None:
        await state.clear()
        return
    data = await state.get_data()
    if due := data.get("due"):
        await create(message, app, session, worker, state, datetime.fromisoformat(due), subject)
        return
    await state.set_state(RemindStates.when)
    await state.set_data(subject)
    await message.answer(_("When should I remind you?"), reply_markup=when_keyboard())


async def remind_when(
    query: CallbackQuery, callback_data: WhenChoice, app: App, session: AsyncSession,
    worker: Worker, state: FSMContext,
) -> None:
    """A preset moment pressed: set the reminder; "another moment" asks for one in words."""
    data = await state.get_data()
    if await state.get_state() != RemindStates.when.state or not (
        data.get("code") or data.get("text")
    ):
        await query.answer(_("This reminder was already set. Start again with /remind."))
        return
    if callback_data.choice == "other":
        await state.set_state(RemindStates.custom)
        await query.answer()
        await query.message.answer(_("Write the moment.") + " " + _(EXAMPLES))
        return
    due = answers.preset_moment(app, worker, callback_data.choice, app.clock.now())
    if due is None:
        raise NotAllowed(N_("This button is not valid."))
    await query.answer()
    await query.message.edit_reply_markup(reply_markup=None)
    await create(query.message, app, session, worker, state, due, data)


async def remind_custom(
    message: Message, app: App, session: AsyncSession, worker: Worker, state: FSMContext
) -> None:
    """The moment typed after "another moment": set the reminder, or ask again."""
    now = app.clock.now()
    parsed = parse_when(message.text or "", now, worker_zone(worker, app.settings.zone))
    if (parsed is None or parsed.rest) and not await screened(
            message, app, session, message.text or ""):
        return  # more than a moment, and identifying: deleted and refused; still asking
    if parsed is None:
        await message.answer(_("I did not understand this moment.") + " " + _(EXAMPLES))
        return
    if parsed.at <= now:
        await message.answer(
            _("That moment has already passed. Choose a moment in the future.")
        )
        return
    await create(message, app, session, worker, state, parsed.at, await state.get_data())
