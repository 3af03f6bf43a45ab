"""``/language``: switch between French and English with two buttons."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command as CommandFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.i18n import N_
from bot.models.core import Worker
from bot.services import workers
from handlers.commands import Command
from handlers.menu import set_chat_menu

COMMANDS = (Command("language", N_("Choose your language (français / English)")),)


class LanguageChoice(CallbackData, prefix="lang"):
    lang: str


def keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text="Français", callback_data=LanguageChoice(lang="fr").pack()
                ),
                InlineKeyboardButton(
                    text="English", callback_data=LanguageChoice(lang="en").pack()
                ),
            ]
        ]
    )


def build_router(app: App) -> Router:
    router = Router(name="language")

    @router.message(CommandFilter("language"))
    async def ask(message: Message) -> None:
        await message.answer(_("Choose your language:"), reply_markup=keyboard())

    @router.callback_query(LanguageChoice.filter(F.lang.in_({"fr", "en"})))
    async def choose(
        query: CallbackQuery,
        callback_data: LanguageChoice,
        session: AsyncSession,
        worker: Worker,
        i18n: I18n,
    ) -> None:
        await workers.set_language(session, worker, callback_data.lang, app.clock.now())
        with i18n.use_locale(callback_data.lang):
            text = _("Language set: English.") if callback_data.lang == "en" else _(
                "Language set: French."
            )
            await query.answer()
            if query.message is not None:
                await query.message.edit_text(text)
        await set_chat_menu(
            query.bot, i18n, query.from_user.id, callback_data.lang,
            coordinator=worker.is_coordinator,
        )

    return router
