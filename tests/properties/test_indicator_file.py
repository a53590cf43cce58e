"""Generated indicator files (`selection.indicator_file.read_indicator_csv`): good rows are read as written, and
each bad cell is reported by file, line and column; no file, however broken, raises anything but
`IndicatorFileError`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy
from stdnum.no import orgnr

from config.owners import all_owners
from selection.indicator_file import COLUMNS, MISSING_MARKS, UNIT_KINDS, IndicatorFileError, read_indicator_csv
from tests.properties.hostile import huge_text, odd_text
from tests.properties.tables import LAYOUTS, ONE_LINE_TEXT, Layout, Row, expected_problems, save, write
from tests.selection.helpers import org_numbers

INDICATORS = frozenset({"grunnskolepoeng", "nt5_reading_level1", "trivsel"})
OWNER_IDS = tuple(o.id for o in all_owners())
KNOWN_OWNERS = frozenset(OWNER_IDS)
#: The problem a good row of a school gets when an earlier row of the school named an unknown owner.
POISONED = re.compile(r"^school \d+ belongs to .* on line (?P<line>\d+), here ")
YEARS = ("2021-22", "2022-23", "2023-24", "2024-25", "1999-00")


#: Reading a file takes milliseconds: four times the profile's examples.
MANY = settings(max_examples=settings().max_examples * 4)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("indicator-properties")


@st.composite
def good_rows(draw: st.DrawFn) -> list[Row]:
    """Rows of distinct units, indicators and years; each school belongs to one owner throughout."""
    schools = draw(st.lists(st.sampled_from(org_numbers()[:20]), max_size=4, unique=True))
    owner_of = {school: draw(st.sampled_from(OWNER_IDS)) for school in schools}
    units = [("skoleeier", owner) for owner in draw(st.lists(st.sampled_from(OWNER_IDS), max_size=3, unique=True))]
    units += [("skole", school) for school in schools]
    if not units:
        units = [("kommune", "3301")]
    keys = draw(
        st.lists(
            st.tuples(st.sampled_from(units), st.sampled_from(sorted(INDICATORS)), st.sampled_from(YEARS)),
            min_size=1,
            max_size=8,
            unique=True,
        )
    )
    rows = []
    for (kind, unit), indicator, year in keys:
        value = draw(
            st.one_of(
                st.sampled_from(sorted(MISSING_MARKS)),
                st.integers(min_value=-100_000, max_value=100_000).map(lambda n: f"{n / 100:.2f}"),
            )
        )
        if draw(st.booleans()):
            value = value.replace(".", ",")
        owner = owner_of.get(unit, unit)
        cells = {"enhet_type": kind, "enhet_id": unit, "skoleeier_id": owner, "indikator": indicator}
        rows.append(Row({**cells, "skoleaar": year, "verdi": value, "enhet_navn": draw(ONE_LINE_TEXT)}))
    return rows


def not_a_number(text: str) -> bool:
    """True for a cell that is neither a missing mark nor a number as Python reads one (decimal comma allowed).

    Python also reads ``40_7`` and digits of other scripts; the parser takes them (test_known_bugs.py), so
    they are not drawn as bad cells here.
    """
    cell = text.strip().replace("\xa0", "").replace(" ", "")
    if cell in MISSING_MARKS:
        return False
    try:
        float(cell.replace(",", "."))
    except ValueError:
        return True
    return False


BAD_CELLS: dict[str, SearchStrategy[str]] = {
    "enhet_type": st.one_of(
        st.sampled_from(["skolen", "eier", "school owner", "kommuner", "-", ""]),
        ONE_LINE_TEXT.filter(lambda t: t.strip().lower() not in UNIT_KINDS),
    ),
    "skoleeier_id": st.one_of(
        st.sampled_from(["3399", "0300", "301", "33011", "3301a", "", "00"]),
        ONE_LINE_TEXT.filter(lambda t: t.strip() not in KNOWN_OWNERS),
    ),
    "indikator": st.one_of(
        st.sampled_from(["Grunnskolepoeng", "grunnskole poeng", "", "reading"]),
        ONE_LINE_TEXT.filter(lambda t: t.strip() not in INDICATORS),
    ),
    "skoleaar": st.one_of(
        st.sampled_from(["2024/25", "2024-26", "24-25", "2024-2025", "2024", "", "abcd-ef", "2024-2", "2024 25"]),
        st.text(alphabet="abcdefghij-/ .", max_size=9),
    ),
    "verdi": st.one_of(
        st.sampled_from(["n/a", "1.234,5", "1,2,3", "nan", "inf", "-inf", "1e999", "40%", "x", "-", "**"]),
        ONE_LINE_TEXT.filter(not_a_number),
    ),
}


def other_than(owner: str) -> Callable[[str], bool]:
    return lambda text: text.strip() != owner


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[str], list[Row], Layout]:
    """A header (the columns in any order, sometimes an extra one) and rows, some with one bad cell."""
    header = draw(st.permutations([*COLUMNS, "enhet_navn"]))
    rows = draw(good_rows())
    bad_count = draw(st.integers(min_value=0, max_value=min(3, len(rows))))
    for index in draw(st.lists(st.sampled_from(range(len(rows))), min_size=bad_count, max_size=bad_count, unique=True)):
        row = rows[index]
        column = draw(st.sampled_from([*BAD_CELLS, "enhet_id"]))
        if column == "enhet_id":
            if row.cells["enhet_type"] == "skole":
                value = draw(ONE_LINE_TEXT.filter(lambda t: not orgnr.is_valid(t.strip())))
            else:
                value = draw(ONE_LINE_TEXT.filter(other_than(row.cells["skoleeier_id"])))
        else:
            value = draw(BAD_CELLS[column])
        rows[index] = Row({**row.cells, column: value}, bad=column)
    return list(header), rows, draw(LAYOUTS)


@MANY
@given(table=tables())
def test_good_rows_are_read_and_every_bad_cell_is_named_by_file_line_and_column(
    folder: Path, table: tuple[list[str], list[Row], Layout]
) -> None:
    header, rows, layout = table
    written = write(header, rows, layout)
    path = save(folder, "indicators.csv", written.text)
    expected = expected_problems(rows, written)
    if not expected:
        event("read")
        read = read_indicator_csv(path, indicators=INDICATORS)
        assert [(r.unit_id, r.owner_id, r.indicator, r.school_year) for r in read] == [
            (r.cells["enhet_id"], r.cells["skoleeier_id"], r.cells["indikator"], r.cells["skoleaar"]) for r in rows
        ]
        values = [r.cells["verdi"] for r in rows]
        assert [r.value for r in read] == [None if v in MISSING_MARKS else float(v.replace(",", ".")) for v in values]
        return
    event(f"{len(expected)} bad rows")
    with pytest.raises(IndicatorFileError) as raised:
        read_indicator_csv(path, indicators=INDICATORS)
    check_names_file_line_and_column(raised.value, path, expected)


def check_names_file_line_and_column(error: IndicatorFileError, path: Path, expected: dict[int, str]) -> None:
    """The error names the file, and exactly the lines made bad, each with (at least) the column made bad."""
    assert error.source == str(path)
    found: dict[int | None, set[str | None]] = {}
    for problem in error.problems:
        assert f"{path}: line {problem.line}, column {problem.column}: " in str(error) or problem.column is None
        if problem.line not in expected and (poisoned := POISONED.match(problem.message)):
            # Known bug: a school on a row with an unknown owner is taken to belong to it (test_known_bugs.py).
            assert int(poisoned["line"]) in expected, problem
            continue
        found.setdefault(problem.line, set()).add(problem.column)
    assert set(found) == set(expected), (found, expected, str(error))
    for line, column in expected.items():
        assert column in found[line], (line, column, str(error))


@MANY
@given(
    data=st.one_of(
        st.text(alphabet=st.one_of(st.sampled_from(';,"\n\r*-0123456789'), st.characters(codec="utf-8"))),
        st.builds(
            lambda body: "enhet_type;enhet_id;skoleeier_id;indikator;skoleaar;verdi\n" + body, odd_text(max_size=300)
        ),
        # Below `csv`'s limit of 131,072 characters a field: test_known_bugs.py goes past it.
        st.builds(lambda body: "enhet_type;enhet_id;skoleeier_id;indikator;skoleaar;verdi\n" + body, huge_text(40_000)),
        st.binary(max_size=300),
    )
)
def test_no_file_raises_anything_but_an_indicator_file_error(folder: Path, data: str | bytes) -> None:
    path = save(folder, "anything.csv", data)
    refused: IndicatorFileError | None = None
    try:
        rows = read_indicator_csv(path, indicators=INDICATORS)
    except IndicatorFileError as error:
        refused = error
    if refused is None:
        event("read")
        assert rows
        assert all(r.indicator in INDICATORS and r.owner_id in KNOWN_OWNERS for r in rows)
        return
    event("refused")
    assert refused.source == str(path) and str(refused).startswith(f"{path}: ")
    assert refused.problems
    assert all(p.column in (*COLUMNS, None) and (p.line is None or p.line >= 1) for p in refused.problems)
