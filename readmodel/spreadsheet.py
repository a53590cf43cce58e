"""CSV that a spreadsheet opens as data: the one rule for every CSV the app and the CLI write from the records.

Text people typed (an owner's goals, an end reason, a development area) reaches the cells; a spreadsheet takes
a cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a formula, which can fetch
addresses or run commands when the file is opened (CSV injection). Such a text cell gets a leading ``'``, as
OWASP recommends, which the spreadsheet shows as plain text. Numbers are written as numbers (a negative count
stays a number).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """`value` as a cell: a text that a spreadsheet would read as a formula is prefixed with ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """The header `columns` and `rows`, every text cell through `safe_cell`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()
