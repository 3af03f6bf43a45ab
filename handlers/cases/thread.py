"""The case thread: "Write in the thread", the message itself (screened), ``/cancel``."""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.errors import NotFound
from bot.i18n import N_
from bot.models.core import Worker
from bot.services import cases, screening
from handlers.cases.states import Thread
from handlers.privacy_reply import refuse_identifying, refuse_unavailable, screened_or_refused
from handlers.replies import reply_after_commit
from handlers.ui import lang

NO_SPACE_RULE = N_("Never write the youth's name or contact details: the case code is enough.")


async def start_writing(
    query: CallbackQuery, object_id: int, session: AsyncSession, worker: Worker,
    state: FSMContext, app: App,
) -> None:
    """Write in the thread: wait for the message, reminding what never to write."""
    case = await cases.open_case_for_action(session, worker, object_id, now=app.clock.now())
    await state.set_state(Thread.writing)
    await state.update_data(thread_case_id=case.id)
    await query.answer()
    await query.message.answer(
        _("Write your message for case {code}; the other participants will receive it. "
          "Send /cancel to stop.").format(code=case.code) + "\n" + _(NO_SPACE_RULE),
    )


async def cancel_writing(message: Message, state: FSMContext) -> None:
    """``/cancel`` while writing: nothing is sent."""
    await state.clear()
    await message.answer(_("Cancelled. Nothing was sent."))


async def write(
    message: Message, session: AsyncSession, worker: Worker, state: FSMContext, app: App
) -> None:
    """The thread message: screened, stored and relayed; a flagged one can be rephrased."""
    data = await state.get_data()
    case_id = data.get("thread_case_id")
    text = await screened_or_refused(message, app, session, context="case.thread")
    if text is None:
        return  # refused (and deleted if flagged); stay in the writing state to rephrase
    try:
        case = await cases.post_for_worker(app, session, worker, int(case_id or 0), text,
                                           lang=lang())
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
