"""The recipients' languages (config/data/languages.csv): bokmål by default, and a file with a bad row refused."""

from __future__ import annotations

import pytest

from config.languages import (
    LanguageFileError,
    check_languages,
    county_governor_language,
    owner_language,
    parse_languages,
)

HEADER = "kind,id,language\n"


def test_the_shipped_file_is_valid_and_names_nynorsk_bodies_of_vestland() -> None:
    assert check_languages() > 0
    assert county_governor_language("46") == "nn"  # Statsforvalteren i Vestland
    assert owner_language("4621") == "nn"  # Voss
    assert owner_language("46") == "nn"  # Vestland fylkeskommune


def test_anyone_not_listed_reads_bokmal() -> None:
    assert owner_language("3301") == "nb"  # Drammen
    assert county_governor_language("33") == "nb"  # Buskerud
    assert owner_language("9999") == "nb", "an id the registry lacks is not an error here: the letter still goes"


def test_a_file_with_an_unknown_language_is_refused_with_its_line() -> None:
    with pytest.raises(LanguageFileError, match=r"languages.csv line 3: unknown language 'de'; one of nb, nn, sv, en"):
        parse_languages(HEADER + "municipality,4621,nn\nmunicipality,4622,de\n")


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("municipality,9999,nn", r"line 2: unknown school owner '9999'"),
        ("county_governor,99,nn", r"line 2: no county has the number '99'"),
        ("municipality,46,nn", r"line 2: 46 Vestland fylkeskommune is a county_authority, not a municipality"),
        ("kommune,4621,nn", r"line 2: unknown kind 'kommune'; one of municipality, county_authority, county_governor"),
        ("municipality,4621,", r"line 2: unknown language ''"),
    ],
)
def test_a_row_naming_an_unknown_recipient_or_kind_is_refused(row: str, reason: str) -> None:
    with pytest.raises(LanguageFileError, match=reason):
        parse_languages(HEADER + row + "\n")


def test_a_recipient_listed_twice_or_a_missing_column_is_refused() -> None:
    with pytest.raises(LanguageFileError, match=r"line 3: municipality 4621 has a language already"):
        parse_languages(HEADER + "municipality,4621,nn\nmunicipality,4621,nb\n")
    with pytest.raises(LanguageFileError, match=r"the header lacks language"):
        parse_languages("kind,id\nmunicipality,4621\n")


def test_a_valid_file_gives_each_recipient_its_language() -> None:
    chosen = parse_languages(HEADER + "municipality,4621,nn\ncounty_governor,46,nn\ncounty_authority,11,sv\n")

    assert chosen == {
        ("municipality", "4621"): "nn",
        ("county_governor", "46"): "nn",
        ("county_authority", "11"): "sv",
    }
