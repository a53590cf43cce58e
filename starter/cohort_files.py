"""The files `guidance cohort start` reads: the shortlist of `guidance select` and an adviser assignment.

Shortlist (``--shortlist FILE``): the CSV that ``guidance select --format csv`` prints. Only its
``owner_id`` column is read (the other columns of `starter.shortlist.CSV_COLUMNS` may be there or not), so
a coordinator may delete the rows of the owners not chosen, or write a file with the single column
``owner_id``. ``,`` or ``;`` separates (as a spreadsheet saves it).

Assignment (``--assign FILE``): one row per owner with its advisers, and optionally its network of small
owners, the kindergarten-to-school scope flag and its schools::

    owner_id,advisers,network,kindergarten_transition,schools
    3301,a.hansen;b.olsen,,no,
    4617,d.lie,Sunnhordland,yes,Husnes skole;Rosendal skule

``advisers`` and ``schools`` separate their entries with ``;``; ``kindergarten_transition`` is yes/no
(ja/nei, true/false, 1/0, empty for no); an empty ``network`` is none. Only ``owner_id`` and ``advisers``
are required.

A bad file raises `CohortFileError`, naming every problem (up to `MAX_PROBLEMS`) by file, line and
column and saying what was expected; nothing is started.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from config.owners import UnknownOwner, owner_by_id
from domain.models import AdviserId, SchoolOwner, ShortText
from selection.indicator_file import FileProblems, Problem, csv_records

#: How many problems the error message lists.
MAX_PROBLEMS = 20
ASSIGN_COLUMNS = ("owner_id", "advisers", "network", "kindergarten_transition", "schools")
ASSIGN_REQUIRED = ("owner_id", "advisers")

_YES = frozenset({"yes", "ja", "true", "1", "y", "j"})
_NO = frozenset({"", "no", "nei", "false", "0", "n"})
_ADVISER = TypeAdapter(AdviserId)
_SHORT_TEXT = TypeAdapter(ShortText)


class CohortFileError(FileProblems):
    """A shortlist or assignment file that does not fit its layout: every problem by line and column."""


@dataclass(frozen=True)
class Assignment:
    """One owner's row of an assignment file."""

    owner: SchoolOwner
    advisers: list[str]
    network: str | None = None
    kindergarten_transition: bool = False
    schools: list[str] = field(default_factory=list)


def _text(path: Path) -> str:
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        raise CohortFileError(
            str(path), [Problem(None, None, f"cannot read the file: {err.strerror or err}")]
        ) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = err.object[: err.start].count(b"\n") + 1
        raise CohortFileError(str(path), [Problem(line, None, "not UTF-8 text; save the file as UTF-8")]) from None


def _rows(text: str, source: str, required: tuple[str, ...], expected: str) -> tuple[csv.DictReader[str], list[str]]:
    """A reader over the data rows, after checking the header has the `required` columns."""
    header_line = text.split("\n", 1)[0]
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        fieldnames = reader.fieldnames or []
    except csv.Error as error:
        raise CohortFileError(source, [Problem(1, None, f"unreadable CSV: {error}")]) from None
    header = [(name or "").strip().lower() for name in fieldnames]
    reader.fieldnames = header
    missing = [c for c in required if c not in header]
    if missing:
        got = delimiter.join(header) or "an empty line"
        raise CohortFileError(
            source, [Problem(1, None, f"the header lacks {', '.join(missing)}; expected {expected}, got {got}")]
        )
    return reader, header


def _owner(cell: str, problems: list[Problem], line: int, seen: dict[str, int]) -> SchoolOwner | None:
    """The owner a cell names, or None after noting why not (unknown, or already on an earlier line)."""
    owner_id = cell.strip()
    try:
        owner = owner_by_id(owner_id)
    except UnknownOwner as err:
        problems.append(Problem(line, "owner_id", str(err)))
        return None
    if owner.id in seen:
        problems.append(Problem(line, "owner_id", f"{owner.id} ({owner.name}) is already on line {seen[owner.id]}"))
        return None
    seen[owner.id] = line
    return owner


def _finish(source: str, problems: list[Problem], found: int) -> None:
    if problems:
        raise CohortFileError(source, problems[:MAX_PROBLEMS], max(0, len(problems) - MAX_PROBLEMS))
    if not found:
        raise CohortFileError(source, [Problem(2, None, "no owners after the header")])


def read_shortlist(path: Path) -> list[SchoolOwner]:
    """The owners of a shortlist file, in the file's order.

    Raises:
        CohortFileError: The file cannot be read, lacks the ``owner_id`` column, names an owner that does not
            exist or an owner twice, or names none.
    """
    source = str(path)
    reader, _ = _rows(
        _text(path), source, ("owner_id",), "the CSV of `guidance select --format csv` (at least the column owner_id)"
    )
    problems: list[Problem] = []
    owners: list[SchoolOwner] = []
    seen: dict[str, int] = {}
    for row in csv_records(reader, source, CohortFileError):
        line = reader.line_num
        if not any((cell or "").strip() for cell in row.values() if isinstance(cell, str)):
            continue
        owner = _owner(row.get("owner_id") or "", problems, line, seen)
        if owner is not None:
            owners.append(owner)
    _finish(source, problems, len(owners))
    return owners


def read_assignments(path: Path) -> list[Assignment]:
    """The rows of an assignment file, in the file's order.

    Raises:
        CohortFileError: The file cannot be read, lacks a required column, or has a bad cell (an unknown or
            repeated owner, no adviser or a malformed one, a scope flag that is not yes or no).
    """
    source = str(path)
    reader, _ = _rows(
        _text(path),
        source,
        ASSIGN_REQUIRED,
        f"the columns {','.join(ASSIGN_COLUMNS)} (the last three optional; ';' between advisers)",
    )
    problems: list[Problem] = []
    found: list[Assignment] = []
    seen: dict[str, int] = {}
    for row in csv_records(reader, source, CohortFileError):
        line = reader.line_num
        cells = {name: (value or "").strip() for name, value in row.items() if isinstance(value, str)}
        if not any(cells.values()):
            continue
        before = len(problems)
        owner = _owner(cells.get("owner_id", ""), problems, line, seen)
        advisers = [a.strip() for a in cells.get("advisers", "").split(";") if a.strip()]
        if not advisers:
            problems.append(Problem(line, "advisers", "no adviser; expected user names separated by ';'"))
        for adviser in advisers:
            try:
                _ADVISER.validate_python(adviser)
            except ValidationError:
                problems.append(
                    Problem(line, "advisers", f"{adviser!r} is no adviser user name; expected e.g. a.hansen")
                )
        flag = cells.get("kindergarten_transition", "").lower()
        if flag not in _YES | _NO:
            problems.append(Problem(line, "kindergarten_transition", f"{flag!r}: expected yes or no (or empty for no)"))
        network = cells.get("network") or None
        if network is not None:
            try:
                _SHORT_TEXT.validate_python(network)
            except ValidationError:
                problems.append(Problem(line, "network", f"{network[:40]!r}: expected a name of at most 200 letters"))
        schools = [s.strip() for s in cells.get("schools", "").split(";") if s.strip()]
        if owner is None or len(problems) > before:
            continue
        found.append(
            Assignment(
                owner=owner,
                advisers=advisers,
                network=network,
                kindergarten_transition=flag in _YES,
                schools=schools,
            )
        )
    _finish(source, problems, len(found))
    return found
