"""The people file (config/people.py): read, refused naming line and field; the worker refuses a bad one in one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.people import PeopleFileError, load_people
from devstack.people_sample import SAMPLE

GOOD = """\
[[advisers]]
id = "a.hansen"
name = "Anne Hansen"
address = "anne.hansen@udir.no"

[[owners]]
owner_id = "3301"
name = "Kari Nordmann"
address = "kari.nordmann@drammen.kommune.no"
"""


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "people.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_file_gives_addresses_and_contacts_and_an_adviser_missing_from_it_falls_back_to_the_domain(
    tmp_path: Path,
) -> None:
    people = load_people(_file(tmp_path, GOOD), "veileder.udir.no")

    assert people.adviser_address("a.hansen") == "anne.hansen@udir.no"
    assert people.adviser_name("a.hansen") == "Anne Hansen"
    assert people.adviser_address("b.olsen") == "b.olsen@veileder.udir.no"
    assert people.adviser_name("b.olsen") == "b.olsen"
    contact = people.owner_contact("3301")
    assert contact is not None and (contact.name, contact.email) == (
        "Kari Nordmann",
        "kari.nordmann@drammen.kommune.no",
    )
    assert people.owner_contact("4601") is None


def test_no_file_is_nobody_and_the_sample_of_make_dev_is_valid(tmp_path: Path) -> None:
    assert load_people(None, "veileder.test").adviser_address("a.hansen") == "a.hansen@veileder.test"
    sample = load_people(_file(tmp_path, SAMPLE), "veileder.test")
    assert sorted(sample.advisers) == ["a.hansen", "b.olsen", "c.berg"]
    assert sorted(sample.owners) == ["3301", "4601", "5510"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            GOOD.replace('name = "Anne Hansen"', 'name = "Anne Hansen"\nphone = "12345678"'),
            "line 1, advisers[0].phone: Extra inputs are not permitted",
        ),
        (
            GOOD.replace("kari.nordmann@drammen.kommune.no", "kari.nordmann"),
            "line 6, owners[0].address: Value error, 'kari.nordmann' is not a mail address",
        ),
        (
            GOOD + GOOD.split("[[owners]]")[0],
            "line 10, advisers[1].id: 'a.hansen' is listed twice (first as advisers[0])",
        ),
        (
            GOOD.replace('owner_id = "3301"', 'owner_id = "Drammen"'),
            "line 6, owners[0].owner_id: String should match pattern",
        ),
        ('[[advisers]]\nid = "a.hansen"\n', "line 1, advisers[0].name: Field required"),
        ("[[advisers]\n", "is not valid TOML"),
        ('[[teachers]]\nid = "x"\n', "teachers: Extra inputs are not permitted"),
    ],
)
def test_a_bad_file_is_refused_naming_the_line_and_the_field(tmp_path: Path, text: str, expected: str) -> None:
    path = _file(tmp_path, text)

    with pytest.raises(PeopleFileError) as refused:
        load_people(path, "veileder.test")

    assert str(refused.value).startswith(f"people file {path}: ")
    assert expected in str(refused.value)
    assert "\n" not in str(refused.value)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PeopleFileError, match="cannot be read"):
        load_people(tmp_path / "nobody.toml", "veileder.test")


def test_the_worker_refuses_a_bad_people_file_in_one_line_before_it_connects(tmp_path: Path) -> None:
    path = _file(tmp_path, GOOD.replace("anne.hansen@udir.no", "anne.hansen"))
    environment = {
        **os.environ,
        "DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none",
        "GUIDANCE_PEOPLE_FILE": str(path),
    }
    done = subprocess.run(
        [sys.executable, "-m", "worker"], env=environment, capture_output=True, text=True, timeout=60, check=False
    )

    assert done.returncode == 1
    [line] = done.stderr.strip().splitlines()
    assert line.startswith(f"invalid settings: GUIDANCE_PEOPLE_FILE: people file {path}: line 1, advisers[0].address:")
