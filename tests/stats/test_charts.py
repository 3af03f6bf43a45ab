"""The /stats charts: valid PNG images of a phone's size, labelled in the reader's language,
and a hidden count never drawn or written at its value."""

from __future__ import annotations

import asyncio
import io
import math
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text as TextArtist
from PIL import Image

from bot.i18n import Translator
from bot.services.stats import charts, charts_style
from bot.services.stats.figures import Figures, Timing
from bot.services.stats.health import Health
from bot.services.stats.periods import period_label, period_range
from bot.services.stats.states import STATE_LABELS, STATES
from bot.services.stats.suppression import Count, Table, shown, suppress
from knowledge.taxonomy import load_taxonomy

ROOT = Path(__file__).resolve().parents[2]
MIN_CELL = 5
PERIOD = period_range("2026-01", "2026-04")
SHELTER, MENTAL, DPJ = "hebergement-urgence-jeunesse", "sante-mentale", "dpj"
#: Handoffs by month and state: January's declined (3) and expired (4) and February's (1, 1)
#: are small, their months' totals (39, 47) shown; April's 2 + 1 = 3 is small, total included.
BY_MONTH = {
    ("2026-01", "completed"): 20, ("2026-01", "active"): 12, ("2026-01", "declined"): 3,
    ("2026-01", "expired"): 4,
    ("2026-02", "completed"): 30, ("2026-02", "waiting"): 6, ("2026-02", "failed"): 9,
    ("2026-02", "declined"): 1, ("2026-02", "expired"): 1,
    ("2026-03", "completed"): 15, ("2026-03", "active"): 25, ("2026-03", "withdrawn"): 8,
    ("2026-03", "expired"): 6, ("2026-03", "declined"): 5,
    ("2026-04", "completed"): 2, ("2026-04", "active"): 1,
}
#: Requester's region → service's region; 3 and 2 are small.
FLOWS = {("06", "13"): 40, ("13", "06"): 3, ("06", "16"): 12, ("16", "06"): 2, ("16", "13"): 9}
#: Region × need where nothing could take the youth now; 3 is small.
UNMET = {("06", SHELTER): 25, ("06", MENTAL): 3, ("13", SHELTER): 8, ("13", DPJ): 6,
         ("06", DPJ): 11}
ACCEPT = {"2026-01": Timing(12, 45.0, 130.0), "2026-02": Timing(3, None, None),
          "2026-03": Timing(9, 60.0, 170.0), "2026-04": Timing(1, None, None)}


def table(key: str, raw: dict[tuple[str, str], int], rows: list[str], cols: list[str]) -> Table:
    return suppress(key, raw, rows, cols, MIN_CELL)


def empty(key: str) -> Table:
    return table(key, {}, [], [])


def make_figures(*, flows: dict | None = None, accept: dict | None = None,
                 unmet: dict | None = None, by_month: dict | None = None) -> Figures:
    """Figures with known tables for the charts (the other tables empty)."""
    flows = FLOWS if flows is None else flows
    unmet = UNMET if unmet is None else unmet
    regions = ["06", "13", "16"]
    nothing = Count(0)
    health = Health(listings=nothing, verified_30d=nothing, capacity_24h=nothing,
                    no_receiver=nothing, open_reports=nothing, workers=empty("workers"),
                    announcements=nothing, reached=nothing)
    return Figures(
        period=PERIOD, regions=("06", "13"), min_cell=MIN_CELL, states=empty("states"),
        by_month=table("by_month", BY_MONTH if by_month is None else by_month, PERIOD.months,
                       list(STATES)),
        declined=empty("declined"), by_service_region=empty("by_service_region"),
        by_requester_region=empty("by_requester_region"), by_priority=empty("by_priority"),
        by_need=empty("by_need"),
        flows=table("flows", flows, sorted({a for a, _ in flows}), sorted({b for _, b in flows})),
        outcomes=empty("outcomes"), accepted=nothing, closed_7d=nothing,
        accept_time=Timing(0, None, None), response_time=Timing(0, None, None),
        accept_by_month=ACCEPT if accept is None else accept, searches=empty("searches"),
        unmet=table("unmet", unmet, regions, [SHELTER, DPJ, MENTAL, ""]),
        searched=empty("searched"), health=health)


