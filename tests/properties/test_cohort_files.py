"""Generated shortlist and assignment files of `guidance cohort start` (`starter.cohort_files`): good rows are
read as written, each bad cell is reported by file, line and column, and no file, however broken, raises
anything but `CohortFileError`.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy
from pydantic import TypeAdapter, ValidationError

from config.owners import all_owners
from domain.models import AdviserId, ShortText
from starter.cohort_files import ASSIGN_COLUMNS, CohortFileError, read_assignments, read_shortlist
from starter.shortlist import CSV_COLUMNS
from tests.properties.hostile import huge_text, odd_text
from tests.properties.tables import LAYOUTS, ONE_LINE_TEXT, Layout, Row, expected_problems, save, write

OWNER_IDS = tuple(o.id for o in all_owners())
KNOWN_OWNERS = frozenset(OWNER_IDS)
YES = ("yes", "ja", "true", "1", "Y", "J", "JA")
NO = ("", "no", "nei", "false", "0", "N", "Nei")
YES_LOWER = frozenset(y.lower() for y in YES)
_ADVISER = TypeAdapter(AdviserId)
_SHORT_TEXT = TypeAdapter(ShortText)


#: Reading a file takes milliseconds: four times the profile's examples.
MANY = settings(max_examples=settings().max_examples * 4)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cohort-file-properties")


def is_adviser(text: str) -> bool:
    try:
        _ADVISER.validate_python(text)
    except ValidationError:
        return False
    return True


def is_short_text(text: str) -> bool:
    try:
        _SHORT_TEXT.validate_python(text)
    except ValidationError:
        return False
    return True


def no_good_adviser_list(cell: str) -> bool:
    """True when the cell, split at ``;``, has no adviser or a malformed one."""
    advisers = [a.strip() for a in cell.split(";") if a.strip()]
    return not advisers or not all(is_adviser(a) for a in advisers)


UNKNOWN_OWNER = st.one_of(
    st.sampled_from(["3399", "0300", "301", "33011", "03", "Drammen", "3301a", "３３０１"]),
    ONE_LINE_TEXT.filter(lambda t: bool(t.strip()) and t.strip() not in KNOWN_OWNERS),
)
ADVISERS = st.sampled_from(["a.hansen", "b.olsen", "c.berg", "d-lie", "e_dahl", "f.moe2"])
BAD_CELLS: dict[str, SearchStrategy[str]] = {
    "advisers": st.one_of(
        st.sampled_from(["", ";", " ; ", "A.Hansen", "a", "1abc", "a b", "a.hansen;B.OLSEN", "a.hansen,b.olsen"]),
        ONE_LINE_TEXT.filter(no_good_adviser_list),
    ),
    "kindergarten_transition": st.one_of(
        st.sampled_from(["maybe", "yes!", "2", "-", "sant", "ja takk"]),
        ONE_LINE_TEXT.filter(lambda t: t.strip().lower() not in {*YES, *NO} | {"y", "j", "n"}),
    ),
    "network": st.one_of(
        st.integers(min_value=201, max_value=400).map(lambda n: "N" * n),
        st.sampled_from(["Sunn\x07hordland", "Nord\x1b[31m", "a\x7fb", "x\x85y"]),
    ),
}


@st.composite
def shortlists(draw: st.DrawFn) -> tuple[list[str], list[Row], Layout]:
    header = draw(st.sampled_from([["owner_id"], list(CSV_COLUMNS), ["owner_name", "owner_id"]]))
    owners = draw(st.lists(st.sampled_from(OWNER_IDS), min_size=1, max_size=8, unique=True))
    rows = [
        Row({"owner_id": owner, "owner_name": draw(ONE_LINE_TEXT), "rank": str(i + 1)})
        for i, owner in enumerate(owners)
    ]
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        at = draw(st.integers(min_value=0, max_value=len(rows)))
        repeated = draw(st.booleans())
        bad = (
            draw(st.sampled_from([r.cells["owner_id"] for r in rows[:at]])) if repeated and at else draw(UNKNOWN_OWNER)
        )
        rows.insert(at, Row({"owner_id": bad, "owner_name": "x", "rank": "0"}, bad="owner_id"))
    # A row that repeats an owner is bad only where it comes after the first; recount the owners seen.
    seen: set[str] = set()
    marked = []
    for row in rows:
        owner = row.cells["owner_id"].strip()
        repeat = owner in seen
        seen.add(owner)
        marked.append(Row(row.cells, bad="owner_id" if repeat or owner not in KNOWN_OWNERS else None))
    layout = draw(LAYOUTS)
    if len(header) == 1:
        # A header of one column has no separator to tell: the reader takes ",", as a spreadsheet writes it.
        layout = replace(layout, delimiter=",")
    return header, marked, layout


@MANY
@given(table=shortlists())
def test_a_shortlist_is_read_or_its_bad_lines_named(folder: Path, table: tuple[list[str], list[Row], Layout]) -> None:
    header, rows, layout = table
    written = write(header, rows, layout)
    path = save(folder, "shortlist.csv", written.text)
    expected = expected_problems(rows, written)
    if not expected:
        event("read")
        assert [o.id for o in read_shortlist(path)] == [r.cells["owner_id"] for r in rows]
        return
    event(f"{len(expected)} bad rows")
    with pytest.raises(CohortFileError) as raised:
        read_shortlist(path)
    check_names_file_line_and_column(raised.value, path, expected)


@st.composite
def assignments(draw: st.DrawFn) -> tuple[list[str], list[Row], Layout]:
    optional = draw(st.lists(st.sampled_from(ASSIGN_COLUMNS[2:]), unique=True))
    header = draw(st.permutations(["owner_id", "advisers", *optional]))
    owners = draw(st.lists(st.sampled_from(OWNER_IDS), min_size=1, max_size=6, unique=True))
    rows = []
    for owner in owners:
        cells = {
            "owner_id": owner,
            "advisers": ";".join(draw(st.lists(ADVISERS, min_size=1, max_size=3))),
            "network": draw(st.sampled_from(["", "Sunnhordland", "Indre Østfold", "Nord-Troms"])),
            "kindergarten_transition": draw(st.sampled_from([*YES, *NO])),
            "schools": ";".join(
                draw(st.lists(st.sampled_from(["Fjell skole", "Åssiden skole", "Hundvåg"]), max_size=2))
            ),
        }
        rows.append(Row(cells))
    for index in draw(st.lists(st.sampled_from(range(len(rows))), max_size=3, unique=True)):
        column = draw(st.sampled_from(["owner_id", "advisers", *[c for c in BAD_CELLS if c in header]]))
        value = draw(UNKNOWN_OWNER if column == "owner_id" else BAD_CELLS[column])
        rows[index] = Row({**rows[index].cells, column: value}, bad=column)
    return list(header), rows, draw(LAYOUTS)


@MANY
@given(table=assignments())
def test_an_assignment_is_read_or_its_bad_cells_named(folder: Path, table: tuple[list[str], list[Row], Layout]) -> None:
    header, rows, layout = table
    written = write(header, rows, layout)
    path = save(folder, "assign.csv", written.text)
    expected = expected_problems(rows, written)
    if not expected:
        event("read")
        read = read_assignments(path)
        assert [a.owner.id for a in read] == [r.cells["owner_id"] for r in rows]
        assert [";".join(a.advisers) for a in read] == [r.cells["advisers"] for r in rows]
        for assignment, row in zip(read, rows, strict=True):
            present = {name: row.cells[name] if name in header else "" for name in ASSIGN_COLUMNS}
            assert assignment.network == (present["network"] or None)
            assert assignment.kindergarten_transition == (present["kindergarten_transition"].lower() in YES_LOWER)
            assert ";".join(assignment.schools) == present["schools"]
        return
    event(f"{len(expected)} bad rows")
    with pytest.raises(CohortFileError) as raised:
        read_assignments(path)
    check_names_file_line_and_column(raised.value, path, expected)


def check_names_file_line_and_column(error: CohortFileError, path: Path, expected: dict[int, str]) -> None:
    """The error names the file, and exactly the lines made bad, each with the column made bad."""
    assert error.source == str(path)
    found: dict[int | None, set[str | None]] = {}
    for problem in error.problems:
        assert f"{path}: line {problem.line}, column {problem.column}: " in str(error)
        found.setdefault(problem.line, set()).add(problem.column)
    assert set(found) == set(expected), (found, expected, str(error))
    for line, column in expected.items():
        assert column in found[line], (line, column, str(error))


ANY_FILE = st.one_of(
    st.text(alphabet=st.one_of(st.sampled_from(';,"\n\r0123456789'), st.characters(codec="utf-8"))),
    st.builds(lambda body: "owner_id;advisers;network\n" + body, odd_text(max_size=300)),
    # Below `csv`'s limit of 131,072 characters a field: test_known_bugs.py goes past it.
    st.builds(lambda body: "owner_id,advisers\n" + body, huge_text(40_000)),
    st.binary(max_size=300),
)


@MANY
@given(data=ANY_FILE, reader=st.sampled_from([read_shortlist, read_assignments]))
def test_no_file_raises_anything_but_a_cohort_file_error(folder: Path, data: str | bytes, reader: object) -> None:
    path = save(folder, "anything.csv", data)
    assert reader in (read_shortlist, read_assignments)
    refused: CohortFileError | None = None
    try:
        found = read_shortlist(path) if reader is read_shortlist else [a.owner for a in read_assignments(path)]
    except CohortFileError as error:
        refused = error
    if refused is None:
        event("read")
        assert found and all(o.id in KNOWN_OWNERS for o in found)
        return
    event("refused")
    assert refused.source == str(path) and str(refused).startswith(f"{path}: ")
    assert refused.problems
    assert all(p.column in (*ASSIGN_COLUMNS, None) and (p.line is None or p.line >= 1) for p in refused.problems)
