"""The look shared by the ``/stats`` charts: sizes for a phone screen, colour-blind-safe colours,
and labels (months, numbers, regions, needs) in the reader's language.

Only matplotlib's object API is used (``Figure`` drawn by ``FigureCanvasAgg``): pyplot keeps
global state and is not thread-safe, and the charts are drawn in a worker thread.
"""

from __future__ import annotations

import io
import textwrap
from datetime import date
from typing import TYPE_CHECKING

from babel.dates import format_date
from babel.numbers import format_compact_decimal, format_decimal
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator
from PIL import Image

from bot.i18n import N_, Text
from bot.services.stats.periods import period_label
from knowledge.regions import load_regions, region_name
from knowledge.taxonomy import load_taxonomy

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.axis import Axis

    from bot.services.stats.figures import Figures

#: About 1100 px wide: sharp on a phone held upright, light to send.
DPI = 120
WIDTH = 9.2
#: Font sizes in points (11 or more: read on a phone without zooming).
TITLE, SUBTITLE, LABEL, TICK, NOTE, CELL, SMALL = 17, 13, 14, 13, 12, 12, 11
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


def new_figure(height: float) -> Figure:
    """A blank figure of the charts' width, with its own Agg canvas (no pyplot)."""
    figure = Figure(figsize=(WIDTH, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def to_png(figure: Figure) -> bytes:
    """The figure as a PNG of at most 256 colours (a third of the size, quicker to encode).

    One draw (the layout runs inside it) then Pillow, rather than ``savefig``, which draws
    twice when a layout engine is set."""
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
        return format_compact_decimal(value, locale=text.locale, fraction_digits=0)
    return format_decimal(value, format="#,##0.#", locale=text.locale)


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
        name = format_date(date(year, month_number, 1), "MMM", locale=text.locale)
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
