"""The ``/stats`` charts as PNG images: handoffs per month by state, time to acceptance,
cross-region flows and unmet need, labelled in the reader's language.

A hidden count (``Count.value is None``) is never drawn at its value: a month's hidden cells
become one hatched segment (the month's total minus what is shown, only when that total is
shown), and grids write "< 5" or "x". A chart with nothing to show is left out. Drawing is
CPU-bound: the chat handler calls :func:`render` in a worker thread.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from bot.i18n import N_, Text
from bot.services.stats import charts_style as style
from bot.services.stats.charts_grids import flows_chart, unmet_chart
from bot.services.stats.periods import period_label
from bot.services.stats.states import STATE_LABELS, STATES
from bot.services.stats.suppression import Count, Table, shown

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from bot.services.stats.figures import Figures

BY_MONTH, TIMES, FLOWS, UNMET = (
    "handoffs-by-month.png", "time-to-acceptance.png", "cross-region-flows.png", "unmet-need.png")
TITLES: dict[str, str] = {
    BY_MONTH: N_("Handoffs per month, by state"),
    TIMES: N_("Time to acceptance of a handoff"),
    FLOWS: N_("Handoffs between regions: requester's region → service's region"),
    UNMET: N_("Unmet need: searches where nothing could take the youth now"),
}
HIDDEN_SEGMENT = N_("Hidden (small counts)")
#: Past this many months, totals over the bars would overlap.
MAX_LABELLED_MONTHS = 13
#: Up to this many months, the time chart writes its values by the points.
MAX_WRITTEN_TIMES = 6
#: Past three hours, the time chart counts in hours.
HOURS_FROM = 180
#: A month's bar, in months.
BAR_WIDTH = 0.72


@dataclass(frozen=True)
class Chart:
    """One chart: its file name, its translated caption and the image."""

    name: str
    title: str
    png: bytes


@dataclass(frozen=True)
class MonthBar:
    """What one month's bar may show: shown segments, the hidden rest, the month's total."""

    segments: dict[str, int]
    hidden: int
    total: Count


def build(figures: Figures, text: Text) -> list[tuple[str, str, Figure]]:
    """Every chart that has something to show: (file name, caption, figure)."""
    subtitle = style.scope(figures, text)
    drawers: dict[str, Callable[[Figures, Text, str, str], Figure | None]] = {
        BY_MONTH: by_month_chart, TIMES: times_chart, FLOWS: flows_chart, UNMET: unmet_chart}
    charts = []
    for name, draw in drawers.items():
        title = text.gettext(TITLES[name])
        figure = draw(figures, text, title, subtitle)
        if figure is not None:
            charts.append((name, f"{title} — {period_label(figures.period, text)}", figure))
    return charts


def render(figures: Figures, text: Text) -> list[Chart]:
    """The charts as PNG images (CPU-bound: run it in a worker thread)."""
    return [Chart(name, title, style.to_png(figure))
            for name, title, figure in build(figures, text)]


def month_bar(table: Table, month: str, states: list[str]) -> MonthBar:
    """A month's shown segments and the hidden rest (total − shown, when the total is shown)."""
    cells = [(state, table.cells.get((month, state), Count(0))) for state in states]
    segments = {state: count.value for state, count in cells if count.value}
    total = table.row_totals.get(month, Count(0))
    hidden = 0
    if total.value is not None and any(count.value is None for _state, count in cells):
        hidden = max(total.value - sum(segments.values()), 0)
    return MonthBar(segments, hidden, total)


def by_month_chart(figures: Figures, text: Text, title: str, subtitle: str) -> Figure | None:
    """Handoffs per month stacked by state, hidden cells as one hatched segment per month."""
    table = figures.by_month
    states = [state for state in STATES if state in table.cols]
    bars = [month_bar(table, month, states) for month in table.rows]
    if not any(bar.total.value != 0 for bar in bars):
        return None
    figure = style.new_figure(7.4)
    axes = figure.add_subplot()
    places = list(range(len(bars)))
    bottoms = [0] * len(bars)  # where the next layer starts, per month
    for state in states:
        heights = [bar.segments.get(state, 0) for bar in bars]
        stack(axes, heights, bottoms, label=text.gettext(STATE_LABELS[state]),
              facecolor=style.STATE_COLOURS[state], edgecolor="white")
    stack(axes, [bar.hidden for bar in bars], bottoms, label=text.gettext(HIDDEN_SEGMENT),
          facecolor=style.HIDDEN_COLOUR, edgecolor=style.HIDDEN_EDGE, hatch=style.HIDDEN_HATCH)
    fit_bars(axes)
    tops = [sum(bar.segments.values()) + bar.hidden for bar in bars]
    if len(bars) <= MAX_LABELLED_MONTHS:
        for place, bar, top in zip(places, bars, tops, strict=True):
            if bar.total.value != 0:
                axes.annotate(shown(bar.total, text, figures.min_cell), (place, top),
                              xytext=(0, 3), textcoords="offset points", ha="center",
                              va="bottom", fontsize=style.CELL)
    axes.set_xticks(places, style.month_labels(table.rows, text), fontsize=style.TICK)
    style.number_axis(axes.yaxis, text)
    axes.set_ylabel(text.gettext(N_("Handoffs")), fontsize=style.LABEL)
    axes.set_ylim(0, max(max(tops), 1) * 1.1)
    axes.spines[["top", "right"]].set_visible(False)
    style.titles(figure, axes, title, subtitle)
    if axes.get_legend_handles_labels()[0]:  # nothing labelled: no empty legend
        figure.legend(loc="lower center", ncols=2, fontsize=style.TICK, frameon=False)
    return figure


