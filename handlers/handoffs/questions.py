"""Questions to the other side of a handoff: "Ask a question" / "Reply", then the screened
text (:mod:`bot.services.handoffs.questions` decides who may be asked and sends it)."""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.models.core import Worker
from bot.services.handoffs import notify, questions
from handlers.handoffs.common import HandoffFlow, act
from handlers.privacy_reply import screened_or_refused
from handlers.replies import reply_after_commit
from handlers.secure import Verified


async def ask(
    query: CallbackQuery, secure: Verified, object_id: int, app: App, session: AsyncSession,
    worker: Worker, state: FSMContext,
) -> None:
    """"Ask a question", "Reply" under a question (its answer: the extra is the asker's id
    alone) or "Ask another question" under an answer (``q`` and the id): ask for the text."""
    extra = secure.extra or ""
    answering = extra.isdigit()
    named = extra.removeprefix("q")
    handoff, to = await act(questions.addressee(
        app, session, object_id, worker, int(named) if named.isdigit() else None))
    await state.set_state(HandoffFlow.question)
    await state.update_data(ho_handoff=handoff.id, ho_to=to, ho_answer=answering)
    await query.answer()
    if answering:
        await query.message.answer(_(
            "Write your answer (never the youth's name or contact details). "
            "Send /cancel to stop."))
        return
    await query.message.answer(_(
        "Write your question (never the youth's name or contact details). "
        "Send /cancel to stop."))


async def type_question(
    message: Message, app: App, session: AsyncSession, worker: Worker, state: FSMContext
) -> None:
    """The question's (or answer's) text, screened: sent to the person asked."""
    text = await screened_or_refused(message, app, session, context="handoff.question")
    if text is None:
        return
    data = await state.get_data()
    await state.set_state(None)
    to = await act(questions.ask(app, session, int(data.get("ho_handoff") or 0), worker,
                                 int(data.get("ho_to") or 0), text,
                                 answer=bool(data.get("ho_answer"))))
    reply_after_commit(session, message.answer, _("Sent to {who}.").format(who=notify.who(to)))