@pytest.fixture(scope="module")
def translator() -> Translator:
    return Translator(ROOT / "locales", "fr", ZoneInfo("America/Toronto"))


@pytest.fixture(scope="module")
def built(translator: Translator) -> dict[str, dict]:
    """The charts of :func:`make_figures` in each language, by file name."""
    return {lang: {name: figure for name, _title, figure
                   in charts.build(make_figures(), translator.text(lang))}
            for lang in ("fr", "en")}


def words(figure, *, ticks: bool = True) -> list[str]:
    """Every text drawn on a figure (tick labels left out when ``ticks`` is False)."""
    tick_labels = set()
    if not ticks:
        for axes in figure.axes:
            for axis in (axes.xaxis, axes.yaxis):
                for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                    tick_labels |= {id(tick.label1), id(tick.label2)}
    return [item.get_text() for item in figure.findobj(TextArtist)
            if item.get_visible() and item.get_text() and id(item) not in tick_labels]


def flat(texts: list[str]) -> str:
    return " | ".join(text.replace("\n", " ") for text in texts)


def bars(figure) -> list[Rectangle]:
    """The bars drawn on the chart's axes (not the legend's keys)."""
    return [patch for axes in figure.axes for patch in axes.patches
            if isinstance(patch, Rectangle)]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_each_chart_is_a_png_of_a_phone_size(translator: Translator, lang: str) -> None:
    rendered = charts.render(make_figures(), translator.text(lang))
    assert [chart.name for chart in rendered] == [
        "handoffs-by-month.png", "time-to-acceptance.png", "cross-region-flows.png",
        "unmet-need.png"]
    for chart in rendered:
        assert chart.png.startswith(b"\x89PNG\r\n\x1a\n"), chart.name
        assert 10_000 < len(chart.png) < 400_000, (chart.name, len(chart.png))
        with Image.open(io.BytesIO(chart.png)) as image:
            image.verify()
        with Image.open(io.BytesIO(chart.png)) as image:
            width, height = image.size
        assert 1000 <= width <= 1300, (chart.name, width)
        assert 500 <= height <= 2500, (chart.name, height)
    caption = {chart.name: chart.title for chart in rendered}["handoffs-by-month.png"]
    period = period_label(PERIOD, translator.text(lang))
    assert caption == {"fr": "Demandes de prise en charge par mois, selon l'état — " + period,
                       "en": "Handoffs per month, by state — January to April 2026"}[lang]


def test_labels_are_in_french(built: dict, translator: Translator) -> None:
    text = translator.text("fr")
    by_month = flat(words(built["fr"]["handoffs-by-month.png"]))
    assert "janv. 2026" in by_month and "févr." in by_month and "avr." in by_month
    assert "Jan" not in by_month and "Handoffs" not in by_month
    for state in ("completed", "active", "expired"):
        french = text.gettext(STATE_LABELS[state])
        assert french != STATE_LABELS[state] and french in by_month
        assert STATE_LABELS[state] not in by_month
    assert "Masqué (petits nombres)" in by_month
    assert "Montréal, Laval" in by_month
    times = flat(words(built["fr"]["time-to-acceptance.png"]))
    assert "Médiane" in times and "90e centile" in times and "(minutes)" in times
    assert "moins de 5 demandes acceptées" in times
    flows = flat(words(built["fr"]["cross-region-flows.png"]))
    assert "Montréal → Laval" in flows and "Montérégie → Montréal" in flows
    unmet = flat(words(built["fr"]["unmet-need.png"]))
    taxonomy = load_taxonomy()
    assert taxonomy.label(SHELTER, "fr") in unmet and "Santé mentale et crise" in unmet
    assert taxonomy.label(SHELTER, "en") not in unmet


