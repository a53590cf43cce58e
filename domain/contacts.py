"""The school owner's contact person of a guidance period: whom the period's invitations and letters reach at the owner.

A coordinator or one of the period's advisers sets it (the period page, `guidance contact set`); the web app and the
command never write the record store themselves: they start `OwnerContactWorkflow` (workflows/owner_contact.py, id
``contact-{period workflow id}``), which stamps the change with its own time and has one activity write the
`owner_contacts` row and the period's audit entry. A period without one falls back to the people file's contact for
its owner (config/people.py holds that rule, the one place that says who receives what). The retention job deletes
the row with the rest of the period's personal data (activities/retention.py).

The contact is personal data: the workflow's input and result travel through the payload codec, encrypted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from domain.mail import checked_address
from domain.models import Printable
from domain.records import AuditEntry

#: A person's name or role as typed: one line of plain text.
_OneLine = Annotated[str, Field(pattern=r"^[^\n\r\t]*$"), Printable]


class ContactPerson(BaseModel):
    """The owner's contact person: name, mail address, and optionally a phone number and their role."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    name: Annotated[_OneLine, Field(min_length=1, max_length=200)]
    email: Annotated[str, Field(min_length=1, max_length=320), AfterValidator(checked_address)]
    #: Digits, spaces and + ( ) - as people write them: +47 32 04 70 00.
    phone: Annotated[str, Field(min_length=5, max_length=30, pattern=r"^\+?[0-9][0-9 ()-]*$")] | None = None
    #: What they are at the owner (``Kommunalsjef oppvekst``).
    role: Annotated[_OneLine, Field(min_length=1, max_length=200)] | None = None


class OwnerContactChange(BaseModel):
    """Input of `OwnerContactWorkflow`: set the period's contact (`contact`) or clear it (None), by whom."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    period_workflow_id: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9._:-]+$")
    contact: ContactPerson | None = None
    #: The signed-in user or the command's ``--by``: a coordinator or one of the period's advisers.
    by: str = Field(min_length=1, max_length=100, pattern=r"^[^\s]+$")


class OwnerContactRecord(BaseModel):
    """The change as the workflow recorded it: stamped with the workflow's time, with its audit entry."""

    change: OwnerContactChange
    at: datetime
    audit: AuditEntry


def contact_audit(change: OwnerContactChange, at: datetime, event_key: str) -> AuditEntry:
    """The period's audit entry of a change of its contact (the details go with retention like every entry's)."""
    contact = change.contact
    return AuditEntry(
        workflow_id=change.period_workflow_id,
        event_key=f"contact:{event_key}",
        at=at,
        actor=change.by,
        action="owner's contact person set" if contact is not None else "owner's contact person cleared",
        details=contact.model_dump(exclude_none=True) if contact is not None else {},
    )
