"""An urgent request to up to three services at once: with the note's question, the best other
services of the same search that someone receives for, each one tap to add (two at most).

The choice lives in the conversation data (``ho_pool``: the services offered, ``ho_also``: those
added), tied to the case and service being asked for; the request and its group are created on
sending (:func:`bot.services.handoffs.creating.request`)."""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.app import App
from bot.errors import InvalidInput
from bot.i18n import N_
from bot.services.handoffs import group
from bot.services.handoffs.creating import Candidate
from handlers.handoffs.common import SEND, texts
from handlers.secure import Verified, sign
from handlers.ui import keyboard
from knowledge.regions import region_name

ALSO = "ho.also"
STALE = N_("This choice is no longer current: ask for the handoff again from the search.")


def pool_entry(candidate: Candidate, lang: str) -> list[Any]:
    """What the conversation keeps of an offered service: its id and its button's name."""
    name = (candidate.name_en or candidate.name) if lang == "en" else candidate.name
    region = ""
    if candidate.via_region:
        with suppress(KeyError):
            region = f" ({region_name(candidate.via_region, lang)})"
    room = 56 - len(region)
    return [candidate.service_id, (name if len(name) <= room else name[:room - 1] + "…") + region]


def note_keyboard(app: App, case_id: int, user_id: int, choice: str, pool: list[list[Any]],
                  chosen: list[int]) -> InlineKeyboardMarkup:
    """The services one tap away (✅ once added), then "Send without a note"."""
    service_id = choice.partition(".")[0]
    rows = [[(("✅ " if sid in chosen else "➕ ") + str(name),
              sign(app, ALSO, case_id, user_id, f"{service_id}.{sid}"))] for sid, name in pool]
    rows.append([(_("Send without a note"), sign(app, SEND, case_id, user_id, choice))])
    return keyboard(rows)


def added(data: dict[str, Any], case_id: int, service_id: int) -> list[int]:
    """The services added to the request being sent, when the kept choice is for it."""
    if data.get("ho_case") != case_id or data.get("ho_service") != service_id:
        return []
    offered = {int(p[0]) for p in data.get("ho_pool") or []}
    return [int(s) for s in data.get("ho_also") or [] if int(s) in offered][:group.MAX_EXTRA]


async def toggle(query: CallbackQuery, secure: Verified, object_id: int, app: App,
                 state: FSMContext) -> None:
    """A "➕ service" tap: added to the request (or removed), at most two."""
    service_id, _sep, other = secure.extra.partition(".")
    data = await state.get_data()
    pool = data.get("ho_pool") or []
    if (not other.isdigit() or not service_id.isdigit() or data.get("ho_case") != object_id
            or data.get("ho_service") != int(service_id)
            or int(other) not in {int(p[0]) for p in pool}):
        raise InvalidInput(STALE)
    chosen = [int(s) for s in data.get("ho_also") or []]
    if int(other) in chosen:
        chosen.remove(int(other))
    elif len(chosen) >= group.MAX_EXTRA:
        await query.answer(_("Two more services at most."), show_alert=True)
        return
    else:
        chosen.append(int(other))
    await state.update_data(ho_also=chosen)
    await query.answer()
    choice = f"{service_id}.u"
    await query.message.edit_reply_markup(reply_markup=note_keyboard(
        app, object_id, query.from_user.id, choice, pool, chosen))


def pool_of(candidates: list[Candidate], app: App) -> list[list[Any]]:
    return [pool_entry(c, texts(app).lang) for c in candidates]
