"""Changing the library (coordinators): add an item step by step, edit a field, retire it.

Every text typed here passes the privacy screen first, each field of an item, its tags
included, before it is kept in the conversation state or stored.
"""

from __future__ import annotations

import html

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.i18n import N_
from bot.models.core import Worker
from bot.services import tools
from handlers.privacy_reply import screened_or_refused
from handlers.replies import reply_after_commit
from handlers.tools.data import ToolEdit, ToolRetire, ToolStates
from handlers.tools.render import show_tool
from handlers.ui import keyboard, lang

FIELD_LABELS = {
    "title": N_("Title"),
    "summary": N_("Summary"),
    "content": N_("Link or text"),
    "tags": N_("Tags"),
}
ASK_FIELD = {
    "title": N_("Write the new title (in your language)."),
    "summary": N_("Write the new summary (in your language)."),
    "content": N_("Send the new link, or the new text (in your language)."),
    "tags": N_("Write the tags, separated by commas (e.g. checklists, training)."),
}
NO_TAGS = "-"


async def screened(message: Message, app: App, session: AsyncSession) -> str | None:
    """The typed text if the privacy screen lets it through; else refused, and None."""
    return await screened_or_refused(message, app, session, context="tools.item")


# ---- add ----------------------------------------------------------------------------------


async def add_title(message: Message, session: AsyncSession, state: FSMContext, app: App
                    ) -> None:
    """The new item's title: kept, then the summary is asked."""
    if (text := await screened(message, app, session)) is None:
        return
    await state.update_data(title=tools.check_length(text, tools.TITLE_MAX))
    await state.set_state(ToolStates.summary)
    await message.answer(_("Summary (a few sentences)?"))


async def add_summary(message: Message, session: AsyncSession, state: FSMContext, app: App
                      ) -> None:
    """The new item's summary: kept, then the link or text is asked."""
    if (text := await screened(message, app, session)) is None:
        return
    await state.update_data(summary=tools.check_length(text, tools.SUMMARY_MAX))
    await state.set_state(ToolStates.content)
    await message.answer(_("Send the link to the tool, or its text."))


async def add_content(message: Message, session: AsyncSession, state: FSMContext, app: App
                      ) -> None:
    """The new item's link or text: kept, then the tags are asked."""
    if (text := await screened(message, app, session)) is None:
        return
    tools.link_or_text(text)  # checks the length now rather than at the end
    await state.update_data(content=text)
    await state.set_state(ToolStates.tags)
    known = ", ".join(_(label) for label in tools.TAG_LABELS.values())  # the reader's words
    await message.answer(
        _("Tags, separated by commas (for example: {tags}). Send - for none.")
        .format(tags=html.escape(known))
    )


async def add_tags(message: Message, session: AsyncSession, worker: Worker, state: FSMContext,
                   app: App) -> None:
    """The new item's tags (``-`` for none): the item is stored and shown."""
    data = await state.get_data()
    raw = (message.text or "").strip()
    if raw != NO_TAGS and (await screened(message, app, session)) is None:
        return  # tags are free text too: refused and deleted; they may write them again
    tool = await tools.add_tool(
        session, author=worker, lang=lang(), title=data["title"], summary=data["summary"],
        content=data["content"], tags="" if raw == NO_TAGS else raw, now=app.clock.now(),
        today=tools.today(app),
    )
    await state.clear()
    reply_after_commit(session, message.answer,
                       _("Added to the library. Workers find it with /tools."))
    await show_tool(message, tool, worker, app, after_commit=session)


# ---- edit and retire ----------------------------------------------------------------------


async def edit_choose(query: CallbackQuery, callback_data: ToolEdit, session: AsyncSession,
                      worker: Worker, state: FSMContext) -> None:
    """The item's Edit button: the fields to choose from; a field's button asks its new value."""
    tool = await tools.editable_tool(session, worker, callback_data.tool_id)
    await query.answer()
    if not callback_data.field:
        await query.message.answer(
            _("What do you want to change? Texts you write go in the version in your "
              "language (this is also how to add a translation)."),
            reply_markup=keyboard([[(_(label), ToolEdit(tool_id=tool.id, field=f).pack())]
                                   for f, label in FIELD_LABELS.items()]),
        )
        return
    if callback_data.field not in tools.EDITABLE:
        return
    await state.set_state(ToolStates.edit)
    await state.update_data(tool_id=tool.id, field=callback_data.field)
    await query.message.answer(_(ASK_FIELD[callback_data.field]))


async def edit_value(message: Message, session: AsyncSession, worker: Worker,
                     state: FSMContext, app: App) -> None:
    """The new value of the chosen field: stored in the chat's language, the item shown."""
    data = await state.get_data()
    if (await screened(message, app, session)) is None:
        return
    tool = await tools.edit_tool(
        session, worker=worker, tool_id=int(data["tool_id"]), field_name=data["field"],
        value=message.text or "", lang=lang(), now=app.clock.now(),
    )
    await state.clear()
    reply_after_commit(session, message.answer, _("Saved."))
    await show_tool(message, tool, worker, app, after_commit=session)


async def retire(query: CallbackQuery, callback_data: ToolRetire, session: AsyncSession,
                 worker: Worker, app: App) -> None:
    """The item's Retire button: ask to confirm, then take it out of the library."""
    tool = await tools.editable_tool(session, worker, callback_data.tool_id)
    if not callback_data.confirm:
        await query.answer()
        await query.message.answer(
            _('Retire "{title}" from the library? Workers will no longer find it.')
            .format(title=html.escape(tool.field("title", lang()))),
            reply_markup=keyboard([[
                (_("Yes, retire it"), ToolRetire(tool_id=tool.id, confirm=True).pack()),
            ]]),
        )
        return
    await tools.retire_tool(session, worker=worker, tool_id=tool.id, now=app.clock.now())
    reply_after_commit(session, query.answer, _("Retired."))
    reply_after_commit(
        session, query.message.edit_text,
        _('"{title}" was retired from the library.')
        .format(title=html.escape(tool.field("title", lang()))),
    )
