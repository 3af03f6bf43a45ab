"""The figures as people and programs read them: the chat summary (French and English), text
tables, CSV (BOM, long form, formulas neutralised) and JSON (codes; hidden counts as text)."""

from __future__ import annotations

import csv
import io
import json

from bot.services.stats.labels import TITLES, col_label
from bot.services.stats.tables import (
    row_label,
    summary,
    table_title,
    tables_text,
    to_csv,
    to_json,
)
from tests.stats.test_figures import (
    PERIOD,
    SHELTER,
    add_crafted,
    add_handoffs,
    add_world,
    figures_of,
)

NBSP = "\u00a0"


async def test_summary_in_french_and_english(app):
    await add_crafted(app)
    figures = await figures_of(app)
    french = summary(figures, app.translator.text("fr"))
    english = summary(figures, app.translator.text("en"))
    assert french.splitlines()[0] == f"<b>Chiffres{NBSP}: janvier à mars 2026</b>"
    assert english.splitlines()[0] == "<b>Figures: January to March 2026</b>"
    assert f"Demandes de prise en charge{NBSP}: 48" in french
    assert "Handoffs requested: 48" in english
    assert f"• Terminée{NBSP}: 15" in french and "• Completed: 15" in english
    assert "Failed" not in english  # a state with nothing in it is left out
    assert f"Acceptées{NBSP}: 22 (46{NBSP}%)" in french
    assert "Loops closed within 7 days: 36 (75%)" in english
    assert "Cross-region handoffs: 22 (46%)" in english
    assert "Time to acceptance: median 1 h 30 min, 90% within 2 h" in english
    assert f"Délai d'acceptation{NBSP}: médiane 1 h 30, 90{NBSP}% en 2 h ou moins" in french
    assert ("Searches: 27; something could take the youth now: 12; a place was free: 8"
            in english)
    assert "Regions: every region" in english
    assert '"&lt; 5"' in english and f"«{NBSP}&lt; 5{NBSP}»" in french


async def test_summary_hides_small_counts_and_escapes_them(app):
    await add_crafted(app)
    figures = await figures_of(app, regions=["13"], min_cell=6)
    english = summary(figures, app.translator.text("en"))
    assert "Regions: Laval" in english
    assert "• Expired, no answer: &lt; 6" in english
    assert "< 6" not in english  # HTML: always escaped
    assert "Handoffs requested: x" in english  # 17 = 7 + 5 + 5: the total would give it away
    assert "• Accepted, under way: x" in english


async def test_text_tables_list_every_table(app):
    await add_crafted(app)
    figures = await figures_of(app)
    english = tables_text(figures, app.translator.text("en"))
    for key in ("states", "by_month", "declined", "outcomes", "flows", "unmet", "workers"):
        assert f"== {table_title(key, app.translator.text('en'))} ==" in english
    assert "Mental health and crisis" in english
    lines = english.splitlines()
    january = next(line for line in lines if line.startswith("Jan 2026") and "15" in line)
    assert january.split()[-1] == "21"  # the month's total
    french = tables_text(figures, app.translator.text("fr"))
    assert "== Demandes de prise en charge par état ==" in french
    assert "janv. 2026" in french and "< 5" in french


async def test_csv_long_form_with_bom_and_no_formulas(app):
    await add_crafted(app)
    async with app.sessionmaker() as session:
        _worker, case = await add_world(session)
        await add_handoffs(session, case, [
            (5, "2026-02", "06", "06", "requested", None, {"need": "=HYPERLINK(\"x\")"})])
        await session.commit()
    figures = await figures_of(app)
    data = to_csv(figures, app.translator.text("fr"))
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["tableau", "titre", "code de ligne", "ligne", "code de colonne",
                       "colonne", "valeur"]
    assert ["states", "Demandes de prise en charge par état", "completed", "Terminée",
            "count", "Nombre", "15"] in rows
    assert ["by_month", "Demandes de prise en charge par mois", "2026-01", "janv. 2026",
            "total", "Total", "21"] in rows
    assert ["unmet", table_title("unmet", app.translator.text("fr")), "06", "Montréal",
            "sante-mentale", "Santé mentale et crise", "< 5"] in rows
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), row
    assert any(cell == "'=HYPERLINK(\"x\")" for row in rows for cell in row)


async def test_json_shape_has_codes_and_hidden_counts_as_text(app):
    await add_crafted(app)
    figures = await figures_of(app)
    data = json.loads(json.dumps(to_json(figures)))
    assert data["period"] == {"kind": "range", "first": "2026-01", "last": "2026-03",
                              "months": PERIOD.months}
    assert data["regions"] is None and data["min_cell"] == 5
    assert data["key"] == {"asked": 48, "accepted": 22, "closed_7d": 36, "cross": 22}
    assert data["timings"]["accept"] == {"median": 90.0, "p90": 120.0}
    assert data["timings"]["accept_by_month"]["2026-03"] == {"median": None, "p90": None}
    states = data["tables"]["states"]
    assert states["rows"][0] == "waiting" and states["cols"] == ["count"]
    assert states["cells"]["completed"]["count"] == 15 and states["total"] == 48
    unmet = data["tables"]["unmet"]
    assert unmet["cells"]["06"]["sante-mentale"] == "< 5"
    assert unmet["cells"]["06"][SHELTER] == "x"
    assert set(data["tables"]) == {"states", "by_month", "declined", "outcomes", "by_priority",
                                   "by_need", "by_service_region", "by_requester_region",
                                   "flows", "searches", "unmet", "searched"}
    assert set(data["health"]) == {"listings", "verified_30d", "capacity_24h", "no_receiver",
                                   "open_reports", "announcements", "reached", "workers"}


def test_labels_and_titles_in_both_languages(app):
    french, english = app.translator.text("fr"), app.translator.text("en")
    assert row_label("by_service_region", "06", french) == "Montréal"
    assert row_label("by_service_region", "", english) == "Region not stated"
    assert row_label("by_need", SHELTER, english) == "Youth emergency shelter"
    assert row_label("by_need", "", french) == "Besoin non indiqué"
    assert row_label("states", "expired", french) == "Expirée, sans réponse"
    assert row_label("by_month", "2026-02", french) == "févr. 2026"
    assert row_label("by_month", "completed", english) == "Completed"  # a column's code
    assert col_label("workers", "shelter", french) == "Hébergements"
    assert row_label("outcomes", "unrecorded", french) == "Non indiquée"
    assert row_label("by_priority", "urgent", french) == "Urgente"
    for key in TITLES:
        assert table_title(key, french) and table_title(key, french) != table_title(
            key, english)
