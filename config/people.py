"""Who receives what: the people file, one place for advisers' mail addresses and the owners' contact persons.

``GUIDANCE_PEOPLE_FILE`` names a TOML file (`make dev` writes a sample for its users in ``<data>/people.toml``)::

    [[advisers]]
    id = "a.hansen"                       # the adviser id the periods name
    name = "Anne Hansen"
    address = "anne.hansen@udir.no"

    [[owners]]
    owner_id = "3301"                     # the school owner's number
    name = "Kari Nordmann"                # its contact person for the guidance period
    address = "kari.nordmann@drammen.kommune.no"

Letters, reminders and invitations use it: an adviser's address is the file's; an adviser missing from the file
gets ``<id>@GUIDANCE_ADVISER_MAIL_DOMAIN`` as before the file existed, so a period is never held up by a file that
lags behind the periods (our choice).

The owner's contact person of a period is the one kept for the period in the record store (set on the period page
or with ``guidance contact set``; domain/contacts.py); the file's ``[[owners]]`` entry is the default for a period
without one. `People.owner_contact` is that rule and `People.meeting_participants` says who an invitation and a
calendar feed name: the ORGANIZER is the adviser who agreed the meeting (the first of the period's advisers when
that is not known), the ATTENDEEs the period's advisers and the contact. Mailed invitations, the gathering
invitations (to the contact instead of ``GUIDANCE_OWNER_ADDRESS``) and the web app's calendar feeds all ask here.

The file is read once when the worker (and the web app) starts; a bad one (not TOML, an unknown key, a bad address,
an id twice) stops it with one line naming the file, the entry's line and the field. The retention job deletes the
periods' contacts and the messages that named anyone with the period's other personal data (activities/retention.py).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from domain.contacts import ContactPerson
from domain.mail import checked_address
from domain.models import AdviserId
from domain.retention import REMOVED

MailAddress = Annotated[str, Field(max_length=320), AfterValidator(checked_address)]
PersonName = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")]


class AdviserEntry(BaseModel):
    """One adviser: the id the periods use, their name and their mail address."""

    model_config = ConfigDict(extra="forbid")

    id: AdviserId
    name: PersonName
    address: MailAddress


class OwnerContact(BaseModel):
    """A school owner's contact person for its guidance periods, the default of a period without its own."""

    model_config = ConfigDict(extra="forbid")

    owner_id: str = Field(pattern=r"^\d{2}(\d{2})?$")
    name: PersonName
    address: MailAddress


class PeopleFileData(BaseModel):
    model_config = ConfigDict(extra="forbid")

    advisers: list[AdviserEntry] = Field(default_factory=list)
    owners: list[OwnerContact] = Field(default_factory=list)

    @model_validator(mode="after")
    def _each_once(self) -> PeopleFileData:
        _refuse_twice("advisers", "id", [a.id for a in self.advisers])
        _refuse_twice("owners", "owner_id", [o.owner_id for o in self.owners])
        return self


def _refuse_twice(table: str, key: str, values: Iterable[str]) -> None:
    seen: dict[str, int] = {}
    for index, value in enumerate(values):
        if value in seen:
            raise ValueError(f"{table}[{index}].{key}: {value!r} is listed twice (first as {table}[{seen[value]}])")
        seen[value] = index


class PeopleFileError(ValueError):
    """A people file that cannot be read or is not valid; the message names the file, the line and the field."""


