"""How the library looks in the chat: an item, a list of items, and an item's buttons."""

from __future__ import annotations

import html

from aiogram.types import InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.i18n import Text
from bot.models.core import Worker
from bot.models.tools import PracticeTool
from bot.services import tools
from handlers.replies import reply_after_commit
from handlers.tools.data import ToolEdit, ToolOpen, ToolRetire
from handlers.ui import keyboard, lang
from knowledge.regions import region_name


def tag_label(tag: str) -> str:
    """A known tag's label in the chat's language (however it was typed); any other as written."""
    key = tools.tag_key(tag)
    return _(tools.TAG_LABELS[key]) if key in tools.TAG_LABELS else tag


def short(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis."""
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
    """Edit and retire, for those who may change the item; nothing for the others."""
    if not tools.may_edit(worker, tool):
        return None
    return keyboard([[
        (_("Edit"), ToolEdit(tool_id=tool.id, field="").pack()),
        (_("Retire"), ToolRetire(tool_id=tool.id).pack()),
    ]])


def list_message(heading: str, items: list[PracticeTool], code: str
                 ) -> tuple[str, InlineKeyboardMarkup]:
    """A numbered list of items (title and summary) with a button to open each."""
    lines = [heading]
    rows = []
    for number, tool in enumerate(items, 1):
        lines.append(f"{number}. <b>{html.escape(short(tool.field('title', code), 120))}</b> — "
                     f"{html.escape(short(tool.field('summary', code), 160))}")
        rows.append([(f"{number}. {short(tool.field('title', code), 50)}",
                      ToolOpen(tool_id=tool.id).pack())])
    return "\n".join(lines), keyboard(rows)


async def show_tool(message: Message, tool: PracticeTool, worker: Worker, app: App, *,
                    after_commit: AsyncSession | None = None) -> None:
    """Send the item in the chat's language, with its buttons when the worker may change it;
    once ``after_commit``'s update is committed when given (the item was just changed)."""
    code = lang()
    text = render_tool(tool, code, app.translator.text(code))
    if after_commit is not None:
        reply_after_commit(after_commit, message.answer, text,
                           reply_markup=tool_buttons(tool, worker))
        return
    await message.answer(text, reply_markup=tool_buttons(tool, worker))
