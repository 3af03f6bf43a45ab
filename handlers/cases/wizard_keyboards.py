"""The buttons of each ``/case new`` step (values are read by :mod:`handlers.cases.wizard`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.app import App
from bot.services import case_wizard, cases
from handlers.cases.labels import chunk, need_label, region_label
from handlers.cases.states import Step
from handlers.ui import keyboard
from knowledge.regions import load_regions

DONE = "="  # the value of a step's "Done" / "Create the case" button
SKIP = "-"  # the value of "Skip" / "I don't know"


def _age_label(choice: str) -> str:
    special = {"u12": _("under 12"), "18p": _("18 or older"), "unk": _("I don't know")}
    return special.get(choice, choice)


def age_keyboard() -> InlineKeyboardMarkup:
    """Under 12, 12 to 17, 18 or older, I don't know; four a row."""
    ages = [(_age_label(choice), Step(step="age", value=choice).pack())
            for choice in case_wizard.AGE_CHOICES]
    return keyboard(chunk(ages, 4))


def gender_keyboard() -> InlineKeyboardMarkup:
    """One button per gender option, then Skip."""
    items = [(_(label), Step(step="gender", value=code).pack())
             for code, label in cases.GENDERS.items()]
    return keyboard([items, [(_("Skip"), Step(step="gender", value=SKIP).pack())]])


def toggle_keyboard(
    step: str, options: list[tuple[str, str]], chosen: Sequence[str], done: str, columns: int = 2
) -> InlineKeyboardMarkup:
    """Options to tick (✅ when chosen) and a last button to go on."""
    items = [(("✅ " if code in chosen else "") + label, Step(step=step, value=code).pack())
             for code, label in options]
    return keyboard([*chunk(items, columns), [(done, Step(step=step, value=DONE).pack())]])


def language_keyboard(chosen: Sequence[str]) -> InlineKeyboardMarkup:
    """The languages the youth may speak, to tick."""
    options = [(code, _(label)) for code, label in cases.LANGUAGE_NAMES.items()]
    return toggle_keyboard("lang", options, chosen, _("Done"))


def need_keyboard(app: App, chosen: Sequence[str]) -> InlineKeyboardMarkup:
    """The needs of the taxonomy, to tick, one a row."""
    options = [(code, need_label(app, code)) for code in case_wizard.known_needs(app)]
    return toggle_keyboard("need", options, chosen, _("Done"), columns=1)


def region_keyboard(step: str) -> InlineKeyboardMarkup:
    """Every region, outside Québec, I don't know; two a row."""
    items = [(region_label(code), Step(step=step, value=code).pack()) for code in load_regions()]
    items += [(_("outside Québec"), Step(step=step, value=cases.OUTSIDE_QUEBEC).pack()),
              (_("I don't know"), Step(step=step, value=SKIP).pack())]
    return keyboard(chunk(items, 2))


def consent_keyboard() -> InlineKeyboardMarkup:
    """Yes, the youth consents / No."""
    return keyboard([[(_("Yes, the youth consents"), Step(step="consent", value="y").pack()),
                      (_("No"), Step(step="consent", value="n").pack())]])


def skip_turns18_keyboard() -> InlineKeyboardMarkup:
    """The only button of the month-of-18 step: Skip."""
    return keyboard([[(_("Skip"), Step(step="t18", value=SKIP).pack())]])


def participant_keyboard(options: Sequence[Sequence[Any]], chosen: Sequence[int]
                         ) -> InlineKeyboardMarkup:
    """Colleagues to tick (names cut at 40 characters), then Create the case."""
    items = [(("✅ " if wid in chosen else "") + name[:40],
              Step(step="who", value=str(wid)).pack()) for wid, name in options]
    return keyboard([*chunk(items, 2),
                     [(_("Create the case"), Step(step="who", value=DONE).pack())]])
