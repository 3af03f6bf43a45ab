"""``relais demo activity``: a few months of invented activity in a try database, for ``/stats``."""

from __future__ import annotations

import argparse
import sys

from bot.app import App
from bot.cli.common import run_async, shown_url
from bot.cli.console import open_try_database, play_app

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


def cmd_activity(args: argparse.Namespace) -> int:
    app = play_app(args.database, "relais demo activity",
                   "invented activity only goes into a try database")
    if isinstance(app, int):
        return app

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
