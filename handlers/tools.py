"""The community of practice in the chat: ``/tools WORDS`` searches, ``/tools`` browses by tag,
``/tools add`` (coordinators) adds an item; an item's buttons edit or retire it.

Every text typed here passes the privacy screen first: search words (never repeated in the
answer), and each field of an item, its tags included, before it is kept in the conversation
state or stored."""

from __future__ import annotations

import html

from aiogram import F, Router
from aiogram.filters import Command as CommandFilter
from aiogram.filters import CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.i18n import N_, Text
from bot.models.core import Worker
from bot.models.tools import PracticeTool
from bot.services import tools
from handlers.commands import Command
from handlers.privacy_reply import screened_or_refused
from knowledge.regions import region_name

COMMANDS = (
    Command("tools", N_("Tools and good practices shared in the network")),
)

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
    "tags": N_("Write the tags, separated by commas (e.g. guide, training)."),
}


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


def lang() -> str:
    return get_i18n().current_locale


def keyboard(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=t, callback_data=d) for t, d in row]
                         for row in rows]
    )


def tag_label(tag: str) -> str:
    return _(tools.TAG_LABELS[tag]) if tag in tools.TAG_LABELS else tag


def short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def render_tool(tool: PracticeTool, code: str, t: Text) -> str:
    """The item in ``code`` (or the language it exists in), at most ~4000 visible characters."""
    title = tool.field("title", code)
    summary = tool.field("summary", code)
    body = tool.field("body", code)
    lines = [f"<b>{html.escape(title)}</b>"]
    if not getattr(tool, f"title_{code}"):
        lines.append(_("(available in {language} only)").format(
            language=_("French") if code == "en" else _("English")))
    lines.append(html.escape(summary))
    room = 3600 - len(title) - len(summary)
    if body:
        lines.append("")
        lines.append(html.escape(short(body, max(200, room)) if len(body) > room else body))
    if tool.url:
        lines.append("")
        lines.append(f"🔗 {html.escape(tool.url)}")
    lines.append("")
    if tool.tags:
        lines.append("🏷 " + html.escape(", ".join(tag_label(tag) for tag in tool.tags)))
    where = (", ".join(f"{c} {region_name(c, code)}" for c in tool.regions)
             if tool.regions else _("all of Québec"))
    lines.append(f"📍 {html.escape(where)} · {html.escape(tool.organisation)} · "
                 f"{html.escape(t.date(tool.published_on))}")
    return "\n".join(lines)


def tool_buttons(tool: PracticeTool, worker: Worker) -> InlineKeyboardMarkup | None:
    if not tools.may_edit(worker, tool):
        return None
    return keyboard([[
        (_("Edit"), ToolEdit(tool_id=tool.id, field="").pack()),
        (_("Retire"), ToolRetire(tool_id=tool.id).pack()),
    ]])


def list_message(heading: str, items: list[PracticeTool], code: str
                 ) -> tuple[str, InlineKeyboardMarkup]:
    lines = [heading]
    rows = []
    for number, tool in enumerate(items, 1):
        lines.append(f"{number}. <b>{html.escape(short(tool.field('title', code), 120))}</b> — "
                     f"{html.escape(short(tool.field('summary', code), 160))}")
        rows.append([(f"{number}. {short(tool.field('title', code), 50)}",
                      ToolOpen(tool_id=tool.id).pack())])
    return "\n".join(lines), keyboard(rows)


