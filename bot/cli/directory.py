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
    imp.add_argument(
        "--allow-formula-cells", action="store_true",
        help="import text cells that start like a spreadsheet formula (=, @, tab, carriage "
        "return; + or - unless a number or phone) instead of reporting them as problems; "
        "NUL characters are refused in any case",
    )
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
        "RELAIS_DATABASE_URL if set, else relais-try.db (the `relais try` database). It is only "
        "read, never written, unless it is a try database (made by `relais try` or by find "
        "itself): that one is migrated and, when its directory is empty, given the invented "
        "sample directory. relais-try.db is created as a try database when missing; another "
        "new, empty database only with --sample. "
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
    find.add_argument("--sample", action="store_true",
                      help="make a new, empty database a try database with the invented sample "
                      "directory (refused on a database that has other tables)")
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
                                           gazetteer=app.gazetteer, taxonomy=app.taxonomy,
                                           allow_formula_cells=args.allow_formula_cells)
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


def _read_only_engine(url: str):  # type: ignore[no-untyped-def]
    """An engine that cannot write: SQLite ``query_only``, PostgreSQL read-only transactions."""
    from sqlalchemy import event
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30}, poolclass=NullPool)

        def query_only(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA query_only=ON")
            cursor.close()

        event.listen(engine.sync_engine, "connect", query_only)
        return engine
    return create_async_engine(url, poolclass=NullPool, connect_args={
        "server_settings": {"default_transaction_read_only": "on"}})


async def open_find_database(app: App, *, may_create: bool, sample: bool) -> tuple[int, str] | None:
    """Make ``app`` ready for ``relais find``; (exit code, line) when it must not go on.

    A try database is migrated and given the sample when its directory is empty; a new, empty
    database becomes one only when ``may_create``; any other database is only read (``sample``
    is refused there), through a read-only engine, and must already be at the latest schema.
    """
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from bot.cli.common import DatabaseKind, database_kind, mark_try_database, shown_url
    from bot.db.engine import make_sessionmaker
    from bot.db.migrate import alembic_config
    from knowledge.seed import ensure_sample_directory

    url = app.settings.database_url
    shown = shown_url(url)
    kind = await database_kind(app.engine)
    if kind is DatabaseKind.NEW and not may_create:
        return 2, (f"relais: {shown} is empty and find only reads a database: add --sample to "
                   "load the invented sample directory into it, or fill it with `relais db "
                   "upgrade` and `relais directory import`")
    if kind is not DatabaseKind.OTHER:
        await upgrade(url)
        await mark_try_database(app.engine, app.clock.now().isoformat(timespec="seconds"))
        await ensure_sample_directory(app)
        return None
    if sample:
        return 2, (f"relais: --sample refused: {shown} is neither new and empty nor a try "
                   "database (find only reads it)")
    await app.engine.dispose()
    app.engine = _read_only_engine(url)
    app.sessionmaker = make_sessionmaker(app.engine)
    heads = set(ScriptDirectory.from_config(alembic_config(url)).get_heads())
    async with app.engine.connect() as connection:
        current = await connection.run_sync(
            lambda c: set(MigrationContext.configure(c).get_current_heads()))
    if current != heads:
        return 1, (f"relais: {shown} has no up-to-date Relais schema (run `relais db upgrade` "
                   "on it first); find only reads it")
    return None


def cmd_find(args: argparse.Namespace) -> int:
    from bot.services.directory import interpret, search
    from bot.services.directory.criteria import MAX_QUERY_CHARS
    from bot.services.directory.format import answer_text, outcome_json

    query = " ".join(args.query.split())
    if not query or len(query) > MAX_QUERY_CHARS:
        print(f"relais: the question must have 1 to {MAX_QUERY_CHARS} characters", file=sys.stderr)
        return 2
    try:
        url = find_database_url(args.database)
    except ValueError as exc:
        print(f"relais: --database: {exc}", file=sys.stderr)
        return 2
    default = not (args.database or os.environ.get("RELAIS_DATABASE_URL"))
    app = build_app(settings_or_exit(bot_token=None, database_url=url, local_key=False))
    setup_logging(30)

    async def work() -> int:
        refused = await open_find_database(app, may_create=default or args.sample,
                                           sample=args.sample)
        if refused is not None:
            print(refused[1], file=sys.stderr)
            return refused[0]
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

    async def main() -> int:
        try:
            return await work()
        finally:
            await app.close()

    return run_async(main())
