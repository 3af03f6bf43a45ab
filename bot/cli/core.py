"""``relais run``, ``relais db upgrade``, ``relais invite``, ``relais admin add``, ``relais webhook``."""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from pathlib import Path

from bot.app import App, build_app
from bot.cli.common import run_async, run_with_app, settings_or_exit, setup_logging
from bot.config import WEBHOOK_SECRET_MIN_PRODUCTION, Settings
from bot.db.migrate import upgrade, upgrade_sync
from bot.errors import RelaisError
from bot.models.core import Role
from bot.services import invitations, screening, workers

MAX_INVITE_HOURS = 24 * 60  # as RELAIS_INVITE_TTL_HOURS


def register(subparsers: argparse._SubParsersAction) -> None:
    run = subparsers.add_parser(
        "run",
        help="run the Telegram bot (long polling, or a webhook server with --webhook)",
        description="Run the bot with RELAIS_BOT_TOKEN. Long polling serves one process; "
        "--webhook serves Telegram's calls on RELAIS_WEBHOOK_HOST:RELAIS_WEBHOOK_PORT (default "
        "127.0.0.1:8080, path /telegram; put it behind a reverse proxy) and scales to any "
        "number of processes; in production it refuses to start without a "
        f"RELAIS_WEBHOOK_SECRET of at least {WEBHOOK_SECRET_MIN_PRODUCTION} characters. "
        "Migrations are applied first; no sample data is ever loaded.",
    )
    run.add_argument("--webhook", action="store_true", help="serve a webhook instead of polling")
    run.set_defaults(func=cmd_run)

    db = subparsers.add_parser("db", help="database maintenance").add_subparsers(
        dest="db_command", metavar="ACTION", required=True
    )
    up = db.add_parser(
        "upgrade", help="apply Alembic migrations up to the latest revision (never sample data)")
    up.set_defaults(func=cmd_db_upgrade)
    backup = db.add_parser(
        "backup", help="copy the SQLite database to a new file while Relais runs",
        description="A consistent copy of the SQLite database (SQLite's online backup API: "
        "safe while Relais writes) into PATH, which must not exist. The data key is not in "
        "the backup: keep it apart. On PostgreSQL, prints the pg_dump way and exits 2.",
    )
    backup.add_argument("path", metavar="PATH", help="the new backup file")
    backup.set_defaults(func=cmd_db_backup)
    restore = db.add_parser(
        "restore", help="replace the SQLite database with a backup (every relais stopped)",
        description="Copies a backup made by `relais db backup` into RELAIS_DATABASE_URL. Stop "
        "every relais process first. Refuses a file that is not a Relais database, and a "
        "database that holds data unless --force. On PostgreSQL, prints the pg_restore way "
        "and exits 2.",
    )
    restore.add_argument("path", metavar="PATH", help="the backup file")
    restore.add_argument("--force", action="store_true",
                         help="replace a database that holds data")
    restore.set_defaults(func=cmd_db_restore)

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
    invite.add_argument("--hours", type=invite_hours, default=None,
                        help=f"validity in hours, 1 to {MAX_INVITE_HOURS} (default "
                        "RELAIS_INVITE_TTL_HOURS, 72)")
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
        "set", help="point Telegram at RELAIS_WEBHOOK_URL with RELAIS_WEBHOOK_SECRET (a deploy "
        "step, run once)",
        description="Registers RELAIS_WEBHOOK_URL/telegram and RELAIS_WEBHOOK_SECRET with "
        "Telegram; refused without a secret (in production, one of at least "
        f"{WEBHOOK_SECRET_MIN_PRODUCTION} characters).",
    ).set_defaults(func=cmd_webhook_set)
    webhook.add_parser(
        "secret", help="print a new random webhook secret (for RELAIS_WEBHOOK_SECRET)"
    ).set_defaults(func=cmd_webhook_secret)
    webhook.add_parser("delete", help="remove the webhook (back to polling)").set_defaults(
        func=cmd_webhook_delete
    )


def invite_hours(value: str) -> int:
    """``--hours``: a whole number of hours from 1 (0 or less would not mean what it says)."""
    try:
        hours = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of hours: {value!r}") from None
    if not 1 <= hours <= MAX_INVITE_HOURS:
        raise argparse.ArgumentTypeError(
            f"must be from 1 to {MAX_INVITE_HOURS} hours (got {hours})")
    return hours


def webhook_secret_problem(settings: Settings) -> str | None:
    """Why the configured webhook secret cannot be used (None when it can).

    Telegram's charset is checked when settings load; here: present, and in production at
    least ``WEBHOOK_SECRET_MIN_PRODUCTION`` characters.
    """
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
    if not secret:
        return ("relais: RELAIS_WEBHOOK_SECRET is not set: a webhook needs a secret so that "
                "only Telegram can post updates (`relais webhook secret` prints one)")
    if settings.mode == "production" and len(secret) < WEBHOOK_SECRET_MIN_PRODUCTION:
        return (f"relais: RELAIS_WEBHOOK_SECRET must have at least {WEBHOOK_SECRET_MIN_PRODUCTION} "
                "characters in production (`relais webhook secret` prints one)")
    return None


