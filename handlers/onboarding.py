"""``/start`` (with an invitation token from a deep link) and ``/help``."""

from __future__ import annotations

import html

from aiogram import Router
from aiogram.filters import Command as CommandFilter
from aiogram.filters import CommandObject, CommandStart
from aiogram.types import Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.i18n import N_, pick_language
from bot.models.core import Organisation, Worker
from bot.services import invitations
from handlers.commands import Command, all_commands
from handlers.menu import set_chat_menu

COMMANDS = (
    Command("start", N_("Start Relais")),
    Command("help", N_("What Relais does and its commands")),
)

PRIVACY_RULE = N_(
    "🔒 Never write the name or any identifying detail of a youth (name, date of birth, "
    "address, phone, school, social media). Use the case code only."
)


def help_text(worker: Worker) -> str:
    lines = [
        _("<b>Relais</b> connects the partner network so that a youth never has to knock on a "
          "new door alone: find who can take them here and now, hand them over to a named "
          "worker who accepts, and be reminded until the loop is closed."),
        "",
        _(PRIVACY_RULE),
        "",
        _("<b>Commands</b>"),
    ]
    for command in all_commands():
        if command.coordinator_only and not worker.is_coordinator:
            continue
        lines.append(f"/{command.name} — {_(command.description)}")
    lines += ["", _("You can also simply write your question, for example: "
                    "<i>shelter for a 16 year old in Longueuil tonight</i>.")]
    return "\n".join(lines)


def build_router(app: App) -> Router:
    router = Router(name="onboarding")

    @router.message(CommandStart(deep_link=True))
    async def start_with_token(
        message: Message,
        command: CommandObject,
        session: AsyncSession,
        worker: Worker | None,
        i18n: I18n,
    ) -> None:
        user = message.from_user
        assert user is not None
        registered = await invitations.redeem_invitation(
            session,
            token=command.args or "",
            now=app.clock.now(),
            telegram_id=user.id,
            display_name=user.full_name,
            language=None,
            telegram_language=user.language_code,
        )
        organisation = await session.get_one(Organisation, registered.organisation_id)
        lang = pick_language(None, user.language_code, app.settings.default_language)
        await session.commit()
        with i18n.use_locale(lang):
            await message.answer(
                _("Welcome to Relais, {name}! You are registered with {org}.").format(
                    name=html.escape(user.full_name, quote=False),
                    org=html.escape(organisation.name, quote=False),
                )
            )
            await message.answer(help_text(registered))
        await set_chat_menu(
            message.bot, i18n, message.chat.id, lang, coordinator=registered.is_coordinator
        )

    @router.message(CommandStart(deep_link=False))
    async def start(message: Message, worker: Worker) -> None:
        await message.answer(help_text(worker))

    @router.message(CommandFilter("help"))
    async def show_help(message: Message, worker: Worker) -> None:
        await message.answer(help_text(worker))

    return router
