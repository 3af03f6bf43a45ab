"""Small counts and complementary suppression on crafted tables: a hidden count can be worked
out neither from its row or column totals nor from all the equations of the tables together
(checked here by an independent exact solver)."""

from __future__ import annotations

import random
from fractions import Fraction

from bot.services.stats.suppression import (
    TOTAL,
    Count,
    Grid,
    Table,
    shown,
    small_count,
    suppress,
    suppress_linked,
)


def _cells(table: Table) -> dict[tuple[str, str], Count]:
    """Every cell of a table with its margins, keyed (row, col) with TOTAL for margins."""
    cells = dict(table.cells)
    cells.update({(row, TOTAL): count for row, count in table.row_totals.items()})
    cells.update({(TOTAL, col): count for col, count in table.col_totals.items()})
    cells[(TOTAL, TOTAL)] = table.total
    return cells


def determined_cells(tables: list[Table], links=()) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    """Hidden cells whose value the shown ones fix exactly: Gauss-Jordan over the rationals on
    every row and column equation of ``tables``, ``links`` naming cells that are one count."""
    alias: dict = {}
    for first, second in links:
        alias[second] = alias.get(first, first)

    def var(cell):  # type: ignore[no-untyped-def]
        return alias.get(cell, cell)

    hidden = sorted({var((t.key, r, c)) for t in tables for (r, c), count in _cells(t).items()
                     if count.value is None})
    position = {cell: i for i, cell in enumerate(hidden)}
    matrix: list[list[Fraction]] = []
    for table in tables:
        cells = _cells(table)
        rows, cols = [*table.rows, TOTAL], [*table.cols, TOTAL]
        lines = [[(r, c) for c in cols] for r in rows] + [[(r, c) for r in rows] for c in cols]
        for line in lines:
            equation = [Fraction(0)] * len(hidden)
            for index, (r, c) in enumerate(line):
                if cells[(r, c)].value is None:
                    equation[position[var((table.key, r, c))]] += -1 if index == len(line) - 1 else 1
            if any(equation):
                matrix.append(equation)
    pivots: list[int] = []
    rank = 0
    for col in range(len(hidden)):
        found = next((i for i in range(rank, len(matrix)) if matrix[i][col]), None)
        if found is None:
            continue
        matrix[rank], matrix[found] = matrix[found], matrix[rank]
        head = matrix[rank][col]
        matrix[rank] = [value / head for value in matrix[rank]]
        for i in range(len(matrix)):
            if i != rank and matrix[i][col]:
                factor = matrix[i][col]
                matrix[i] = [a - factor * b for a, b in zip(matrix[i], matrix[rank], strict=True)]
        pivots.append(col)
        rank += 1
    return [hidden[col] for i, col in enumerate(pivots)
            if sum(1 for value in matrix[i] if value) == 1]


def line_recoverable(table: Table) -> list[tuple[str, str]]:
    """Hidden cells alone in their row or column (margins included): total minus shown."""
    cells = _cells(table)
    rows, cols = [*table.rows, TOTAL], [*table.cols, TOTAL]
    lines = [[(r, c) for c in cols] for r in rows] + [[(r, c) for r in rows] for c in cols]
    return [hidden[0] for line in lines
            if len(hidden := [cell for cell in line if cells[cell].value is None]) == 1]


def test_counts_below_the_threshold_are_small_and_zero_is_shown():
    table = suppress("t", {("a", "x"): 4, ("a", "y"): 5, ("b", "x"): 0, ("b", "y"): 9},
                     ["a", "b"], ["x", "y"], 5)
    assert table.cells[("a", "x")] == Count(None, "small")
    assert table.cells[("b", "x")] == Count(0)
    assert table.cells[("b", "y")].value is None or table.cells[("a", "y")].value is None


def test_a_row_with_one_small_cell_gets_a_second_hidden_cell():
    raw = {("a", "x"): 3, ("a", "y"): 10, ("a", "z"): 20,
           ("b", "x"): 30, ("b", "y"): 40, ("b", "z"): 50}
    table = suppress("t", raw, ["a", "b"], ["x", "y", "z"], 5)
    assert table.cells[("a", "x")] == Count(None, "small")
    # The cheapest rectangle: 3, 10 (same row), 30 (same column) and 40 closing it.
    assert {k for k, c in table.cells.items() if c.hidden == "protect"} == {
        ("a", "y"), ("b", "x"), ("b", "y")}
    assert table.row_totals == {"a": Count(33), "b": Count(120)}
    assert table.total == Count(153)
    assert not line_recoverable(table)
    assert not determined_cells([table])
    # No hidden value equals a total minus the shown values of its line.
    assert table.row_totals["a"].value - table.cells[("a", "z")].value != 3


def test_a_small_total_hides_its_line_too():
    table = suppress("t", {("a", "x"): 2, ("a", "y"): 1, ("b", "x"): 40, ("b", "y"): 50},
                     ["a", "b"], ["x", "y"], 5)
    assert table.row_totals["a"] == Count(None, "small")
    assert not line_recoverable(table) and not determined_cells([table])


def test_one_column_tables_are_protected_against_their_total():
    table = suppress("states", {("a", "count"): 3, ("b", "count"): 10, ("c", "count"): 20},
                     ["a", "b", "c"], ["count"], 5)
    assert table.cells[("a", "count")] == Count(None, "small")
    assert table.cells[("b", "count")] == Count(None, "protect")  # the smallest other
    assert table.cells[("c", "count")] == Count(20) and table.total == Count(33)
    assert not determined_cells([table])