def stack(axes: Axes, heights: list[int], bottoms: list[int], label: str, **look: str) -> None:
    """One layer of the stacked bars (only its non-empty segments); ``bottoms`` rise by it.

    The bars are what ``Axes.bar`` makes, but added as plain artists: ``bar`` fits the view to
    each bar in turn, half the chart's building time; :func:`fit_bars` fits it once."""
    bars = [Rectangle((place - BAR_WIDTH / 2, bottoms[place]), BAR_WIDTH, height, linewidth=0.6,
                      label="_nolegend_", **look)
            for place, height in enumerate(heights) if height]
    for bar in bars:
        axes.add_artist(bar)
    if bars:
        axes.add_container(BarContainer(bars, label=label))  # its legend entry, as ``bar``'s
    for place, height in enumerate(heights):
        bottoms[place] += height


def fit_bars(axes: Axes) -> None:
    """The view fitted to every bar at once, as ``Axes.bar`` leaves it."""
    corners = [corner for bar in axes.patches
               for corner in ((bar.get_x(), bar.get_y()),
                              (bar.get_x() + bar.get_width(), bar.get_y() + bar.get_height()))]
    if corners:
        axes.update_datalim(corners)
        axes.autoscale_view()


def times_chart(figures: Figures, text: Text, title: str, subtitle: str) -> Figure | None:
    """Median and 90th percentile of the time to acceptance per month; gaps where too few."""
    months = figures.period.months
    timings = [figures.accept_by_month.get(month) for month in months]
    medians = [timing.median if timing else None for timing in timings]
    p90s = [timing.p90 if timing else None for timing in timings]
    values = [value for value in medians + p90s if value is not None]
    if not values:
        return None
    scale = 60 if max(values) >= HOURS_FROM else 1

    def points(series: list[float | None]) -> list[float]:
        return [math.nan if value is None else value / scale for value in series]

    figure = style.new_figure(7.0)
    axes = figure.add_subplot()
    places = list(range(len(months)))
    axes.plot(places, points(medians), linewidth=2.5, markersize=8, **style.MEDIAN_STYLE,
              label=text.gettext(N_("Median")))
    axes.plot(places, points(p90s), linewidth=2.5, markersize=8, **style.P90_STYLE,
              label=text.gettext(N_("90th percentile")))
    if len(months) <= MAX_WRITTEN_TIMES:
        for series in (points(medians), points(p90s)):
            write_values(axes, series, text, decimals=1 if scale > 1 else 0)
    axes.set_xticks(places, style.month_labels(months, text), fontsize=style.TICK)
    axes.set_xlim(-0.5, len(months) - 0.5)
    style.decimal_axis(axes.yaxis, text)
    axes.set_ylim(0, max(values) / scale * 1.15)
    axes.grid(axis="y", color="#DDDDDD")
    unit = N_("Time to acceptance (hours)") if scale == 60 else N_("Time to acceptance (minutes)")
    axes.set_ylabel(text.gettext(unit), fontsize=style.LABEL)
    axes.spines[["top", "right"]].set_visible(False)
    style.titles(figure, axes, title, subtitle)
    if any(value is None for value in medians):
        axes.set_xlabel(style.wrap(text.gettext(
            N_("A month without a point had fewer than {n} accepted handoffs: not shown."),
            n=text.number(figures.min_cell)), 90), fontsize=style.NOTE, color=style.MUTED)
    if axes.get_legend_handles_labels()[0]:  # nothing labelled: no empty legend
        figure.legend(loc="lower center", ncols=2, fontsize=style.TICK, frameon=False)
    return figure


def write_values(axes: Axes, series: list[float], text: Text, decimals: int) -> None:
    """Each point's value written over it (gaps left blank)."""
    for place, value in enumerate(series):
        if not math.isnan(value):
            axes.annotate(style.number(round(value, decimals), text), (place, value),
                          xytext=(0, 9), textcoords="offset points", ha="center",
                          fontsize=style.CELL)
