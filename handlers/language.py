"""``/language``: switch between French and English with two buttons."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command as CommandFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.i18n import N_
from bot.models.core import Worker
from bot.services import workers
from handlers.commands import Command
from handlers.menu import set_chat_menu
from handlers.replies import reply_after_commit
from handlers.ui import keyboard

COMMANDS = (Command("language", N_("Choose your language (français / English)")),)


class LanguageChoice(CallbackData, prefix="lang"):
    lang: str


def language_keyboard() -> InlineKeyboardMarkup:
    """Two buttons, each language named in itself."""
    return keyboard([[
        ("Français", LanguageChoice(lang="fr").pack()),
        ("English", LanguageChoice(lang="en").pack()),
    ]])


async def ask(message: Message) -> None:
    """``/language``: offer the two languages."""
    await message.answer(_("Choose your language:"), reply_markup=language_keyboard())


async def choose(
    query: CallbackQuery,
    callback_data: LanguageChoice,
    session: AsyncSession,
    worker: Worker,
    i18n: I18n,
    app: App,
) -> None:
    """A language button: store the choice and, once stored, answer in the new language."""
    await workers.set_language(session, worker, callback_data.lang, app.clock.now())
    with i18n.use_locale(callback_data.lang):
        text = _("Language set: English.") if callback_data.lang == "en" else _(
            "Language set: French."
        )
    reply_after_commit(session, query.answer)
    if query.message is not None:
        reply_after_commit(session, query.message.edit_text, text)
    reply_after_commit(
        session, set_chat_menu, query.bot, i18n, query.from_user.id, callback_data.lang,
        coordinator=worker.is_coordinator,
    )


def build_router() -> Router:
    """Register ``/language`` and its two buttons (anything else is a stale button)."""
    router = Router(name="language")
    router.message.register(ask, CommandFilter("language"))
    router.callback_query.register(choose, LanguageChoice.filter(F.lang.in_({"fr", "en"})))
    return router
