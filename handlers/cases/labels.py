"""How the case screens name needs and regions, and lay out buttons, in the chat's language."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.utils.i18n import gettext as _

from bot.app import App
from bot.services import cases
from handlers.ui import lang
from knowledge.regions import region_name


def chunk(items: Sequence[tuple[str, str]], size: int) -> list[list[tuple[str, str]]]:
    """Buttons in rows of ``size``."""
    return [list(items[i:i + size]) for i in range(0, len(items), size)]


def need_label(app: App, code: str) -> str:
    """A need's label in the chat's language (its code when the taxonomy does not know it)."""
    try:
        return app.taxonomy.label(code, lang())
    except (KeyError, ImportError, AttributeError):
        return code


def region_label(code: str | None) -> str:
    """A region's name in the chat's language, "outside Québec", or "not specified"."""
    if code is None:
        return _("not specified")
    if code == cases.OUTSIDE_QUEBEC:
        return _("outside Québec")
    try:
        return region_name(code, lang())
    except KeyError:
        return code
