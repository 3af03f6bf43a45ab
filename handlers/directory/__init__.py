"""Who can take this youth in region X: free-text questions, ``/find``, ``/capacity``, error reports.

A question (or ``/find`` with its buttons) becomes criteria, shown back in one line with buttons
to correct them; the answer lists the few services that can take the youth now, best first
(widened to the neighbouring regions when fewer than three can), each with "request handoff"
(handled by the handoff router) where someone receives it, else "call" (the card's number as a
message), and "report an error"; "neighbouring regions" is one tap on any answer. Greetings and
thanks alone are answered as such, not searched.
Criteria of recent questions are kept in the conversation state under a short token, so that
"more results" and the correction buttons work on the question they belong to.

Every typed text (a question, ``/find`` words, an error report) passes the privacy screen before
anything else, its length included: an identifying one is deleted and refused, and nothing of it
is answered or kept. What the conversation state keeps of a search is its interpretation only
(:meth:`Criteria.to_dict`: regions, place, needs, age, language, flags, vocabulary keywords) and
gazetteer place names offered as choices, never the words typed.

- :mod:`.questions`: typed questions and ``/find``; :mod:`.buttons`: the pickers, corrections
  and pages; :mod:`.answers`: what is sent back; :mod:`.queries`: the kept searches;
- :mod:`.reports`: error reports; :mod:`.report_list`: ``/reports``; :mod:`.capacity`:
  ``/capacity``; :mod:`.keyboards`: callback data and keyboards.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command as CommandFilter

from bot.i18n import N_
from handlers.commands import Command
from handlers.directory import buttons, capacity, questions, report_list, reports
from handlers.directory.keyboards import (
    CallService,
    CapacityPick,
    CapacitySet,
    Change,
    Page,
    PickAge,
    PickNeed,
    PickPlace,
    PickRegion,
    ReportError,
    RequestHandoff,
)
from handlers.directory.queries import STATE_KEY
from handlers.secure import SecureCallback

__all__ = ["COMMANDS", "STATE_KEY", "RequestHandoff", "build_router"]

COMMANDS = (
    Command("find", N_("Find a service: who can take this youth, where, now")),
    Command("capacity", N_("Update the places available in your services")),
    Command("reports", N_("Open error reports on the listings of your regions"),
            coordinator_only=True),
)


def build_router() -> Router:
    """Register the directory's handlers; free text comes last, after every command and button."""
    router = Router(name="directory")
    router.callback_query.register(reports.report_start, ReportError.filter())
    router.message.register(reports.report_text, reports.ReportStates.description, F.text)
    router.message.register(report_list.list_reports, CommandFilter("reports"))
    router.callback_query.register(report_list.resolve_start,
                                   SecureCallback.filter(report_list.RESOLVE))
    router.callback_query.register(report_list.resolve_without_note,
                                   SecureCallback.filter(report_list.NO_NOTE))
    router.message.register(report_list.resolve_note, report_list.ResolveStates.note, F.text,
                            ~F.text.startswith("/"))
    router.message.register(capacity.capacity, CommandFilter("capacity"))
    router.callback_query.register(capacity.capacity_pick, CapacityPick.filter())
    router.callback_query.register(capacity.capacity_set, CapacitySet.filter())
    router.message.register(questions.find, CommandFilter("find"))
    router.callback_query.register(buttons.pick_region, PickRegion.filter())
    router.callback_query.register(buttons.pick_place, PickPlace.filter())
    router.callback_query.register(buttons.pick_need, PickNeed.filter())
    router.callback_query.register(buttons.pick_age, PickAge.filter())
    router.callback_query.register(buttons.change, Change.filter())
    router.callback_query.register(buttons.more, Page.filter())
    router.callback_query.register(buttons.call, CallService.filter())
    router.message.register(questions.question, F.text & ~F.text.startswith("/"))
    return router
