"""``relais find`` (its --json contract, in-process and as a subprocess) and
``relais directory import|export`` exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main

CRITERIA_KEYS = {"region", "regions", "age", "needs", "language", "now", "urgent"}
RESULT_KEYS = {"service_id", "name", "organization", "regions", "categories", "open_now",
               "capacity", "score"}
CAPACITY_KEYS = {"available", "maximum", "unit", "updated", "fresh"}


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.delenv("RELAIS_DATABASE_URL", raising=False)
    return f"sqlite:///{tmp_path / 'find.db'}"


def check_contract(payload: dict, region: str, age: int) -> None:
    assert set(payload) == {"criteria", "results"}
    criteria = payload["criteria"]
    assert set(criteria) == CRITERIA_KEYS
    assert criteria["region"] == region and criteria["regions"] == [region]
    assert criteria["age"] == age
    assert "hebergement-urgence-jeunesse" in criteria["needs"]
    assert criteria["now"] is True and isinstance(criteria["urgent"], bool)
    assert payload["results"]
    scores = [r["score"] for r in payload["results"] if r["kind"] == "local"]
    assert scores == sorted(scores, reverse=True)  # neighbouring regions' services come after
    for result in payload["results"]:
        assert set(result) >= RESULT_KEYS
        assert isinstance(result["service_id"], str) and result["service_id"]
        assert region in result["regions"] or result["kind"] == "neighbour"
        assert "hebergement-urgence-jeunesse" in result["categories"]
        assert result["open_now"] in (True, None)
        if result["capacity"] is not None:
            assert set(result["capacity"]) == CAPACITY_KEYS
            assert isinstance(result["capacity"]["fresh"], bool)
            assert "T" in result["capacity"]["updated"]


def test_find_json_contract(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["find", "qui peut prendre une jeune de 16 ans à Longueuil ce soir pour de l'hébergement?",
                 "--json", "--sample", "--database", database])
    out = capsys.readouterr().out
    assert code == 0
    assert len(out.strip().splitlines()) == 1  # exactly one JSON object
    check_contract(json.loads(out), "16", 16)


def test_find_readable_listing_and_limit(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["find", "any shelter for a 17yo in montreal tonight", "--lang", "en", "--sample",
                 "--database", database]) == 0
    out = capsys.readouterr().out
    assert out.startswith("🔎 Montreal · 17 years old · Youth emergency shelter")
    assert "<b>" not in out
    assert main(["find", "un jeune de 15 ans à Montréal", "--json", "--limit", "2", "--sample", "--database", database]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert len(payload["results"]) == 2


def test_find_without_region_says_so(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["find", "hébergement pour 15 ans", "--json", "--sample", "--database", database]) == 0
    captured = capsys.readouterr()
    payload = json.loads(captured.out)
    assert payload["criteria"]["region"] is None and payload["results"] == []
    assert "no region" in captured.err


def test_find_json_as_a_subprocess(database: str, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("RELAIS_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "bot", "find", "any shelter for a 17yo in montreal tonight", "--json",
         "--sample", "--database", database],
        capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    check_contract(json.loads(done.stdout), "06", 17)


def test_import_of_a_malformed_package_exits_1_with_the_list(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], hsds_dir: Path
) -> None:
    import shutil

    package = tmp_path / "pkg"
    shutil.copytree(hsds_dir / "csv", package)
    services = package / "services.csv"
    services.write_text(services.read_text(encoding="utf-8").replace(",12,100,", ",-3,abc,"), encoding="utf-8")
    assert main(["directory", "import", str(package), "--database", database]) == 1
    err = capsys.readouterr().err
    assert "nothing imported, 2 problem(s)" in err
    assert "services.csv, row 2, column minimum_age: not a plausible age (-3)" in err
    assert "services.csv, row 2, column maximum_age: not a number ('abc')" in err
    assert main(["directory", "import", str(hsds_dir / "csv"), "--database", database]) == 0
    out = capsys.readouterr().out
    assert "1 service(s) of 1 organization(s) imported" in out
    assert "not mapped: service ac148810-d857-441c-9679-408f346de14b (Community Counselling): no region" in out
    assert main(["directory", "export", "--format", "hsds-json", str(tmp_path / "out.json"),
                 "--database", database]) == 0
    exported = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert [s["id"] for o in exported["organizations"] for s in o["services"]] == [
        "ac148810-d857-441c-9679-408f346de14b"]
