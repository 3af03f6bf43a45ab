"""CSVs meant for spreadsheets neutralise formula-like cells (OWASP: a leading ``'``), tab and
carriage return included: the shared helper and the audit CSV that uses it."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from types import SimpleNamespace

import pytest

from bot.models.core import Worker
from bot.services import cases
from bot.services.spreadsheet import safe_cell, safe_row

DANGEROUS = ['=HYPERLINK("http://evil.example","clic")', "+cmd|' /C calc'!A0", "-2+3",
             "@SUM(A1)", "\t=1+1", "\rnom"]


@pytest.mark.parametrize("value", DANGEROUS)
def test_formula_like_text_gets_a_quote(value: str) -> None:
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Alice", "", " =1", "1+1", "Maison = refuge", 42, -3, None])
def test_other_cells_are_unchanged(value: object) -> None:
    assert safe_cell(value) == value


def test_safe_row() -> None:
    assert safe_row(["=1", 5, "ok", "\tx"]) == ["'=1", 5, "ok", "'\tx"]


async def test_audit_csv_neutralises_worker_names(app) -> None:  # type: ignore[no-untyped-def]
    now = app.clock.now()
    async with app.sessionmaker() as session:
        workers = [Worker(telegram_id=9000 + i, display_name=name, role="worker", created_at=now)
                   for i, name in enumerate([*DANGEROUS, "Alice"])]
        session.add_all(workers)
        await session.flush()
        entries = [SimpleNamespace(at=now + timedelta(seconds=i), action="case.viewed",
                                   actor_id=w.id, region="06", details={"n": i})
                   for i, w in enumerate(workers)]
        data = await cases.audit_csv(session, entries)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert [r[3] for r in rows[1:]] == ["'" + name for name in DANGEROUS] + ["Alice"]