@dataclass(frozen=True)
class People:
    """The people file as the activities use it; empty (no file), every address falls back to the domain rule."""

    adviser_domain: str
    advisers: dict[str, AdviserEntry] = field(default_factory=dict)
    owners: dict[str, OwnerContact] = field(default_factory=dict)

    def adviser_address(self, adviser: str) -> str:
        """The adviser's address: the file's, else ``<id>@<adviser_domain>``."""
        entry = self.advisers.get(adviser)
        return entry.address if entry is not None else f"{adviser}@{self.adviser_domain}"

    def adviser_name(self, adviser: str) -> str:
        """The adviser's name for a calendar (CN): the file's, else the id."""
        entry = self.advisers.get(adviser)
        return entry.name if entry is not None else adviser

    def owner_contact(self, owner_id: str, kept: ContactPerson | None = None) -> ContactPerson | None:
        """The contact person of a period of `owner_id`: the one `kept` for the period, else the file's for the
        owner."""
        if kept is not None:
            return kept
        entry = self.owners.get(owner_id)
        return ContactPerson(name=entry.name, email=entry.address) if entry is not None else None

    def adviser(self, adviser: str) -> Participant:
        return Participant(self.adviser_address(adviser), self.adviser_name(adviser))

    def meeting_participants(
        self, organizer: str | None, advisers: list[str], contact: ContactPerson | None
    ) -> Participants:
        """Who a meeting's invitation and calendar event name (the one rule; the module's doc says it).

        Args:
            organizer: The adviser who agreed the meeting (None, or ``removed`` after retention: not known).
            advisers: The period's advisers (empty once retention has removed them: then nobody is named).
            contact: The period's owner contact (`owner_contact`).
        """
        if not advisers:
            return Participants(None, ())
        lead = organizer if organizer and organizer != REMOVED else advisers[0]
        contacts = (Participant(contact.email, contact.name),) if contact is not None else ()
        return Participants(self.adviser(lead), (*(self.adviser(a) for a in advisers), *contacts))


@dataclass(frozen=True)
class Participant:
    """A person an event names, as a calendar shows them."""

    address: str
    name: str


@dataclass(frozen=True)
class Participants:
    """The ORGANIZER and the ATTENDEEs of a meeting (advisers first, then the owner's contact)."""

    organizer: Participant | None
    attendees: tuple[Participant, ...]

    @property
    def addresses(self) -> list[str]:
        """Where the invitation is sent: every attendee's address."""
        return [attendee.address for attendee in self.attendees]


def _entry_lines(text: str, table: str) -> list[int]:
    """The line numbers (from 1) of each ``[[table]]`` header, in order: where entry N of the table starts."""
    header = re.compile(rf"^\s*\[\[\s*{re.escape(table)}\s*\]\]")
    return [number for number, line in enumerate(text.splitlines(), start=1) if header.match(line)]


def _where(text: str, location: tuple[int | str, ...]) -> str:
    """``advisers[1].address (line 7)`` for a pydantic error location such as ``('advisers', 1, 'address')``."""
    path = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in location).lstrip(".")
    if len(location) >= 2 and isinstance(location[0], str) and isinstance(location[1], int):
        lines = _entry_lines(text, location[0])
        if location[1] < len(lines):
            return f"line {lines[location[1]]}, {path}"
    return path


def _duplicate_where(text: str, message: str) -> str:
    found = re.search(r"(advisers|owners)\[(\d+)\]", message)
    if found:
        lines = _entry_lines(text, found.group(1))
        index = int(found.group(2))
        if index < len(lines):
            return f"line {lines[index]}, {message}"
    return message


def load_people(path: Path | None, adviser_domain: str) -> People:
    """The people of the file at `path` (None: nobody; every address by the domain rule).

    Raises:
        PeopleFileError: The file is missing, not UTF-8 TOML, or not valid; one line naming file, line and field.
    """
    if path is None:
        return People(adviser_domain)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PeopleFileError(f"people file {path}: cannot be read: {error}") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PeopleFileError(f"people file {path}: is not valid TOML: {error}") from None
    try:
        data = PeopleFileData.model_validate(raw)
    except ValidationError as error:
        problems = []
        for problem in error.errors(include_url=False):
            if problem["type"] == "value_error" and not problem["loc"]:
                problems.append(_duplicate_where(text, str(problem["ctx"]["error"])))
            else:
                problems.append(f"{_where(text, problem['loc'])}: {problem['msg']}")
        raise PeopleFileError(f"people file {path}: " + "; ".join(problems)) from None
    return People(
        adviser_domain,
        advisers={a.id: a for a in data.advisers},
        owners={o.owner_id: o for o in data.owners},
    )
