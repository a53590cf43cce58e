"""CSV files for the file properties: rows with known bad cells, written as a spreadsheet would save them.

A `Table` is a header and rows of cells; each row may carry the column whose cell was made bad on purpose.
`Table.write` writes it with the delimiter, line endings and byte-order mark drawn for it (and blank lines
between rows), and tells on which physical line each row ended up, so a test can expect exactly those lines
and columns in the error.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from tests.properties.hostile import ODD_CHARACTERS

#: Characters a cell may hold without moving the line count (no line breaks, as `csv` would count them).
ONE_LINE_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from([c for c in ODD_CHARACTERS if c not in "\r\n\x85\u2028\u2029\x00"]),
        st.characters(codec="utf-8", exclude_characters="\r\n\x00"),
    ),
    max_size=30,
)


@dataclass(frozen=True)
class Row:
    cells: dict[str, str]
    #: The column whose cell was made bad, if any.
    bad: str | None = None


@dataclass(frozen=True)
class Layout:
    """How a spreadsheet saved the file."""

    delimiter: str
    line_ending: str
    byte_order_mark: bool
    #: Blank lines before each row (cycled).
    blank_lines: tuple[int, ...]


LAYOUTS: SearchStrategy[Layout] = st.builds(
    Layout,
    st.sampled_from([";", ","]),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
    st.lists(st.integers(min_value=0, max_value=2), min_size=1, max_size=3).map(tuple),
)


@dataclass(frozen=True)
class Written:
    text: str
    #: The physical line (1-based) each row ended up on, in row order.
    lines: tuple[int, ...]


def write(header: Sequence[str], rows: Sequence[Row], layout: Layout) -> Written:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=layout.delimiter, lineterminator=layout.line_ending)
    writer.writerow(header)
    line = 1
    lines = []
    for index, row in enumerate(rows):
        blanks = layout.blank_lines[index % len(layout.blank_lines)]
        out.write(layout.line_ending * blanks)
        line += blanks + 1
        writer.writerow([row.cells.get(name, "") for name in header])
        lines.append(line)
    text = out.getvalue()
    return Written(("\ufeff" if layout.byte_order_mark else "") + text, tuple(lines))


def save(folder: Path, name: str, data: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def expected_problems(rows: Sequence[Row], written: Written) -> dict[int, str]:
    """The line of each bad row and the column made bad there."""
    return {line: row.bad for row, line in zip(rows, written.lines, strict=True) if row.bad is not None}
