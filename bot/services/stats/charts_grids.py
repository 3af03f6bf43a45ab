"""The two ``/stats`` charts drawn from region tables: cross-region flows (the largest, as bars
with their label above, readable on a phone) and unmet need (a need × region grid).

Hidden cells are written "< 5" or "x" and never drawn at a value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from matplotlib.artist import Artist
from matplotlib.backend_bases import RendererBase
from matplotlib.collections import PatchCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text as TextArtist

from bot.i18n import N_, Text
from bot.services.stats import charts_style as style
from bot.services.stats.suppression import Count, shown

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from bot.services.stats.figures import Figures

#: Bars past this many would not fit a phone screen; the CSV has them all.
MOST_FLOWS = 15
#: Grid columns (regions) past this many have their names turned.
FLAT_COLUMNS = 4
#: Past this many columns, cells are too narrow for "1 234".
DENSE_COLUMNS = 9


def present(count: Count | None) -> bool:
    """A cell worth a place on a chart: counted (non-zero) or hidden."""
    return count is not None and count.value != 0


def flows_chart(figures: Figures, text: Text, title: str, subtitle: str) -> Figure | None:
    """The largest flows from the requester's region to the service's region, as bars."""
    table = figures.flows
    flows = [(row, col, table.cells[row, col]) for row in table.rows for col in table.cols
             if row != col and present(table.cells.get((row, col)))]
    if not flows:
        return None
    flows.sort(key=lambda flow: (flow[2].value is None, -(flow[2].value or 0)))
    drawn = flows[:MOST_FLOWS]
    figure = style.new_figure(2.6 + 0.62 * len(drawn))
    axes = figure.add_subplot()
    widest = max((count.value or 0 for _row, _col, count in drawn), default=0)
    for place, (row, col, count) in enumerate(drawn):
        label = f"{style.region_label(row, text)} → {style.region_label(col, text)}"
        axes.text(0, place - 0.27, label, transform=axes.get_yaxis_transform(), ha="left",
                  va="bottom", fontsize=style.TICK, in_layout=False)
        if count.value is None:
            axes.text(0, place, shown(count, text, figures.min_cell), va="center",
                      fontsize=style.CELL, color=style.MUTED, fontstyle="italic", in_layout=False)
        else:
            axes.annotate(style.number(count.value, text), (count.value, place), xytext=(5, 0),
                          textcoords="offset points", va="center", fontsize=style.CELL)
    places = [place for place, flow in enumerate(drawn) if flow[2].value is not None]
    axes.barh(places, [drawn[place][2].value for place in places], height=0.4,
              color=style.BAR_COLOUR)
    axes.set_ylim(len(drawn) - 0.5, -1.0)
    axes.set_xlim(0, max(widest, 1) * 1.15)
    axes.set_yticks([])
    style.number_axis(axes.xaxis, text)
    axes.set_xlabel(text.gettext(N_("Handoffs")), fontsize=style.LABEL)
    axes.spines[["top", "right", "left"]].set_visible(False)
    style.titles(figure, axes, title, subtitle)
    notes = []
    if len(flows) > len(drawn):
        notes.append(text.ngettext("{n} other flow is in the CSV.", "{n} other flows are in the CSV.",
                                   len(flows) - len(drawn)))
    if any(count.value is None for _row, _col, count in drawn):
        notes.append(style.hidden_note(figures.min_cell, text))
    if notes:
        style.note(figure, " ".join(notes))
    return figure


def unmet_chart(figures: Figures, text: Text, title: str, subtitle: str) -> Figure | None:
    """Searches where nothing could take the youth now: one row per need, one column per
    region; colour for the count, the count written in each cell."""
    table = figures.unmet
    regions = [row for row in table.rows
               if any(present(table.cells.get((row, col))) for col in table.cols if col != "*")]
    needs = [col for col in table.cols if col != "*"
             and any(present(table.cells.get((row, col))) for row in regions)]
    if not regions or not needs:
        return None
    cells = [[table.cells.get((region, need), Count(0)) for region in regions] for need in needs]
    values = np.ma.masked_less_equal(
        np.array([[count.value or 0 for count in line] for line in cells], dtype=float), 0)
    norm = Normalize(0, max(float(values.filled(0).max()), 1.0))  # all hidden: no max
    flat = len(regions) <= FLAT_COLUMNS
    figure = style.new_figure(2.4 + 0.55 * len(needs) + (0.5 if flat else 2.0))
    axes = figure.add_subplot()
    image = axes.imshow(values, cmap=style.HEATMAP, norm=norm, aspect="auto")
    hide_cells(axes, cells)
    write_cells(axes, cells, image.get_cmap()(norm(values.filled(0))), text, figures.min_cell,
                dense=len(regions) > DENSE_COLUMNS)
    axes.set_yticks(range(len(needs)), [style.wrap(style.need_label(need, text), 26)
                                        for need in needs], fontsize=style.TICK)
    names = [style.region_label(region, text) for region in regions]
    if flat:
        axes.set_xticks(range(len(regions)), [style.wrap(name, 18) for name in names],
                        fontsize=style.TICK)
    else:
        axes.set_xticks(range(len(regions)), names, fontsize=style.TICK, rotation=50,
                        ha="right", rotation_mode="anchor")
    axes.vlines(np.arange(0.5, len(regions) - 1), -0.5, len(needs) - 0.5, color="white",
                linewidth=2)
    axes.hlines(np.arange(0.5, len(needs) - 1), -0.5, len(regions) - 0.5, color="white",
                linewidth=2)
    axes.tick_params(length=0)
    axes.spines[:].set_visible(False)
    style.titles(figure, axes, title, subtitle)
    if any(count.value is None for line in cells for count in line):
        style.note(figure, style.hidden_note(figures.min_cell, text))
    return figure


def hide_cells(axes: Axes, cells: list[list[Count]]) -> None:
    """The hidden cells greyed and hatched, as one collection (one draw, no limits to update:
    the image set them)."""
    squares = [Rectangle((col - 0.5, row - 0.5), 1, 1) for row, line in enumerate(cells)
               for col, count in enumerate(line) if count.value is None]
    if squares:
        axes.add_collection(PatchCollection(
            squares, facecolor=style.HIDDEN_COLOUR, edgecolor=style.HIDDEN_EDGE,
            hatch=style.HIDDEN_HATCH, linewidth=0), autolim=False)


def write_cells(axes: Axes, cells: list[list[Count]], colours: np.ndarray, text: Text,
                min_cell: int, dense: bool) -> None:
    """Each cell's count in a colour that reads on it (nothing for none); a hidden cell
    written "< 5" or "x" on a white box. A ``dense`` grid writes smaller, "1 k"."""
    labels = []
    for row, line in enumerate(cells):
        for col, count in enumerate(line):
            if count.value is None:
                words, ink = shown(count, text, min_cell), "black"
            elif count.value == 0:
                continue
            else:
                red, green, blue, _alpha = colours[row, col]
                dark = 0.2126 * red + 0.7152 * green + 0.0722 * blue < 0.5
                words = style.number(count.value, text, compact=dense)
                ink = "white" if dark else "black"
            label = TextArtist(col, row, words, ha="center", va="center", color=ink,
                               fontsize=style.SMALL if dense else style.CELL,
                               transform=axes.transData, clip_on=False,
                               bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.5}
                               if count.value is None else None)
            label.set_figure(axes.get_figure(root=False))
            labels.append(label)
    axes.add_artist(CellLabels(labels))


class CellLabels(Artist):
    """A grid's written counts: plain texts, drawn in turn over the grid. Added to the axes
    one by one, each of some 300 texts would be given a clip path it never uses (texts are
    not clipped): a third of the grid's building time."""

    zorder = 3  # over the cells and their white lines, as texts are

    def __init__(self, labels: list[TextArtist]) -> None:
        super().__init__()
        self.labels = labels
        self.set_in_layout(False)  # inside the grid: no part of the margins

    def get_children(self) -> list[Artist]:
        return list(self.labels)

    def draw(self, renderer: RendererBase) -> None:
        if self.get_visible():
            for label in self.labels:
                label.draw(renderer)
        self.stale = False
