"""Who may sign in: the users file, and where a person may be sent after signing in."""

from __future__ import annotations

from pathlib import Path

import pytest

from webapp.auth import safe_next
from webapp.users import UserDirectory, UsersFileError, hash_password


def test_a_users_file_signs_in_its_users_with_their_own_passwords(tmp_path: Path) -> None:
    users = tmp_path / "users.toml"
    users.write_text(
        f'[[users]]\nname = "d.lie"\nrole = "adviser"\npassword_hash = "{hash_password("a long passphrase")}"\n',
        encoding="utf-8",
    )

    directory = UserDirectory.from_file(users)

    signed_in = directory.authenticate("d.lie", "a long passphrase")
    assert signed_in is not None and (signed_in.name, signed_in.role) == ("d.lie", "adviser")
    assert directory.authenticate("d.lie", "adviser-dev") is None
    assert directory.authenticate("a.hansen", "adviser-dev") is None, "the development users are gone"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[users]]\nname = ", "not valid TOML"),
        ('[[users]]\nname = "d.lie"\nrole = "operator"\npassword_hash = "$argon2id$x"\n', "users.0.role"),
        ('[[users]]\nname = "d.lie"\nrole = "adviser"\npassword_hash = "plain-text"\n', "users.0.password_hash"),
        ("users = []\n", "users: List should have at least 1 item"),
    ],
    ids=["not TOML", "an unknown role", "a password that is no hash", "nobody"],
)
def test_a_malformed_users_file_is_refused_with_the_place_and_the_problem(
    tmp_path: Path, text: str, message: str
) -> None:
    users = tmp_path / "users.toml"
    users.write_text(text, encoding="utf-8")

    with pytest.raises(UsersFileError, match=r"users file .*users\.toml") as refused:
        UserDirectory.from_file(users)

    assert message in str(refused.value)


def test_a_missing_users_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(UsersFileError, match="cannot be read"):
        UserDirectory.from_file(tmp_path / "nowhere.toml")


@pytest.mark.parametrize(
    ("asked", "sent_to"),
    [("/cohorts/2027", "/cohorts/2027"), ("https://evil.example/", "/"), ("//evil.example/", "/"), (None, "/")],
)
def test_signing_in_returns_only_to_a_page_of_this_site(asked: str | None, sent_to: str) -> None:
    assert safe_next(asked) == sent_to
