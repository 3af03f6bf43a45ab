"""What the library's chat carries between steps: the add/edit states and the buttons' data."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.state import State, StatesGroup


class ToolStates(StatesGroup):
    title = State()
    summary = State()
    content = State()
    tags = State()
    edit = State()


class ToolOpen(CallbackData, prefix="tlo"):
    tool_id: int


class ToolTag(CallbackData, prefix="tlt"):
    tag: str


class ToolEdit(CallbackData, prefix="tle"):
    tool_id: int
    field: str  # "" to choose, else title | summary | content | tags


class ToolRetire(CallbackData, prefix="tlr"):
    tool_id: int
    confirm: bool = False
