"""``relais run``, ``relais db upgrade``, ``relais invite``, ``relais admin add``, ``relais webhook``."""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta

from bot.app import App, build_app
from bot.cli.common import run_async, run_with_app, settings_or_exit, setup_logging
from bot.db.migrate import upgrade, upgrade_sync
from bot.errors import RelaisError
from bot.models.core import Role
from bot.services import invitations, workers


def register(subparsers: argparse._SubParsersAction) -> None:
    run = subparsers.add_parser(
        "run",
        help="run the Telegram bot (long polling, or a webhook server with --webhook)",
        description="Run the bot with RELAIS_BOT_TOKEN. Long polling serves one process; "
        "--webhook serves Telegram's calls on RELAIS_WEBHOOK_HOST:RELAIS_WEBHOOK_PORT (path "
        "/telegram) and scales to any number of processes. Migrations are applied first.",
    )
    run.add_argument("--webhook", action="store_true", help="serve a webhook instead of polling")
    run.set_defaults(func=cmd_run)

    db = subparsers.add_parser("db", help="database maintenance").add_subparsers(
        dest="db_command", metavar="ACTION", required=True
    )
    up = db.add_parser("upgrade", help="apply Alembic migrations up to the latest revision")
    up.set_defaults(func=cmd_db_upgrade)

    invite = subparsers.add_parser(
        "invite",
        help="print a single-use invitation deep link",
        description="Create a single-use, expiring invitation and print its t.me deep link.",
    )
    invite.add_argument("--role", required=True, choices=[r.value for r in Role])
    invite.add_argument("--org", required=True, help="organisation name (created if new)")
    invite.add_argument(
        "--region", action="append", default=[], metavar="CODE", help="region code, repeatable"
    )
    invite.add_argument("--hours", type=int, default=None, help="validity (default 72 h)")
    invite.set_defaults(func=cmd_invite)

    admin = subparsers.add_parser("admin", help="administrators").add_subparsers(
        dest="admin_command", metavar="ACTION", required=True
    )
    add = admin.add_parser("add", help="make a Telegram user an administrator (bootstrap)")
    add.add_argument("telegram_user_id", type=int, metavar="TELEGRAM_USER_ID")
    add.set_defaults(func=cmd_admin_add)

    webhook = subparsers.add_parser("webhook", help="set or remove the Telegram webhook").add_subparsers(
        dest="webhook_command", metavar="ACTION", required=True
    )
    webhook.add_parser(
        "set", help="point Telegram at RELAIS_WEBHOOK_URL (a deploy step, run once)"
    ).set_defaults(func=cmd_webhook_set)
    webhook.add_parser("delete", help="remove the webhook (back to polling)").set_defaults(
        func=cmd_webhook_delete
    )


def cmd_run(args: argparse.Namespace) -> int:
    from handlers.runtime import run_polling, run_webhook

    settings = settings_or_exit()
    if settings.bot_token is None:
        print(
            "relais: RELAIS_BOT_TOKEN is not set. To try Relais without Telegram, run "
            "`relais try`.",
            file=sys.stderr,
        )
        return 2
    setup_logging()
    app = build_app(settings)
    run_async(run_webhook(app) if args.webhook or settings.webhook_url else run_polling(app))
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    upgrade_sync(settings.database_url)
    print("relais: database schema is up to date")
    return 0


def cmd_invite(args: argparse.Namespace) -> int:
    settings = settings_or_exit()

    async def work(app: App) -> str:
        await upgrade(settings.database_url)
        async with app.sessionmaker() as session:
            created = await invitations.create_invitation(
                session,
                now=app.clock.now(),
                role=args.role,
                organisation_name=args.org,
                regions=args.region,
                ttl=timedelta(hours=args.hours or settings.invite_ttl_hours),
            )
            await session.commit()
        return invitations.deep_link(settings.bot_username, created.token)

    try:
        print(run_with_app(settings, work))
    except RelaisError as exc:
        print("relais: " + exc.message.format(**exc.params), file=sys.stderr)
        return 2
    return 0


def cmd_admin_add(args: argparse.Namespace) -> int:
    settings = settings_or_exit()

    async def work(app: App) -> None:
        await upgrade(settings.database_url)
        async with app.sessionmaker() as session:
            await workers.add_admin(session, args.telegram_user_id, app.clock.now())
            await session.commit()

    run_with_app(settings, work)
    print(f"relais: user {args.telegram_user_id} is an administrator")
    return 0


def cmd_webhook_set(args: argparse.Namespace) -> int:
    from handlers.runtime import build_bot

    settings = settings_or_exit()
    if not settings.webhook_url or settings.bot_token is None:
        print("relais: set RELAIS_BOT_TOKEN and RELAIS_WEBHOOK_URL first", file=sys.stderr)
        return 2

    async def work(app: App) -> None:
        bot = build_bot(app)
        secret = settings.webhook_secret
        try:
            await bot.set_webhook(
                f"{settings.webhook_url.rstrip('/')}/telegram",
                secret_token=secret.get_secret_value() if secret else None,
            )
        finally:
            await bot.session.close()

    run_with_app(settings, work)
    print("relais: webhook set")
    return 0


def cmd_webhook_delete(args: argparse.Namespace) -> int:
    from handlers.runtime import build_bot

    settings = settings_or_exit()

    async def work(app: App) -> None:
        bot = build_bot(app)
        try:
            await bot.delete_webhook()
        finally:
            await bot.session.close()

    run_with_app(settings, work)
    print("relais: webhook deleted")
    return 0


