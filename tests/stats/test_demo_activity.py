"""`relais demo activity`: invented months of activity, only ever into a try database.

Each database test runs on SQLite and, with RELAIS_TEST_DATABASE_URL set, on PostgreSQL.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.cli.common import DatabaseKind, sqlite_file
from bot.db.engine import make_engine
from bot.models.core import Organisation, Worker
from bot.models.handoffs import Handoff, HandoffEvent
from bot.models.stats import SearchCount
from bot.services.stats import demo_stories as stories
from tests.core import test_safety_cli as cli_tests
from tests.core.test_safety_cli import call, kind, one_line, snapshot

# Shared fixtures: no RELAIS_* setting from outside (autouse), and a database with no table.
clean_env = cli_tests.clean_env
new_db_url = cli_tests.new_db_url

ZONE = ZoneInfo("America/Toronto")
ADDED = re.compile(r"added (\d+) invented handoffs \((\d+) cases, (\d+) fictive workers\) "
                   r"and (\d+) searches over the last (\d+) months")


def rows(url: str, statement):  # type: ignore[no-untyped-def]
    async def work():  # type: ignore[no-untyped-def]
        engine = make_engine(url)
        try:
            async with engine.connect() as connection:
                return (await connection.execute(statement)).all()
        finally:
            await engine.dispose()

    return call(work)


def activity(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, ...]:
    assert main(["demo", "activity", *args]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1, out
    found = ADDED.search(out[0])
    assert found, out[0]
    return tuple(int(n) for n in found.groups())


def test_a_new_database_becomes_a_try_database_with_months_of_activity(
    new_db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    handoffs, cases, made, searches, months = activity(
        capsys, "--database", new_db_url, "--months", "4")
    assert kind(new_db_url) is DatabaseKind.TRY
    assert months == 4 and cases == handoffs and 150 <= handoffs <= 400 and made == 17 * 5
    stored = rows(new_db_url, select(Handoff))
    assert len(stored) == handoffs
    # realistic shapes: most in Montréal, every region, some across regions, declines, expiries
    regions = Counter(h.region for h in stored)
    assert regions.most_common(1)[0][0] == "06" and len(regions) >= 12
    cross = sum(h.region != h.from_region for h in stored)
    assert 0.05 * handoffs < cross < 0.3 * handoffs
    endings = Counter((h.status, h.status_reason) for h in stored)
    assert endings[("rejected", "no-response")] > 0 and endings[("rejected", "no-capacity")] > 0
    assert endings[("completed", None)] > 0 and sum(h.outcome is not None for h in stored) > 0
    assert len({h.month for h in stored}) >= 3  # the current month may have just begun

    def night(h: Handoff) -> bool:
        return not 6 <= h.created_at.astimezone(ZONE).hour < 18

    urgent = [h for h in stored if h.priority == "urgent"]
    routine = [h for h in stored if h.priority == "routine"]
    assert sum(map(night, urgent)) / len(urgent) > 0.5 > sum(map(night, routine)) / len(routine)
    # the stats columns say what the history says
    for h in stored:
        assert h.month == h.created_at.astimezone(ZONE).strftime("%Y-%m") and h.need == h.needs[0]
        if h.accepted_at is not None:
            assert h.accept_min == h.response_min
            assert h.accepted_at == h.created_at + timedelta(minutes=h.accept_min)
        if h.status in ("rejected", "cancelled", "completed", "failed"):
            assert h.closed_min is not None and h.ended_at is not None
        if h.status_reason == "no-response":
            assert h.response_min is None
            assert h.closed_min == (120 if h.priority == "urgent" else 7 * 24 * 60)
    events = rows(new_db_url, select(HandoffEvent.handoff_id, HandoffEvent.kind))
    assert {i for i, k in events if k == "created"} == {h.id for h in stored}
    assert Counter(k for _i, k in events)["status"] >= handoffs * 0.8
    counted = rows(new_db_url, select(SearchCount.count).where(SearchCount.need == "*"))
    assert sum(n for (n,) in counted) == searches
    # fictive workers, and the console's first user as coordinator
    workers = rows(new_db_url, select(Worker.display_name, Worker.role, Organisation.name)
                   .join(Organisation, Organisation.id == Worker.organisation_id))
    assert ("me", "coordinator") in {(name, role) for name, role, _org in workers}
    assert all("fictive" in org or "fictif" in org for _name, _role, org in workers)


def test_a_second_run_adds_more_with_the_same_workers(
    new_db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    first = activity(capsys, "--database", new_db_url, "--months", "2")
    second = activity(capsys, "--database", new_db_url, "--months", "2", "--seed", "7")
    assert second[2] == 0  # no new fictive worker
    assert len(rows(new_db_url, select(Handoff.id))) == first[0] + second[0]
    fresh = activity(capsys, "--database", new_db_url, "--months", "1", "--fresh")
    assert len(rows(new_db_url, select(Handoff.id))) == fresh[0]


@pytest.fixture
def real_db(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A migrated database without the try marker, with an organisation and an admin."""
    monkeypatch.setenv("RELAIS_DATABASE_URL", db_url)
    assert main(["invite", "--role", "coordinator", "--org", "Real org", "--region", "06"]) == 0
    assert main(["admin", "add", "777"]) == 0
    monkeypatch.delenv("RELAIS_DATABASE_URL")
    assert kind(db_url) is DatabaseKind.OTHER
    return db_url


