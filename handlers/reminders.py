"""``/remind``, ``/reminders`` and the buttons of reminders (done, snooze, cancel, checks).

Every button names a job id; the job's recipient must be the worker who pressed it (a forged or
forwarded button is refused). Writing to the bot releases reminders held while the worker had
blocked it (:class:`ReleaseHeld`, and ``/reminders`` calls ``scheduler.release_held``).
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Annotated, Any

from aiogram import BaseMiddleware, F, Router
from aiogram.filters import Command as CommandFilter
from aiogram.filters import CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    TelegramObject,
)
from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _
from pydantic import Field
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.errors import InvalidInput, NotAllowed
from bot.i18n import N_, Text
from bot.models.core import Worker
from bot.models.reminders import JobState, ScheduledJob
from bot.services import scheduler
from bot.services.reminders import directory_checks, personal
from bot.services.reminders.quiet import worker_zone
from bot.services.reminders.timeparse import parse_when
from handlers.commands import Command

COMMANDS = (
    Command("remind", N_("Set a reminder (a case code or a short text)")),
    Command("reminders", N_("Your reminders: see or cancel them")),
)
LIST_LIMIT = 10


class RemindStates(StatesGroup):
    subject = State()
    when = State()
    custom = State()


class ReminderButton(CallbackData, prefix="rem"):
    """Buttons on delivered jobs; packs as ``rem:<action>:<job id>`` (personal.button_data)."""

    action: str
    job_id: Annotated[int, Field(ge=0, le=2**31 - 1)]  # a made-up larger id: a stale button


class WhenChoice(CallbackData, prefix="remw"):
    choice: str  # 1h | tm | 3d | other


def keyboard(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=label, callback_data=data) for label, data in row]
            for row in rows
        ]
    )


def text_for(app: App, worker: Worker) -> Text:
    """Formatting in the chat's current language and the worker's time zone."""
    base = app.translator.text(get_i18n().current_locale)
    return dataclasses.replace(base, zone=worker_zone(worker, app.settings.zone))


def when_keyboard() -> InlineKeyboardMarkup:
    return keyboard([
        [(_("In 1 hour"), WhenChoice(choice="1h").pack()),
         (_("Tomorrow morning"), WhenChoice(choice="tm").pack())],
        [(_("In 3 days"), WhenChoice(choice="3d").pack()),
         (_("Another moment…"), WhenChoice(choice="other").pack())],
    ])


EXAMPLES = N_("For example: “in 2 h”, “in 30 min”, “tomorrow 9am”, “friday 14:00”, “monday”, "
              "“at 4:30pm”.")


class ReleaseHeld(BaseMiddleware):
    """When the worker middleware just cleared ``blocked_bot`` (they wrote again), their held
    reminders become due at once."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        worker, session = data.get("worker"), data.get("session")
        if worker is not None and session is not None:
            history = inspect(worker).attrs.blocked_bot.history
            if True in (history.deleted or ()):
                await scheduler.release_held(session, worker, self.app.clock.now())
        return await handler(event, data)