def cmd_run(args: argparse.Namespace) -> int:
    from handlers.runtime import TokenRefused, run_polling, run_webhook

    settings = settings_or_exit()
    if settings.bot_token is None:
        print(
            "relais: RELAIS_BOT_TOKEN is not set. To try Relais without Telegram, run "
            "`relais try`.",
            file=sys.stderr,
        )
        return 2
    webhook = bool(args.webhook or settings.webhook_url)
    if webhook and settings.mode == "production" and (
        problem := webhook_secret_problem(settings)
    ):
        print(problem, file=sys.stderr)
        return 2
    setup_logging()
    app = build_app(settings)
    try:
        run_async(run_webhook(app) if webhook else run_polling(app))
    except TokenRefused:
        print("relais: Telegram refused the bot token (RELAIS_BOT_TOKEN). Copy it again from "
              "@BotFather; a token revoked there must be replaced.", file=sys.stderr)
        return 2
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    upgrade_sync(settings.database_url)
    print("relais: database schema is up to date")
    return 0


def _sqlite_or_guidance(settings: Settings) -> Path | None:
    """The SQLite file to back up or restore; None after printing why there is none."""
    from bot.cli.common import sqlite_file
    from bot.services.backup import key_reminder, postgres_guidance

    path = sqlite_file(settings.database_url)
    if path is not None:
        return path
    if settings.is_sqlite:
        print("relais: an in-memory database has nothing to back up or restore", file=sys.stderr)
    else:
        print("\n".join(postgres_guidance(settings.database_url)), file=sys.stderr)
        print(key_reminder(settings.database_url, key_from_environment=True), file=sys.stderr)
    return None


def _key_in_environment(settings: Settings) -> bool:
    return settings.data_key is not None and bool(settings.data_key.get_secret_value().strip())


def cmd_db_backup(args: argparse.Namespace) -> int:
    from bot.services.backup import BackupError, backup_sqlite, key_reminder
    from bot.services.crypto import local_key_path

    settings = settings_or_exit(local_key=False)
    database = _sqlite_or_guidance(settings)
    if database is None:
        return 2
    try:
        copied = backup_sqlite(database, Path(args.path))
    except BackupError as exc:
        print(f"relais: {exc}", file=sys.stderr)
        return 1
    print(f"relais: backed up {database} to {copied.path} ({copied.tables} tables, "
          f"{copied.rows} rows, revision {copied.revision})")
    in_environment = _key_in_environment(settings)
    print(key_reminder(settings.database_url, in_environment))
    key_file = local_key_path(settings.database_url)
    if not in_environment and key_file.parent.resolve() == copied.path.parent.resolve():
        print(f"relais: warning: the backup is in the folder of the key file {key_file}: move "
              "one of them elsewhere", file=sys.stderr)
    return 0


def cmd_db_restore(args: argparse.Namespace) -> int:
    from bot.services.backup import BackupError, restore_sqlite
    from bot.services.crypto import local_key_path
    from bot.services.doctor import known_revisions, migration_heads

    settings = settings_or_exit(local_key=False)
    database = _sqlite_or_guidance(settings)
    if database is None:
        return 2
    try:
        copied = restore_sqlite(Path(args.path), database, force=args.force,
                                known_revisions=known_revisions(settings.database_url))
    except BackupError as exc:
        print(f"relais: {exc}", file=sys.stderr)
        return 1
    print(f"relais: restored {args.path} into {database} ({copied.tables} tables, "
          f"{copied.rows} rows, revision {copied.revision})")
    heads = ", ".join(sorted(migration_heads(settings.database_url)))
    if copied.revision != heads:
        print(f"relais: run `relais db upgrade` before starting Relais (the backup is at "
              f"{copied.revision}, this version is at {heads})")
    where = ("RELAIS_DATA_KEY" if _key_in_environment(settings)
             else f"the development key file {local_key_path(settings.database_url)}")
    print(f"relais: its notes can be read only with the data key they were encrypted with: "
          f"{where} must hold that key (the copy kept apart from the backups)")
    return 0


def cmd_invite(args: argparse.Namespace) -> int:
    settings = settings_or_exit()

    async def work(app: App) -> str:
        await upgrade(settings.database_url)
        async with app.sessionmaker() as session:
            # the organisation's name is stored and shown to the invited person: screened
            await screening.require_clean(app, session, args.org, None)
            created = await invitations.create_invitation(
                session,
                now=app.clock.now(),
                role=args.role,
                organisation_name=args.org,
                regions=args.region,
                ttl=timedelta(hours=args.hours if args.hours is not None
                              else settings.invite_ttl_hours),
            )
            await session.commit()
        return invitations.deep_link(settings.bot_username, created.token)

    try:
        print(run_with_app(settings, work))
    except screening.IdentifyingText as exc:
        kinds = ", ".join(exc.kinds).lower()
        print(f"relais: --org looks like it identifies a person ({kinds}); nothing was stored",
              file=sys.stderr)
        return 2
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
    if problem := webhook_secret_problem(settings):
        print(problem, file=sys.stderr)
        return 2
    assert settings.webhook_secret is not None

    async def work(app: App) -> None:
        bot = build_bot(app)
        try:
            await bot.set_webhook(
                f"{settings.webhook_url.rstrip('/')}/telegram",
                secret_token=settings.webhook_secret.get_secret_value(),
            )
        finally:
            await bot.session.close()

    run_with_app(settings, work)
    print("relais: webhook set")
    return 0


def cmd_webhook_secret(args: argparse.Namespace) -> int:
    """A new random secret: 43 characters of Telegram's allowed set (A-Z a-z 0-9 _ -)."""
    import secrets

    print(secrets.token_urlsafe(32))
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


