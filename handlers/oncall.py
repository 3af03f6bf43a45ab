"""``/oncall``: take on-call (until a time), stop it, hand it to a colleague; see who is on call.

- ``/oncall`` alone flips the status, as it always did: on (no end) when off, off when on.
- ``/oncall jusqu'à 8 h``, ``/oncall until tomorrow 8 am``: on call until then (the reminders'
  time parser); ``/oncall off`` stops.
- The replies say exactly what on-call does and offer buttons: "Until 8 a.m.", "Hand over to a
  colleague" (then one tap on the colleague: they are told, the giver is off), "Stop".
- Coordinators also read who is on call now in their regions (here and in ``/workers``).

Buttons are signed for the worker they were sent to (``handlers.secure``); the services check
the rest (a colleague of the same organisation, a moment still ahead).
"""

from __future__ import annotations

from datetime import UTC, datetime

from aiogram import Router
from aiogram.filters import Command as CommandFilter
from aiogram.filters import CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.errors import InvalidInput
from bot.i18n import N_
from bot.models.core import Worker
from bot.services import oncall
from bot.services.reminders import wording
from bot.services.reminders.quiet import worker_zone
from handlers.commands import Command
from handlers.reminders.common import text_for
from handlers.replies import reply_after_commit
from handlers.secure import SecureCallback, Verified, sign
from handlers.ui import esc, keyboard

COMMANDS = (
    Command("oncall", N_("On call: take it (until a time), stop it or hand it over")),
)

UNTIL, HAND, GIVE, STOP = "oc.until", "oc.hand", "oc.give", "oc.stop"


