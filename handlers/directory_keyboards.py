"""Callback data and keyboards of the directory: pickers, the answer's buttons, capacity.

A client can send any callback data: numbers are bounded to what a 32-bit database column holds
(``DbId``, ``Int32``), so made-up data fails to parse and is answered as a stale button instead
of reaching the database.
"""

from __future__ import annotations

from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from pydantic import Field

from bot.services.directory.criteria import PlaceChoice
from bot.services.directory.search import SearchOutcome
from knowledge.regions import load_regions, region_name

INT32_MAX = 2**31 - 1
DbId = Annotated[int, Field(ge=0, le=INT32_MAX)]  # a database id
Int32 = Annotated[int, Field(ge=-INT32_MAX - 1, le=INT32_MAX)]

AGES = tuple(range(12, 22))
CAPACITY_VALUES = ((0, 1, 2, 3, 4, 5), (6, 7, 8, 9, 10))


class RequestHandoff(CallbackData, prefix="hreq"):
    """"Request handoff" on a search result; the handoff router handles it."""

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
    what: str  # region | need | age | now


class Page(CallbackData, prefix="dpg"):
    q: str
    page: Int32


class CapacityPick(CallbackData, prefix="cpk"):
    service_id: DbId


class CapacitySet(CallbackData, prefix="cst"):
    service_id: DbId
    op: str  # set | add
    value: Int32


Rows = list[list[InlineKeyboardButton]]


def markup(rows: Rows) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=rows)


def button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def regions_keyboard(token: str, lang: str, first: list[str] | tuple[str, ...] = ()) -> InlineKeyboardMarkup:
    codes = list(dict.fromkeys([c for c in first if c in load_regions()] + list(load_regions())))
    cells = [button(f"{code} {region_label_for(code, lang)}", PickRegion(q=token, region=code))
             for code in codes]
    return markup([cells[i : i + 2] for i in range(0, len(cells), 2)])


def region_label_for(code: str, lang: str) -> str:
    try:
        return region_name(code, lang)
    except KeyError:
        return code


def places_keyboard(token: str, choices: list[PlaceChoice], lang: str, *,
                    other_region: bool) -> InlineKeyboardMarkup:
    rows: Rows = []
    for i, choice in enumerate(choices[:6]):
        regions = " / ".join(region_label_for(c, lang) for c in choice.regions)
        rows.append([button(f"{choice.name} ({regions})", PickPlace(q=token, i=i))])
    if other_region:
        rows.append([button(_("📍 Choose the region"), Change(q=token, what="region"))])
    return markup(rows)


def needs_keyboard(token: str, taxonomy, lang: str) -> InlineKeyboardMarkup:  # type: ignore[no-untyped-def]
    rows: Rows = [[button(_("Any need"), PickNeed(q=token, i=-1))]]
    for i, code in enumerate(taxonomy.categories):
        rows.append([button(taxonomy.label(code, lang), PickNeed(q=token, i=i))])
    return markup(rows)


def ages_keyboard(token: str) -> InlineKeyboardMarkup:
    cells = [button(str(age), PickAge(q=token, age=age)) for age in AGES]
    rows = [cells[:5], cells[5:]]
    rows.append([button(_("Age not given"), PickAge(q=token, age=-1))])
    return markup(rows)


def answer_keyboard(token: str, outcome: SearchOutcome, page: int) -> InlineKeyboardMarkup:
    rows: Rows = []
    for i, result in enumerate(outcome.results, start=outcome.offset + 1):
        rows.append([button(_("🤝 {n} · Request handoff").format(n=i),
                            RequestHandoff(service_id=result.service_id))])
        rows.append([button(_("⚠️ {n} · Report an error").format(n=i),
                            ReportError(service_id=result.service_id))])
    if outcome.has_more:
        rows.append([button(_("➡️ More results"), Page(q=token, page=page + 1))])
    change = [
        button(_("📍 Region"), Change(q=token, what="region")),
        button(_("🏷 Need"), Change(q=token, what="need")),
        button(_("🎂 Age"), Change(q=token, what="age")),
    ]
    rows.append(change)
    if outcome.criteria.now:
        rows.append([button(_("⏱ Drop \"open now\""), Change(q=token, what="now"))])
    return markup(rows)


def capacity_services_keyboard(services: list) -> InlineKeyboardMarkup:  # type: ignore[type-arg]
    return markup([[button(s.name[:60], CapacityPick(service_id=s.id))] for s in services[:30]])


def capacity_keyboard(service_id: int) -> InlineKeyboardMarkup:
    rows: Rows = [
        [button(str(v), CapacitySet(service_id=service_id, op="set", value=v)) for v in row]
        for row in CAPACITY_VALUES
    ]
    rows.append([
        button("−1", CapacitySet(service_id=service_id, op="add", value=-1)),
        button("+1", CapacitySet(service_id=service_id, op="add", value=1)),
    ])
    return markup(rows)
