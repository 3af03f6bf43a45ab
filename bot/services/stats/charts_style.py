"""The look shared by the ``/stats`` charts: sizes for a phone screen, colour-blind-safe colours,
and labels (months, numbers, regions, needs) in the reader's language.

Only matplotlib's object API is used (``Figure`` drawn by an Agg canvas of its own): pyplot
keeps global state and is not thread-safe, and the charts are drawn in a worker thread. The
canvas (:class:`Canvas`) copies each text from its first drawing, kept for the process: with
hundreds of texts per chart, drawing texts was most of the time.
"""

from __future__ import annotations

import functools
import io
import textwrap
import threading
from collections import OrderedDict
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
from babel import Locale
from babel.dates import format_date
from babel.numbers import format_compact_decimal, format_decimal
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import fontManager, get_font
from matplotlib.ticker import FuncFormatter, MaxNLocator
from matplotlib.transforms import Bbox
from PIL import Image

from bot.i18n import N_, Text
from bot.services.stats.periods import period_label
from knowledge.regions import load_regions, region_name
from knowledge.taxonomy import load_taxonomy

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.axis import Axis
    from matplotlib.backend_bases import GraphicsContextBase
    from matplotlib.font_manager import FontProperties
    from matplotlib.text import Text as TextArtist

    from bot.services.stats.figures import Figures

#: About 1100 px wide: sharp on a phone held upright, light to send.
DPI = 120
WIDTH = 9.2
#: Font sizes in points (11 or more: read on a phone without zooming).
TITLE, SUBTITLE, LABEL, TICK, NOTE, CELL, SMALL = 17, 13, 14, 13, 12, 12, 11
#: Blank space at the edges of a chart and between its parts, in points.
EDGE = 3
#: Title width in characters before it wraps.
TITLE_CHARS = 58
#: Past this many months, only every few months is named.
MOST_MONTHS = 13
#: Every how many months a long period is named (regular: each quarter, each January...).
MONTH_STEPS = (1, 2, 3, 4, 6, 12, 24, 60, 120, 10**6)

#: Okabe–Ito colours, one per state, in the order of ``states.STATES``.
STATE_COLOURS: dict[str, str] = {
    "waiting": "#56B4E9",    # sky blue
    "active": "#0072B2",     # blue
    "completed": "#009E73",  # bluish green
    "failed": "#D55E00",     # vermillion
    "declined": "#E69F00",   # orange
    "expired": "#F0E442",    # yellow
    "withdrawn": "#CC79A7",  # reddish purple
    "cancelled": "#000000",  # black
}
#: Cells hidden to protect small counts: light grey, hatched.
HIDDEN_COLOUR, HIDDEN_EDGE, HIDDEN_HATCH = "#D9D9D9", "#7F7F7F", "///"
#: Lines of the time chart (Okabe–Ito blue and vermillion, with distinct markers and dashes).
MEDIAN_STYLE = {"color": "#0072B2", "marker": "o", "linestyle": "-"}
P90_STYLE = {"color": "#D55E00", "marker": "s", "linestyle": "--"}
BAR_COLOUR = "#0072B2"
#: Perceptually uniform and readable with colour-vision deficiencies.
HEATMAP = "cividis"
MUTED = "#555555"

ALL_REGIONS = N_("All regions")
UNKNOWN_REGION = N_("Unknown region")
NO_NEED = N_("No category named")
HIDDEN_NOTE = N_('"< {n}": from 1 to {m}; "x": hidden so that no small count can be worked '
                 'out from the totals.')
ALL_NEEDS = N_("All needs")
#: Babel locales by language, see :func:`locale`.
LOCALES: dict[str, Locale] = {}


def new_figure(height: float) -> Figure:
    """A blank figure of the charts' width, with its own Agg canvas (no pyplot)."""
    figure = Figure(figsize=(WIDTH, height), dpi=DPI)
    Canvas(figure)
    return figure


