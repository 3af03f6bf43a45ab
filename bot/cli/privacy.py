"""``relais purge [--dry-run]``, ``relais keys new``, ``relais keys rotate``."""

from __future__ import annotations

import argparse
import sys

from bot.app import App
from bot.cli.common import run_with_app, settings_or_exit
from bot.db.migrate import upgrade
from bot.services import crypto, retention


def register(subparsers: argparse._SubParsersAction) -> None:
    purge = subparsers.add_parser(
        "purge",
        help="delete closed cases past the retention period, keeping anonymous counts",
        description="Delete the cases closed more than RELAIS_RETENTION_DAYS days ago (default "
        "90) with their participants and thread; only counts by closing month, region and "
        "outcome remain. --dry-run shows what would go and changes nothing.",
    )
    purge.add_argument("--dry-run", action="store_true", help="show what would go, delete nothing")
    purge.add_argument("--database", metavar="URL", default=None,
                       help="database URL (default RELAIS_DATABASE_URL)")
    purge.set_defaults(func=cmd_purge)

    keys = subparsers.add_parser("keys", help="encryption keys of stored notes").add_subparsers(
        dest="keys_command", metavar="ACTION", required=True
    )
    keys.add_parser(
        "new", help="print a new key (put it first in RELAIS_DATA_KEY, keep the old ones after)"
    ).set_defaults(func=cmd_keys_new)
    keys.add_parser(
        "rotate",
        help="re-encrypt every stored note with the first key of RELAIS_DATA_KEY",
        description="RELAIS_DATA_KEY holds comma-separated keys: the first encrypts, all "
        "decrypt. After putting a new key first, run this, then remove the old keys.",
    ).set_defaults(func=cmd_keys_rotate)


def format_report(report: retention.PurgeReport, days: int) -> list[str]:
    verb = "would delete" if report.dry_run else "deleted"
    lines = [
        f"relais: {verb} {report.cases} closed case(s) and {report.messages} thread message(s) "
        f"closed before {report.cutoff:%Y-%m-%d} (retention {days} days)"
    ]
    for (month, region, outcome), n in sorted(report.counts.items()):
        lines.append(f"  {month}  region {region}  {outcome}: {n}")
    return lines


def cmd_purge(args: argparse.Namespace) -> int:
    settings = settings_or_exit(**({"database_url": args.database} if args.database else {}))

    async def work(app: App) -> retention.PurgeReport:
        await upgrade(settings.database_url)
        return await retention.purge_with_app(app, dry_run=args.dry_run)

    report = run_with_app(settings, work)
    print("\n".join(format_report(report, settings.retention_days)))
    return 0


def cmd_keys_new(args: argparse.Namespace) -> int:
    from cryptography.fernet import Fernet

    print(Fernet.generate_key().decode("ascii"))
    return 0


def cmd_keys_rotate(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    if settings.data_key is None or not settings.data_key.get_secret_value().strip():
        print("relais: RELAIS_DATA_KEY is not set: nothing to rotate to", file=sys.stderr)
        return 2
    try:
        crypto.parse_keys(settings.data_key.get_secret_value())
    except crypto.MissingKey as exc:
        print(f"relais: {exc}", file=sys.stderr)
        return 2

    async def work(app: App) -> dict[str, int]:
        await upgrade(settings.database_url)
        return await crypto.rotate_all(app)

    counts = run_with_app(settings, work)
    for column, n in counts.items():
        print(f"relais: {column}: {n} re-encrypted" if column != "unreadable"
              else f"relais: {n} stored text(s) could not be read with any configured key")
    print("relais: every readable note now uses the first key; old keys can be removed")
    return 1 if counts.get("unreadable") else 0
