"""Command menus per language (``setMyCommands``) and a coordinator menu in their chats.

Telegram shows, in a private chat, the first list that exists of: chat+language, chat,
all-private+language, all-private, default+language, default. A menu is not access control.
"""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from aiogram.utils.i18n import I18n

from handlers.commands import all_commands

log = logging.getLogger(__name__)


def bot_commands(i18n: I18n, lang: str, *, coordinator: bool) -> list[BotCommand]:
    return [
        BotCommand(command=c.name, description=i18n.gettext(c.description, locale=lang)[:256])
        for c in all_commands()
        if coordinator or not c.coordinator_only
    ]


async def set_default_menus(bot: Bot, i18n: I18n) -> None:
    """The default menu in English and its French variant."""
    await bot.set_my_commands(bot_commands(i18n, "en", coordinator=False), BotCommandScopeDefault())
    await bot.set_my_commands(
        bot_commands(i18n, "fr", coordinator=False), BotCommandScopeDefault(), language_code="fr"
    )


async def set_chat_menu(bot: Bot, i18n: I18n, chat_id: int, lang: str, *, coordinator: bool) -> None:
    """A coordinator's own chat gets the coordinator commands too; others the plain menu."""
    scope = BotCommandScopeChat(chat_id=chat_id)
    try:
        if coordinator:
            await bot.set_my_commands(bot_commands(i18n, lang, coordinator=True), scope)
        else:
            await bot.delete_my_commands(scope)
    except TelegramAPIError as exc:  # a menu is a convenience: never fail the update for it
        log.warning("could not set the chat menu: %s", type(exc).__name__)