def lay_out(figure: Figure) -> None:
    """The title at the top, the legend and notes at the foot, and the plot in between with
    room for its ticks, labels and subtitle, from one measure of the texts (constrained
    layout measures twice over and cost a fifth of the drawing; the ticks never depend on the
    plot's size, so once is enough). Figure texts hang from the top or stand on the foot."""
    renderer = figure.canvas.get_renderer()
    width, height = figure.bbox.width, figure.bbox.height
    pad = EDGE * figure.dpi / 72
    top, bottom = height - pad, pad
    for label in figure.texts:
        if label.get_verticalalignment() == "top":
            label.set_y(top / height)
            top = label.get_window_extent(renderer).y0 - pad
        else:
            label.set_y(bottom / height)
            bottom = label.get_window_extent(renderer).y1 + pad
    for legend in figure.legends:
        legend.set_bbox_to_anchor((0.5, bottom / height), transform=figure.transFigure)
        bottom = legend.get_window_extent(renderer).y1 + pad
    for axes in figure.axes:
        plot, whole = axes.get_window_extent(renderer), axes.get_tightbbox(renderer)
        axes.set_position(Bbox.from_extents(
            (pad + plot.x0 - whole.x0) / width, (bottom + plot.y0 - whole.y0) / height,
            (width - pad - (whole.x1 - plot.x1)) / width, (top - (whole.y1 - plot.y1)) / height))


def to_png(figure: Figure) -> bytes:
    """The figure laid out, drawn once, as a PNG of at most 256 colours (a third of the size,
    quicker to encode)."""
    lay_out(figure)
    canvas = figure.canvas
    canvas.draw()
    image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(),
                             "raw", "RGBA", 0, 1)
    buffer = io.BytesIO()
    image.convert("RGB").quantize(256, method=Image.Quantize.FASTOCTREE).save(buffer, "png")
    return buffer.getvalue()


def wrap(words: str, width: int = TITLE_CHARS) -> str:
    """``words`` broken into lines of at most ``width`` characters."""
    return "\n".join(textwrap.wrap(words, width, break_long_words=False)) or words


def titles(figure: Figure, axes: Axes, title: str, subtitle: str) -> None:
    """The chart's title (wrapped) and, over the plot, the period and regions it covers."""
    figure.suptitle(wrap(title), fontsize=TITLE, fontweight="bold")
    axes.set_title(wrap(subtitle, 90), fontsize=SUBTITLE, color=MUTED)


def scope(figures: Figures, text: Text) -> str:
    """What a chart covers: its period and its regions ("Montréal, Laval")."""
    if figures.regions is None:
        regions = text.gettext(ALL_REGIONS)
    else:
        regions = ", ".join(region_label(code, text) for code in figures.regions)
    return f"{period_label(figures.period, text)} · {regions}"


def hidden_note(min_cell: int, text: Text) -> str:
    """What "< 5" and "x" mean, for a chart that writes them."""
    return text.gettext(HIDDEN_NOTE, n=text.number(min_cell), m=text.number(min_cell - 1))


def note(figure: Figure, words: str) -> None:
    """A short explanation at the foot of the chart."""
    figure.supxlabel(wrap(words, 90), fontsize=NOTE, color=MUTED)


def number(value: float, text: Text, compact: bool = False) -> str:
    """A count or a duration written the reader's way ("1 234" in Québec French); ``compact``
    for a narrow cell: "1 k" / "1K" from a thousand."""
    if compact and abs(value) >= 1000:
        return format_compact_decimal(value, locale=locale(text), fraction_digits=0)
    return format_decimal(value, format="#,##0.#", locale=locale(text))


def locale(text: Text) -> Locale:
    """The reader's Babel locale, parsed once per language (``Text.locale`` parses it anew at
    each call, which costs more than writing a grid's 300 numbers)."""
    if text.lang not in LOCALES:
        LOCALES[text.lang] = text.locale
    return LOCALES[text.lang]


def decimal_axis(axis: Axis, text: Text) -> None:
    """Ticks at round values (halves allowed), written the reader's way ("1,5" / "1.5")."""
    axis.set_major_locator(MaxNLocator(steps=[1, 2, 2.5, 5, 10], min_n_ticks=3))
    axis.set_major_formatter(FuncFormatter(lambda value, _pos: number(value, text)))
    axis.set_tick_params(labelsize=TICK)