def minutes(moment: datetime | None) -> int:
    """A moment in a button (minutes since the epoch; 0 for none)."""
    return int(moment.timestamp() // 60) if moment is not None else 0


def moment(value: int | str) -> datetime | None:
    """The moment a button carries, or None."""
    number = int(value) if str(value).isdigit() else 0
    return datetime.fromtimestamp(number * 60, UTC) if number > 0 else None


def on_keyboard(app: App, worker: Worker) -> InlineKeyboardMarkup:
    """Under "you are on call": end at the next 8 a.m., hand it over, stop."""
    now = app.clock.now()
    t = text_for(app, worker)
    end = oncall.next_end(now, t.zone)
    label = (_("Until {time}") if end.astimezone(t.zone).date() == now.astimezone(t.zone).date()
             else _("Until tomorrow {time}")).format(time=t.clock_time(end))
    user = worker.telegram_id
    return keyboard([
        [("🌅 " + label, sign(app, UNTIL, minutes(end), user_id=user))],
        [("📟 " + _("Hand over on-call"), sign(app, HAND, 0, user_id=user))],
        [("⏹ " + _("Stop on-call"), sign(app, STOP, 0, user_id=user))],
    ])


def off_keyboard(app: App, worker: Worker, until: datetime | None) -> InlineKeyboardMarkup:
    """Under "you are no longer on call": hand it over (with the end it had)."""
    return keyboard([[("📟 " + _("Hand over on-call"),
                       sign(app, HAND, minutes(until), user_id=worker.telegram_id))]])


async def on_call_list(app: App, session: AsyncSession, worker: Worker) -> str:
    """For coordinators: who is on call now in their regions (everyone's for an admin)."""
    now = app.clock.now()
    t = text_for(app, worker)
    regions = None if worker.is_admin else worker.regions
    on_duty = await oncall.on_call_now(session, regions, now)
    if not on_duty:
        return _("Nobody is on call now in your regions.")
    lines = [_("On call now in your regions:")]
    lines.extend("• " + oncall.on_call_line(t, w, now) for w in on_duty)
    return "\n".join(lines)


async def say_on(message: Message, app: App, session: AsyncSession, worker: Worker) -> None:
    """Once stored: on call for whom, until when, what it does, how to end or hand it over."""
    t = text_for(app, worker)
    text = "\n".join(oncall.status_lines(t, worker, app.clock.now())) + "\n\n" + _(
        "Set an end: /oncall until 8 am. Stop it: /oncall.")
    if worker.is_coordinator:
        text += "\n\n" + await on_call_list(app, session, worker)
    reply_after_commit(session, message.answer, text, reply_markup=on_keyboard(app, worker))


async def say_off(message: Message, app: App, session: AsyncSession, worker: Worker,
                  until: datetime | None) -> None:
    """Once stored: off, with the hand-over button."""
    text = _("You are no longer on call.")
    if worker.is_coordinator:
        text += "\n\n" + await on_call_list(app, session, worker)
    reply_after_commit(session, message.answer, text,
                       reply_markup=off_keyboard(app, worker, until))


async def on_call_command(
    message: Message, command: CommandObject, app: App, session: AsyncSession, worker: Worker,
    state: FSMContext,
) -> None:
    """``/oncall``, ``/oncall until 8 am``, ``/oncall off``."""
    await state.clear()
    now = app.clock.now()
    args = (command.args or "").strip()
    until = worker.on_call_until if oncall.is_on_call(worker, now) else None
    if not args:
        if await oncall.toggle(session, worker, now):
            await say_on(message, app, session, worker)
        else:
            await say_off(message, app, session, worker, until)
        return
    if oncall.wants_stop(args):
        await oncall.stop(session, worker, now)
        await say_off(message, app, session, worker, until)
        return
    end = oncall.parse_end(args, now, worker_zone(worker, app.settings.zone))
    await oncall.take(session, worker, now, end)
    await say_on(message, app, session, worker)


async def until_pressed(query: CallbackQuery, object_id: int | str, app: App,
                        session: AsyncSession, worker: Worker) -> None:
    """"Until 8 a.m.": on call until the moment the button carries (still ahead)."""
    end = moment(object_id)
    if end is None or end <= app.clock.now():
        raise InvalidInput(N_("This moment has passed. Write the end, e.g. /oncall until 8 am."))
    await oncall.take(session, worker, app.clock.now(), end)
    reply_after_commit(session, query.answer)
    reply_after_commit(session, query.message.edit_reply_markup, reply_markup=None)
    await say_on(query.message, app, session, worker)


async def stop_pressed(query: CallbackQuery, app: App, session: AsyncSession,
                       worker: Worker) -> None:
    """"Stop on-call"."""
    now = app.clock.now()
    until = worker.on_call_until if oncall.is_on_call(worker, now) else None
    await oncall.stop(session, worker, now)
    reply_after_commit(session, query.answer)
    reply_after_commit(session, query.message.edit_reply_markup, reply_markup=None)
    await say_off(query.message, app, session, worker, until)


async def hand_pressed(query: CallbackQuery, object_id: int | str, app: App,
                       session: AsyncSession, worker: Worker) -> None:
    """"Hand over to a colleague": one button per colleague of the organisation."""
    now = app.clock.now()
    until = worker.on_call_until if oncall.is_on_call(worker, now) else moment(object_id)
    team = await oncall.colleagues(session, worker)
    if not team:
        await query.answer(_("No colleague of your organisation is registered in Relais yet."),
                           show_alert=True)
        return
    await query.answer()
    rows = [[(colleague.display_name[:40],
              sign(app, GIVE, colleague.id, user_id=worker.telegram_id,
                   extra=str(minutes(until))))] for colleague in team]
    await query.message.answer(
        _("Hand on-call over to whom? They will be told, and you will no longer be on call."),
        reply_markup=keyboard(rows),
    )


async def give_pressed(query: CallbackQuery, object_id: int | str, secure: Verified, app: App,
                       session: AsyncSession, worker: Worker) -> None:
    """A colleague picked: they are on call and told; the giver is off."""
    now = app.clock.now()
    if not str(object_id).isdigit():
        raise InvalidInput(N_("This button is not valid."))
    colleague = await oncall.hand_over(app, session, worker, int(object_id), now,
                                       moment(secure.extra))
    t = text_for(app, worker)
    end = (wording.until(t, colleague.on_call_until, now) if colleague.on_call_until
           else _("no end set"))
    reply_after_commit(session, query.answer, _("Handed over."))
    reply_after_commit(
        session, query.message.edit_text,
        _("📟 On-call handed over: {name} is now on call ({end}) and has been told. "
          "You are no longer on call.").format(name=esc(colleague.display_name), end=end),
        reply_markup=None,
    )


def build_router() -> Router:
    """Register ``/oncall`` and its buttons."""
    router = Router(name="oncall")
    router.message.register(on_call_command, CommandFilter("oncall"))
    router.callback_query.register(until_pressed, SecureCallback.filter(UNTIL))
    router.callback_query.register(stop_pressed, SecureCallback.filter(STOP))
    router.callback_query.register(hand_pressed, SecureCallback.filter(HAND))
    router.callback_query.register(give_pressed, SecureCallback.filter(GIVE))
    return router
