"""The community of practice in the chat: ``/tools WORDS`` searches, ``/tools`` browses by tag,
``/tools add`` (coordinators) adds an item; an item's buttons edit or retire it.

Every text typed here passes the privacy screen first: search words (never repeated in the
answer), and each field of an item, its tags included, before it is kept in the conversation
state or stored."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command as CommandFilter

from bot.i18n import N_
from handlers.commands import Command
from handlers.tools import browse, editing
from handlers.tools.data import ToolEdit, ToolOpen, ToolRetire, ToolStates, ToolTag

COMMANDS = (
    Command("tools", N_("Tools and good practices shared in the network")),
)


def build_router() -> Router:
    """Register ``/tools``, the browsing buttons, the add and edit steps, and retiring."""
    router = Router(name="tools")
    typed = (F.text, ~F.text.startswith("/"))
    router.message.register(browse.tools_command, CommandFilter("tools"))
    router.callback_query.register(browse.browse_tag, ToolTag.filter())
    router.callback_query.register(browse.open_tool, ToolOpen.filter())
    router.message.register(editing.add_title, ToolStates.title, *typed)
    router.message.register(editing.add_summary, ToolStates.summary, *typed)
    router.message.register(editing.add_content, ToolStates.content, *typed)
    router.message.register(editing.add_tags, ToolStates.tags, *typed)
    router.callback_query.register(editing.edit_choose, ToolEdit.filter())
    router.message.register(editing.edit_value, ToolStates.edit, *typed)
    router.callback_query.register(editing.retire, ToolRetire.filter())
    return router