def build_router(app: App) -> Router:
    router = Router(name="reminders")
    router.message.outer_middleware(ReleaseHeld(app))
    router.callback_query.outer_middleware(ReleaseHeld(app))

    # ---- /remind ---------------------------------------------------------------------------
    async def take_subject(
        message: Message, session: AsyncSession, worker: Worker, raw: str
    ) -> dict[str, str] | None:
        """Case code and/or screened text of a subject; None when refused (already answered).

        The text is screened before anything else (the case code, its length): an identifying
        text is deleted and refused as such even when it is also too long."""
        code, text = personal.split_subject(raw)
        if text and not await screened(message, session, text):
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

    async def screened(message: Message, session: AsyncSession, text: str) -> bool:
        from bot.services import screening
        from handlers.privacy_reply import refuse_identifying, refuse_unavailable

        try:
            result = await screening.screen_text(app, session, text, get_i18n().current_locale)
        except screening.ScreenUnavailable:
            await refuse_unavailable(message, app=app, session=session, context="reminder")
            return False
        if result.identifying:
            await refuse_identifying(message, result, app=app, session=session, context="reminder")
            return False
        return True

    async def create(
        message: Message, session: AsyncSession, worker: Worker, state: FSMContext,
        due_at: datetime, subject: dict[str, str],
    ) -> None:
        now = app.clock.now()
        job = await personal.create_reminder(
            app, session, worker, due_at, now=now,
            text=subject.get("text"), code=subject.get("code"),
        )
        await state.clear()
        t = text_for(app, worker)
        about = subject.get("code") or html.escape(subject.get("text") or "")
        await message.answer(
            _("✅ Noted. I will remind you {when}: {about}").format(
                when=scheduler.when(t, job.due_at, now), about=about
            )
            + "\n"
            + _("See or cancel your reminders: /reminders")
        )

    @router.message(CommandFilter("remind"))
    async def remind(
        message: Message, command: CommandObject, session: AsyncSession, worker: Worker,
        state: FSMContext,
    ) -> None:
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
            subject = await take_subject(message, session, worker, parsed.rest)
            if subject is not None:
                await create(message, session, worker, state, parsed.at, subject)
            return
        if parsed is not None:
            if parsed.at <= now:
                raise InvalidInput(N_("That moment has already passed. Choose a moment in the future."))
            await state.set_state(RemindStates.subject)
            await state.update_data(due=parsed.at.isoformat())
            t = text_for(app, worker)
            await message.answer(
                _("Reminder {when}. What about? Send a case code (e.g. K7-4QX) or a short text, "
                  "without names or contact details.").format(when=scheduler.when(t, parsed.at, now))
            )
            return
        subject = await take_subject(message, session, worker, args)
        if subject is None:
            return
        await state.set_state(RemindStates.when)
        await state.update_data(**subject)
        await message.answer(_("When should I remind you?"), reply_markup=when_keyboard())

    @router.message(RemindStates.subject, F.text, ~F.text.startswith("/"))
    async def remind_subject(
        message: Message, session: AsyncSession, worker: Worker, state: FSMContext
    ) -> None:
        subject = await take_subject(message, session, worker, message.text or "")
        if subject is None:
            await state.clear()
            return
        data = await state.get_data()
        if due := data.get("due"):
            await create(message, session, worker, state, datetime.fromisoformat(due), subject)
            return
        await state.set_state(RemindStates.when)
        await state.set_data(subject)
        await message.answer(_("When should I remind you?"), reply_markup=when_keyboard())

    @router.callback_query(WhenChoice.filter())
    async def remind_when(
        query: CallbackQuery, callback_data: WhenChoice, session: AsyncSession, worker: Worker,
        state: FSMContext,
    ) -> None:
        data = await state.get_data()
        if await state.get_state() != RemindStates.when.state or not (
            data.get("code") or data.get("text")
        ):
            await query.answer(_("This reminder was already set. Start again with /remind."))
            return
        now = app.clock.now()
        match callback_data.choice:
            case "1h":
                due = now + timedelta(hours=1)
            case "tm":
                due = personal.morning(app, worker, now, 1)
            case "3d":
                due = personal.morning(app, worker, now, 3)
            case "other":
                await state.set_state(RemindStates.custom)
                await query.answer()
                await query.message.answer(_("Write the moment.") + " " + _(EXAMPLES))
                return
            case _:
                raise NotAllowed(N_("This button is not valid."))
        await query.answer()
        await query.message.edit_reply_markup(reply_markup=None)
        await create(query.message, session, worker, state, due, data)

    @router.message(RemindStates.custom, F.text, ~F.text.startswith("/"))
    async def remind_custom(
        message: Message, session: AsyncSession, worker: Worker, state: FSMContext
    ) -> None:
        now = app.clock.now()
        parsed = parse_when(message.text or "", now, worker_zone(worker, app.settings.zone))
        if (parsed is None or parsed.rest) and not await screened(
                message, session, message.text or ""):
            return  # more than a moment, and identifying: deleted and refused; still asking
        if parsed is None:
            await message.answer(_("I did not understand this moment.") + " " + _(EXAMPLES))
            return
        if parsed.at <= now:
            await message.answer(
                _("That moment has already passed. Choose a moment in the future.")
            )
            return
        await create(message, session, worker, state, parsed.at, await state.get_data())

    # ---- /reminders ------------------------------------------------------------------------
    async def reminders_view(
        session: AsyncSession, worker: Worker
    ) -> tuple[str, InlineKeyboardMarkup | None]:
        jobs = await personal.list_reminders(session, worker)
        if not jobs:
            return _("You have no reminders waiting. Set one with /remind."), None
        t = text_for(app, worker)
        now = app.clock.now()
        lines = [_("Your reminders:")]
        rows = []
        for number, job in enumerate(jobs[:LIST_LIMIT], 1):
            code, text = personal.subject(app, job)
            about = " — ".join(x for x in (code, html.escape(text or "")) if x)
            lines.append(f"{number}. {scheduler.when(t, job.due_at, now)} — {about}")
            rows.append((_("❌ Cancel {n}").format(n=number),
                         ReminderButton(action="cancel", job_id=job.id).pack()))
        if len(jobs) > LIST_LIMIT:
            lines.append(_("…and {n} more.").format(n=len(jobs) - LIST_LIMIT))
        return "\n".join(lines), keyboard([rows[i:i + 2] for i in range(0, len(rows), 2)])

    @router.message(CommandFilter("reminders"))
    async def list_reminders(
        message: Message, session: AsyncSession, worker: Worker, state: FSMContext
    ) -> None:
        await state.clear()
        await scheduler.release_held(session, worker, app.clock.now())
        text, markup = await reminders_view(session, worker)
        await message.answer(text, reply_markup=markup)

    # ---- buttons on delivered jobs ---------------------------------------------------------
    async def closed(query: CallbackQuery, job: ScheduledJob, status: str) -> None:
        """Show what happened under the reminder and remove its buttons."""
        original = query.message.html_text if query.message else ""
        await query.message.edit_text(f"{original}\n\n{status}", reply_markup=None)

    @router.callback_query(ReminderButton.filter())
    async def reminder_button(
        query: CallbackQuery, callback_data: ReminderButton, session: AsyncSession,
        worker: Worker,
    ) -> None:
        job = await personal.own_reminder(session, worker, callback_data.job_id)
        now = app.clock.now()
        t = text_for(app, worker)
        match callback_data.action:
            case "done":
                await personal.mark_done(session, job, now)
                await query.answer(_("Done."))
                await closed(query, job, _("✅ Done."))
            case "s1h" | "stm":
                due = now + timedelta(hours=1) if callback_data.action == "s1h" else (
                    personal.morning(app, worker, now, 1))
                await personal.snooze(session, job, due, now)
                await query.answer(_("Snoozed."))
                await closed(query, job, _("⏰ Snoozed until {when}").format(
                    when=scheduler.when(t, due, now)))
            case "cancel":
                if not await personal.cancel_reminder(session, job, now):
                    await query.answer(_("This reminder is no longer waiting."))
                    return
                await session.flush()
                await query.answer(_("Reminder cancelled."))
                text, markup = await reminders_view(session, worker)
                await query.message.edit_text(text, reply_markup=markup)
            case "t18":
                await query.answer()
                await query.message.answer(await transition_services(session, job, t))
            case "vok" | "vfix" | "vcc" | "vcg" | "vco" | "cok" | "cfix":
                await directory_button(query, session, job, callback_data.action, t)
            case _:
                raise NotAllowed(N_("This button is not valid."))

    async def transition_services(session: AsyncSession, job: ScheduledJob, t: Text) -> str:
        region = (job.payload or {}).get("region")
        lines = [_("Transition to adulthood (18+) services:")]
        try:
            from bot.services.directory.criteria import Criteria
            from bot.services.directory.search import search

            outcome = await search(
                session,
                Criteria(regions=(region,) if region else (), needs=("transition-18",)),
                now=app.clock.now(), limit=5,
            )
            results = list(getattr(outcome, "results", []) or [])
        except Exception:  # the directory is not there (yet) or has no index: give the hint
            results = []
        for result in results:
            entry = result.entry
            lines.append("• " + html.escape(entry.display_name(t.lang)))
        if not results:
            lines.append(_("No listing found here."))
        query_text = f"transition-18 {region}" if region else "transition-18"
        lines.append(_("For details and to request a handoff: /find {query}").format(
            query=query_text))
        return "\n".join(lines)

    async def directory_button(
        query: CallbackQuery, session: AsyncSession, job: ScheduledJob, action: str, t: Text
    ) -> None:
        if job.state != JobState.SENT.value:
            await query.answer(_("This button is no longer valid."), show_alert=True)
            return
        now = app.clock.now()
        service_id = int((job.payload or {}).get("service_id", 0))
        if action == "vok":
            await directory_checks.confirm_listing(session, service_id, now.astimezone(t.zone).date(), now)
            job.state = JobState.DONE.value
            await query.answer(_("Thank you!"))
            await closed(query, job, _("✅ Confirmed: the listing is marked as verified today."))
        elif action == "vfix":
            await query.answer()
            await query.message.edit_reply_markup(reply_markup=keyboard([
                [(_("Closed for now"), ReminderButton(action="vcc", job_id=job.id).pack())],
                [(_("No longer offered"), ReminderButton(action="vcg", job_id=job.id).pack())],
                [(_("Something else changed"),
                  ReminderButton(action="vco", job_id=job.id).pack())],
            ]))
        elif action in ("vcc", "vcg", "vco"):
            change = {"vcc": "closed", "vcg": "gone", "vco": "other"}[action]
            await directory_checks.correct_listing(session, service_id, change, now)
            job.state = JobState.DONE.value
            from bot.services import audit

            await audit.record(
                session, at=now, action="directory.correction", actor=job.worker,
                subject_type="service", subject_id=str(service_id), change=change,
            )
            await query.answer(_("Thank you!"))
            status = {
                "closed": _("Noted: the service is shown as closed for now."),
                "gone": _("Noted: the service is no longer shown in searches."),
                "other": _("Noted: a coordinator of your region will contact you to update the "
                           "listing."),
            }[change]
            await closed(query, job, status)
        elif action == "cok":
            await directory_checks.confirm_capacity(session, service_id, now)
            job.state = JobState.DONE.value
            await query.answer(_("Thank you!"))
            await closed(query, job, _("✅ Availability confirmed as of now."))
        else:  # cfix
            job.state = JobState.DONE.value
            await query.answer()
            await closed(query, job, _("Update the availability from the service's listing in "
                                       "/find, or tell your coordinator."))

    return router
