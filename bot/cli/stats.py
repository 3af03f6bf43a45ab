"""``relais stats``: the coordinators' figures on the command line, for whole months.

It only reads the database (a read-only connection) and prints the same suppressed tables as
``/stats``: aligned text, a CSV for a funder's report, or JSON.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from datetime import date

from bot.cli.common import run_async, settings_or_exit, setup_logging, shown_url, sqlite_file
from bot.config import Settings
from bot.errors import InvalidInput
from bot.services.stats.periods import Period, period_range

FORMATS = ("table", "csv", "json")
_DAY = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?")


class Usage(ValueError):
    """Bad input: one line, exit status 2."""


def register(subparsers: argparse._SubParsersAction) -> None:
    stats = subparsers.add_parser(
        "stats", help="anonymous figures of handoffs, searches and the directory, by month",
        description="Prints the figures coordinators see with /stats for whole months: "
        "handoffs by state, month, region, urgency and need, cross-region flows, outcomes, "
        "times to answer, searches and unmet need, the directory's health. Counts from 1 to "
        "RELAIS_MIN_CELL - 1 are shown as \"< 5\" and other counts that would give them away "
        "as \"x\". A day (YYYY-MM-DD) stands for its whole month. Only reads the database.",
    )
    stats.add_argument("--from", dest="first", required=True, metavar="YYYY-MM[-DD]",
                       help="first month")
    stats.add_argument("--to", dest="last", default=None, metavar="YYYY-MM[-DD]",
                       help="last month, included (default: the first)")
    stats.add_argument("--region", action="append", default=None, metavar="CODE",
                       help="a region code, 01 to 17 (repeat for several; default every "
                       "region): handoffs asked from it or to it, searches in it")
    stats.add_argument("--format", choices=FORMATS, default="table",
                       help="table (aligned text, default), csv (UTF-8, long form) or json")
    stats.add_argument("--lang", choices=("fr", "en"), default=None,
                       help="language of labels (default RELAIS_DEFAULT_LANGUAGE)")
    stats.add_argument("--database", metavar="URL", default=None,
                       help="database URL (default RELAIS_DATABASE_URL)")
    stats.set_defaults(func=cmd_stats)


def month_arg(value: str, option: str) -> tuple[str, bool]:
    """The month of ``YYYY-MM`` or ``YYYY-MM-DD``, and whether a day was given."""
    found = _DAY.fullmatch(value.strip())
    try:
        if not found:
            raise ValueError
        year, month, day = int(found.group(1)), int(found.group(2)), found.group(3)
        date(year, month, int(day) if day else 1)
    except ValueError:
        raise Usage(f"{option}: {value!r} is not a month (YYYY-MM or YYYY-MM-DD)") from None
    return f"{year:04d}-{month:02d}", day is not None


def regions_arg(values: list[str] | None) -> tuple[str, ...] | None:
    """Region codes ("6" is "06"); None for every region."""
    if not values:
        return None
    from knowledge.regions import load_regions

    codes = []
    for value in values:
        for part in value.split(","):
            code = part.strip().zfill(2)
            if code not in load_regions():
                raise Usage(f"--region: {part.strip()!r} is not a region code (01 to 17)")
            codes.append(code)
    return tuple(sorted(set(codes)))


def period_args(args: argparse.Namespace) -> tuple[Period, list[str]]:
    """The period of --from/--to, and notes for standard error about days read as months."""
    first, first_day = month_arg(args.first, "--from")
    last, last_day = month_arg(args.last or args.first, "--to")
    notes = [f"relais: {option} {value} counts as the whole month {month}"
             for option, value, month, day in (("--from", args.first, first, first_day),
                                               ("--to", args.last, last, last_day)) if day]
    try:
        return period_range(first, last), notes
    except InvalidInput as exc:
        raise Usage(exc.message.format(**exc.params)) from None


def cmd_stats(args: argparse.Namespace) -> int:
    try:
        period, notes = period_args(args)
        regions = regions_arg(args.region)
    except Usage as exc:
        print(f"relais: {exc}", file=sys.stderr)
        return 2
    for note in notes:
        print(note, file=sys.stderr)
    overrides: dict[str, object] = {"bot_token": None}
    if args.database:
        overrides["database_url"] = args.database
    settings = settings_or_exit(local_key=False, **overrides)
    setup_logging(logging.WARNING, settings=settings)
    path = sqlite_file(settings.database_url)
    if path is not None and not path.exists():
        print(f"relais: no database at {path}", file=sys.stderr)
        return 1
    result = run_async(_figures_output(settings, period, regions, args))
    if isinstance(result, int):
        return result
    if isinstance(result, bytes):
        sys.stdout.flush()
        sys.stdout.buffer.write(result)
        sys.stdout.buffer.flush()
    else:
        sys.stdout.write(result)
    return 0


async def _figures_output(settings: Settings, period: Period, regions: tuple[str, ...] | None,
                          args: argparse.Namespace) -> str | bytes | int:
    """Compute and render the figures, or an exit status when the schema is not current."""
    from datetime import UTC, datetime

    from bot.cli.directory import _read_only_engine
    from bot.db.engine import make_sessionmaker
    from bot.i18n import Translator
    from bot.services.stats import tables
    from bot.services.stats.figures import compute

    engine = _read_only_engine(settings.database_url)
    try:
        if not await _schema_current(engine, settings.database_url):
            print(f"relais: {shown_url(settings.database_url)} has no up-to-date Relais schema "
                  "(run `relais db upgrade` on it first); stats only reads it", file=sys.stderr)
            return 1
        async with make_sessionmaker(engine)() as session:
            figures = await compute(session, period, regions, now=datetime.now(UTC),
                                    min_cell=settings.min_cell, zone=settings.zone,
                                    keep=False)
    finally:
        await engine.dispose()
    text = Translator(settings.locales_dir, settings.default_language, settings.zone).text(
        args.lang or settings.default_language)
    if args.format == "json":
        return json.dumps(tables.to_json(figures), ensure_ascii=False, indent=2) + "\n"
    if args.format == "csv":
        return tables.to_csv(figures, text)
    return tables.tables_text(figures, text)


async def _schema_current(engine, url: str) -> bool:  # type: ignore[no-untyped-def]
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from bot.db.migrate import alembic_config

    heads = set(ScriptDirectory.from_config(alembic_config(url)).get_heads())
    async with engine.connect() as connection:
        current = await connection.run_sync(
            lambda sync: set(MigrationContext.configure(sync).get_current_heads()))
    return current == heads