@pytest.mark.parametrize("fresh", [False, True], ids=["plain", "fresh"])
def test_refuses_a_database_that_is_not_a_try_database(
    real_db: str, fresh: bool, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = sqlite_file(real_db)
    if path is not None:
        path.with_suffix(".key").unlink()  # made by `relais invite`
    before = snapshot(real_db)
    capsys.readouterr()
    monkeypatch.setenv("RELAIS_DATABASE_URL", real_db)  # never used: --database or the default
    assert main(["demo", "activity", "--database", real_db, *(["--fresh"] if fresh else [])]) == 2
    line = one_line(capsys.readouterr().err)
    assert line.startswith("relais: refusing ") and "not a try database" in line
    assert snapshot(real_db) == before
    assert path is None or not path.with_suffix(".key").exists()


def test_refused_in_production_mode(
    new_db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RELAIS_MODE", "production")
    assert main(["demo", "activity", "--database", new_db_url]) == 2
    assert "RELAIS_MODE=production" in one_line(capsys.readouterr().err)
    assert kind(new_db_url) is DatabaseKind.NEW and not Path("relais-try.db").exists()


def test_months_out_of_range_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    for months in ("0", "37", "six"):
        with pytest.raises(SystemExit) as exit_info:
            main(["demo", "activity", "--months", months])
        assert exit_info.value.code == 2
        assert "a number of months from 1 to 36" in capsys.readouterr().err
    assert not Path("relais-try.db").exists()


def test_stories_are_the_same_for_the_same_seed_and_day() -> None:
    now = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
    windows = stories.month_windows(now, ZONE, 3)
    assert [w.month for w in windows] == ["2026-10", "2026-11", "2026-12"]
    assert windows[0].share == 1 and 0 < windows[-1].share < 0.15

    def planned(seed: int) -> list[stories.Story]:
        rng = random.Random(seed)
        return [stories.plan(rng, w.start, w.end) for w in windows for _ in range(50)]

    assert planned(13) == planned(13) != planned(14)
    for story in planned(13):
        assert windows[0].start <= story.created_at < now
        done = stories.replay(story, now)
        assert all(step.minutes <= (now - story.created_at).total_seconds() / 60
                   for step in done.steps)


def test_the_try_coordinator_sees_stats_on_invented_activity(tmp_path: Path) -> None:
    """As README says: `relais demo activity`, then `/stats` in `relais try` (last 12 months,
    all of the coordinator's regions)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RELAIS_")}
    database = ["--database", f"sqlite:///{tmp_path / 'try.db'}"]

    def relais(*args: str, script: str = "") -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "bot", *args], input=script, env=env,
                              capture_output=True, text=True, cwd=tmp_path, timeout=180)

    added = relais("demo", "activity", *database)
    assert added.returncode == 0, added.stderr[-2000:]
    shown = relais("try", *database, script="/stats\n!3\n!1\n")
    assert shown.returncode == 0, shown.stderr[-2000:]
    out = shown.stdout
    assert "[3] 12 derniers mois" in out and "[1] Toutes mes régions" in out
    asked = re.search(r"Demandes de prise en charge\s*:\s*(\d[\d\s]*\d|\d)\n", out)
    assert asked and int(re.sub(r"\s", "", asked.group(1))) >= 50, out
    assert "Régions\u00a0: Montréal, Laval, Montérégie" in out
    for name in ("handoffs-by-month", "time-to-acceptance", "cross-region-flows", "unmet-need"):
        assert f"bot -> me:\n[{name}.png] " in out
    assert re.search(r"bot -> me:\n\[relais-stats-\d{4}-\d{2}_\d{4}-\d{2}\.csv\] Les mêmes", out)
