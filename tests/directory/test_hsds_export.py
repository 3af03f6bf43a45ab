"""HSDS export: the package validates against the official schemas and imports back unchanged."""

from __future__ import annotations

import csv
import json
from functools import cache
from pathlib import Path

import jsonschema
from sqlalchemy import select

from bot.app import App, build_app
from bot.config import Settings
from bot.models.directory import DirectoryService, ServiceCapacity
from knowledge.hsds_export import export_csv, export_json
from knowledge.hsds_import import import_path

NUMBER_TYPES = {"number", "integer"}


@cache
def row_schema(hsds: str, name: str) -> dict:
    schema = json.loads((Path(hsds) / "schema" / f"{name}.json").read_text(encoding="utf-8"))
    return schema


@cache
def compiled_validator(hsds: str, name: str):  # type: ignore[no-untyped-def]
    schema = json.loads((Path(hsds) / "schema" / "compiled" / f"{name}.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def typed_row(descriptor_fields: list[dict], row: dict[str, str]) -> dict:
    """A CSV row as the JSON object its schema describes (empty cells are absent)."""
    kinds = {f["name"]: f["type"] for f in descriptor_fields}
    out: dict = {}
    for key, value in row.items():
        if value == "":
            continue
        kind = kinds.get(key, "string")
        out[key] = float(value) if kind in NUMBER_TYPES else (value == "true" if kind == "boolean" else value)
    return out


async def snapshot(app: App) -> dict[str, tuple]:
    """What must survive a round trip, per HSDS service id."""
    async with app.sessionmaker() as session:
        services = (await session.scalars(select(DirectoryService))).all()
        caps = {(c.service_id): c for c in (await session.scalars(select(ServiceCapacity))).all()}
        out = {}
        for s in services:
            cap = caps.get(s.id)
            out[s.hsds_id] = (
                s.name, s.name_en, s.status, s.regions, s.province_wide, s.categories,
                s.minimum_age, s.maximum_age, s.open_24_7, s.timezone, s.confidential_address,
                s.assured_date,
                None if cap is None else (cap.hsds_id, cap.available, cap.maximum, cap.unit.name,
                                          cap.updated.isoformat()),
            )
        return out


async def fresh_app(sqlite_template) -> App:  # type: ignore[no-untyped-def]
    return build_app(Settings(_env_file=None, database_url=sqlite_template.fresh_url(), bot_token=None))


async def test_csv_package_validates_and_round_trips(seeded: App, tmp_path: Path, hsds_dir: Path,
                                                     sqlite_template) -> None:  # type: ignore[no-untyped-def]
    async with seeded.sessionmaker() as session:
        counts = await export_csv(session, tmp_path / "pkg")
    assert counts["services.csv"] > 100
    package = json.loads((tmp_path / "pkg" / "datapackage.json").read_text(encoding="utf-8"))
    names = {r["name"] for r in package["resources"]}
    assert {"service", "organization", "service_capacity", "unit", "attribute"} <= names
    checked = 0
    for resource in package["resources"]:
        path = tmp_path / "pkg" / resource["path"]
        assert path.exists(), resource["path"]
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            fields = [f["name"] for f in resource["schema"]["fields"]]
            assert reader.fieldnames == fields  # the descriptor describes the file exactly
            if resource["name"] == "service":
                assert {"x_regions", "x_name_en", "x_open_24_7"} <= set(fields)
            if resource["name"] in ("service_capacity", "unit"):
                continue  # HSDS 3.1 objects: no 3.0 row schema to check against
            schema = row_schema(str(hsds_dir), resource["name"])
            validator = jsonschema.Draft202012Validator(schema)
            for row in reader:
                errors = list(validator.iter_errors(typed_row(resource["schema"]["fields"], row)))
                assert not errors, (resource["path"], errors[0].message)
                checked += 1
    assert checked > 500

    before = await snapshot(seeded)
    other = await fresh_app(sqlite_template)
    try:
        async with other.sessionmaker() as session:
            report = await import_path(session, tmp_path / "pkg", now=other.clock.now(),
                                       gazetteer=other.gazetteer, taxonomy=other.taxonomy)
            await session.commit()
        assert report.services == len(before)
        assert await snapshot(other) == before
    finally:
        await other.close()


async def test_json_validates_against_compiled_schema_and_round_trips(
    seeded: App, tmp_path: Path, hsds_dir: Path, sqlite_template  # type: ignore[no-untyped-def]
) -> None:
    path = tmp_path / "directory.json"
    async with seeded.sessionmaker() as session:
        count = await export_json(session, path)
    document = json.loads(path.read_text(encoding="utf-8"))
    assert count == sum(len(o["services"]) for o in document["organizations"]) > 100
    validator = compiled_validator(str(hsds_dir), "organization")
    for organization in document["organizations"]:
        errors = list(validator.iter_errors(organization))
        assert not errors, (organization["id"], errors[0].message)
    shelters = [s for o in document["organizations"] for s in o["services"] if s.get("capacities")]
    assert shelters and all(c["unit"]["name"] for s in shelters for c in s["capacities"])

    before = await snapshot(seeded)
    other = await fresh_app(sqlite_template)
    try:
        async with other.sessionmaker() as session:
            await import_path(session, path, now=other.clock.now(), gazetteer=other.gazetteer,
                              taxonomy=other.taxonomy)
            await session.commit()
        assert await snapshot(other) == before
    finally:
        await other.close()