def test_labels_are_in_english(built: dict) -> None:
    by_month = flat(words(built["en"]["handoffs-by-month.png"]))
    assert "Jan 2026" in by_month and "Feb" in by_month and "janv." not in by_month
    for state in ("completed", "active", "expired"):
        assert STATE_LABELS[state] in by_month
    assert "Hidden (small counts)" in by_month and "Montreal, Laval" in by_month
    times = flat(words(built["en"]["time-to-acceptance.png"]))
    assert "Median" in times and "90th percentile" in times
    flows = flat(words(built["en"]["cross-region-flows.png"]))
    assert "Montreal → Laval" in flows and "Montréal" not in flows
    unmet = flat(words(built["en"]["unmet-need.png"]))
    assert "Youth emergency shelter" in unmet and "Mental health and crisis" in unmet


def test_numbers_are_written_the_quebec_way(translator: Translator) -> None:
    big = {key: value * 100 for key, value in BY_MONTH.items()}
    figures = make_figures(by_month=big)
    for lang, thousands, ticks in (("fr", "4\u00a0700", "2\u00a0000"), ("en", "4,700", "2,000")):
        figure = dict((name, chart) for name, _title, chart
                      in charts.build(figures, translator.text(lang)))["handoffs-by-month.png"]
        assert thousands in words(figure), lang  # February's total, over its bar
        assert ticks in [label.get_text() for label in figure.axes[0].get_yticklabels()]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_hidden_months_cells_are_one_hatched_segment(built: dict, lang: str) -> None:
    """Shown cells are drawn at their value; the hidden ones of a month make one hatched
    segment of (month's total − shown), and a month whose total is hidden gets none."""
    figure = built[lang]["handoffs-by-month.png"]
    table = make_figures().by_month
    drawn = bars(figure)
    hatched = [bar for bar in drawn if bar.get_hatch()]
    plain = [bar for bar in drawn if not bar.get_hatch() and bar.get_height() > 0]
    for place, month in enumerate(PERIOD.months):
        cells = [table.cells[month, state] for state in STATES]
        shown_values = sorted(count.value for count in cells if count.value)
        at_month = [bar for bar in plain if math.isclose(bar.get_x() + bar.get_width() / 2, place)]
        assert sorted(round(bar.get_height()) for bar in at_month) == shown_values, month
        segment = [bar for bar in hatched if math.isclose(bar.get_x() + bar.get_width() / 2, place)
                   and bar.get_height() > 0]
        total = table.row_totals[month]
        if total.value is not None and any(count.value is None for count in cells):
            assert [bar.get_height() for bar in segment] == [total.value - sum(shown_values)]
        else:
            assert segment == [], month
    assert table.cells["2026-02", "declined"] == Count(None, "small")
    assert table.row_totals["2026-02"] == Count(47) and table.row_totals["2026-04"].value is None
    assert len([bar for bar in hatched if bar.get_height() > 0]) == 1  # February's
    # January's hidden counts (3 and 4 small; 20 and 12 hidden to protect them) and April's
    heights = {round(bar.get_height()) for bar in drawn}
    assert not heights & {1, 3, 4, 12, 20}
    texts = words(figure, ticks=False)
    assert not {"1", "2", "3", "4", "12", "20"} & set(texts)
    assert {"x", "47", "59", "< 5"} <= set(texts)  # January's total, over an empty place


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_hidden_flows_are_written_never_drawn(built: dict, lang: str) -> None:
    figure = built[lang]["cross-region-flows.png"]
    widths = sorted(round(bar.get_width()) for bar in bars(figure))
    table = make_figures().flows
    shown_flows = sorted(count.value for (row, col), count in table.cells.items()
                         if count.value and row != col)
    assert widths == shown_flows and 40 in widths
    assert not set(widths) & {2, 3}
    texts = words(figure, ticks=False)
    assert texts.count("< 5") == 2
    assert not {"2", "3"} & set(texts)
    assert "40" in texts


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_hidden_unmet_cells_are_written_never_coloured(built: dict, lang: str) -> None:
    figure = built[lang]["unmet-need.png"]
    table = make_figures().unmet
    assert table.cells["06", MENTAL] == Count(None, "small")
    texts = words(figure, ticks=False)
    written = sorted(shown(count, None, MIN_CELL) for count in table.cells.values()
                     if count.value != 0)
    assert written == ["25", "6", "8", "< 5", "x"]
    assert sorted(text for text in texts if text in {"25", "6", "8", "< 5", "x", "3", "11"}) \
        == written
    image = figure.axes[0].images[0].get_array()
    needs = [label.get_text().replace("\n", " ") for label in figure.axes[0].get_yticklabels()]
    mental = needs.index(load_taxonomy().label(MENTAL, lang))
    assert image.mask[mental][0] and image.data[mental][0] != 3
    # Montérégie (16) had no unmet search: no column for it
    regions = [label.get_text() for label in figure.axes[0].get_xticklabels()]
    assert regions == (["Montréal", "Laval"] if lang == "fr" else ["Montreal", "Laval"])


