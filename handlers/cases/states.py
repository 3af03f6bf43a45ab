"""The conversation states and the wizard's button data shared by the case routers."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.state import State, StatesGroup


class NewCase(StatesGroup):
    """The steps of ``/case new``, named as in :data:`bot.services.case_wizard.STEPS`."""

    age = State()
    gender = State()
    languages = State()
    origin = State()
    current = State()
    needs = State()
    consent = State()
    turns18 = State()
    participants = State()


class Thread(StatesGroup):
    """Writing a message in a case thread."""

    writing = State()


class Step(CallbackData, prefix="cn"):
    """A button of the ``/case new`` flow (acts on the user's own draft, not on a case)."""

    step: str
    value: str
