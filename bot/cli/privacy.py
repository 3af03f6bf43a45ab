"""``relais purge [--dry-run]``, ``relais keys new``, ``relais keys rotate``,
``relais privacy audit [--json]``."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from bot.app import App
from bot.cli.common import run_with_app, settings_or_exit
from bot.db.migrate import upgrade
from bot.services import crypto, retention

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.services.privacy_audit import AuditReport


def register(subparsers: argparse._SubParsersAction) -> None:
    purge = subparsers.add_parser(
        "purge",
        help="delete closed cases past the retention period, keeping anonymous counts",
        description="Delete the cases closed more than RELAIS_RETENTION_DAYS days ago (default "
        "90) with their participants, thread and handoffs; only counts by closing month, region "
        "and outcome remain, and the handoffs' monthly counts of the figures. --dry-run shows "
        "what would go and changes nothing.",
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

    privacy = subparsers.add_parser(
        "privacy", help="privacy checks of stored data",
        description="Privacy checks of what Relais has stored.",
    ).add_subparsers(dest="privacy_command", metavar="ACTION", required=True)
    audit = privacy.add_parser(
        "audit",
        help="screen every stored free text again with the current privacy screen (ids only)",
        description="Reads every stored free text (case thread messages, handoff notes and "
        "reasons, reminder texts, broadcasts, library items, organisation names, audit "
        "details, queued outgoing messages and unhandled updates), decrypting the encrypted "
        "ones with RELAIS_DATA_KEY, and screens each with the current privacy screen. Reports, "
        "per table and column, how many values it would now flag, with their row ids and the "
        "kinds found; never their text. Nothing is written. Exit status: 0 when nothing is "
        "flagged; 1 when a value is flagged or cannot be decrypted with the configured keys; "
        "2 on a usage or configuration error, an unreachable database or an unavailable "
        "screen.",
    )
    audit.add_argument("--database", metavar="URL", default=None,
                       help="database URL (default RELAIS_DATABASE_URL)")
    audit.add_argument("--json", action="store_true",
                       help='print one JSON object: {"flagged": N, "unreadable": N, "scanned": '
                       'N, "columns": [{"table", "column", "scanned", "flagged": [{"id", '
                       '"kinds"}], "unreadable": [ids]}]}')
    audit.set_defaults(func=cmd_privacy_audit)


def format_report(report: retention.PurgeReport, days: int) -> list[str]:
    verb = "would delete" if report.dry_run else "deleted"
    lines = [
        f"relais: {verb} {report.cases} closed case(s) and {report.messages} thread message(s) "
        f"closed before {report.cutoff:%Y-%m-%d} (retention {days} days)"
    ]
    for (month, region, outcome), n in sorted(report.counts.items()):
        lines.append(f"  {month}  region {region}  {outcome}: {n}")
    if report.handoffs:
        folded = "would fold" if report.dry_run else "folded"
        lines.append(f"relais: {folded} {report.handoffs} handoff(s) of these cases into the "
                     "anonymous monthly counts of the figures")
    if report.reports:
        lines.append(f"relais: {verb} {report.reports} resolved error report(s) on listings")
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


def audit_lines(report: AuditReport) -> list[str]:
    """The audit report for a terminal: counts, row ids and kinds; never a stored text."""
    lines = [f"relais: privacy audit: {report.scanned_count} stored value(s) in "
             f"{len(report.columns)} column(s) screened with the current privacy screen"]
    for column in report.columns:
        line = f"  {column.name}: {len(column.flagged)} of {column.scanned} flagged"
        if column.flagged:
            line += ": " + ", ".join(
                f"id {f.row_id} ({', '.join(f.kinds)})" for f in column.flagged)
        if column.unreadable:
            line += "; unreadable (no configured key): id " + ", ".join(column.unreadable)
        lines.append(line)
    if report.clean:
        lines.append("relais: nothing flagged")
    else:
        lines.append(f"relais: {report.flagged_count} value(s) flagged, "
                     f"{report.unreadable_count} unreadable; review them by id (no text is "
                     "shown here)")
    return lines


def _audit_settings(database: str | None) -> Settings:
    """Settings for the audit: never creates a key file, but reads the ``relais try`` one."""
    from bot.cli.common import shown_url, sqlite_file

    overrides: dict[str, object] = {"bot_token": None}
    if database:
        overrides["database_url"] = database
    settings = settings_or_exit(local_key=False, **overrides)
    path = sqlite_file(settings.database_url)
    if settings.database_url.startswith("sqlite") and (path is None or not path.exists()):
        print(f"relais: cannot reach the database {shown_url(settings.database_url)}: no such "
              "database file", file=sys.stderr)
        raise SystemExit(2)
    no_key = settings.data_key is None or not settings.data_key.get_secret_value().strip()
    if (settings.mode == "development" and no_key
            and crypto.local_key_path(settings.database_url).exists()):
        settings = crypto.ensure_local_key(settings)
    return settings


def cmd_privacy_audit(args: argparse.Namespace) -> int:
    from bot.cli.common import report_unreachable_database
    from bot.services import privacy_audit, screening

    settings = _audit_settings(args.database)

    async def work(app: App) -> privacy_audit.AuditReport:
        return await privacy_audit.audit(app)

    try:
        report = run_with_app(settings, work)
    except screening.ScreenUnavailable:
        print("relais: the privacy screen is unavailable: nothing was audited", file=sys.stderr)
        return 2
    except Exception as exc:
        if getattr(args, "debug", False) or not report_unreachable_database(exc):
            raise
        return 2
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False))
    else:
        print("\n".join(audit_lines(report)))
    return 0 if report.clean else 1
