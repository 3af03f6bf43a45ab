"""``/start`` (with an invitation token from a deep link) and ``/help``."""

from __future__ import annotations

import functools

from aiogram import Router
from aiogram.filters import Command as CommandFilter
from aiogram.filters import CommandObject, CommandStart
from aiogram.types import Message
from aiogram.utils.i18n import I18n, get_i18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.i18n import N_, pick_language
from bot.models.core import Worker
from bot.services import invitations
from handlers.commands import Command, all_commands
from handlers.menu import set_chat_menu
from handlers.replies import reply_after_commit, reply_alongside
from handlers.ui import esc

COMMANDS = (
    Command("start", N_("Start Relais")),
    Command("help", N_("What Relais does and its commands")),
)

PRIVACY_RULE = N_(
    "🔒 Never write the name or any identifying detail of a youth (name, date of birth, "
    "address, phone, school, social media). Use the case code only."
)


def help_text(worker: Worker) -> str:
    """What Relais does, the privacy rule, and the commands this worker may use."""
    i18n = get_i18n()
    return _help_text(i18n, i18n.current_locale, worker.is_coordinator)


@functools.lru_cache(maxsize=16)
def _help_text(_i18n: I18n, _locale: str, coordinator: bool) -> str:
    """Written once per catalog, language and role (in that language: the update's)."""
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
        if command.coordinator_only and not coordinator:
            continue
        lines.append(f"/{command.name} — {_(command.description)}")
    lines += ["", _("You can also simply write your question, for example: "
                    "<i>shelter for a 16 year old in Longueuil tonight</i>.")]
    return "\n".join(lines)


async def start_with_token(
    message: Message, command: CommandObject, session: AsyncSession, i18n: I18n, app: App,
) -> None:
    """``/start TOKEN`` from an invitation link: register, then welcome once it is stored."""
    user = message.from_user
    assert user is not None
    registered = await invitations.register_from_link(
        session,
        token=command.args or "",
        now=app.clock.now(),
        telegram_id=user.id,
        display_name=user.full_name,
        telegram_language=user.language_code,
    )
    worker = registered.worker
    code = pick_language(None, user.language_code, app.settings.default_language)
    # The welcome announces a stored registration: it goes out after the update's commit
    # (texts are translated now, in the newcomer's language), and so does their menu.
    with i18n.use_locale(code):
        reply_after_commit(session, message.answer, _(
            "Welcome to Relais, {name}! You are registered with {org}."
        ).format(name=esc(user.full_name), org=esc(registered.organisation.name)))
        reply_after_commit(session, message.answer, help_text(worker))
    reply_after_commit(session, set_chat_menu, message.bot, i18n, message.chat.id, code,
                       coordinator=worker.is_coordinator)


async def start(message: Message, worker: Worker) -> None:
    """``/start`` without a token (a registered worker): what Relais does."""
    await message.answer(help_text(worker))


async def show_help(message: Message, worker: Worker, session: AsyncSession) -> None:
    """``/help``: what Relais does and the commands this worker may use. It says nothing the
    update stores, so it leaves at once and travels while the update commits its handled mark
    (see ``docs/architecture.md``)."""
    reply_alongside(session, message.answer, help_text(worker))


def build_router() -> Router:
    """Register ``/start`` (with a token first) and ``/help``."""
    router = Router(name="onboarding")
    router.message.register(start_with_token, CommandStart(deep_link=True))
    router.message.register(start, CommandStart(deep_link=False))
    router.message.register(show_help, CommandFilter("help"))
    return router
