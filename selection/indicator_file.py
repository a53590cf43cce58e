"""The indicator file: a CSV layout close to the Directorate's statistics export (Skoleporten / udir.no).

One row per unit (a school or a school owner), indicator and school year::

    enhet_type;enhet_id;skoleeier_id;indikator;skoleaar;verdi
    skoleeier;3301;3301;grunnskolepoeng;2024-25;40,7
    skole;974760673;3301;nt5_reading_level1;2024-25;*

- ``enhet_type``: ``skole`` (or ``school``) for a school; ``skoleeier``, ``kommune``, ``fylkeskommune``
  (or ``owner``) for a school owner.
- ``enhet_id``: a school's organisation number (9 digits, checked with python-stdnum); for an owner row,
  the owner id again.
- ``skoleeier_id``: the school owner's official number: 4 digits for a municipality, 2 for a county
  authority (Oslo: 0301 only).
- ``indikator``: an indicator key of the selection configuration (`selection/selection.toml`), e.g.
  ``grunnskolepoeng``.
- ``skoleaar``: the school year, ``2024-25``.
- ``verdi``: the value, with a decimal comma (``40,7``) or point (``40.7``); ``*`` (suppressed: too few
  pupils), ``--`` (no data) or an empty cell is a missing value.

The separator is ``;`` (as in the Directorate's and Excel's Norwegian exports) or ``,`` (then a value with
a decimal comma is quoted: ``"40,7"``); the header line decides. Further columns (``enhet_navn``, ...) are
ignored; the file is UTF-8, with or without a byte-order mark. A unit, indicator and school year appears
once. Missing values are kept as missing, never guessed; the scoring counts them (`selection.scoring`).

Why in `selection/` and not in `starter/`: the layout is part of the selection's contract, and the same
parser serves the `guidance` command, the sample generator's tests and (later) the cohort's activities.
`parse_indicator_csv` is pure (text in, rows out); `read_indicator_csv` only adds reading the file.

A bad file raises `IndicatorFileError`, whose message names the file, the line and the column of every
problem (up to `MAX_PROBLEMS`) and what was expected.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stdnum.no import orgnr

from config.owners import all_owners
from selection.scoring import IndicatorRow, UnitKind, check_school_year

COLUMNS = ("enhet_type", "enhet_id", "skoleeier_id", "indikator", "skoleaar", "verdi")
#: Cells that mean "no value": suppressed for small groups (``*``), no data (``--``), empty.
MISSING_MARKS = frozenset({"", "*", "--"})
UNIT_KINDS: dict[str, UnitKind] = {
    "skole": "school",
    "school": "school",
    "skoleeier": "owner",
    "kommune": "owner",
    "fylkeskommune": "owner",
    "owner": "owner",
}
#: How many problems the error message lists.
MAX_PROBLEMS = 20
#: The largest file read: a whole country's export is about 5 MB (the generated sample of four years: 4.8 MB).
MAX_FILE_BYTES = 8 * 1024 * 1024
#: The most data rows read: a country's four years are about 90,000 (the generated sample).
MAX_ROWS = 250_000


@dataclass(frozen=True)
class Problem:
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (f"line {self.line}" if self.line else "", f"column {self.column}" if self.column else "")
            if part
        )
        return f"{where}: {self.message}" if where else self.message


class FileProblems(ValueError):
    """A file that does not fit its layout: every problem by line and column, prefixed with the file."""

    def __init__(self, source: str, problems: list[Problem], more: int = 0) -> None:
        self.source = source
        self.problems = problems
        lines = [f"{source}: {p}" for p in problems]
        if more:
            lines.append(f"{source}: ... and {more} more problems")
        super().__init__("\n".join(lines))


class IndicatorFileError(FileProblems):
    """The indicator file does not fit the layout; ``problems`` say where (line, column) and what was expected."""


_NUMBER = re.compile(r"[+-]?([0-9]+([.,][0-9]*)?|[.,][0-9]+)([eE][+-]?[0-9]+)?", re.ASCII)


def parse_value(text: str) -> float | None:
    """A cell's value: None for a missing mark, else the number (decimal comma or point).

    Raises:
        ValueError: not a number.
    """
    cell = text.strip().replace("\u00a0", "").replace(" ", "")
    if cell in MISSING_MARKS:
        return None
    if "," in cell and "." in cell:
        raise ValueError("use either a decimal comma or a decimal point, without thousands separators")
    # Python's float() also reads other scripts' digits and underscores (40_7 as 407): not a statistic's cell.
    if not _NUMBER.fullmatch(cell):
        raise ValueError("not a number")
    number = float(cell.replace(",", "."))
    if not math.isfinite(number):
        raise ValueError("not a finite number")
    return number


def csv_records(reader: Iterator[Any], source: str, error: type[FileProblems]) -> Iterator[Any]:
    """The reader's records; a cell the csv module cannot read (e.g. over its size limit, as one stray quote
    makes the rest of a file one cell) ends the file with `error`, naming the line."""
    try:
        yield from reader
    except csv.Error as problem:
        # A DictReader counts only the rows it has returned; the csv reader inside it, the lines read.
        line = getattr(getattr(reader, "reader", reader), "line_num", 0)
        raise error(source, [Problem(line, None, f"unreadable CSV: {problem}")]) from None


def parse_indicator_csv(
    text: str,
    source: str = "<indicators>",
    *,
    indicators: Collection[str],
    owner_ids: Collection[str] | None = None,
) -> list[IndicatorRow]:
    """The rows of an indicator file's text.

    Args:
        text: The file's content.
        source: The file name, for error messages.
        indicators: The indicator keys allowed (the selection configuration's).
        owner_ids: The school owners allowed; default: every owner of `config.owners`.

    Raises:
        IndicatorFileError: every problem found, by line and column.
    """
    known_owners = set(owner_ids) if owner_ids is not None else {o.id for o in all_owners()}
    allowed = set(indicators)
    text = text.removeprefix("\ufeff")
    header_line = text.split("\n", 1)[0]
    delimiter = ";" if ";" in header_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records = csv_records(reader, source, IndicatorFileError)
    header = [name.strip().lower() for name in next(records, [])]
    missing_columns = [c for c in COLUMNS if c not in header]
    if missing_columns:
        raise IndicatorFileError(
            source,
            [
                Problem(
                    1,
                    None,
                    f"the header lacks {', '.join(missing_columns)}; expected the columns {','.join(COLUMNS)} "
                    f"(separated by ';' or ','), got {','.join(header) or 'an empty line'}",
                )
            ],
        )
    index = {name: header.index(name) for name in COLUMNS}
    problems: list[Problem] = []
    rows: list[IndicatorRow] = []
    seen: dict[tuple[str, str, str, str], int] = {}
    school_owner: dict[str, tuple[str, int]] = {}
    for record in records:
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        if len(rows) + len(problems) >= MAX_ROWS:
            problems.append(
                Problem(line, None, f"more than {MAX_ROWS} data rows; export only the indicators and years needed")
            )
            break
        if len(record) < len(header):
            problems.append(Problem(line, None, f"{len(record)} cells, expected {len(header)} as in the header"))
            continue
        cell = {name: record[i].strip() for name, i in index.items()}
        before = len(problems)

        def bad(column: str, message: str, line: int = line) -> None:
            problems.append(Problem(line, column, message))

        kind = UNIT_KINDS.get(cell["enhet_type"].lower())
        if kind is None:
            bad("enhet_type", f"{cell['enhet_type']!r} is no unit type; expected skole or skoleeier")
        owner_id = cell["skoleeier_id"]
        if owner_id not in known_owners:
            bad(
                "skoleeier_id",
                f"{owner_id!r} is no school owner; expected a municipality's 4-digit or a county authority's "
                "2-digit number (see `guidance owners NAME`)",
            )
        unit_id = cell["enhet_id"]
        if kind == "owner" and unit_id != owner_id:
            bad("enhet_id", f"an owner row's enhet_id is its skoleeier_id {owner_id!r}, got {unit_id!r}")
        if kind == "school":
            if not orgnr.is_valid(unit_id):
                bad("enhet_id", f"{unit_id!r} is no valid organisation number (9 digits with a check digit)")
            elif unit_id in school_owner and school_owner[unit_id][0] != owner_id:
                first_owner, first_line = school_owner[unit_id]
                bad("skoleeier_id", f"school {unit_id} belongs to {first_owner} on line {first_line}, here {owner_id}")
            elif owner_id in known_owners:  # an unknown owner is reported above, and must not claim the school
                school_owner.setdefault(unit_id, (owner_id, line))
        indicator = cell["indikator"]
        if indicator not in allowed:
            bad("indikator", f"unknown indicator {indicator!r}; expected one of {', '.join(sorted(allowed))}")
        year = cell["skoleaar"]
        try:
            if not re.fullmatch(r"[0-9]{4}-[0-9]{2}", year, re.ASCII):
                raise ValueError(f"expected a school year like 2024-25, got {year!r}")
            check_school_year(year)
        except ValueError as err:
            bad("skoleaar", str(err))
        try:
            value = parse_value(record[index["verdi"]])
        except ValueError as err:
            detail = str(err) if "decimal" in str(err) or "finite" in str(err) else "not a number"
            bad("verdi", f"{record[index['verdi']]!r}: {detail}; expected a number such as 40,7, or *, -- or empty")
            value = None
        if len(problems) > before or kind is None:
            continue
        key = (kind, unit_id, indicator, year)
        if key in seen:
            bad("skoleaar", f"{kind} {unit_id}, {indicator} {year} was already given on line {seen[key]}")
            continue
        seen[key] = line
        rows.append(
            IndicatorRow(
                unit_kind=kind, unit_id=unit_id, owner_id=owner_id, indicator=indicator, school_year=year, value=value
            )
        )
    if problems:
        raise IndicatorFileError(source, problems[:MAX_PROBLEMS], max(0, len(problems) - MAX_PROBLEMS))
    if not rows:
        raise IndicatorFileError(source, [Problem(2, None, "no data rows after the header")])
    return rows


def parse_indicator_bytes(
    data: bytes, source: str, *, indicators: Collection[str], owner_ids: Collection[str] | None = None
) -> list[IndicatorRow]:
    """The rows of an indicator file's bytes, as read from disk or uploaded to the web app (UTF-8).

    Raises:
        IndicatorFileError: over `MAX_FILE_BYTES`, not UTF-8, or bad rows (see `parse_indicator_csv`).
    """
    if len(data) > MAX_FILE_BYTES:
        raise IndicatorFileError(source, [_too_large(len(data))])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = err.object[: err.start].count(b"\n") + 1
        raise IndicatorFileError(source, [Problem(line, None, "not UTF-8 text; save the export as UTF-8")]) from None
    return parse_indicator_csv(text, source, indicators=indicators, owner_ids=owner_ids)


def read_indicator_csv(
    path: Path, *, indicators: Collection[str], owner_ids: Collection[str] | None = None
) -> list[IndicatorRow]:
    """The rows of the indicator file at `path` (see `parse_indicator_bytes`).

    Raises:
        IndicatorFileError: the file cannot be read, is not UTF-8, or has bad rows.
    """
    try:
        with Path(path).open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)  # never more than the bound in memory
            if len(data) > MAX_FILE_BYTES:
                raise IndicatorFileError(str(path), [_too_large(os.fstat(file.fileno()).st_size)])
    except OSError as err:
        raise IndicatorFileError(
            str(path), [Problem(None, None, f"cannot read the file: {err.strerror or err}")]
        ) from None
    return parse_indicator_bytes(data, str(path), indicators=indicators, owner_ids=owner_ids)


def _too_large(size: int) -> Problem:
    return Problem(
        None,
        None,
        f"the file is larger than {MAX_FILE_BYTES // 1024 // 1024} MB ({size / 1024 / 1024:.1f} MB); a whole "
        "country's indicator export is about 5 MB: export only the indicators and years needed",
    )
