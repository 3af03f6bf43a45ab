"""Migration 0009 removes the typed words older versions kept in ``handoffs.criteria``."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from bot.db.migrate import upgrade_sync

OLD = {
    "regions": ["06"], "needs": ["hebergement-urgence-jeunesse"], "age": 15, "now": True,
    "place": "Montréal", "text_terms": ["jess", "tremblay", "gmail"],
}


def test_upgrade_strips_typed_words_and_keeps_the_interpretation(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    upgrade_sync(f"sqlite:///{path}", "0008_inbox")
    with sqlite3.connect(path) as db:
        for row_id, criteria in ((1, OLD), (2, {"regions": ["13"]})):
            db.execute(
                "insert into handoffs (id, case_id, service_name, status, priority, needs,"
                " criteria, sla_stage, created_at, updated_at) values"
                " (?, 1, 'Refuge fictif', 'declined', 'urgent', '[]', ?, 0,"
                " '2026-11-01 03:00:00', '2026-11-01 03:00:00')",
                (row_id, json.dumps(criteria)),
            )
    upgrade_sync(f"sqlite:///{path}")
    with sqlite3.connect(path) as db:
        rows = dict(db.execute("select id, criteria from handoffs order by id").fetchall())
    first = json.loads(rows[1])
    assert first == {key: value for key, value in OLD.items() if key != "text_terms"}
    assert json.loads(rows[2]) == {"regions": ["13"]}
    assert "tremblay" not in rows[1]
