"""The ``/stats`` buttons: which period, then which region; their data and their checks.

The buttons carry everything the next step needs (the period, then the region), so an old
keyboard still works and nothing is kept between the steps. Data that no keyboard of ours could
have carried (a tampered button) is recognised here and refused by the handlers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.errors import InvalidInput
from bot.i18n import N_
from handlers.ui import keyboard
from knowledge.regions import load_regions, region_name

#: Every region of the coordinator's (or, for admins, every region).
ALL = "all"
#: A period as a button carries it: "month", "last-month", "12m" or "y2026" (a year: the
#: services' "year:2026", without the ":" that separates callback data fields).
PERIOD_CODE = re.compile(r"^(month|last-month|12m|y\d{4})$")
#: What a tampered or unknown stats button gets (the message and its buttons stay as they were).
STALE = N_("This button is not valid any more. Choose again, or send /stats.")
PERIOD_LABELS: tuple[tuple[str, str], ...] = (
    ("month", N_("This month")),
    ("last-month", N_("Last month")),
    ("12m", N_("Last 12 months")),
    ("this-year", N_("This year")),
    ("last-year", N_("Last year")),
)


class PeriodChoice(CallbackData, prefix="stp"):
    period: str


class RegionChoice(CallbackData, prefix="stg"):
    period: str
    region: str  # a region code, or ALL


def period_code(key: str, today: date) -> str:
    """The code a period button carries; years are written out, so that the button means the
    year it showed."""
    if key == "this-year":
        return f"y{today.year}"
    if key == "last-year":
        return f"y{today.year - 1}"
    return key


def period_keyboard(today: date) -> InlineKeyboardMarkup:
    """One period per row, in the order people ask for them."""
    return keyboard([[(_(label), PeriodChoice(period=period_code(key, today)).pack())]
                     for key, label in PERIOD_LABELS])


def region_keyboard(period: str, regions: Sequence[str], lang: str) -> InlineKeyboardMarkup:
    """"All my regions", then each of them ("06 Montréal", as /invite shows them)."""
    rows = [[(_("All my regions"), RegionChoice(period=period, region=ALL).pack())]]
    rows += [[(f"{code} {region_name(code, lang)}", RegionChoice(period=period, region=code).pack())]
             for code in regions]
    return keyboard(rows)


def asked_region(region: str) -> str | None:
    """The region a region button names (None: all of the worker's); data no button of ours
    carries is refused. Whether the worker may see it is the service's call."""
    if region == ALL:
        return None
    if region not in load_regions():
        raise InvalidInput(STALE)
    return region


def service_choice(code: str) -> str:
    """The services' period choice for a button's code ("y2026" → "year:2026"); a code no
    button of ours carries is refused."""
    if not PERIOD_CODE.fullmatch(code or ""):
        raise InvalidInput(STALE)
    return f"year:{code[1:]}" if code.startswith("y") else code
