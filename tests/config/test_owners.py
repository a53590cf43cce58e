"""The registry of Norway's school owners (config/owners.py)."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

import config
from config.owners import UnknownOwner, all_owners, find_owners, owner_by_id
from domain.models import SchoolOwner

DATA = Path(config.__file__).parent / "data"


def read_csv(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_there_are_371_school_owners() -> None:
    owners = all_owners()
    kinds = Counter(o.kind for o in owners)
    assert len(owners) == 371
    assert kinds == {"municipality": 357, "county_authority": 14}


def test_ids_are_unique() -> None:
    ids = [o.id for o in all_owners()]
    assert len(set(ids)) == len(ids)


def test_every_owner_validates_as_a_school_owner() -> None:
    for owner in all_owners():
        assert SchoolOwner.model_validate(owner.model_dump()) == owner
        assert SchoolOwner.model_validate_json(owner.model_dump_json()) == owner


def test_oslo_is_one_owner_the_municipality() -> None:
    oslo = owner_by_id("0301")
    assert oslo.kind == "municipality"
    assert oslo.county == "03"
    assert oslo.name == "Oslo - Oslove"
    assert [o.id for o in all_owners() if o.county == "03"] == ["0301"]
    with pytest.raises(UnknownOwner) as raised:
        owner_by_id("03")
    assert "0301" in str(raised.value)


def test_every_municipality_of_the_source_is_an_owner_with_its_official_name_and_county() -> None:
    rows = read_csv("municipalities.csv")
    assert len(rows) == 357
    for row in rows:
        owner = owner_by_id(row["municipality_number"])
        assert (owner.kind, owner.name, owner.county) == (
            "municipality",
            row["municipality_name"],
            row["county_number"],
        )


def test_every_county_but_oslo_is_a_county_authority() -> None:
    counties = read_csv("counties.csv")
    assert len(counties) == 15
    for row in counties:
        if row["county_number"] == "03":
            continue
        owner = owner_by_id(row["county_number"])
        assert owner.kind == "county_authority"
        assert owner.county == row["county_number"]
        assert owner.name == f"{row['county_name']} fylkeskommune"


@pytest.mark.parametrize(
    ("owner_id", "name", "kind", "county"),
    [
        ("3301", "Drammen", "municipality", "33"),
        ("1103", "Stavanger", "municipality", "11"),
        ("5001", "Trondheim - Tråante", "municipality", "50"),
        ("5610", "Kárášjohka - Karasjok", "municipality", "56"),
        ("11", "Rogaland fylkeskommune", "county_authority", "11"),
        ("15", "Møre og Romsdal fylkeskommune", "county_authority", "15"),
        ("56", "Finnmark fylkeskommune", "county_authority", "56"),
    ],
)
def test_known_owners(owner_id: str, name: str, kind: str, county: str) -> None:
    owner = owner_by_id(owner_id)
    assert (owner.id, owner.name, owner.kind, owner.county) == (owner_id, name, kind, county)


def test_every_municipality_lies_in_a_county_that_has_a_county_authority_or_is_oslo() -> None:
    authorities = {o.id for o in all_owners() if o.kind == "county_authority"}
    for owner in all_owners():
        if owner.kind == "municipality":
            assert owner.county in authorities or owner.id == "0301", owner


def test_the_registry_cannot_be_changed_by_a_caller() -> None:
    first = owner_by_id("3301")
    first.name = "Changed"
    all_owners()[0].name = "Changed too"
    assert owner_by_id("3301").name == "Drammen"
    assert all_owners()[0].name == "Oslo - Oslove"
    assert len(all_owners()) == 371


@pytest.mark.parametrize(
    ("owner_id", "suggested"),
    [
        pytest.param("03", "0301", id="oslo-county"),
        pytest.param("301", "0301", id="lost-leading-zero"),
        pytest.param("0302", "0301", id="near-number"),
        pytest.param("1102", "1101", id="near-number-in-rogaland"),
        pytest.param("Drammen", "3301", id="a-name-instead-of-an-id"),
        pytest.param("tromso", "5501", id="a-name-without-the-letter-o-slash"),
        pytest.param("30", "31", id="the-former-viken"),
    ],
)
def test_an_unknown_id_is_refused_with_a_suggestion(owner_id: str, suggested: str) -> None:
    with pytest.raises(UnknownOwner) as raised:
        owner_by_id(owner_id)
    message = str(raised.value)
    assert repr(owner_id) in message
    assert "four-digit" in message
    assert "two-digit" in message
    assert suggested in [o.id for o in raised.value.suggestions]
    suggestion = owner_by_id(suggested)
    assert f"{suggestion.id} {suggestion.name}" in message


def test_unknown_owner_is_a_lookup_error() -> None:
    with pytest.raises(LookupError):
        owner_by_id("9999")


def test_surrounding_spaces_are_ignored() -> None:
    assert owner_by_id(" 3301 ").name == "Drammen"


@pytest.mark.parametrize(
    ("text", "expected_ids"),
    [
        ("drammen", ["3301"]),
        ("DRAMMEN", ["3301"]),
        ("oslo", ["0301"]),
        ("Karasjok", ["5610"]),  # the Norwegian form of a Sami name
        ("kárášjohka", ["5610"]),
        ("karasjohka", ["5610"]),  # without the accents
        ("Tråante", ["5001"]),
    ],
)
def test_find_owners_by_name(text: str, expected_ids: list[str]) -> None:
    assert [o.id for o in find_owners(text)] == expected_ids


def test_find_owners_returns_every_match_in_id_order() -> None:
    authorities = find_owners("fylkeskommune")
    assert len(authorities) == 14
    assert all(o.kind == "county_authority" for o in authorities)
    assert [o.id for o in authorities] == sorted(o.id for o in authorities)
    sand = {o.name for o in find_owners("sand")}
    assert {"Sandnes", "Sandefjord"} <= sand


def test_find_owners_with_nothing_to_match() -> None:
    assert find_owners("Atlantis") == []
    assert find_owners("   ") == []
