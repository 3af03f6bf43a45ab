"""The hand-written 0002_directory migration matches the models, and goes down and up again."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from bot.db.base import Base
from bot.db.engine import make_engine
from bot.db.migrate import alembic_config, upgrade_sync
from bot.models import load_all_models

MINE = {t for t in Base.metadata.tables if t.startswith("directory_")} | {"service_receivers"}


def _directory_diffs(connection) -> list:  # type: ignore[no-untyped-def]
    load_all_models()
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    out = []
    for diff in compare_metadata(context, Base.metadata):
        items = diff if isinstance(diff, list) else [diff]
        for item in items:
            table = next((getattr(x, "name", None) or getattr(getattr(x, "table", None), "name", None)
                          for x in item[1:] if hasattr(x, "name") or hasattr(x, "table")), None)
            text = repr(item)
            if table in MINE or any(name in text for name in MINE):
                out.append(item)
    return out


async def test_models_match_the_migrated_schema(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        async with engine.connect() as connection:
            diffs = await connection.run_sync(_directory_diffs)
            names = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
    finally:
        await engine.dispose()
    load_all_models()
    assert {t for t in Base.metadata.tables if t.startswith("directory_")} | {"service_receivers"} <= names
    assert diffs == []


def test_downgrade_and_upgrade_again_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade_sync(url, "0002_directory")
    sync_url = f"sqlite:///{tmp_path / 'm.db'}"
    tables = set(inspect(create_engine(sync_url)).get_table_names())
    assert "directory_services" in tables and "service_receivers" in tables
    command.downgrade(alembic_config(url), "0001_core")
    tables = set(inspect(create_engine(sync_url)).get_table_names())
    assert not {t for t in tables if t.startswith("directory_")} and "workers" in tables
    upgrade_sync(url, "0002_directory")
    assert "directory_state" in set(inspect(create_engine(sync_url)).get_table_names())
