"""A :class:`~bot.services.stats.figures.Figures` as people and programs read it: the short
chat message (key figures), every table as aligned text, a CSV for a funder's report and JSON.

Every count goes through :func:`~bot.services.stats.suppression.shown`: what suppression hid
stays hidden in every form ("< 5" or "x"), and the key figures are cells of the suppressed,
linked tables, so that no subtraction between them gives a hidden count back.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Iterator

from bot.i18n import N_, Text
from bot.services.spreadsheet import safe_row
from bot.services.stats.figures import Figures, Timing
from bot.services.stats.health import Health
from bot.services.stats.labels import (
    HEALTH_LABELS,
    KEY_LABELS,
    col_label,
    duration,
    label,
    row_label,
    share,
    table_title,
)
from bot.services.stats.periods import period_label
from bot.services.stats.states import STATE_LABELS
from bot.services.stats.suppression import Count, Table, shown
from knowledge.regions import region_name

__all__ = ["row_label", "summary", "table_title", "tables_text", "to_csv", "to_json"]
#: The tables in the order every form lists them.
TABLE_KEYS = ("states", "by_month", "declined", "outcomes", "by_priority", "by_need",
              "by_service_region", "by_requester_region", "flows", "searches", "unmet",
              "searched")
HEALTH_COUNTS = ("listings", "verified_30d", "capacity_24h", "no_receiver", "open_reports",
                 "announcements", "reached")
CSV_HEADER = (N_("table"), N_("title"), N_("row code"), N_("row"), N_("column code"),
              N_("column"), N_("value"))


def _regions_words(figures: Figures, text: Text) -> str:
    if figures.regions is None:
        return text.gettext(N_("every region"))
    return ", ".join(region_name(code, text.lang) for code in figures.regions)


def _timing_line(title: str, timing: Timing, text: Text) -> str | None:
    if timing.median is None or timing.p90 is None:
        return None
    return text.gettext(N_("{title}: median {median}, 90% within {p90}"), title=title,
                        median=duration(timing.median, text), p90=duration(timing.p90, text))


def summary(figures: Figures, text: Text) -> str:
    """The key figures in one short chat message (HTML: the title in bold, the rest escaped,
    "< 5" included)."""
    n = figures.min_cell

    def number(count: Count) -> str:
        return shown(count, text, n)

    def line(words: str, value: str) -> str:
        return text.gettext(N_("{label}: {value}"), label=words, value=value)

    states, asked = figures.states, figures.states.total
    lines = [text.gettext(N_("Regions: {regions}"), regions=_regions_words(figures, text)),
             "", text.gettext(N_("Handoffs requested: {n}"), n=number(asked))]
    for state in ("active", "completed", "failed", "declined", "expired", "withdrawn",
                  "cancelled", "waiting"):
        count = states.cells[(state, "count")]
        if count.value != 0:
            lines.append("• " + line(text.gettext(STATE_LABELS[state]), number(count)))
    for key, count in (("accepted", figures.accepted), ("closed_7d", figures.closed_7d),
                       ("cross", figures.flows.total)):
        part = share(count.value, asked.value, text)
        lines.append(line(text.gettext(KEY_LABELS[key]),
                          number(count) + (f" ({part})" if part else "")))
    for title, timing in ((N_("Time to acceptance"), figures.accept_time),
                          (N_("Time to first response"), figures.response_time)):
        said = _timing_line(text.gettext(title), timing, text)
        if said:
            lines.append(said)
    searches = figures.searches.cells
    lines.append(text.gettext(
        N_("Searches: {n}; something could take the youth now: {now}; a place was free: "
           "{free}"), n=number(searches[("all", "count")]),
        now=number(searches[("can_take_now", "count")]),
        free=number(searches[("place_free", "count")])))
    health = figures.health
    for key in ("announcements", "reached"):  # in the period
        lines.append(line(text.gettext(HEALTH_LABELS[key]), number(getattr(health, key))))
    lines += ["", text.gettext(N_("The directory today:"))]
    for key in ("listings", "verified_30d", "capacity_24h", "no_receiver", "open_reports"):
        lines.append("• " + line(text.gettext(HEALTH_LABELS[key]), number(getattr(health, key))))
    lines += ["", _legend(figures, text)]
    title = text.gettext(N_("Figures: {period}"), period=period_label(figures.period, text))
    escaped = [html.escape(said, quote=False) for said in lines]
    return "\n".join([f"<b>{html.escape(title, quote=False)}</b>", *escaped])


def _legend(figures: Figures, text: Text) -> str:
    return text.gettext(
        N_('Counts from 1 to {last} are shown as "< {n}", and "x" hides a count that would '
           "give one away."), last=figures.min_cell - 1, n=figures.min_cell)


# --- every table ----------------------------------------------------------------------------

def _tables(figures: Figures) -> Iterator[Table]:
    for key in TABLE_KEYS:
        yield getattr(figures, key)
    yield figures.health.workers


def _grid(table: Table, text: Text, n: int) -> list[list[str]]:
    """A table as rows of strings, header and totals included."""
    one_column = table.cols == ["count"]
    header = [""] + ([text.gettext(N_("Count"))] if one_column else
                     [col_label(table.key, col, text) for col in table.cols]
                     + [text.gettext(N_("Total"))])
    grid = [header]
    for row in table.rows:
        cells = [shown(table.cells[(row, col)], text, n) for col in table.cols]
        if not one_column:
            cells.append(shown(table.row_totals[row], text, n))
        grid.append([row_label(table.key, row, text), *cells])
    if table.key != "searches":
        totals = ([] if one_column else
                  [shown(table.col_totals[col], text, n) for col in table.cols])
        grid.append([text.gettext(N_("Total")), *totals, shown(table.total, text, n)])
    return grid


def _aligned(grid: list[list[str]]) -> list[str]:
    widths = [max(len(line[i]) for line in grid) for i in range(len(grid[0]))]
    return ["  ".join([line[0].ljust(widths[0])]
                      + [cell.rjust(width) for cell, width in zip(line[1:], widths[1:],
                                                                  strict=True)]).rstrip()
            for line in grid]


def _timing_rows(figures: Figures, text: Text) -> list[list[str]]:
    """Median and 90th percentile; how many handoffs were timed is not shown (it is the count
    of accepted ones, which suppression may hide)."""
    rows = [["", text.gettext(N_("Median")), text.gettext(N_("90th percentile"))]]
    pairs = [(table_title("accept_time", text), figures.accept_time),
             (table_title("response_time", text), figures.response_time)]
    pairs += [(label("month", month, text), timing)
              for month, timing in figures.accept_by_month.items()]
    for name, timing in pairs:
        rows.append([name,
                     duration(timing.median, text) if timing.median is not None else "—",
                     duration(timing.p90, text) if timing.p90 is not None else "—"])
    return rows


def tables_text(figures: Figures, text: Text) -> str:
    """Every table as aligned plain text (the command line's "table" format)."""
    n = figures.min_cell
    out = [text.gettext(N_("Figures: {period}"), period=period_label(figures.period, text)),
           text.gettext(N_("Regions: {regions}"), regions=_regions_words(figures, text)),
           _legend(figures, text), ""]
    key_rows = [["", text.gettext(N_("Count"))],
                [label("key", "asked", text), shown(figures.states.total, text, n)],
                [label("key", "accepted", text), shown(figures.accepted, text, n)],
                [label("key", "closed_7d", text), shown(figures.closed_7d, text, n)],
                [label("key", "cross", text), shown(figures.flows.total, text, n)]]
    out += [f"== {table_title('key', text)} ==", *_aligned(key_rows), ""]
    times = text.gettext(N_("Times"))
    out += [f"== {times} ==", *_aligned(_timing_rows(figures, text)), ""]
    for table in _tables(figures):
        out += [f"== {table_title(table.key, text)} ==", *_aligned(_grid(table, text, n)), ""]
    health = [["", text.gettext(N_("Count"))]] + [
        [label("health", key, text), shown(getattr(figures.health, key), text, n)]
        for key in HEALTH_COUNTS]
    out += [f"== {table_title('health', text)} ==", *_aligned(health)]
    return "\n".join(out) + "\n"


# --- CSV --------------------------------------------------------------------------------------

def _csv_rows(figures: Figures, text: Text) -> Iterator[list[object]]:
    n = figures.min_cell

    def value(count: Count) -> str:
        return shown(count, None, n)

    about = table_title("key", text)
    yield ["about", about, "period", text.gettext(N_("Period")), "", "",
           period_label(figures.period, text)]
    yield ["about", about, "regions", text.gettext(N_("Regions")), "", "",
           _regions_words(figures, text)]
    for key, count in (("asked", figures.states.total), ("accepted", figures.accepted),
                       ("closed_7d", figures.closed_7d), ("cross", figures.flows.total)):
        yield ["key", about, key, label("key", key, text), "count", text.gettext(N_("Count")),
               value(count)]
    for key, timing in (("accept_time", figures.accept_time),
                        ("response_time", figures.response_time)):
        yield from _timing_csv(key, table_title(key, text), "", timing, text)
    for month, timing in figures.accept_by_month.items():
        yield from _timing_csv("accept_by_month", table_title("accept_by_month", text), month,
                               timing, text)
    for table in _tables(figures):
        title = table_title(table.key, text)
        total_words = text.gettext(N_("Total"))
        for row in table.rows:
            for col in table.cols:
                yield [table.key, title, row, row_label(table.key, row, text), col,
                       col_label(table.key, col, text), value(table.cells[(row, col)])]
            if table.cols != ["count"]:
                yield [table.key, title, row, row_label(table.key, row, text), "total",
                       total_words, value(table.row_totals[row])]
        if table.key == "searches":
            continue
        for col in table.cols if table.cols != ["count"] else []:
            yield [table.key, title, "total", total_words, col, col_label(table.key, col, text),
                   value(table.col_totals[col])]
        yield [table.key, title, "total", total_words, "total", total_words, value(table.total)]
    title = table_title("health", text)
    for key in HEALTH_COUNTS:
        yield ["health", title, key, label("health", key, text), "count",
               text.gettext(N_("Count")), value(getattr(figures.health, key))]


def _timing_csv(key: str, title: str, month: str, timing: Timing,
                text: Text) -> Iterator[list[object]]:
    prefix = [key, title, month or key, label("month", month, text) if month else title]
    for part in ("median", "p90"):
        minutes = getattr(timing, part)
        yield [*prefix, part, label("timing", part, text),
               "" if minutes is None else _minutes(minutes)]


def _minutes(minutes: float) -> str:
    return str(int(minutes)) if float(minutes).is_integer() else str(minutes)


def to_csv(figures: Figures, text: Text) -> bytes:
    """Every table in long form (one value a line), UTF-8 with a BOM for spreadsheets;
    a cell that a spreadsheet would run as a formula is written as text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(safe_row(text.gettext(word) for word in CSV_HEADER))
    for row in _csv_rows(figures, text):
        writer.writerow(safe_row(row))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# --- JSON -------------------------------------------------------------------------------------

def _json_count(count: Count, n: int) -> int | str:
    return count.value if count.value is not None else shown(count, None, n)


def _json_table(table: Table, n: int) -> dict:
    return {
        "rows": list(table.rows), "cols": list(table.cols),
        "cells": {row: {col: _json_count(table.cells[(row, col)], n) for col in table.cols}
                  for row in table.rows},
        "row_totals": {row: _json_count(table.row_totals[row], n) for row in table.rows},
        "col_totals": {col: _json_count(table.col_totals[col], n) for col in table.cols},
        "total": _json_count(table.total, n),
    }


def _json_timing(timing: Timing) -> dict:
    """Minutes (None below the threshold); not how many were timed (see _timing_rows)."""
    return {"median": timing.median, "p90": timing.p90}


def _json_health(health: Health, n: int) -> dict:
    found: dict[str, object] = {key: _json_count(getattr(health, key), n)
                                for key in HEALTH_COUNTS}
    found["workers"] = _json_table(health.workers, n)
    return found


def to_json(figures: Figures) -> dict:
    """The figures as codes and counts (an int, or "< 5" / "x" when hidden)."""
    n = figures.min_cell
    period = figures.period
    return {
        "period": {"kind": period.kind, "first": period.first, "last": period.last,
                   "months": period.months},
        "regions": None if figures.regions is None else list(figures.regions),
        "min_cell": n,
        "key": {"asked": _json_count(figures.states.total, n),
                "accepted": _json_count(figures.accepted, n),
                "closed_7d": _json_count(figures.closed_7d, n),
                "cross": _json_count(figures.flows.total, n)},
        "timings": {"accept": _json_timing(figures.accept_time),
                    "response": _json_timing(figures.response_time),
                    "accept_by_month": {month: _json_timing(timing)
                                        for month, timing in figures.accept_by_month.items()}},
        "tables": {key: _json_table(getattr(figures, key), n) for key in TABLE_KEYS},
        "health": _json_health(figures.health, n),
    }
