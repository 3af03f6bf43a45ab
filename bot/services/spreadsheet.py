"""Cells for CSV files meant to be opened in a spreadsheet (audit trail, figures).

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula
(``=HYPERLINK(...)``, ``+cmd|' /C calc'!A0``), and some also after a leading tab or carriage
return. Following OWASP's CSV-injection advice, such a cell gets a leading ``'`` so that it is
shown as text. Only CSVs for people go through here: the HSDS export stays faithful to the data
(the import refuses formula-like cells unless told otherwise).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula."""


def safe_cell(value: Any) -> Any:
    """``value`` as a spreadsheet shows it as text: a text starting with a formula character
    gets a leading ``'``. Numbers, ``None`` and other texts are returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """Every cell of a row through :func:`safe_cell`."""
    return [safe_cell(value) for value in values]
