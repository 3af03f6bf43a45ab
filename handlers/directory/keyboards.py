"""Callback data and keyboards of the directory: pickers, the answer's buttons, capacity.

A client can send any callback data: numbers are bounded to what a 32-bit database column holds
(``DbId``, ``Int32``), so made-up data fails to parse and is answered as a stale button instead
of reaching the database.
"""

from __future__ import annotations

from typing import Annotated, Any

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from pydantic import Field

from bot.models.directory import DirectoryService
from bot.services.directory.criteria import PlaceChoice
from bot.services.directory.search import SearchOutcome
from handlers.ui import keyboard
from knowledge.regions import load_regions, region_name

INT32_MAX = 2**31 - 1
DbId = Annotated[int, Field(ge=0, le=INT32_MAX)]  # a database id
Int32 = Annotated[int, Field(ge=-INT32_MAX - 1, le=INT32_MAX)]

AGES = tuple(range(12, 22))
CAPACITY_VALUES = ((0, 1, 2, 3, 4, 5), (6, 7, 8, 9, 10))


class RequestHandoff(CallbackData, prefix="hreq"):
    """"Request handoff" on a search result; the handoff router handles it."""

    service_id: DbId


class CallService(CallbackData, prefix="dcall"):
    """"Call" on a result nobody receives handoffs for: the card's number, as a message
    (an inline button cannot dial; Telegram makes a number in a message tappable)."""

    service_id: DbId


class ReportError(CallbackData, prefix="derr"):
    service_id: DbId


class PickRegion(CallbackData, prefix="dreg"):
    q: str  # the stored query's token
    region: str


class PickPlace(CallbackData, prefix="dplc"):
    q: str
    i: Int32  # index of the place choice


class PickNeed(CallbackData, prefix="dned"):
    q: str
    i: Int32  # index in the taxonomy's categories, -1 for any need


class PickAge(CallbackData, prefix="dage"):
    q: str
    age: Int32  # -1 for "not given"


class Change(CallbackData, prefix="dchg"):
    q: str
    what: str  # region | need | age | now | near


class Page(CallbackData, prefix="dpg"):
    q: str
    page: Int32


class CapacityPick(CallbackData, prefix="cpk"):
    service_id: DbId


class CapacitySet(CallbackData, prefix="cst"):
    service_id: DbId
    op: str  # set | add
    value: Int32


Button = tuple[str, str]


def button(text: str, data: CallbackData) -> Button:
    """One ``(label, packed callback data)`` cell for :func:`handlers.ui.keyboard`."""
    return text, data.pack()


def regions_keyboard(token: str, lang: str, first: list[str] | tuple[str, ...] = ()) -> InlineKeyboardMarkup:
    """Every region, two a row, the worker's own regions first."""
    codes = list(dict.fromkeys([c for c in first if c in load_regions()] + list(load_regions())))
    cells = [button(f"{code} {region_label_for(code, lang)}", PickRegion(q=token, region=code))
             for code in codes]
    return keyboard(cells[i : i + 2] for i in range(0, len(cells), 2))


def region_label_for(code: str, lang: str) -> str:
    """A region's name in ``lang``; its code when the code is unknown."""
    try:
        return region_name(code, lang)
    except KeyError:
        return code


def places_keyboard(token: str, choices: list[PlaceChoice], lang: str, *,
                    other_region: bool) -> InlineKeyboardMarkup:
    """The places a name may mean (at most six), and "choose the region" when asked for."""
    rows: list[list[Button]] = []
    for i, choice in enumerate(choices[:6]):
        regions = " / ".join(region_label_for(c, lang) for c in choice.regions)
        rows.append([button(f"{choice.name} ({regions})", PickPlace(q=token, i=i))])
    if other_region:
        rows.append([button(_("📍 Choose the region"), Change(q=token, what="region"))])
    return keyboard(rows)


def needs_keyboard(token: str, taxonomy: Any, lang: str) -> InlineKeyboardMarkup:
    """"Any need", then one button for each category of the taxonomy."""
    rows = [[button(_("Any need"), PickNeed(q=token, i=-1))]]
    for i, code in enumerate(taxonomy.categories):
        rows.append([button(taxonomy.label(code, lang), PickNeed(q=token, i=i))])
    return keyboard(rows)


def ages_keyboard(token: str) -> InlineKeyboardMarkup:
    """The ages a youth service asks about, and "age not given"."""
    cells = [button(str(age), PickAge(q=token, age=age)) for age in AGES]
    return keyboard([cells[:5], cells[5:], [button(_("Age not given"), PickAge(q=token, age=-1))]])


def answer_keyboard(token: str, outcome: SearchOutcome, page: int,
                    receivable: set[int] | frozenset[int] = frozenset()) -> InlineKeyboardMarkup:
    """Each result's buttons: "Request handoff" only where someone can receive it
    (``receivable``), else "Call" when the card has a number; "report an error"; "more
    results", the neighbouring regions, and the corrections."""
    rows: list[list[Button]] = []
    for i, result in enumerate(outcome.results, start=outcome.offset + 1):
        if result.service_id in receivable:
            rows.append([button(_("🤝 {n} · Request handoff").format(n=i),
                                RequestHandoff(service_id=result.service_id))])
        elif result.entry.phone:
            rows.append([button(_("📞 {n} · Call").format(n=i),
                                CallService(service_id=result.service_id))])
        rows.append([button(_("⚠️ {n} · Report an error").format(n=i),
                            ReportError(service_id=result.service_id))])
    if outcome.has_more:
        rows.append([button(_("➡️ More results"), Page(q=token, page=page + 1))])
    if not outcome.widened:
        rows.append([button(_("🧭 Neighbouring regions"), Change(q=token, what="near"))])
    rows.append([
        button(_("📍 Region"), Change(q=token, what="region")),
        button(_("🏷 Need"), Change(q=token, what="need")),
        button(_("🎂 Age"), Change(q=token, what="age")),
    ])
    if outcome.criteria.now:
        rows.append([button(_("⏱ Drop \"open now\""), Change(q=token, what="now"))])
    return keyboard(rows)


def capacity_services_keyboard(services: list[DirectoryService]) -> InlineKeyboardMarkup:
    """The services a receiver updates, one a row (at most thirty)."""
    return keyboard([[button(s.name[:60], CapacityPick(service_id=s.id))] for s in services[:30]])


def capacity_keyboard(service_id: int) -> InlineKeyboardMarkup:
    """Places available now: 0 to 10, and one less or one more."""
    rows = [
        [button(str(v), CapacitySet(service_id=service_id, op="set", value=v)) for v in row]
        for row in CAPACITY_VALUES
    ]
    rows.append([
        button("−1", CapacitySet(service_id=service_id, op="add", value=-1)),
        button("+1", CapacitySet(service_id=service_id, op="add", value=1)),
    ])
    return keyboard(rows)
