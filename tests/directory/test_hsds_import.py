"""HSDS import: the official example (CSV package and the three JSON forms), what it cannot map,
and malformed inputs that change nothing and say where the problem is."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.models.directory import DirectoryService, DirectoryTaxonomyTerm
from knowledge.hsds_common import ImportFailed
from knowledge.hsds_import import import_path

EXAMPLE_SERVICE = "ac148810-d857-441c-9679-408f346de14b"


async def run_import(app: App, path: Path):  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        report = await import_path(session, path, now=app.clock.now(), gazetteer=app.gazetteer,
                                   taxonomy=app.taxonomy)
        await session.commit()
    return report


async def count_services(app: App) -> int:
    async with app.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(DirectoryService)) or 0)


def assert_unmapped_reported(report) -> None:  # type: ignore[no-untyped-def]
    text = "\n".join(report.unmapped)
    assert "MyCity" in text and "not a Québec place" in text
    assert f"service {EXAMPLE_SERVICE}" in text and "no region" in text


@pytest.mark.parametrize("form", ["csv", "service_full.json", "organization_full.json",
                                  "service_at_location_full.json"])
async def test_official_example_imports_with_its_unmapped_report(app: App, hsds_dir: Path, form: str) -> None:
    path = hsds_dir / "csv" if form == "csv" else hsds_dir / "json" / form
    report = await run_import(app, path)
    assert report.services == 1 and report.service_ids == [EXAMPLE_SERVICE]
    assert_unmapped_reported(report)
    assert "programs" in " ".join(report.skipped)  # tables Relais does not keep are reported
    async with app.sessionmaker() as session:
        service = await session.scalar(select(DirectoryService).where(DirectoryService.hsds_id == EXAMPLE_SERVICE))
        assert service is not None
        assert service.name == "Community Counselling"
        assert (service.minimum_age, service.maximum_age) == (12, 100)
        assert service.regions == [] and not service.province_wide  # MyCity is no Québec place
        assert service.categories == []
        terms = (await session.scalars(select(DirectoryTaxonomyTerm))).all()
        assert [(t.hsds_id, t.category) for t in terms] == [("3f7b145d-84af-42d7-8fae-eaca714b02b2", None)]
    if form != "csv":
        assert any("taxonomy term 'name'" in note for note in report.unmapped)


async def test_reimport_updates_in_place(app: App, hsds_dir: Path) -> None:
    await run_import(app, hsds_dir / "csv")
    report = await run_import(app, hsds_dir / "json" / "service_full.json")
    assert (report.created, report.updated) == (0, 1)
    assert await count_services(app) == 1


def copy_package(hsds_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "package"
    shutil.copytree(hsds_dir / "csv", target)
    return target


def edit_csv(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


async def assert_fails_unchanged(app: App, path: Path, *expected: tuple[str, object, str | None]) -> list:  # type: ignore[type-arg]
    before = await count_services(app)
    with pytest.raises(ImportFailed) as failed:
        await run_import(app, path)
    problems = failed.value.problems
    located = {(p.file, p.row, p.column) for p in problems}
    for where in expected:
        assert where in located, (where, [str(p) for p in problems])
    assert await count_services(app) == before
    return problems


async def test_bad_json_changes_nothing(app: App, tmp_path: Path) -> None:
    await app_with_sample(app)
    bad = tmp_path / "broken.json"
    bad.write_text('{"organizations": [{"id": "x", "name": "A",}]}', encoding="utf-8")
    problems = await assert_fails_unchanged(app, bad)
    assert problems[0].file == "broken.json" and problems[0].row == 1
    assert "not valid JSON" in str(problems[0])


async def test_missing_required_column(app: App, hsds_dir: Path, tmp_path: Path) -> None:
    package = copy_package(hsds_dir, tmp_path)
    edit_csv(package / "services.csv", "id,organization_id,program_id,name,", "id,organization_id,program_id,title,")
    problems = await assert_fails_unchanged(app, package, ("services.csv", 1, "name"))
    assert "required column is missing" in str(problems[0])


async def test_bad_age_and_unknown_reference_are_all_reported(app: App, hsds_dir: Path, tmp_path: Path) -> None:
    await app_with_sample(app)
    package = copy_package(hsds_dir, tmp_path)
    edit_csv(package / "services.csv", ",12,100,", ",douze,100,")
    edit_csv(package / "service_at_location.csv", "3a19ff88-4620-4d17-9830-ac1d859eb5d5",
             "00000000-0000-0000-0000-000000000000")
    problems = await assert_fails_unchanged(
        app, package,
        ("services.csv", 2, "minimum_age"),
        ("service_at_location.csv", 2, "location_id"),
    )
    text = "\n".join(map(str, problems))
    assert "services.csv, row 2, column minimum_age: not a number ('douze')" in text
    assert "unknown location id '00000000-0000-0000-0000-000000000000'" in text


async def test_json_problems_are_located_by_path(app: App, tmp_path: Path) -> None:
    document = {"organizations": [{"id": "o1", "name": "Org", "description": "d", "services": [
        {"id": "s1", "name": "S", "status": "active", "minimum_age": 18, "maximum_age": 12,
         "x_regions": ["16", "99"], "attributes": [{"id": "a1", "taxonomy_term_id": "nope", "link_id": "s1"}]},
    ]}]}
    path = tmp_path / "d.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    await assert_fails_unchanged(
        app, path,
        ("d.json", "organizations[0].services[0]", "maximum_age"),
        ("d.json", "organizations[0].services[0]", "x_regions"),
        ("d.json", "organizations[0].services[0].attributes[0]", "taxonomy_term_id"),
    )


async def test_service_referring_to_unknown_organization(app: App, tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"id": "s1", "organization_id": "ghost", "name": "S", "status": "active"}),
                    encoding="utf-8")
    await assert_fails_unchanged(app, path, ("one.json", "$", "organization_id"))


async def test_regions_from_areas_and_addresses(app: App, tmp_path: Path) -> None:
    document = {"organizations": [{"id": "o1", "name": "Org", "description": "d", "services": [
        {"id": "by-area", "name": "A", "status": "active",
         "service_areas": [{"id": "sa1", "name": "Longueuil"}]},
        {"id": "province", "name": "P", "status": "active",
         "service_areas": [{"id": "sa2", "name": "Tout le Québec"}]},
        {"id": "by-address", "name": "B", "status": "active", "service_at_locations": [
            {"id": "sal1", "location": {"id": "l1", "location_type": "physical", "addresses": [
                {"id": "ad1", "address_1": "1 rue X", "city": "Gatineau", "state_province": "QC",
                 "postal_code": "J8X", "country": "CA", "address_type": "physical"}]}}]},
        {"id": "by-term", "name": "C", "status": "active", "x_regions": ["06"],
         "attributes": [{"id": "at1", "taxonomy_term": {"id": "t1", "code": "BH-1800.8500",
                                                        "name": "Emergency Shelter", "description": "x"}}]},
    ]}]}
    path = tmp_path / "d.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    report = await run_import(app, path)
    assert not [n for n in report.unmapped if "no region" in n]
    async with app.sessionmaker() as session:
        got = {s.hsds_id: (s.regions, s.province_wide, s.categories)
               for s in (await session.scalars(select(DirectoryService))).all()}
    assert got["by-area"][0] == ["16"]
    assert got["province"][1] is True and len(got["province"][0]) == 17
    assert got["by-address"][0] == ["07"]
    assert got["by-term"] == (["06"], False, ["hebergement-urgence-jeunesse"])


async def app_with_sample(app: App) -> None:
    from knowledge.seed import ensure_sample_directory

    await ensure_sample_directory(app)
