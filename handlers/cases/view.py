"""``/case CODE``, ``/cases``, and the card's buttons: view, record consent, close.

Every button re-checks in :mod:`bot.services.cases` that the worker takes part in the case.
"""

from __future__ import annotations

from aiogram.filters import CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.errors import NotFound
from bot.models.core import Worker
from bot.services import cases
from handlers.cases.card import show_case
from handlers.cases.labels import need_label
from handlers.cases.states import Thread
from handlers.middlewares.errors import error_text
from handlers.replies import reply_after_commit
from handlers.secure import Verified, sign
from handlers.ui import keyboard


async def leave_thread(state: FSMContext) -> None:
    """A case command ends the writing of a thread message."""
    if await state.get_state() in (Thread.writing.state,):
        await state.clear()


async def open_case(
    message: Message, command: CommandObject, session: AsyncSession, worker: Worker,
    state: FSMContext, app: App,
) -> None:
    """``/case CODE``: the card of a case the worker takes part in; ``/case`` alone: how to."""
    await leave_thread(state)
    args = (command.args or "").strip()
    if not args:
        await message.answer(_("Send /case new to create a case, or /case followed by its "
                               "code (for example /case K7-4QX) to open it."))
        return
    try:
        case = await cases.case_by_code(session, worker, args, now=app.clock.now())
    except NotFound as exc:  # answered here so that the "case.denied" audit entry is kept
        await message.answer(error_text(exc))
        return
    await show_case(app, session, message, case, message.from_user.id)


async def list_cases(
    message: Message, session: AsyncSession, worker: Worker, state: FSMContext, app: App
) -> None:
    """``/cases``: one signed button per open case of the worker (30 at most)."""
    await leave_thread(state)
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


async def view_from_button(
    query: CallbackQuery, object_id: int, session: AsyncSession, worker: Worker, app: App
) -> None:
    """A case button: its card."""
    case = await cases.case_for_worker(session, worker, object_id, now=app.clock.now())
    await query.answer()
    await show_case(app, session, query.message, case, query.from_user.id)


async def change_consent(
    query: CallbackQuery, object_id: int, secure: Verified, session: AsyncSession,
    worker: Worker, app: App,
) -> None:
    """Record: youth consents / no consent; then the card again."""
    case = await cases.change_consent(session, worker, object_id, consent=secure.extra == "y",
                                      now=app.clock.now())
    reply_after_commit(session, query.answer, _("Saved."))
    await show_case(app, session, query.message, case, query.from_user.id, after_commit=True)


async def ask_close(
    query: CallbackQuery, object_id: int, session: AsyncSession, worker: Worker, app: App
) -> None:
    """Close the case: ask for confirmation, saying when its data will be deleted."""
    case = await cases.open_case_for_action(session, worker, object_id, now=app.clock.now())
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


async def close(
    query: CallbackQuery, object_id: int, session: AsyncSession, worker: Worker, app: App
) -> None:
    """Yes, close it: the case is closed (or already was)."""
    case, closed = await cases.close_for_worker(session, worker, object_id, now=app.clock.now())
    text = (_("Case {code} is closed.") if closed
            else _("Case {code} was already closed.")).format(code=case.code)
    reply_after_commit(session, query.answer)
    reply_after_commit(session, query.message.edit_text, text)
