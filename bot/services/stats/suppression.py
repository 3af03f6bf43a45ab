"""Small counts never point at a youth: primary and complementary cell suppression.

Every count from 1 to ``min_cell - 1`` is hidden ("small", shown "< 5"). Then enough other
cells are hidden ("protect", shown "x") that no hidden count can be worked out from what is
shown, the row and column totals included.

How: a table with its margins is read as a bipartite graph (one node per row and per column,
the total row and column included; one edge per hidden cell). Each row and each column is a
linear equation (its cells add up to its total), and a hidden cell can be recovered exactly iff
its edge is a *bridge* of that graph (no cycle of hidden cells goes through it): a line with a
single hidden cell is the simplest bridge. So, per table, every bridge is removed by hiding the
cheapest path of shown non-zero cells that closes a cycle through it. Tables that
share cells (each table of handoffs by state has the same state totals) are suppressed
together: a shared cell is hidden in all of them, and a final exact check solves all their
equations at once (rational Gaussian elimination over the hidden cells) and protects more cells
while any hidden one is still determined. Zeros are shown and never hidden.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from bot.i18n import Text

SMALL = "small"
PROTECT = "protect"
#: The code of a margin in the cell keys used here: ``(row, TOTAL)`` is a row's total.
TOTAL = "__total__"


@dataclass(frozen=True)
class Count:
    """A count as it may be shown: ``value`` None when hidden, ``hidden`` says why."""

    value: int | None
    hidden: str | None = None  # None | "small" (1..min_cell-1) | "protect" (complementary)


def shown(count: Count, text: Text | None, min_cell: int) -> str:
    """A count for people ("1 234", "< 5", "x") or, with no ``text``, for machines ("1234")."""
    if count.hidden == SMALL:
        return f"< {min_cell}"
    if count.hidden is not None or count.value is None:
        return "x"
    return text.number(count.value) if text is not None else str(count.value)


def small_count(value: int, min_cell: int) -> Count:
    """A count alone (not part of a table): hidden when small."""
    return Count(None, SMALL) if 0 < value < min_cell else Count(value)


@dataclass
class Table:
    """A suppressed table: cells, row and column totals and the grand total, as counts."""

    key: str  # e.g. "by_month"
    rows: list[str]  # row codes, in display order
    cols: list[str]  # column codes, in display order
    cells: dict[tuple[str, str], Count]
    row_totals: dict[str, Count]
    col_totals: dict[str, Count]
    total: Count


@dataclass(frozen=True)
class Grid:
    """A table to suppress: its raw counts (missing cells are 0), rows and columns."""

    key: str
    raw: Mapping[tuple[str, str], int]
    rows: Sequence[str]
    cols: Sequence[str]


#: A cell of one table of a linked set: (table key, row code, column code); margins use TOTAL.
Cell = tuple[str, str, str]


def suppress(key: str, raw: dict[tuple[str, str], int], rows: list[str], cols: list[str],
             min_cell: int) -> Table:
    """One table with primary and complementary suppression, margins included."""
    return suppress_linked([Grid(key, raw, rows, cols)], (), min_cell)[key]


def suppress_linked(grids: Sequence[Grid], links: Iterable[tuple[Cell, Cell]],
                    min_cell: int) -> dict[str, Table]:
    """Tables whose ``links`` name cells that are the same count (a state's total in every table
    by state), suppressed so that nothing hidden can be worked out from all of them together."""
    problem = _Problem(grids, links, min_cell)
    problem.solve()
    return {grid.key: problem.table(grid) for grid in grids}


class _Problem:
    """The cells of a set of linked tables, which of them are hidden, and how to protect."""

    def __init__(self, grids: Sequence[Grid], links: Iterable[tuple[Cell, Cell]],
                 min_cell: int) -> None:
        self.grids = list(grids)
        self.min_cell = min_cell
        self.values: dict[Cell, int] = {}
        for grid in self.grids:
            self.values.update(_with_margins(grid))
        self.parent: dict[Cell, Cell] = {}
        for first, second in links:
            if self.values[first] != self.values[second]:
                raise ValueError(f"linked cells differ: {first} {second}")
            one, two = self.root(first), self.root(second)
            if one != two:
                self.parent[one] = two
        self.hidden: set[Cell] = {self.root(cell) for cell, value in self.values.items()
                                  if 0 < value < min_cell}

    def root(self, cell: Cell) -> Cell:
        while cell in self.parent:
            cell = self.parent[cell]
        return cell

    def is_hidden(self, cell: Cell) -> bool:
        return self.root(cell) in self.hidden

    def solve(self) -> None:
        """Protect cells until no bridge is left in any table and nothing hidden is determined."""
        while True:
            changed = True
            while changed:
                changed = any([self._fix_bridges(grid) for grid in self.grids])
            determined = self._determined()
            if not determined:
                return
            if not self._protect_near(determined[0]):
                return  # every non-zero cell is hidden already (cannot happen: see module doc)

    # --- per table: bridges of the hidden cells' graph --------------------------------------

    def _fix_bridges(self, grid: Grid) -> bool:
        """Hide cells across each bridge of ``grid``; whether anything was hidden."""
        changed = False
        while (bridge := self._first_bridge(grid)) is not None:
            if not self._protect_across(grid, bridge):
                break
            changed = True
        return changed

    def _edges(self, grid: Grid) -> list[tuple[str, str]]:
        return [(row, col) for row in (*grid.rows, TOTAL) for col in (*grid.cols, TOTAL)
                if self.is_hidden((grid.key, row, col))]

    def _first_bridge(self, grid: Grid) -> tuple[str, str] | None:
        edges = self._edges(grid)
        if not edges:
            return None
        adjacency: dict[tuple[str, str], list[tuple[tuple[str, str], int]]] = {}
        for index, (row, col) in enumerate(edges):
            adjacency.setdefault(("r", row), []).append((("c", col), index))
            adjacency.setdefault(("c", col), []).append((("r", row), index))
        bridges = _bridges(adjacency)
        return edges[min(bridges)] if bridges else None

    def _protect_across(self, grid: Grid, bridge: tuple[str, str]) -> bool:
        """Hide the cheapest path of shown non-zero cells that closes a cycle through
        ``bridge`` (Dijkstra over rows and columns; a hidden cell costs nothing, a shown one its
        value, a total twice its value, so that totals stay shown when they can)."""
        rows, cols = (*grid.rows, TOTAL), (*grid.cols, TOTAL)
        start, goal = ("r", bridge[0]), ("c", bridge[1])
        best: dict[tuple[str, str], int] = {start: 0}
        previous: dict[tuple[str, str], tuple[tuple[str, str], Cell]] = {}
        queue: list[tuple[int, int, tuple[str, str]]] = [(0, 0, start)]
        tie = 0
        while queue:
            cost, _tie, node = heapq.heappop(queue)
            if node == goal:
                break
            if cost > best.get(node, cost):
                continue
            kind, code = node
            others = [("c", col) for col in cols] if kind == "r" else [("r", row) for row in rows]
            for nxt in others:
                row, col = (code, nxt[1]) if kind == "r" else (nxt[1], code)
                if (row, col) == bridge:
                    continue
                cell = (grid.key, row, col)
                step = self._cost(cell)
                if step is None:
                    continue
                if cost + step < best.get(nxt, cost + step + 1):
                    best[nxt] = cost + step
                    previous[nxt] = (node, cell)
                    tie += 1
                    heapq.heappush(queue, (cost + step, tie, nxt))
        if goal not in previous:
            return False
        node = goal
        while node != start:
            node, cell = previous[node]
            self.hidden.add(self.root(cell))
        return True

    def _cost(self, cell: Cell) -> int | None:
        """What hiding ``cell`` costs (None: a zero, never hidden)."""
        if self.is_hidden(cell):
            return 0
        value = self.values[cell]
        if value <= 0:
            return None
        return value * (2 if TOTAL in cell[1:] else 1) * 1000 + 1

    # --- all tables together: exact check -----------------------------------------------------

    def _equations(self) -> list[dict[Cell, Fraction]]:
        """Each line of each table (cells minus their total is 0), on hidden cells only."""
        equations = []
        for grid in self.grids:
            rows, cols = (*grid.rows, TOTAL), (*grid.cols, TOTAL)
            lines = [[(row, col) for col in cols] for row in rows]
            lines += [[(row, col) for row in rows] for col in cols]
            for line in lines:
                equation: dict[Cell, Fraction] = {}
                for position, (row, col) in enumerate(line):
                    root = self.root((grid.key, row, col))
                    if root in self.hidden:
                        sign = -1 if position == len(line) - 1 else 1
                        equation[root] = equation.get(root, Fraction(0)) + sign
                equation = {cell: c for cell, c in equation.items() if c}
                if equation:
                    equations.append(equation)
        return equations

    def _determined(self) -> list[Cell]:
        """Hidden cells whose value the equations of every table fix, in a stable order."""
        order = {cell: index for index, cell in enumerate(self.values)}
        reduced: list[tuple[Cell, dict[Cell, Fraction]]] = []
        for equation in self._equations():
            row = dict(equation)
            for pivot, pivot_row in reduced:
                factor = row.get(pivot)
                if factor:
                    _subtract(row, pivot_row, factor)
            if not row:
                continue
            pivot = min(row, key=order.__getitem__)
            scale = row[pivot]
            row = {cell: value / scale for cell, value in row.items()}
            for _other, other_row in reduced:
                factor = other_row.get(pivot)
                if factor:
                    _subtract(other_row, row, factor)
            reduced.append((pivot, row))
        found = [pivot for pivot, row in reduced if len(row) == 1]
        return sorted(found, key=order.__getitem__)

    def _protect_near(self, root: Cell) -> bool:
        """Hide the smallest non-zero shown cell in a line through any cell that is ``root``."""
        best: tuple | None = None
        for cell in self.values:
            if self.root(cell) != root:
                continue
            key, row, col = cell
            for other, value in self.values.items():
                if other[0] != key or self.is_hidden(other) or value <= 0:
                    continue
                if other[1] == row or other[2] == col:
                    rank = (value, TOTAL in other[1:])
                    if best is None or rank < best[0]:
                        best = (rank, other)
        if best is None:
            best = min((((value, TOTAL in cell[1:]), cell) for cell, value in self.values.items()
                        if value > 0 and not self.is_hidden(cell)), default=None)
        if best is None:
            return False
        self.hidden.add(self.root(best[1]))
        return True

    # --- result -------------------------------------------------------------------------------

    def count(self, cell: Cell) -> Count:
        value = self.values[cell]
        if not self.is_hidden(cell):
            return Count(value)
        return Count(None, SMALL if 0 < value < self.min_cell else PROTECT)

    def table(self, grid: Grid) -> Table:
        key = grid.key
        return Table(
            key=key, rows=list(grid.rows), cols=list(grid.cols),
            cells={(row, col): self.count((key, row, col))
                   for row in grid.rows for col in grid.cols},
            row_totals={row: self.count((key, row, TOTAL)) for row in grid.rows},
            col_totals={col: self.count((key, TOTAL, col)) for col in grid.cols},
            total=self.count((key, TOTAL, TOTAL)),
        )


def _with_margins(grid: Grid) -> dict[Cell, int]:
    """Every cell of ``grid`` with its row and column totals and the grand total."""
    unknown = {cell for cell in grid.raw if cell[0] not in grid.rows or cell[1] not in grid.cols}
    if unknown:
        raise ValueError(f"{grid.key}: cells outside the rows and columns: {sorted(unknown)}")
    values: dict[Cell, int] = {}
    for row in grid.rows:
        for col in grid.cols:
            values[(grid.key, row, col)] = int(grid.raw.get((row, col), 0))
    for row in grid.rows:
        values[(grid.key, row, TOTAL)] = sum(values[(grid.key, row, col)] for col in grid.cols)
    for col in grid.cols:
        values[(grid.key, TOTAL, col)] = sum(values[(grid.key, row, col)] for row in grid.rows)
    values[(grid.key, TOTAL, TOTAL)] = sum(values[(grid.key, TOTAL, col)] for col in grid.cols)
    return values


def _subtract(row: dict[Cell, Fraction], pivot_row: dict[Cell, Fraction],
              factor: Fraction) -> None:
    """``row -= factor * pivot_row``, dropping zeros."""
    for cell, value in pivot_row.items():
        result = row.get(cell, 0) - factor * value
        if result:
            row[cell] = result
        else:
            row.pop(cell, None)


def _bridges(adjacency: dict) -> list[int]:
    """Indexes of the bridge edges of an undirected graph (Tarjan, iterative)."""
    index: dict = {}
    low: dict = {}
    found: list[int] = []
    counter = 0
    for start in adjacency:
        if start in index:
            continue
        index[start] = low[start] = counter
        counter += 1
        stack = [(start, -1, iter(adjacency[start]))]
        while stack:
            node, via, neighbours = stack[-1]
            advanced = False
            for nxt, edge in neighbours:
                if edge == via:
                    continue
                if nxt in index:
                    low[node] = min(low[node], index[nxt])
                    continue
                index[nxt] = low[nxt] = counter
                counter += 1
                stack.append((nxt, edge, iter(adjacency[nxt])))
                advanced = True
                break
            if advanced:
                continue
            stack.pop()
            if stack:
                parent = stack[-1][0]
                low[parent] = min(low[parent], low[node])
                if low[node] > index[parent]:
                    found.append(via)
    return found