def test_a_chart_with_nothing_to_show_is_left_out(translator: Translator) -> None:
    text = translator.text("fr")
    names = [chart.name for chart in charts.render(make_figures(flows={}), text)]
    assert "cross-region-flows.png" not in names and "handoffs-by-month.png" in names
    nothing = {month: Timing(2, None, None) for month in PERIOD.months}
    quiet = make_figures(flows={}, unmet={}, accept=nothing, by_month={})
    assert charts.render(quiet, text) == []


def test_long_waits_are_counted_in_hours(translator: Translator) -> None:
    slow = {"2026-01": Timing(12, 90.0, 600.0), "2026-03": Timing(9, 150.0, 720.0)}
    for lang, unit in (("fr", "(heures)"), ("en", "(hours)")):
        figure = dict((name, chart) for name, _title, chart in charts.build(
            make_figures(accept=slow), translator.text(lang)))["time-to-acceptance.png"]
        median, p90 = figure.axes[0].get_lines()
        assert list(p90.get_ydata())[0] == 10.0 and list(median.get_ydata())[2] == 2.5
        assert math.isnan(list(median.get_ydata())[1])  # February: too few, a gap
        assert unit in figure.axes[0].get_ylabel()


def test_charts_drawn_in_threads_are_the_same(translator: Translator) -> None:
    """The chat handler draws in worker threads: two at once give what one at a time gives."""
    figures = make_figures()
    french, english = translator.text("fr"), translator.text("en")
    alone = [charts.render(figures, french), charts.render(figures, english)]

    async def both() -> list:
        return list(await asyncio.gather(asyncio.to_thread(charts.render, figures, french),
                                         asyncio.to_thread(charts.render, figures, english)))

    assert asyncio.run(both()) == alone


