"""Who may sign in: advisers (their own periods), coordinators (all periods), and county governors
(Statsforvalteren: only the county governors' assessment of their own county's owners, nothing else).

For local development the app knows the `DEV_USERS` below. Anywhere else, give
``GUIDANCE_WEB_USERS_FILE``, a TOML file of argon2 password hashes (`python -m webapp.password_hash`
prints one)::

    [[users]]
    name = "a.hansen"            # an adviser's name is their adviser id on the periods
    role = "adviser"
    password_hash = "$argon2id$v=19$m=65536,t=3,p=4$..."

    [[users]]
    name = "sf.vestland"         # a county governor names their county by its number
    role = "county_governor"
    county = "46"
    password_hash = "$argon2id$v=19$m=65536,t=3,p=4$..."

A real deployment puts the Directorate's identity provider (OIDC) in front instead (docs/web-app.md).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

Role = Literal["adviser", "coordinator", "county_governor"]

#: The development users (docs/web-app.md): name, role, password.
DEV_USERS: tuple[tuple[str, Role, str], ...] = (
    ("a.hansen", "adviser", "adviser-dev"),
    ("b.olsen", "adviser", "adviser-dev"),
    ("c.berg", "adviser", "adviser-dev"),
    ("coordinator", "coordinator", "coordinator-dev"),
    ("sf.vestland", "county_governor", "county-governor-dev"),
)
#: The county of each development county governor (Statsforvalteren i Vestland: 46).
DEV_COUNTIES: dict[str, str] = {"sf.vestland": "46"}

_hasher = PasswordHasher()


class UsersFileError(ValueError):
    """The users file is missing or malformed; the message names the file and the problem."""


class UserEntry(BaseModel):
    """One user of the users file."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z][a-z0-9._-]*$", min_length=2, max_length=64)
    role: Role
    password_hash: str = Field(pattern=r"^\$argon2")
    #: A county governor's county (its two-digit number); no other role has one.
    county: str | None = Field(default=None, pattern=r"^\d{2}$")

    @model_validator(mode="after")
    def _county_of_a_county_governor(self) -> UserEntry:
        if (self.role == "county_governor") != (self.county is not None):
            raise ValueError('county: a county governor names their county (e.g. "46"), and only a county governor')
        return self


class UsersFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    users: list[UserEntry] = Field(min_length=1)


@dataclass(frozen=True)
class User:
    """A signed-in person: an adviser acts under their own name; a coordinator sees every period; a county governor
    sees the assessment of their `county`'s owners and nothing else."""

    name: str
    role: Role
    county: str | None = None

    @property
    def is_coordinator(self) -> bool:
        return self.role == "coordinator"

    @property
    def is_county_governor(self) -> bool:
        return self.role == "county_governor"

    def may_see(self, advisers: list[str]) -> bool:
        """Whether this user may open (and act on) a period with these advisers."""
        return self.is_coordinator or (self.role == "adviser" and self.name in advisers)


class UserDirectory:
    """The users and their password hashes; checks a password with argon2 (constant-time, salted)."""

    def __init__(self, entries: list[UserEntry]) -> None:
        self._entries = {entry.name: entry for entry in entries}

    @classmethod
    def development(cls) -> UserDirectory:
        """The documented development users (never for a deployment: their passwords are in docs/web-app.md)."""
        return cls(
            [
                UserEntry(name=n, role=r, password_hash=_hasher.hash(p), county=DEV_COUNTIES.get(n))
                for n, r, p in DEV_USERS
            ]
        )

    @classmethod
    def from_file(cls, path: Path) -> UserDirectory:
        """Read a users file.

        Raises:
            UsersFileError: The file cannot be read, is not TOML, or a user is malformed.
        """
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise UsersFileError(f"users file {path}: cannot be read ({error.strerror})") from None
        except tomllib.TOMLDecodeError as error:
            raise UsersFileError(f"users file {path}: not valid TOML ({error})") from None
        try:
            parsed = UsersFile.model_validate(raw)
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors(include_url=False)
            )
            raise UsersFileError(f"users file {path}: {problems}") from None
        return cls(parsed.users)

    def authenticate(self, name: str, password: str) -> User | None:
        """The user if the password is theirs, else None (an unknown name costs a hash too, so it cannot be timed)."""
        entry = self._entries.get(name.strip())
        stored = entry.password_hash if entry is not None else _UNKNOWN_USER_HASH
        try:
            _hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return None
        if entry is None:
            return None
        return User(name=entry.name, role=entry.role, county=entry.county)

    def names(self, role: Role) -> list[str]:
        """Every user with `role`, by name (the advisers a coordinator may assign)."""
        return sorted(name for name, entry in self._entries.items() if entry.role == role)

    def get(self, name: str) -> User | None:
        """The user called `name` (a signed-in session names its user), or None if no longer known."""
        entry = self._entries.get(name)
        return User(name=entry.name, role=entry.role, county=entry.county) if entry is not None else None


_UNKNOWN_USER_HASH = _hasher.hash("no user has this password")


def hash_password(password: str) -> str:
    """An argon2id hash for the users file."""
    return _hasher.hash(password)
