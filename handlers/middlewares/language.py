"""The user's language: saved choice, else Telegram's ``language_code``, else the default."""

from __future__ import annotations

from typing import Any

from aiogram.types import TelegramObject
from aiogram.utils.i18n import I18n, I18nMiddleware

from bot.i18n import Translator, pick_language


def build_i18n(translator: Translator) -> I18n:
    """aiogram's I18n reading Relais's merged per-feature catalogs.

    Not a subclass: aiogram's ``get_i18n()`` finds only instances of ``I18n`` itself.
    """
    i18n = I18n(path=translator.locales_dir, default_locale=translator.default_language)
    i18n.locales = dict(translator.catalogs)
    return i18n


class LanguageMiddleware(I18nMiddleware):
    def __init__(self, i18n: I18n, default_language: str) -> None:
        super().__init__(i18n)
        self.default_language = default_language

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        worker = data.get("worker")
        user = data.get("event_from_user")
        return pick_language(
            worker.language if worker else None,
            user.language_code if user else None,
            self.default_language,
        )
