"""``/reports``: coordinators see the open error reports of their regions and resolve them.

Each report shows its listing (in the chat's language), what was reported, by whom and when (a
date in words). "Resolve" asks for a short note to the reporter (screened like every free text;
"Without a note" is a button); once stored, the reporter and the listing's receivers are told
(:mod:`bot.services.directory.reports` decides who may resolve and who hears about it). The
buttons are signed for the coordinator they were sent to; the note's step keeps the report's id
only.
"""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.models.core import Worker
from bot.services.directory import reports
from handlers.directory.answers import text_for
from handlers.privacy_reply import screened_or_refused
from handlers.replies import reply_after_commit
from handlers.secure import sign
from handlers.ui import esc, keyboard, lang

RESOLVE = "dir.rres"  # "Resolve" under a report: ask for the note
NO_NOTE = "dir.rnon"  # "Without a note": resolve it now
SHOWN_CHARS = 300  # of each description, so that a full list stays within one message


class ResolveStates(StatesGroup):
    """Waiting for the note of the report being resolved."""

    note = State()


def report_lines(app: App, number: int, item: reports.OpenReport) -> str:
    """"1. <b>listing</b>" then what was reported, then who reported it and when."""
    t = text_for(app)
    name = reports.listing_name(item.report.service_name, item.service, lang())
    reporter = item.reporter
    who = esc(reporter.display_name) if reporter else "—"
    if reporter is not None and reporter.organisation is not None:
        who += f" ({esc(reporter.organisation.name)})"
    said = item.text if len(item.text) <= SHOWN_CHARS else item.text[:SHOWN_CHARS] + "…"
    said = esc(said) if said else _("(the description can no longer be read)")
    return "\n".join([
        f"{number}. <b>{esc(name)}</b>",
        _("\"{text}\"").format(text=said),
        _("Reported by {who}, {when}").format(who=who, when=t.datetime(item.report.created_at)),
    ])


async def list_reports(message: Message, app: App, session: AsyncSession,
                       worker: Worker) -> None:
    """``/reports``: the open reports of the coordinator's regions, each with "Resolve"."""
    shown, total = await reports.open_reports(app, session, worker)
    if not shown:
        await message.answer(_("No open error report in your regions."))
        return
    head = ngettext("{n} open error report in your regions:",
                    "{n} open error reports in your regions:", total).format(n=total)
    body = "\n\n".join(report_lines(app, i, item) for i, item in enumerate(shown, 1))
    more = ""
    if total > len(shown):
        more = "\n\n" + _("The oldest are shown first; resolve them to see the others.")
    rows = [[(_("✅ Resolve {number}").format(number=i),
              sign(app, RESOLVE, item.report.id, message.from_user.id))]
            for i, item in enumerate(shown, 1)]
    await message.answer(head + "\n\n" + body + more, reply_markup=keyboard(rows))


async def resolve_start(query: CallbackQuery, object_id: int, app: App, session: AsyncSession,
                        worker: Worker, state: FSMContext) -> None:
    """"Resolve": which report (checked now), then ask for the note."""
    report = await reports.report_for(session, worker, object_id)
    await state.set_state(ResolveStates.note)
    await state.update_data(resolve_report=report.id)
    await query.answer()
    await query.message.answer(
        _("Write a short note for the person who reported it (what was corrected, for "
          "example), or tap \"Without a note\". Never write anything about a youth. "
          "Send /cancel to stop."),
        reply_markup=keyboard([[(_("Without a note"),
                                 sign(app, NO_NOTE, report.id, query.from_user.id))]]))


async def resolve_without_note(query: CallbackQuery, object_id: int, app: App,
                               session: AsyncSession, worker: Worker, state: FSMContext) -> None:
    """"Without a note": resolve it now."""
    done = await reports.resolve(app, session, worker, object_id, None)
    await state.set_state(None)
    reply_after_commit(session, query.answer)
    reply_after_commit(session, query.message.answer, resolved_text(done))


async def resolve_note(message: Message, app: App, session: AsyncSession, worker: Worker,
                       state: FSMContext) -> None:
    """The note (screened first, its length included): the report is resolved with it."""
    text = await screened_or_refused(message, app, session, context="directory.report_note")
    if text is None:
        return  # refused and explained; the coordinator can write it again
    if len(text.strip()) > reports.MAX_NOTE_CHARS:
        await message.answer(_("Please keep it under {max} characters.").format(
            max=reports.MAX_NOTE_CHARS))
        return
    data = await state.get_data()
    await state.set_state(None)
    done = await reports.resolve(app, session, worker, int(data.get("resolve_report") or 0), text)
    reply_after_commit(session, message.answer, resolved_text(done))


def resolved_text(done: reports.Resolved) -> str:
    """"Resolved." and who will be told."""
    lines = [_("Report resolved.")]
    if done.reporter_told:
        lines.append(_("The person who reported it will be told."))
    if done.receivers_told:
        lines.append(ngettext("{n} person receiving for this listing will be told.",
                              "{n} people receiving for this listing will be told.",
                              done.receivers_told).format(n=done.receivers_told))
    return " ".join(lines)
