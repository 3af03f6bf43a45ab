"""Last resort: unknown commands, stale or tampered buttons, and anything unexpected."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command as CommandFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _


async def cancel(message: Message, state: FSMContext) -> None:
    """``/cancel``: leave the step in progress, if any; nothing is sent."""
    if await state.get_state() is None:
        await message.answer(_("There is nothing to cancel."))
        return
    await state.set_state(None)
    await message.answer(_("Cancelled. Nothing was sent."))


async def unknown_command(message: Message) -> None:
    """A command no feature knows: point to ``/help``."""
    await message.answer(_("I don't know this command. Send /help to see what I can do."))


async def unknown_text(message: Message) -> None:
    """Text no step or feature took: point to ``/help``."""
    await message.answer(_("I did not understand. Send /help to see what I can do."))


async def unsupported(message: Message) -> None:
    """Anything that is not text (the media middleware usually refused it already)."""
    await message.answer(
        _("I can only read text messages. Please don't send photos or files about a youth.")
    )


async def stale_button(query: CallbackQuery) -> None:
    """A button no feature handles any more."""
    await query.answer(_("This button is no longer valid."), show_alert=True)


def build_router() -> Router:
    """Register the fallbacks, most specific first; this router is the last one."""
    router = Router(name="fallback")
    router.message.register(cancel, CommandFilter("cancel"))
    router.message.register(unknown_command, F.text.startswith("/"))
    router.message.register(unknown_text, F.text)
    router.message.register(unsupported)
    router.callback_query.register(stale_button)
    return router
