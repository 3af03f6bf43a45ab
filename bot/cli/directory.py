"""``relais directory import|export|list|show|receiver`` and ``relais find``."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from bot.app import App, build_app
from bot.cli.common import run_async, settings_or_exit, setup_logging
from bot.config import normalise_database_url
from bot.db.migrate import upgrade

DEFAULT_FIND_DATABASE = "sqlite+aiosqlite:///relais-try.db"


def register(subparsers: argparse._SubParsersAction) -> None:
    directory = subparsers.add_parser(
        "directory", help="partner directory: HSDS import and export, listing",
        description="The partner directory, in Open Referral HSDS 3.0 (plus 3.1 capacity).",
    ).add_subparsers(dest="directory_command", metavar="ACTION", required=True)

    imp = directory.add_parser(
        "import", help="import an HSDS package folder (datapackage.json + CSV) or HSDS JSON",
        description="Upsert organizations and services by HSDS id, in one transaction. A "
        "malformed input changes nothing: each problem is listed with its file, row and column "
        "and the exit code is 1. What could not be mapped (unknown places, taxonomy terms) is "
        "reported but imported.",
    )
    imp.add_argument("path", metavar="PATH", help="package folder, datapackage.json or JSON file")
    _database_option(imp, "RELAIS_DATABASE_URL")
    imp.set_defaults(func=cmd_import)

    exp = directory.add_parser(
        "export", help="export the directory as HSDS CSV (a folder) or HSDS JSON (a file)",
    )
    exp.add_argument("--format", choices=("hsds-csv", "hsds-json"), default="hsds-csv")
    exp.add_argument("dest", metavar="DEST", help="folder (hsds-csv) or file (hsds-json)")
    _database_option(exp, "RELAIS_DATABASE_URL")
    exp.set_defaults(func=cmd_export)

    listing = directory.add_parser("list", help="list services (id, HSDS id, regions, name)")
    listing.add_argument("--region", metavar="CODE", help="only services serving this region")
    _database_option(listing, "RELAIS_DATABASE_URL")
    listing.set_defaults(func=cmd_list)

    show = directory.add_parser("show", help="show one service (database id or HSDS id)")
    show.add_argument("id", metavar="ID")
    _database_option(show, "RELAIS_DATABASE_URL")
    show.set_defaults(func=cmd_show)

    receiver = directory.add_parser(
        "receiver", help="make a registered worker a receiver of a service (handoffs, /capacity)"
    )
    receiver.add_argument("id", metavar="SERVICE_ID", help="database id or HSDS id")
    receiver.add_argument("telegram_user_id", type=int, metavar="TELEGRAM_USER_ID")
    _database_option(receiver, "RELAIS_DATABASE_URL")
    receiver.set_defaults(func=cmd_receiver)

    find = subparsers.add_parser(
        "find", help="ask the directory a question, as in the chat",
        description="Runs the chat's search from the command line. Database: --database, else "
        "RELAIS_DATABASE_URL if set, else relais-try.db (the `relais try` database); it is "
        "migrated and, when the directory is empty, the invented sample directory is loaded. "
        "--json prints one JSON object: {\"criteria\": {region, regions, age, needs, language, "
        "now, urgent}, \"results\": [{service_id, name, organization, regions, categories, "
        "open_now, capacity, score, ...}]}, best first.",
    )
    find.add_argument("query", metavar="QUERY", help='e.g. "shelter for a 16 year old in Longueuil"')
    find.add_argument("--lang", choices=("fr", "en"), default=None,
                      help="language of the answer (default: the question's)")
    find.add_argument("--limit", type=int, default=5, help="how many results (default 5)")
    find.add_argument("--json", action="store_true", help="print one JSON object")
    find.add_argument("--database", metavar="URL", default=None,
                      help="database URL (default RELAIS_DATABASE_URL if set, else relais-try.db)")
    find.set_defaults(func=cmd_find)


def _database_option(parser: argparse.ArgumentParser, env: str) -> None:
    parser.add_argument("--database", metavar="URL", default=None,
                        help=f"database URL (default {env})")


def _app(database: str | None) -> App:
    overrides: dict[str, object] = {"bot_token": None}
    if database:
        overrides["database_url"] = database
    settings = settings_or_exit(**overrides)
    setup_logging(30)
    return build_app(settings)


def _run(app: App, work):  # type: ignore[no-untyped-def]
    async def main():  # type: ignore[no-untyped-def]
        try:
            await upgrade(app.settings.database_url)
            return await work()
        finally:
            await app.close()

    return run_async(main())


def cmd_import(args: argparse.Namespace) -> int:
    from bot.services.directory.index import app_holder
    from knowledge.hsds_common import ImportFailed
    from knowledge.hsds_import import import_path
    from knowledge.seed import link_organisations

    app = _app(args.database)

    async def work() -> int:
        try:
            async with app.sessionmaker() as session:
                report = await import_path(session, Path(args.path), now=app.clock.now(),
                                           gazetteer=app.gazetteer, taxonomy=app.taxonomy)
                await link_organisations(session, app.clock.now())
                await session.commit()
        except ImportFailed as failed:
            print(f"relais: nothing imported, {len(failed.problems)} problem(s):", file=sys.stderr)
            for problem in failed.problems:
                print(f"  - {problem}", file=sys.stderr)
            return 1
        app_holder(app).invalidate()
        for line in report.lines():
            print(line)
        return 0

    return _run(app, work)


def cmd_export(args: argparse.Namespace) -> int:
    from knowledge.hsds_export import export_csv, export_json

    app = _app(args.database)

    async def work() -> int:
        async with app.sessionmaker() as session:
            if args.format == "hsds-json":
                count = await export_json(session, Path(args.dest))
                print(f"relais: {count} service(s) written to {args.dest}")
            else:
                counts = await export_csv(session, Path(args.dest))
                print(f"relais: HSDS package written to {args.dest} "
                      f"({counts.get('services.csv', 0)} service(s))")
        return 0

    return _run(app, work)


async def _find_service(session, ident: str):  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from bot.models.directory import DirectoryService

    service = None
    if ident.isdigit():
        service = await session.get(DirectoryService, int(ident))
    if service is None:
        service = await session.scalar(select(DirectoryService).where(DirectoryService.hsds_id == ident))
    return service


def cmd_list(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from bot.models.directory import DirectoryService, ServiceRegion

    app = _app(args.database)

    async def work() -> int:
        async with app.sessionmaker() as session:
            query = select(DirectoryService).order_by(DirectoryService.id)
            if args.region:
                query = query.where(DirectoryService.id.in_(
                    select(ServiceRegion.service_id).where(ServiceRegion.region == args.region)))
            for s in (await session.scalars(query)).all():
                regions = "*" if s.province_wide else (",".join(s.regions) or "-")
                print(f"{s.id:>6}  {s.hsds_id}  {regions:<12} {s.status:<9} {s.name}")
        return 0

    return _run(app, work)


def cmd_show(args: argparse.Namespace) -> int:
    app = _app(args.database)

    async def work() -> int:
        async with app.sessionmaker() as session:
            service = await _find_service(session, args.id)
            if service is None:
                print(f"relais: no service {args.id}", file=sys.stderr)
                return 1
            print(json.dumps({
                "id": service.id, "hsds_id": service.hsds_id, "name": service.name,
                "name_en": service.name_en, "status": service.status,
                "regions": service.regions, "province_wide": service.province_wide,
                "categories": service.categories, "minimum_age": service.minimum_age,
                "maximum_age": service.maximum_age, "open_24_7": service.open_24_7,
                "timezone": service.timezone, "confidential_address": service.confidential_address,
                "assured_date": service.assured_date.isoformat() if service.assured_date else None,
            }, ensure_ascii=False, indent=2))
        return 0

    return _run(app, work)


def cmd_receiver(args: argparse.Namespace) -> int:
    from bot.services import workers
    from bot.services.directory.receivers import add_receiver

    app = _app(args.database)

    async def work() -> int:
        async with app.sessionmaker() as session:
            service = await _find_service(session, args.id)
            worker = await workers.by_telegram_id(session, args.telegram_user_id)
            if service is None or worker is None:
                print("relais: unknown service or worker", file=sys.stderr)
                return 1
            await add_receiver(session, service.id, worker, app.clock.now())
            await session.commit()
            print(f"relais: worker {worker.id} now receives for service {service.id}")
        return 0

    return _run(app, work)


def find_database_url(arg: str | None) -> str:
    return normalise_database_url(arg or os.environ.get("RELAIS_DATABASE_URL") or DEFAULT_FIND_DATABASE)


def cmd_find(args: argparse.Namespace) -> int:
    from bot.services.directory import interpret, search
    from bot.services.directory.criteria import MAX_QUERY_CHARS
    from bot.services.directory.format import answer_text, outcome_json
    from knowledge.seed import ensure_sample_directory

    query = " ".join(args.query.split())
    if not query or len(query) > MAX_QUERY_CHARS:
        print(f"relais: the question must have 1 to {MAX_QUERY_CHARS} characters", file=sys.stderr)
        return 2
    app = _app(find_database_url(args.database))

    async def work() -> int:
        await ensure_sample_directory(app)
        found = interpret(query, args.lang, gazetteer=app.gazetteer, taxonomy=app.taxonomy)
        now = app.clock.now()
        async with app.sessionmaker() as session:
            outcome = await search(session, found.criteria, now=now, limit=max(1, args.limit))
        if not found.criteria.regions:
            print("relais: no region in the question: name a city, a region or a postal prefix",
                  file=sys.stderr)
        elif found.ambiguous:
            names = ", ".join(f"{c.name} ({'/'.join(c.regions)})" for c in found.ambiguous)
            print(f"relais: the place fits several regions ({names}); all were searched",
                  file=sys.stderr)
        if args.json:
            print(json.dumps(outcome_json(outcome, now), ensure_ascii=False))
        else:
            import re
            from html import unescape

            text = answer_text(outcome, app.translator.text(args.lang or found.lang), now, app.taxonomy)
            print(unescape(re.sub(r"</?[a-z]+>", "", text)))
        return 0

    return _run(app, work)
