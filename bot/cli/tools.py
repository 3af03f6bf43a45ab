"""``relais tools import FILE`` and ``relais tools list``: the community of practice library."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.app import App
from bot.cli.common import run_with_app, settings_or_exit, setup_logging
from bot.db.migrate import upgrade


def register(subparsers: argparse._SubParsersAction) -> None:
    tools = subparsers.add_parser(
        "tools", help="the practice tools library (community of practice)"
    ).add_subparsers(dest="tools_command", metavar="ACTION", required=True)
    imp = tools.add_parser(
        "import",
        help="import or update items from a YAML or CSV file",
        description=(
            "Read every item of FILE (.yaml/.yml: a list under 'tools' with title/summary/text "
            "as {fr: ..., en: ...}; .csv: columns key, title_fr, title_en, summary_fr, "
            "summary_en, url, text_fr, text_en, tags, regions, organisation, date, lists "
            "separated by ';'). Items are matched by key (created or updated). Every row is "
            "checked and every text passes the privacy screen first: one problem and nothing "
            "changes; the problems are listed by row and field."
        ),
    )
    imp.add_argument("file", type=Path, metavar="FILE")
    imp.add_argument("--dry-run", action="store_true", help="check only, change nothing")
    imp.set_defaults(func=cmd_import)
    lst = tools.add_parser("list", help="list the items of the library")
    lst.add_argument("--all", action="store_true", help="include retired items")
    lst.set_defaults(func=cmd_list)


def cmd_import(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    setup_logging()
    from bot.services.tools import import_file

    async def work(app: App) -> int:
        await upgrade(app.settings.database_url)
        report = await import_file(app, args.file, dry_run=args.dry_run)
        if report.problems:
            print(f"relais: {args.file}: nothing imported, {len(report.problems)} problem(s):",
                  file=sys.stderr)
            for problem in report.problems:
                print(f"  {problem}", file=sys.stderr)
            return 1
        verb = "would import" if args.dry_run else "imported"
        print(f"{args.file}: {verb} {report.created} new item(s), {report.updated} updated")
        return 0

    return run_with_app(settings, work)


def cmd_list(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    from sqlalchemy import select

    from bot.models.tools import PracticeTool

    async def work(app: App) -> int:
        await upgrade(app.settings.database_url)
        async with app.sessionmaker() as session:
            query = select(PracticeTool).order_by(PracticeTool.key)
            if not args.all:
                query = query.where(PracticeTool.retired_at.is_(None))
            for tool in (await session.scalars(query)).all():
                state = " (retired)" if tool.retired_at else ""
                print(f"{tool.key}\t{tool.field('title', 'fr')}\t{','.join(tool.tags)}{state}")
        return 0

    return run_with_app(settings, work)
