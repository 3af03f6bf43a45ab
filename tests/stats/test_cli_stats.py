"""``relais stats`` on a SQLite database made and migrated here: formats, languages, regions,
the threshold from the configuration, one line and exit 2 on bad input, and nothing written."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.db.migrate import upgrade_sync
from tests.stats.test_figures import add_crafted

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated SQLite file with the crafted handoffs and searches of test_figures."""
    from bot.app import build_app
    from bot.config import Settings

    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('cli') / 'stats.db'}"
    upgrade_sync(url)

    async def fill() -> None:
        app = build_app(Settings(_env_file=None, database_url=url))  # type: ignore[call-arg]
        try:
            await add_crafted(app)
        finally:
            await app.close()

    asyncio.run(fill())
    return url


@pytest.fixture(autouse=True)
def _no_configured_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RELAIS_MIN_CELL", raising=False)
    monkeypatch.delenv("RELAIS_DATABASE_URL", raising=False)


def test_json_of_a_range(database, capsys):
    assert main(["stats", "--from", "2026-01", "--to", "2026-03", "--format", "json",
                 "--database", database]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["period"]["first"] == "2026-01" and data["period"]["last"] == "2026-03"
    assert data["key"]["asked"] == 48
    assert data["tables"]["states"]["cells"]["completed"]["count"] == 15


def test_regions_and_the_configured_threshold(database, capsys, monkeypatch):
    monkeypatch.setenv("RELAIS_MIN_CELL", "6")
    assert main(["stats", "--from", "2026-01", "--to", "2026-03", "--region", "13",
                 "--format", "json", "--database", database]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["regions"] == ["13"] and data["min_cell"] == 6
    assert data["tables"]["states"]["cells"]["expired"]["count"] == "< 6"


def test_a_day_stands_for_its_month(database, capsys):
    assert main(["stats", "--from", "2026-01-15", "--to", "2026-01-31", "--format", "json",
                 "--database", database]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["period"]["months"] == ["2026-01"]
    assert "--from 2026-01-15 counts as the whole month 2026-01" in err


def test_table_in_french_by_default_and_english_asked(database, capsys):
    assert main(["stats", "--from", "2026-02", "--database", database]) == 0
    french = capsys.readouterr().out
    assert "Chiffres\u00a0: février 2026" in french
    assert "== Demandes de prise en charge par état ==" in french
    assert main(["stats", "--from", "2026-02", "--lang", "en", "--database", database]) == 0
    english = capsys.readouterr().out
    assert "Figures: February 2026" in english and "Expired, no answer" in english


def test_csv_is_utf8_with_a_bom(database, capsysbinary):
    assert main(["stats", "--from", "2026-01", "--to", "2026-03", "--format", "csv",
                 "--lang", "en", "--database", database]) == 0
    data = capsysbinary.readouterr().out
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][0] == "table"
    assert ["states", "Handoffs by state", "completed", "Completed", "count", "Count",
            "15"] in rows


@pytest.mark.parametrize(("args", "words"), [
    (["--from", "2026-13"], "--from: '2026-13' is not a month"),
    (["--from", "2026-02-30"], "--from: '2026-02-30' is not a month"),
    (["--from", "janvier"], "--from: 'janvier' is not a month"),
    (["--from", "2026-03", "--to", "2026-01"], "The first month comes after the last one."),
    (["--from", "2026-01", "--region", "99"], "--region: '99' is not a region code"),
])
def test_bad_input_is_one_line_and_exit_2(database, capsys, args, words):
    assert main(["stats", *args, "--database", database]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and words in err and err.startswith("relais: ")


def test_a_database_without_the_schema_is_refused_and_left_alone(tmp_path, capsys):
    missing = tmp_path / "none.db"
    assert main(["stats", "--from", "2026-01", "--database", f"sqlite:///{missing}"]) == 1
    assert "no database" in capsys.readouterr().err and not missing.exists()
    empty = tmp_path / "empty.db"
    empty.touch()
    assert main(["stats", "--from", "2026-01", "--database", f"sqlite:///{empty}"]) == 1
    assert "relais db upgrade" in capsys.readouterr().err
    assert empty.stat().st_size == 0  # only read


def test_the_installed_command(database):
    """As an administrator runs it: a process of its own."""
    done = subprocess.run(
        [str(Path(sys.executable).with_name("relais")), "stats", "--from", "2026-01", "--to", "2026-03",
         "--format", "json", "--database", database],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["key"]["closed_7d"] == 36
