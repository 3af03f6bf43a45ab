"""Who can take this youth in region X: free-text questions, ``/find``, ``/capacity``, error reports.

A question (or ``/find`` with its buttons) becomes criteria, shown back in one line with buttons
to correct them; the answer lists the few services that can take the youth now, best first,
each with "request handoff" (handled by the handoff router) and "report an error" buttons.
Criteria of recent questions are kept in the conversation state under a short token, so that
"more results" and the correction buttons work on the question they belong to.

Every typed text (a question, ``/find`` words, an error report) passes the privacy screen before
anything else, its length included: an identifying one is deleted and refused, and nothing of it
is answered or kept. What the conversation state keeps of a search is its interpretation only
(:meth:`Criteria.to_dict`: regions, place, needs, age, language, flags, vocabulary keywords) and
gazetteer place names offered as choices, never the words typed.

- :mod:`.questions`: typed questions and ``/find``; :mod:`.buttons`: the pickers, corrections
  and pages; :mod:`.answers`: what is sent back; :mod:`.queries`: the kept searches;
- :mod:`.reports`: error reports; :mod:`.capacity`: ``/capacity``; :mod:`.keyboards`: callback
  data and keyboards.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command as CommandFilter

from bot.i18n import N_
from handlers.commands import Command
from handlers.directory import buttons, capacity, questions, reports
from handlers.directory.keyboards import (
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

__all__ = ["COMMANDS", "STATE_KEY", "RequestHandoff", "build_router"]

COMMANDS = (
    Command("find", N_("Find a service: who can take this youth, where, now")),
    Command("capacity", N_("Update the places available in your services")),
)


def build_router() -> Router:
    """Register the directory's handlers; free text comes last, after every command and button."""
    router = Router(name="directory")
    router.callback_query.register(reports.report_start, ReportError.filter())
    router.message.register(reports.report_text, reports.ReportStates.description, F.text)
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
    router.message.register(questions.question, F.text & ~F.text.startswith("/"))
    return router
