"""What every router needs to talk in the chat: inline keyboards, the chat's language, escaping.

One home for these, so that a keyboard built in one feature looks and behaves like a keyboard
built in another.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import get_i18n

ButtonRow = Sequence[tuple[str, str]]


def keyboard(rows: Iterable[ButtonRow]) -> InlineKeyboardMarkup:
    """An inline keyboard from rows of ``(label, callback data)``; empty rows are left out."""
    return InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text=text, callback_data=data) for text, data in row]
        for row in rows if row
    ])


def lang() -> str:
    """The language of the update being handled (set by the language middleware)."""
    return get_i18n().current_locale


def esc(value: object) -> str:
    """A value as text in an HTML message: what a person typed never becomes markup."""
    return html.escape(str(value), quote=False)
