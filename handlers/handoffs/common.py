"""What the handoff handlers share: the conversation's states, the signed actions of this
router, the chat's texts, and error replies that name statuses in the chat's language."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

from aiogram.fsm.state import State, StatesGroup
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.app import App
from bot.errors import RelaisError
from bot.i18n import Text
from bot.messenger import Button
from bot.models.directory import DirectoryService
from bot.services.handoffs.lifecycle import EXPIRED_LABEL, STATUS_LABELS
from handlers.ui import keyboard, lang

# Signed actions of this router (the request's own buttons are in bot.services.handoffs.notify).
PICK_CASE = "ho.case"
NEW_CASE = "ho.newc"
PRIORITY = "ho.pri"
SEND = "ho.send"
SHOW = "ho.show"
RECEIVER_SERVICE = "ho.rsv"
RECEIVER_TOGGLE = "ho.rcv"

LABEL_IDS = set(STATUS_LABELS.values()) | {EXPIRED_LABEL}
T = TypeVar("T")


class HandoffFlow(StatesGroup):
    note = State()  # the optional note of a new request
    reason_note = State()  # the screened note of an "other" reason
    question = State()  # a question to the other side of a request


def texts(app: App) -> Text:
    """Texts in the chat's current language (the same as ``_``), for the shared renderers."""
    return app.translator.text(lang())


def from_buttons(rows: list[list[Button]]) -> InlineKeyboardMarkup | None:
    """The services' buttons as an inline keyboard; none for no rows."""
    if not rows:
        return None
    return keyboard([[(b.text, b.data) for b in row] for row in rows])


def localise(exc: RelaisError) -> RelaisError:
    """Translate parameters that are msgids (status labels) before the error reply."""
    exc.params = {k: _(v) if isinstance(v, str) and v in LABEL_IDS else v
                  for k, v in exc.params.items()}
    return exc


async def act(coro: Awaitable[T]) -> T:
    """Await a service call; its refusal is replied with status labels in the chat's language."""
    try:
        return await coro
    except RelaisError as exc:
        raise localise(exc) from None


def service_name(svc: DirectoryService, language: str) -> str:
    return (svc.name_en or svc.name) if language == "en" else svc.name
