"""The county governor's role: from the identity provider's groups (a prefix and the county's number), from the
users file (with its county), and the development user of Vestland."""

from __future__ import annotations

from pathlib import Path

import pytest

from devstack.identity_provider import dev_claims
from language.current import using
from webapp.identity import ClaimRules, NotAllowed, person
from webapp.settings import WebSettings
from webapp.users import User, UserDirectory, UsersFileError

RULES = ClaimRules.of(WebSettings(_env_file=None))


def test_a_county_governors_group_names_their_county() -> None:
    claims = {"preferred_username": "sf.vestland", "groups": ["veilederkorpset-statsforvalter-46"]}
    assert person(claims, RULES) == User("sf.vestland", "county_governor", "46")
    # A coordinator's group wins over a county governor's.
    both = {
        "preferred_username": "k.lie",
        "groups": ["veilederkorpset-statsforvalter-46", "veilederkorpset-koordinator"],
    }
    assert person(both, RULES) == User("k.lie", "coordinator")


@pytest.mark.parametrize(
    "groups",
    [
        ["veilederkorpset-statsforvalter-99"],  # no such county
        ["veilederkorpset-statsforvalter-4"],
        ["veilederkorpset-statsforvalter-46", "veilederkorpset-statsforvalter-33"],  # two counties: none
    ],
)
def test_a_county_governors_group_without_one_known_county_gives_no_user(groups: list[str]) -> None:
    with using("en"), pytest.raises(NotAllowed, match="veilederkorpset-statsforvalter-NN"):
        person({"preferred_username": "eve", "groups": groups}, RULES)


def test_the_users_file_gives_a_county_governor_their_county_and_only_them(tmp_path: Path) -> None:
    good = tmp_path / "users.toml"
    hashed = '"$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaA"'
    good.write_text(
        f'[[users]]\nname = "sf.vestland"\nrole = "county_governor"\ncounty = "46"\npassword_hash = {hashed}\n'
    )
    assert UserDirectory.from_file(good).get("sf.vestland") == User("sf.vestland", "county_governor", "46")
    for role, county in (("county_governor", ""), ("adviser", 'county = "46"\n')):
        bad = tmp_path / f"{role}.toml"
        bad.write_text(f'[[users]]\nname = "x.y"\nrole = "{role}"\n{county}password_hash = {hashed}\n')
        with pytest.raises(UsersFileError, match="county: a county governor names their county"):
            UserDirectory.from_file(bad)


def test_the_development_county_governor_is_vestlands_in_the_users_and_the_local_provider() -> None:
    assert UserDirectory.development().authenticate("sf.vestland", "county-governor-dev") == User(
        "sf.vestland", "county_governor", "46"
    )
    settings = WebSettings(_env_file=None)
    claims = {user.sub: user.claims for user in dev_claims(settings)}
    assert person(claims["sf.vestland"], ClaimRules.of(settings)) == User("sf.vestland", "county_governor", "46")