def test_a_hidden_cell_on_a_bridge_is_protected_even_when_every_line_has_two():
    """Rows a, b hide x, y; rows c, d hide z, w; row e joins the two blocks by (e, y) and
    (e, z). Each line then has two hidden cells, yet (e, y) would be known: it is a bridge."""
    raw = {("a", "x"): 1, ("a", "y"): 1, ("b", "x"): 1, ("b", "y"): 1,
           ("c", "z"): 1, ("c", "w"): 1, ("d", "z"): 1, ("d", "w"): 1,
           ("e", "y"): 1, ("e", "z"): 1}
    rows, cols = ["a", "b", "c", "d", "e"], ["x", "y", "z", "w"]
    for (r, c) in [(r, c) for r in rows for c in cols]:
        raw.setdefault((r, c), 50)
    table = suppress("t", raw, rows, cols, 2)
    assert not line_recoverable(table)
    assert not determined_cells([table])


def test_random_tables_never_leak():
    generator = random.Random(13)
    for trial in range(40):
        rows = [f"r{i}" for i in range(generator.randint(1, 6))]
        cols = [f"c{j}" for j in range(generator.randint(1, 5))]
        raw = {(r, c): generator.choice([0, 0, 1, 2, 4, 5, 7, 12, 40])
               for r in rows for c in cols}
        table = suppress(f"t{trial}", raw, rows, cols, 5)
        assert not determined_cells([table]), (raw, table)
        for (r, c), count in table.cells.items():
            value = raw[(r, c)]
            assert count.value in (None, value)
            if 0 < value < 5:
                assert count == Count(None, "small")
            if value == 0:
                assert count == Count(0)


def test_linked_tables_hide_shared_totals_alike_and_leak_nothing_together():
    states = {("waiting", "count"): 12, ("done", "count"): 3, ("lost", "count"): 25}
    months = {("m1", "waiting"): 6, ("m1", "done"): 3, ("m1", "lost"): 10,
              ("m2", "waiting"): 6, ("m2", "lost"): 15}
    regions = {("r1", "waiting"): 12, ("r1", "done"): 1, ("r2", "done"): 2, ("r2", "lost"): 25}
    cols = ["waiting", "done", "lost"]
    links = [(("states", s, "count"), (key, TOTAL, s)) for key in ("months", "regions")
             for s in cols]
    links += [(("states", TOTAL, TOTAL), (key, TOTAL, TOTAL)) for key in ("months", "regions")]
    tables = suppress_linked([
        Grid("states", states, cols, ["count"]), Grid("months", months, ["m1", "m2"], cols),
        Grid("regions", regions, ["r1", "r2"], cols)], links, 5)
    for key in ("months", "regions"):
        assert tables[key].col_totals == {s: tables["states"].cells[(s, "count")] for s in cols}
    assert not determined_cells(list(tables.values()), links)


def _by_state_grids(records, states):  # type: ignore[no-untyped-def]
    """A states table and three tables by (key, state) of the same records, linked."""
    from collections import Counter

    grids = [Grid("states", dict(Counter((r[3], "count") for r in records)), states, ["count"])]
    links = []
    for index, key in enumerate(("x", "y", "z")):
        rows = sorted({r[index] for r in records})
        grids.append(Grid(key, dict(Counter((r[index], r[3]) for r in records)), rows, states))
        links += [(("states", s, "count"), (key, TOTAL, s)) for s in states]
        links.append((("states", TOTAL, TOTAL), (key, TOTAL, TOTAL)))
    return grids, links


def test_what_only_the_tables_together_would_give_away_is_protected():
    """Each table alone is safe here once its bridges are protected, but the equations of
    the four together fixed a hidden cell (the module's final exact check catches it)."""
    records = [("m2", "r3", "p1", "b"), ("m2", "r3", "p1", "c"), ("m2", "r3", "p2", "c"),
               ("m1", "r2", "p2", "a"), ("m3", "r1", "p1", "d"), ("m2", "r1", "p1", "b")]
    grids, links = _by_state_grids(records, ["a", "b", "c", "d"])
    tables = suppress_linked(grids, links, 3)
    assert not determined_cells(list(tables.values()), links)
    for key in ("x", "y", "z"):
        assert not line_recoverable(tables[key])


def test_random_linked_tables_never_leak():
    generator = random.Random(29)
    states = ["a", "b", "c", "d", "e"]
    for _trial in range(15):
        records = [(generator.choice("123"), generator.choice("4567"), generator.choice("89"),
                    generator.choice(states)) for _ in range(generator.randint(3, 60))]
        grids, links = _by_state_grids(records, states)
        tables = suppress_linked(grids, links, 5)
        assert not determined_cells(list(tables.values()), links), records


def test_shown_for_people_and_machines():
    from zoneinfo import ZoneInfo

    from bot.config import DEFAULT_LOCALES_DIR
    from bot.i18n import Translator

    french = Translator(DEFAULT_LOCALES_DIR, "fr", ZoneInfo("America/Toronto")).text("fr")
    assert shown(Count(1234), french, 5) == french.number(1234) != "1234"
    assert shown(Count(1234), None, 5) == "1234"
    assert shown(Count(None, "small"), None, 5) == "< 5"
    assert shown(Count(None, "small"), french, 7) == "< 7"
    assert shown(Count(None, "protect"), french, 5) == "x"
    assert small_count(3, 5) == Count(None, "small") and small_count(0, 5) == Count(0)
    assert small_count(5, 5) == Count(5)