def test_importing_the_charts_creates_nothing_and_never_loads_pyplot() -> None:
    code = ("import sys, bot.services.stats.charts as c; "
            "print('matplotlib.pyplot' in sys.modules, len(c.TITLES))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, check=True)
    assert result.stdout.split() == ["False", "4"]



def drawn(figure):
    """A built chart laid out and drawn as it is sent; its renderer, to measure what is on it."""
    charts_style.to_png(figure)
    return figure.canvas.get_renderer()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_grid_counts_are_written_in_their_own_cells(translator: Translator, lang: str) -> None:
    figure = dict((name, chart) for name, _title, chart in charts.build(
        make_figures(), translator.text(lang)))["unmet-need.png"]
    renderer = drawn(figure)
    axes = figure.axes[0]
    needs = [label.get_text().replace("\n", " ") for label in axes.get_yticklabels()]
    row = {need: needs.index(load_taxonomy().label(need, lang)) for need in (SHELTER, DPJ, MENTAL)}
    cells = {"25": (0, row[SHELTER]), "8": (1, row[SHELTER]), "6": (1, row[DPJ]),
             "< 5": (0, row[MENTAL])}
    ticks = {id(label) for label in axes.get_xticklabels() + axes.get_yticklabels()}
    written = {item.get_text(): item for item in figure.findobj(TextArtist)
               if item.get_text() in cells and id(item) not in ticks}
    assert set(written) == set(cells)
    for words, (col, line) in cells.items():
        (left, bottom), (right, top) = axes.transData.transform(
            [(col - 0.5, line + 0.5), (col + 0.5, line - 0.5)])
        box = written[words].get_window_extent(renderer)
        assert left < box.x0 < box.x1 < right and bottom < box.y0 < box.y1 < top, words


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_nothing_overlaps_or_is_cut_off(translator: Translator, lang: str) -> None:
    """The title, the legend and the notes stand clear of the plot, its ticks and labels, and
    every text is inside the image."""
    for name, _title, figure in charts.build(make_figures(), translator.text(lang)):
        renderer = drawn(figure)
        edge = figure.bbox.padded(1)
        axes = figure.axes[0]
        plot = axes.get_tightbbox(renderer)
        assert edge.x0 <= plot.x0 and plot.x1 <= edge.x1, name
        assert edge.y0 <= plot.y0 and plot.y1 <= edge.y1, name
        outside = [*figure.texts, *figure.legends]
        for item in outside:
            box = item.get_window_extent(renderer)
            assert edge.x0 <= box.x0 and box.x1 <= edge.x1, (name, item)
            assert edge.y0 <= box.y0 and box.y1 <= edge.y1, (name, item)
            assert not box.overlaps(plot), (name, item)
        boxes = [item.get_window_extent(renderer) for item in outside]
        assert not any(one.overlaps(two) for index, one in enumerate(boxes)
                       for two in boxes[index + 1:]), name


def test_texts_are_drawn_as_matplotlib_draws_them() -> None:
    """Texts copied from their first drawing land where matplotlib would draw them, alike."""
    figure = Figure(figsize=(5, 2.5), dpi=charts_style.DPI)
    figure.patch.set_facecolor("#00204C")
    figure.text(0.05, 0.8, "Montérégie → Laval  1\u00a0234", fontsize=13, color="white")
    figure.text(0.05, 0.55, "Besoins non comblés :\nrecherches", fontsize=17, fontweight="bold")
    figure.text(0.6, 0.4, "Gaspésie–Îles-de-la-Madeleine", fontsize=13, rotation=50,
                ha="right", rotation_mode="anchor")
    figure.text(0.9, 0.1, "Délai (heures)", fontsize=14, rotation=90, color="#555555")

    def pixels(canvas) -> np.ndarray:
        canvas.draw()
        return np.asarray(canvas.buffer_rgba())[..., :3].astype(int)

    plain = pixels(FigureCanvasAgg(figure))
    first, again = pixels(charts_style.Canvas(figure)), pixels(figure.canvas)
    assert (first == again).all()
    assert np.abs(first - plain).mean() < 1.0

    def ink(image: np.ndarray) -> list[int]:
        rows = np.flatnonzero((np.abs(image - image[0, 0]).sum(axis=2) > 60).any(axis=1))
        cols = np.flatnonzero((np.abs(image - image[0, 0]).sum(axis=2) > 60).any(axis=0))
        return [rows[0], rows[-1], cols[0], cols[-1]]

    assert np.abs(np.subtract(ink(first), ink(plain))).max() <= 1


def test_kept_texts_take_a_bounded_memory() -> None:
    stamps = charts_style.Stamps(budget=1000)
    for key in "abc":
        stamps.put(key, (np.zeros((10, 10, 4), np.uint8), 0, 0))  # 400 bytes each
    assert stamps.size <= 1000 and stamps.get("a") is None and stamps.get("c") is not None
