"""Last resort: unknown commands, stale or tampered buttons, and anything unexpected."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command as CommandFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.app import App


def build_router(app: App) -> Router:
    router = Router(name="fallback")

    @router.message(CommandFilter("cancel"))
    async def cancel(message: Message, state: FSMContext) -> None:
        if await state.get_state() is None:
            await message.answer(_("There is nothing to cancel."))
            return
        await state.set_state(None)
        await message.answer(_("Cancelled. Nothing was sent."))

    @router.message(F.text.startswith("/"))
    async def unknown_command(message: Message) -> None:
        await message.answer(_("I don't know this command. Send /help to see what I can do."))

    @router.message(F.text)
    async def unknown_text(message: Message) -> None:
        await message.answer(_("I did not understand. Send /help to see what I can do."))

    @router.message()
    async def unsupported(message: Message) -> None:
        await message.answer(
            _("I can only read text messages. Please don't send photos or files about a youth.")
        )

    @router.callback_query()
    async def stale_button(query: CallbackQuery) -> None:
        await query.answer(_("This button is no longer valid."), show_alert=True)

    return router
