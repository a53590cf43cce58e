"""The indicator file: decimal commas, missing marks, and errors that name the line and the column."""

from __future__ import annotations

from pathlib import Path

import pytest

from selection import indicator_file
from selection.indicator_file import IndicatorFileError, parse_indicator_csv, read_indicator_csv
from tests.selection.helpers import org_numbers

INDICATORS = {"grunnskolepoeng", "nt5_reading_level1"}
HEADER = "enhet_type;enhet_id;skoleeier_id;indikator;skoleaar;verdi\n"


def parse(text: str) -> list[tuple[str, str, str, float | None]]:
    rows = parse_indicator_csv(text, "ind.csv", indicators=INDICATORS)
    return [(r.unit_kind, r.unit_id, r.school_year, r.value) for r in rows]


def error(text: str) -> str:
    with pytest.raises(IndicatorFileError) as raised:
        parse_indicator_csv(text, "ind.csv", indicators=INDICATORS)
    return str(raised.value)


def test_semicolons_and_decimal_commas() -> None:
    school = org_numbers()[0]
    text = (
        HEADER + f"kommune;3301;3301;grunnskolepoeng;2024-25;40,7\nskole;{school};3301;grunnskolepoeng;2024-25;38.25\n"
    )
    assert parse(text) == [("owner", "3301", "2024-25", 40.7), ("school", school, "2024-25", 38.25)]


def test_commas_with_quoted_decimal_commas_a_bom_and_extra_columns() -> None:
    text = (
        "\ufeffenhet_navn,enhet_type,enhet_id,skoleeier_id,indikator,skoleaar,verdi\r\n"
        'Drammen,skoleeier,3301,3301,grunnskolepoeng,2023-24,"41,2"\r\n'
    )
    assert parse(text) == [("owner", "3301", "2023-24", 41.2)]


@pytest.mark.parametrize("mark", ["*", "--", "", " * "])
def test_suppressed_cells_are_missing_values(mark: str) -> None:
    text = HEADER + f"skoleeier;3301;3301;grunnskolepoeng;2024-25;{mark}\n"
    assert parse(text) == [("owner", "3301", "2024-25", None)]


def test_a_non_numeric_value_names_file_line_and_column() -> None:
    text = (
        HEADER + "skoleeier;3301;3301;grunnskolepoeng;2023-24;40,1\nskoleeier;3301;3301;grunnskolepoeng;2024-25;n/a\n"
    )
    message = error(text)
    assert "ind.csv: line 3, column verdi: 'n/a'" in message
    assert "expected a number" in message


def test_every_bad_cell_is_reported_with_what_was_expected() -> None:
    text = HEADER + "skole;123456789;3399;reading;2024/25;1.234,5\n"
    message = error(text)
    for column, expected in [
        ("enhet_id", "organisation number"),
        ("skoleeier_id", "'3399' is no school owner"),
        ("indikator", "expected one of grunnskolepoeng, nt5_reading_level1"),
        ("skoleaar", "like 2024-25"),
        ("verdi", "either a decimal comma or a decimal point"),
    ]:
        assert f"line 2, column {column}: " in message
        assert expected in message


def test_a_wrong_header_says_which_columns_are_expected() -> None:
    message = error("unit;owner;value\n3301;3301;1\n")
    assert message.startswith("ind.csv: line 1: the header lacks enhet_type, enhet_id, skoleeier_id")
    assert "expected the columns enhet_type,enhet_id,skoleeier_id,indikator,skoleaar,verdi" in message


def test_duplicates_inconsistent_owner_rows_and_non_consecutive_years() -> None:
    school = org_numbers()[0]
    text = HEADER + (
        "skoleeier;3301;3301;grunnskolepoeng;2024-25;40\n"
        "skoleeier;3301;3301;grunnskolepoeng;2024-25;41\n"
        "skoleeier;3301;1101;grunnskolepoeng;2024-25;41\n"
        f"skole;{school};3301;grunnskolepoeng;2024-25;40\n"
        f"skole;{school};1101;grunnskolepoeng;2023-24;40\n"
        "skoleeier;3301;3301;grunnskolepoeng;2024-26;40\n"
    )
    message = error(text)
    assert "line 3, column skoleaar: owner 3301, grunnskolepoeng 2024-25 was already given on line 2" in message
    assert "line 4, column enhet_id: an owner row's enhet_id is its skoleeier_id '1101'" in message
    assert f"line 6, column skoleeier_id: school {school} belongs to 3301 on line 5" in message
    assert "line 7, column skoleaar: a school year is two consecutive years" in message


def test_a_file_that_is_not_utf8_or_missing(tmp_path: Path) -> None:
    path = tmp_path / "ind.csv"
    path.write_bytes(HEADER.encode() + "skoleeier;3301;3301;grunnskolepoeng;2024-25;Bærum\n".encode("latin-1"))
    with pytest.raises(IndicatorFileError, match=r"line 2: not UTF-8"):
        read_indicator_csv(path, indicators=INDICATORS)
    with pytest.raises(IndicatorFileError, match="cannot read the file"):
        read_indicator_csv(tmp_path / "absent.csv", indicators=INDICATORS)


def test_a_header_without_rows_is_an_error() -> None:
    assert "no data rows" in error(HEADER)


def test_rows_beyond_the_bound_are_refused_naming_the_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(indicator_file, "MAX_ROWS", 2)
    rows = "".join(f"kommune;3301;3301;grunnskolepoeng;{year};40\n" for year in ("2022-23", "2023-24", "2024-25"))

    assert "ind.csv: line 4: more than 2 data rows; export only the indicators and years needed" in error(HEADER + rows)


def test_a_file_over_the_size_bound_is_refused_unread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(indicator_file, "MAX_FILE_BYTES", 1024)
    big = tmp_path / "big.csv"
    big.write_text(HEADER + "kommune;3301;3301;grunnskolepoeng;2024-25;40\n" * 100, encoding="utf-8")

    with pytest.raises(IndicatorFileError) as raised:
        read_indicator_csv(big, indicators=INDICATORS)

    assert str(raised.value).startswith(f"{big}: the file is larger than ")
    assert "export only the indicators and years needed" in str(raised.value)
