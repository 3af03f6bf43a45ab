"""``relais demo activity``: a few months of invented activity in a try database, for ``/stats``."""

from __future__ import annotations

import argparse
import logging
import sys

from bot.app import App, build_app
from bot.cli.common import run_async, settings_or_exit, setup_logging, shown_url
from bot.cli.console import open_try_database, try_database_url
from bot.config import ConfigError, load_settings

MAX_MONTHS = 36


def register(subparsers: argparse._SubParsersAction) -> None:
    demo = subparsers.add_parser(
        "demo", help="invented data for a try database"
    ).add_subparsers(dest="demo_command", metavar="ACTION", required=True)
    activity = demo.add_parser(
        "activity",
        help="add a few months of invented activity to a try database (for /stats)",
        description=(
            "Add invented, deterministic activity to a `relais try` database: fictive workers "
            "in every region, cases with random codes, a few hundred handoffs with their "
            "history (accepted, declined, expired, outcomes...) and directory search counts, "
            "over the last N months. Then `relais try` and /stats show it. Only ever a try "
            "database (or a new one, made into one): any other database is refused (exit 2), "
            "and so is RELAIS_MODE=production. On a new database, the console's first user "
            "'me' is registered as its coordinator, as `relais try` would."
        ),
    )
    activity.add_argument(
        "--database", metavar="URL", default=None,
        help="the try database (default relais-try.db, as `relais try`; "
        "RELAIS_DATABASE_URL is never used)",
    )
    activity.add_argument("--months", type=months_arg, default=6, metavar="N",
                          help=f"how many months up to today (1 to {MAX_MONTHS}, default 6)")
    activity.add_argument("--seed", type=int, default=13, metavar="N",
                          help="the random seed: the same seed adds the same activity (default 13)")
    activity.add_argument("--fresh", action="store_true",
                          help="start the try database over first (as `relais try --fresh`)")
    activity.set_defaults(func=cmd_activity)


def months_arg(value: str) -> int:
    try:
        months = int(value)
    except ValueError:
        months = 0
    if not 1 <= months <= MAX_MONTHS:
        raise argparse.ArgumentTypeError(f"a number of months from 1 to {MAX_MONTHS}")
    return months


def production(url: str) -> bool:
    try:
        return load_settings(database_url=url, bot_token=None).mode == "production"
    except ConfigError:
        return False  # settings_or_exit names the wrong value


def cmd_activity(args: argparse.Namespace) -> int:
    try:
        url = try_database_url(args.database)
    except ValueError as exc:
        print(f"relais: --database: {exc}", file=sys.stderr)
        return 2
    if production(url):
        print("relais: `relais demo activity` is refused when RELAIS_MODE=production: invented "
              "activity only goes into a try database", file=sys.stderr)
        return 2
    settings = settings_or_exit(database_url=url, bot_token=None, local_key=False)
    setup_logging(logging.WARNING)
    app = build_app(settings)

    async def main() -> int:
        try:
            return await add(app, args)
        finally:
            await app.close()

    return run_async(main())


async def add(app: App, args: argparse.Namespace) -> int:
    from bot.services.stats.demo_activity import add_activity

    if (line := await open_try_database(app, args.fresh)) is not None:
        print(line, file=sys.stderr)
        return 2
    async with app.sessionmaker() as session:
        added = await add_activity(session, now=app.clock.now(), zone=app.settings.zone,
                                   months=args.months, seed=args.seed)
        await session.commit()
    print(f"{shown_url(app.settings.database_url)}: added {added.handoffs} invented handoffs "
          f"({added.cases} cases, {added.workers} fictive workers) and {added.searches} searches "
          f"over the last {added.months} months; see them with /stats in `relais try`")
    return 0
