"""Callback data and keyboards of the broadcast flow, and the names its messages use."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.i18n import N_
from bot.models.core import Role, Worker
from bot.services.broadcasts import audience as aud
from bot.services.broadcasts.progress import CANCEL_PREFIX, MISSED_PREFIX
from handlers.ui import keyboard, lang
from knowledge.regions import region_name

LANGUAGE_NAMES = {"fr": N_("French"), "en": N_("English")}
ADD_VERSION = {"en": N_("Add the English version"), "fr": N_("Add the French version")}
ONLY_VERSION = {"fr": N_("Send in French only"), "en": N_("Send in English only")}


class BcVersion(CallbackData, prefix="bcv"):
    action: str  # add | skip


class BcAudience(CallbackData, prefix="bca"):
    kind: str


class BcRegion(CallbackData, prefix="bcr"):
    code: str  # a region code, or "done"


class BcValue(CallbackData, prefix="bcs"):
    value: str  # a sector or a role


class BcConfirm(CallbackData, prefix="bcg"):
    action: str  # send | audience | discard


class BroadcastCancel(CallbackData, prefix=CANCEL_PREFIX):
    broadcast_id: int


class BroadcastMissed(CallbackData, prefix=MISSED_PREFIX):
    broadcast_id: int


class AnnouncementRead(CallbackData, prefix="bcn"):
    broadcast_id: int


def audience_keyboard(worker: Worker) -> InlineKeyboardMarkup:
    """The kinds of audience, and cancel."""
    mine = (_("Everyone in my regions") if worker.regions or not worker.is_admin
            else _("Everyone (all of Québec)"))
    return keyboard([
        [(mine, BcAudience(kind=aud.MINE).pack())],
        [(_("Chosen regions"), BcAudience(kind=aud.REGIONS).pack())],
        [(_("Organisations of a sector"), BcAudience(kind=aud.SECTOR).pack())],
        [(_("On-call workers"), BcAudience(kind=aud.ONCALL).pack())],
        [(_("A role"), BcAudience(kind=aud.ROLE).pack())],
        [(_("Cancel"), BcConfirm(action="discard").pack())],
    ])


def regions_keyboard(worker: Worker, chosen: list[str]) -> InlineKeyboardMarkup:
    """The regions the author may address, two a row, those chosen ticked; then Done."""
    codes = aud.allowed_regions(worker)
    buttons = [
        (("✅ " if code in chosen else "▫️ ") + f"{code} {region_name(code, lang())}",
         BcRegion(code=code).pack())
        for code in codes
    ]
    rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    rows.append([(_("Done"), BcRegion(code="done").pack())])
    return keyboard(rows)


def sector_keyboard() -> InlineKeyboardMarkup:
    return keyboard([[(_(aud.SECTOR_LABELS[s]), BcValue(value=s).pack())]
                     for s in aud.AUDIENCE_SECTORS])


def role_keyboard() -> InlineKeyboardMarkup:
    return keyboard([[(_(aud.ROLE_LABELS[r]), BcValue(value=r).pack())]
                     for r in (Role.WORKER.value, Role.COORDINATOR.value, Role.ADMIN.value)])


def version_keyboard(first: str, other: str) -> InlineKeyboardMarkup:
    """Add the other language's version, or send the one written."""
    return keyboard([
        [(_(ADD_VERSION[other]), BcVersion(action="add").pack())],
        [(_(ONLY_VERSION[first]), BcVersion(action="skip").pack())],
    ])


def confirm_keyboard(send_label: str | None) -> InlineKeyboardMarkup:
    """Send (when someone can receive it), change the audience, or cancel."""
    return keyboard([
        [(send_label, BcConfirm(action="send").pack())] if send_label else [],
        [(_("Change the audience"), BcConfirm(action="audience").pack())],
        [(_("Cancel"), BcConfirm(action="discard").pack())],
    ])