def build_router(app: App) -> Router:
    router = Router(name="tools")
    t_of = app.translator.text

    async def show(message: Message, tool: PracticeTool, worker: Worker) -> None:
        await message.answer(render_tool(tool, lang(), t_of(lang())),
                             reply_markup=tool_buttons(tool, worker))

    @router.message(CommandFilter("tools"))
    async def tools_command(
        message: Message, command: CommandObject, session: AsyncSession, worker: Worker,
        state: FSMContext,
    ) -> None:
        words = (command.args or "").strip()
        if words.lower() in ("add", "ajouter"):
            tools.require_editor(worker)
            await state.clear()
            await state.set_state(ToolStates.title)
            await message.answer(_(
                "New item for the library (written in your language; no information that could "
                "identify a youth).\nTitle?"
            ))
            return
        if not words:
            counts = await tools.tag_counts(session)
            if not counts:
                await message.answer(_("The library is empty for now."))
                return
            rows = [[(f"{tag_label(tag)} ({n})", ToolTag(tag=tag).pack())]
                    for tag, n in counts[:20]]
            hint = _("Tools and good practices of the network. Browse by tag, or search with "
                     "/tools followed by words (e.g. /tools checklist).")
            if worker.is_coordinator:
                hint += "\n" + _("Add an item: /tools add")
            await message.answer(hint, reply_markup=keyboard(rows))
            return
        # Search words are free text: screened like any other (an identifying one is deleted
        # and refused), and never repeated in the answer.
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

    @router.callback_query(ToolTag.filter())
    async def browse_tag(query: CallbackQuery, callback_data: ToolTag, session: AsyncSession
                         ) -> None:
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

    @router.callback_query(ToolOpen.filter())
    async def open_tool(query: CallbackQuery, callback_data: ToolOpen, session: AsyncSession,
                        worker: Worker) -> None:
        tool = await tools.get_tool(session, callback_data.tool_id)
        await query.answer()
        await show(query.message, tool, worker)

    # ---- add ------------------------------------------------------------------------------
    async def screened(message: Message, session: AsyncSession) -> str | None:
        return await screened_or_refused(message, app, session, context="tools.item")

    @router.message(ToolStates.title, F.text, ~F.text.startswith("/"))
    async def add_title(message: Message, session: AsyncSession, state: FSMContext) -> None:
        if (text := await screened(message, session)) is None:
            return
        await state.update_data(title=tools.check_length(text, tools.TITLE_MAX))
        await state.set_state(ToolStates.summary)
        await message.answer(_("Summary (a few sentences)?"))

    @router.message(ToolStates.summary, F.text, ~F.text.startswith("/"))
    async def add_summary(message: Message, session: AsyncSession, state: FSMContext) -> None:
        if (text := await screened(message, session)) is None:
            return
        await state.update_data(summary=tools.check_length(text, tools.SUMMARY_MAX))
        await state.set_state(ToolStates.content)
        await message.answer(_("Send the link to the tool, or its text."))

    @router.message(ToolStates.content, F.text, ~F.text.startswith("/"))
    async def add_content(message: Message, session: AsyncSession, state: FSMContext) -> None:
        if (text := await screened(message, session)) is None:
            return
        tools.link_or_text(text)  # checks the length now rather than at the end
        await state.update_data(content=text)
        await state.set_state(ToolStates.tags)
        known = ", ".join(tools.TAG_LABELS)
        await message.answer(
            _("Tags, separated by commas (for example: {tags}). Send - for none.")
            .format(tags=html.escape(known))
        )

    @router.message(ToolStates.tags, F.text, ~F.text.startswith("/"))
    async def add_tags(message: Message, session: AsyncSession, worker: Worker,
                       state: FSMContext) -> None:
        data = await state.get_data()
        raw = (message.text or "").strip()
        if raw != "-" and (await screened(message, session)) is None:
            return  # tags are free text too: refused and deleted; they may write them again
        tags_text = "" if raw == "-" else raw
        tool = await tools.add_tool(
            session, author=worker, lang=lang(), title=data["title"], summary=data["summary"],
            content=data["content"], tags=tags_text, now=app.clock.now(), today=tools.today(app),
        )
        await state.clear()
        await message.answer(_("Added to the library. Workers find it with /tools."))
        await show(message, tool, worker)

    # ---- edit and retire ------------------------------------------------------------------
    @router.callback_query(ToolEdit.filter())
    async def edit_choose(query: CallbackQuery, callback_data: ToolEdit, session: AsyncSession,
                          worker: Worker, state: FSMContext) -> None:
        tool = await tools.get_tool(session, callback_data.tool_id)
        tools.require_editor(worker, tool)
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

    @router.message(ToolStates.edit, F.text, ~F.text.startswith("/"))
    async def edit_value(message: Message, session: AsyncSession, worker: Worker,
                         state: FSMContext) -> None:
        data = await state.get_data()
        if (await screened(message, session)) is None:
            return
        tool = await tools.edit_tool(
            session, worker=worker, tool_id=int(data["tool_id"]), field_name=data["field"],
            value=message.text or "", lang=lang(), now=app.clock.now(),
        )
        await state.clear()
        await message.answer(_("Saved."))
        await show(message, tool, worker)

    @router.callback_query(ToolRetire.filter())
    async def retire(query: CallbackQuery, callback_data: ToolRetire, session: AsyncSession,
                     worker: Worker) -> None:
        tool = await tools.get_tool(session, callback_data.tool_id)
        tools.require_editor(worker, tool)
        if not callback_data.confirm:
            await query.answer()
            await query.message.answer(
                _("Retire «{title}» from the library? Workers will no longer find it.")
                .format(title=html.escape(tool.field("title", lang()))),
                reply_markup=keyboard([[
                    (_("Yes, retire it"), ToolRetire(tool_id=tool.id, confirm=True).pack()),
                ]]),
            )
            return
        await tools.retire_tool(session, worker=worker, tool_id=tool.id, now=app.clock.now())
        await query.answer(_("Retired."))
        await query.message.edit_text(
            _("«{title}» was retired from the library.")
            .format(title=html.escape(tool.field("title", lang())))
        )

    return router
