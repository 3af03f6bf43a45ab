"""Callback data: the buttons on delivered jobs (reminders, directory checks) and the moments
of a new reminder."""

from __future__ import annotations

from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field


class ReminderButton(CallbackData, prefix="rem"):
    """Buttons on delivered jobs; packs as ``rem:<action>:<job id>`` (personal.button_data)."""

    action: str
    job_id: Annotated[int, Field(ge=0, le=2**31 - 1)]  # a made-up larger id: a stale button


class WhenChoice(CallbackData, prefix="remw"):
    """The preset moments of a new reminder."""

    choice: str  # 1h | tm | 3d | other
