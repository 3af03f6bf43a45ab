"""``/stats``: coordinators' figures in the chat (their regions; admins all of them).

A period (this month, last month, the last 12 months, this year, last year), a region when the
coordinator has several, then the key figures, the charts and a CSV of the same tables.
Modules: :mod:`~handlers.stats.keyboards` (the buttons and their checks),
:mod:`~handlers.stats.views` (the handlers).
"""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command as CommandFilter

from bot.i18n import N_
from handlers.commands import Command
from handlers.stats import views
from handlers.stats.keyboards import PeriodChoice, RegionChoice

COMMANDS = (
    Command("stats", N_("Figures of your regions: handoffs, searches, charts and a CSV"),
            coordinator_only=True),
)


def build_router() -> Router:
    """Register ``/stats`` and its buttons."""
    router = Router(name="stats")
    router.message.register(views.ask_period, CommandFilter("stats"))
    router.callback_query.register(views.period_chosen, PeriodChoice.filter())
    router.callback_query.register(views.region_chosen, RegionChoice.filter())
    return router