def number_axis(axis: Axis, text: Text) -> None:
    """Whole-number ticks written with the reader's digit grouping."""
    axis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10], min_n_ticks=3))
    axis.set_major_formatter(FuncFormatter(lambda value, _pos: number(value, text)))
    axis.set_tick_params(labelsize=TICK)


def month_labels(months: list[str], text: Text) -> list[str]:
    """Short month names, the year under the first and under each January: "janv.\n2026",
    "févr." / "Jan\n2026", "Feb"; past :data:`MOST_MONTHS`, only every few months."""
    step = next(step for step in MONTH_STEPS if len(months) <= step * MOST_MONTHS)
    labels, last_year = [], None
    for index, month in enumerate(months):
        if index % step:
            labels.append("")
            continue
        year, month_number = (int(part) for part in month.split("-"))
        name = format_date(date(year, month_number, 1), "MMM", locale=locale(text))
        labels.append(name if year == last_year else f"{name}\n{year}")
        last_year = year
    return labels


def region_label(code: str, text: Text) -> str:
    """A region's name in the reader's language ("Montréal" / "Montreal")."""
    if code in load_regions():
        return region_name(code, text.lang)
    return text.gettext(UNKNOWN_REGION)


def need_label(code: str, text: Text) -> str:
    """A need category's label in the reader's language."""
    if code == "*":
        return text.gettext(ALL_NEEDS)
    taxonomy = load_taxonomy()
    if code in taxonomy.categories:
        return taxonomy.label(code, text.lang)
    return text.gettext(NO_NEED)


# --- texts drawn once per process -------------------------------------------------------------

class Stamps:
    """Texts already drawn, as bitmaps, shared by every chart of the process (bounded, least
    recently used first out): month, need and region names, titles and most counts come back
    from chart to chart, and drawing a text costs far more than copying its pixels."""

    def __init__(self, budget: int) -> None:
        self.budget = budget  # bytes
        self.size = 0
        self.items: OrderedDict[tuple, tuple[np.ndarray, int, int]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple) -> tuple[np.ndarray, int, int] | None:
        with self.lock:
            item = self.items.get(key)
            if item is not None:
                self.items.move_to_end(key)
            return item

    def put(self, key: tuple, item: tuple[np.ndarray, int, int]) -> None:
        with self.lock:
            if key not in self.items:
                self.items[key] = item
                self.size += item[0].nbytes
            while self.size > self.budget and self.items:
                self.size -= self.items.popitem(last=False)[1][0].nbytes


STAMPS = Stamps(budget=32 * 2**20)


