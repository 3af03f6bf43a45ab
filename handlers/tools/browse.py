"""Finding items: ``/tools`` browses by tag, ``/tools WORDS`` searches, a button opens an item.

Search words are free text: screened like any other (an identifying one is deleted and
refused), and never repeated in the answer.
"""

from __future__ import annotations

import html

from aiogram.filters import CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.models.core import Worker
from bot.services import tools
from handlers.privacy_reply import screened_or_refused
from handlers.tools.data import ToolOpen, ToolStates, ToolTag
from handlers.tools.render import list_message, show_tool, tag_label
from handlers.ui import keyboard, lang

ADD_WORDS = ("add", "ajouter")


async def tools_command(
    message: Message, command: CommandObject, session: AsyncSession, worker: Worker,
    state: FSMContext, app: App,
) -> None:
    """``/tools``: start adding (``add``), browse the tags (no words), or search."""
    words = (command.args or "").strip()
    if words.lower() in ADD_WORDS:
        await start_adding(message, worker, state)
    elif not words:
        await browse_tags(message, session, worker)
    else:
        await search(message, words, session, app)


async def start_adding(message: Message, worker: Worker, state: FSMContext) -> None:
    """``/tools add`` (coordinators): ask the new item's title."""
    tools.require_editor(worker)
    await state.clear()
    await state.set_state(ToolStates.title)
    await message.answer(_(
        "New item for the library (written in your language; no information that could "
        "identify a youth).\nTitle?"
    ))


async def browse_tags(message: Message, session: AsyncSession, worker: Worker) -> None:
    """``/tools``: a button per tag (most used first), and how to search or add."""
    counts = await tools.tag_counts(session)
    if not counts:
        await message.answer(_("The library is empty for now."))
        return
    rows = [[(f"{tag_label(tag)} ({n})", ToolTag(tag=tag).pack())] for tag, n in counts[:20]]
    hint = _("Tools and good practices of the network. Browse by tag, or search with "
             "/tools followed by words (e.g. /tools checklist).")
    if worker.is_coordinator:
        hint += "\n" + _("Add an item: /tools add")
    await message.answer(hint, reply_markup=keyboard(rows))


async def search(message: Message, words: str, session: AsyncSession, app: App) -> None:
    """``/tools WORDS``: the best matches, once the words passed the privacy screen."""
    if await screened_or_refused(message, app, session, context="tools.search") is None:
        return
    hits = await tools.search(session, words)
    if not hits:
        await message.answer(
            _("Nothing found for these words. Try other words, or /tools to browse by tag.")
        )
        return
    text, markup = list_message(
        _("Results of your search:"), [tool for tool, _score in hits], lang(),
    )
    await message.answer(text, reply_markup=markup)


async def browse_tag(query: CallbackQuery, callback_data: ToolTag, session: AsyncSession
                     ) -> None:
    """A tag's button: the items with this tag."""
    items = await tools.by_tag(session, callback_data.tag)
    await query.answer()
    if not items:
        await query.message.answer(_("No item with this tag any more."))
        return
    text, markup = list_message(
        _("Items tagged {tag}:").format(tag=html.escape(tag_label(callback_data.tag))),
        items[:20], lang(),
    )
    await query.message.answer(text, reply_markup=markup)


async def open_tool(query: CallbackQuery, callback_data: ToolOpen, session: AsyncSession,
                    worker: Worker, app: App) -> None:
    """An item's button in a list: show the item."""
    tool = await tools.get_tool(session, callback_data.tool_id)
    await query.answer()
    await show_tool(query.message, tool, worker, app)
