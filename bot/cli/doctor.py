"""``relais doctor``: configuration, database, Redis, data key, bot token and webhook, one line
each; exit status 1 when a check fails.

The checks without Telegram are in :mod:`bot.services.doctor`; the Bot API ones (``getMe``,
``getWebhookInfo`` through aiogram and ``RELAIS_TELEGRAM_API``) are here.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime, timedelta

from bot.app import App, build_app
from bot.cli.common import run_async
from bot.services.doctor import (
    NETWORK_SECONDS,
    Check,
    check_configuration,
    error_name,
    exit_status,
    expected_webhook_url,
    fail,
    info,
    key_settings,
    local_checks,
    ok,
    skip,
)

RECENT_ERROR = timedelta(hours=1)  # a webhook error newer than this fails the check


def register(subparsers: argparse._SubParsersAction) -> None:
    doctor = subparsers.add_parser(
        "doctor",
        help="check the configuration, database, Redis, data key, bot token and webhook",
        description="Run first when something is wrong: one line per check (ok, FAIL, info, "
        "skip): configuration, database reachable and migrated, Redis, data key able to "
        "decrypt a stored note, bot token (getMe), webhook URL and secret, pending updates and "
        "Telegram's last webhook error. Changes nothing. Exit status 0 when every check "
        "passes, 1 when one fails.",
    )
    doctor.set_defaults(func=cmd_doctor)


def cmd_doctor(args: argparse.Namespace) -> int:
    configuration, settings = check_configuration()
    print(configuration.line(), flush=True)
    if settings is None:
        print(skip("other checks", "the configuration must load first").line())
        return 1
    settings, key_source = key_settings(settings)
    app = build_app(settings)

    async def work() -> list[Check]:
        try:
            checks = await local_checks(app, key_source)
            for check in checks:
                print(check.line(), flush=True)
            remote = await telegram_checks(app)
            for check in remote:
                print(check.line(), flush=True)
            return [configuration, *checks, *remote]
        finally:
            await app.close()

    return exit_status(run_async(work()))


async def telegram_checks(app: App) -> list[Check]:
    """Bot token (``getMe``), then the webhook as Telegram sees it (``getWebhookInfo``)."""
    from aiogram import Bot
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.exceptions import TelegramAPIError, TelegramUnauthorizedError

    settings = app.settings
    api = settings.telegram_api
    later = ("webhook", "pending updates", "webhook delivery")
    if settings.bot_token is None:
        return [fail("bot token", "RELAIS_BOT_TOKEN is not set"),
                *(skip(name, "needs a bot token") for name in later)]
    # Not handlers.runtime.build_bot: the doctor must work even when a feature's handlers do
    # not import, and starts in half the time without them.
    bot = Bot(settings.bot_token.get_secret_value(),
              session=AiohttpSession(api=TelegramAPIServer.from_base(api)))
    try:
        try:
            me = await asyncio.wait_for(bot.get_me(request_timeout=int(NETWORK_SECONDS)),
                                        NETWORK_SECONDS + 2)
        except TelegramUnauthorizedError:
            token = fail("bot token", f"the Bot API at {api} refused the token (Unauthorized)")
        except TelegramAPIError as exc:
            token = fail("bot token", f"cannot reach the Bot API at {api} ({error_name(exc)})")
        except (TimeoutError, OSError) as exc:
            token = fail("bot token", f"cannot reach the Bot API at {api} ({error_name(exc)})")
        else:
            if me.username != settings.bot_username:
                token = fail("bot token", f"valid, but the bot is @{me.username} while "
                             f"RELAIS_BOT_USERNAME is {settings.bot_username}: invitation links "
                             "would open another bot")
            else:
                token = ok("bot token", f"valid (@{me.username}, through {api})")
        if token.failed:
            return [token, *(skip(name, "needs a valid bot token") for name in later)]
        try:
            webhook = await asyncio.wait_for(
                bot.get_webhook_info(request_timeout=int(NETWORK_SECONDS)), NETWORK_SECONDS + 2)
        except (TelegramAPIError, TimeoutError, OSError) as exc:
            return [token, fail("webhook", f"getWebhookInfo failed ({error_name(exc)})"),
                    *(skip(name, "needs getWebhookInfo") for name in later[1:])]
    finally:
        await bot.session.close()
    now = app.clock.now()
    return [token, webhook_check(expected_webhook_url(settings), webhook.url or ""),
            info("pending updates", f"{webhook.pending_update_count} waiting at Telegram"),
            delivery_check(webhook.last_error_date, webhook.last_error_message, now)]


def webhook_check(expected: str | None, actual: str) -> Check:
    """The URL Telegram delivers to against the one ``relais webhook set`` registers."""
    if expected is None:
        if not actual:
            return ok("webhook", "none registered (long polling: RELAIS_WEBHOOK_URL is not set)")
        return fail("webhook", f"Telegram delivers to {actual} but RELAIS_WEBHOOK_URL is not "
                    "set: set it, or run `relais webhook delete` for long polling")
    if actual == expected:
        return ok("webhook", f"registered at {expected}")
    if not actual:
        return fail("webhook", f"none registered, expected {expected}: run `relais webhook set`")
    return fail("webhook", f"Telegram delivers to {actual}, expected {expected}: run "
                "`relais webhook set`")


def delivery_check(when: datetime | int | None, message: str | None, now: datetime) -> Check:
    """Telegram's last webhook delivery error: a failure when it is recent."""
    if not when:
        return ok("webhook delivery", "no delivery error reported by Telegram")
    if isinstance(when, int):
        when = datetime.fromtimestamp(when, UTC)
    age = now - when
    text = " ".join((message or "no message").split())
    shown = f"last error {_age(age)} ago ({when:%Y-%m-%d %H:%M} UTC): {text}"
    if age < RECENT_ERROR:
        return fail("webhook delivery", shown)
    return ok("webhook delivery", shown)


def _age(age: timedelta) -> str:
    seconds = max(0, int(age.total_seconds()))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} days"