class StampingRenderer(RendererAgg):
    """Agg, but a text is drawn once on a canvas of its own, kept in :data:`STAMPS`, and
    copied where it goes (to the nearest pixel): the same glyphs, a fraction of the cost."""

    def draw_text(self, gc: GraphicsContextBase, x: float, y: float, s: str,
                  prop: FontProperties, angle: float, ismath: bool | str = False,
                  mtext: TextArtist | None = None) -> None:
        """The text copied from its first drawing (its origin at ``x``, ``y`` from the top)."""
        if ismath or not s:
            super().draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)
            return
        features = (mtext.get_fontfeatures(), mtext.get_language()) if mtext else None
        key = (s, prop.copy(), angle, tuple(gc.get_rgb()), gc.get_alpha(), gc.get_forced_alpha(),
               gc.get_antialiased(), self.dpi, features)
        stamp = STAMPS.get(key)
        if stamp is None:
            stamp = self.stamp(gc, s, prop, angle, mtext)
            STAMPS.put(key, stamp)
        pixels, left, below = stamp
        if pixels.size:
            copier = self.new_gc()
            copier.copy_properties(gc)  # the clipping; the colour and alpha are in the pixels
            copier.set_alpha(None)
            self.draw_image(copier, round(x) + left, round(self.height - y) - below, pixels)
            copier.restore()

    def stamp(self, gc: GraphicsContextBase, s: str, prop: FontProperties, angle: float,
              mtext: TextArtist | None) -> tuple[np.ndarray, int, int]:
        """The text drawn alone, cropped to its ink: its pixels (bottom row first, as
        ``draw_image`` takes them), and their left and bottom edges from the text's origin."""
        width, height, descent = self.get_text_width_height_descent(s, prop, ismath=False)
        turn = np.radians(angle)
        corners = np.array([[0, -descent], [width, -descent], [width, height - descent],
                            [0, height - descent]]) @ np.array(
            [[np.cos(turn), np.sin(turn)], [-np.sin(turn), np.cos(turn)]])
        pad = 4 + prop.get_size_in_points() * self.dpi / 288  # ink past the advance box
        low, high = np.floor(corners.min(axis=0) - pad), np.ceil(corners.max(axis=0) + pad)
        canvas = RendererAgg(int(high[0] - low[0]), int(high[1] - low[1]), self.dpi)
        origin = (int(-low[0]), int(high[1]))  # from the canvas's left and top
        pen = canvas.new_gc()
        pen.copy_properties(gc)
        pen.set_clip_rectangle(None)
        pen.set_clip_path(None)
        RendererAgg.draw_text(canvas, pen, *origin, s, prop, angle, mtext=mtext)
        pen.restore()
        image = np.asarray(canvas.buffer_rgba())
        rows = np.flatnonzero(image[..., 3].any(axis=1))
        cols = np.flatnonzero(image[..., 3].any(axis=0))
        if not len(rows):
            return np.zeros((0, 0, 4), np.uint8), 0, 0
        top, bottom = int(rows[0]), int(rows[-1])
        pixels = image[bottom:top - 1 if top else None:-1, cols[0]:cols[-1] + 1].copy()
        return pixels, int(cols[0]) - origin[0], bottom + 1 - origin[1]

    def get_text_width_height_descent(self, s: str, prop: FontProperties,
                                      ismath: bool | str) -> tuple[float, float, float]:
        """Measured once per process (the same texts come back from chart to chart)."""
        if ismath:
            return super().get_text_width_height_descent(s, prop, ismath)
        return measure(s, prop.copy(), self.dpi)

    def _get_font_height_metrics(self, prop: FontProperties) -> tuple[float | None, ...]:
        """Matplotlib's (3.11, private) hook for a font's ascent, descent and line gap, which
        ``Text`` otherwise reads from the font's tables at each measure of each text (gone in
        a later matplotlib: texts are the same, only slower)."""
        return line_metrics(prop.copy(), self.dpi)


@functools.lru_cache(maxsize=4096)
def measure(s: str, prop: FontProperties, dpi: float) -> tuple[float, float, float]:
    """A plain text's width, height and descent in pixels."""
    return RendererAgg.get_text_width_height_descent(RendererAgg(1, 1, dpi), s, prop, False)


@functools.lru_cache(maxsize=256)
def line_metrics(prop: FontProperties, dpi: float) -> tuple[float | None, ...]:
    """A font's ascent, descent and line gap in pixels, as ``Text`` reads them (None: no table,
    ``Text`` measures "lp" instead)."""
    font = get_font(fontManager.findfont(prop))
    for table_name, gap, ascent, descent in (
            ("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
            ("hhea", "lineGap", "ascent", "descent")):
        table = font.get_sfnt_table(table_name)
        if table is not None:
            scale = prop.get_size_in_points() * dpi / 72 / font.get_sfnt_table("head")["unitsPerEm"]
            return table[ascent] * scale, -table[descent] * scale, table[gap] * scale
    return None, None, None


class Canvas(FigureCanvasAgg):
    """An Agg canvas that draws with :class:`StampingRenderer`."""

    renderer_size: tuple[int, int, float] | None = None  # width, height, dpi

    def get_renderer(self) -> StampingRenderer:
        width, height = self.get_width_height(physical=True)
        if self.renderer_size != (width, height, self.figure.dpi):
            self.renderer = StampingRenderer(width, height, self.figure.dpi)
            self.renderer_size = (width, height, self.figure.dpi)
        return self.renderer
