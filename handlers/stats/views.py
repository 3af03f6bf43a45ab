"""``/stats`` in the chat: ask the period (then the region), and show the figures.

The figures come as the summary (the question's message, edited), the charts as photos and the
same tables as a CSV document. Who may see which regions, what is counted, what is hidden and
what is audited is decided in :mod:`bot.services.stats.report`; the figures go out once the
view's audit entry is stored.
"""

from __future__ import annotations

from datetime import date

from aiogram.enums import ChatAction
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.models.core import Worker
from bot.services.stats import report
from bot.services.stats.periods import Period, period_for, period_label
from handlers.replies import reply_after_commit
from handlers.stats.keyboards import (
    PeriodChoice,
    RegionChoice,
    asked_region,
    period_keyboard,
    region_keyboard,
    service_choice,
)
from handlers.ui import esc, lang


def local_today(app: App) -> date:
    return app.clock.now().astimezone(app.settings.zone).date()


async def ask_period(message: Message, worker: Worker, app: App) -> None:
    """``/stats``: coordinators and admins choose a period; others are told it is not theirs."""
    report.scope(worker)
    await message.answer(_("📊 Which period?"), reply_markup=period_keyboard(local_today(app)))


async def period_chosen(query: CallbackQuery, callback_data: PeriodChoice, session: AsyncSession,
                        worker: Worker, app: App) -> None:
    """A period: the figures, or first the region when the coordinator has several."""
    period = period_for(service_choice(callback_data.period), local_today(app))
    regions = report.scope(worker)
    if regions is not None and len(regions) > 1:
        await query.answer()
        await query.message.edit_text(
            _("📊 Which region?"),
            reply_markup=region_keyboard(callback_data.period, regions, lang()))
        return
    await show_figures(query, session, worker, app, period, regions)


async def region_chosen(query: CallbackQuery, callback_data: RegionChoice, session: AsyncSession,
                        worker: Worker, app: App) -> None:
    """A region (or all of the coordinator's): the figures."""
    period = period_for(service_choice(callback_data.period), local_today(app))
    regions = report.scope(worker, asked_region(callback_data.region))
    await show_figures(query, session, worker, app, period, regions)


async def show_figures(query: CallbackQuery, session: AsyncSession, worker: Worker, app: App,
                       period: Period, regions: tuple[str, ...] | None) -> None:
    """Say the figures are coming, build them (audited), and send them once that is stored."""
    await query.answer()
    await query.message.edit_text(_("⏳ Preparing the figures…"))
    await query.bot.send_chat_action(chat_id=query.message.chat.id, action=ChatAction.UPLOAD_PHOTO)
    text = app.translator.text(lang())
    built = await report.build(session, worker, period, regions, now=app.clock.now(),
                               zone=app.settings.zone, min_cell=app.settings.min_cell, text=text)
    message = query.message
    reply_after_commit(session, message.edit_text, built.summary)  # HTML, escaped by tables
    for chart in built.charts:
        reply_after_commit(session, message.answer_photo,
                           BufferedInputFile(chart.png, filename=chart.name),
                           caption=esc(chart.title))
    reply_after_commit(
        session, message.answer_document, BufferedInputFile(built.csv, filename=built.csv_name),
        caption=_("The same figures as tables (CSV), {period}.").format(
            period=esc(period_label(period, text))),
    )  # not protected: anonymous, small counts hidden, made to be forwarded to funders
