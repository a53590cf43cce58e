"""Which language each message of the outbox is written in: the one rule, in one place.

- A letter to the county governor (an invitation to a cohort, its reminder): the county governor's language.
- A meeting invitation, a reminder and a national-gathering invitation: the school owner's language. They go to
  the owner or to the advisers who work with it, and the meeting is held in the owner's language.
- An escalation goes to the Directorate, which reads bokmål.

Whom a period's invitations reach at the owner is the contact person kept for the period (`stored_contact`), else the
people file's (config/people.py says which).

The languages are set per owner and per county governor in `config/data/languages.csv` (`config.languages`);
anyone not listed reads bokmål.
"""

from __future__ import annotations

import asyncpg

from config.languages import county_governor_language, owner_language
from domain.contacts import ContactPerson
from domain.models import NoticeKind
from language import DEFAULT, Language

#: The Directorate's own language (escalations).
DIRECTORATE_LANGUAGE: Language = DEFAULT

OWNER_OF_PERIOD = "SELECT owner_id FROM periods WHERE workflow_id = $1"
#: The plan a period runs (its labels name the meeting kinds in its invitations).
PLAN_OF_PERIOD = "SELECT plan FROM periods WHERE workflow_id = $1"
#: The owner's contact person kept for a period (domain/contacts.py).
CONTACT_OF_PERIOD = "SELECT name, email, phone, role FROM owner_contacts WHERE workflow_id = $1"


def letter_to_county_governor(county: str) -> Language:
    return county_governor_language(county)


def owner_message(owner_id: str) -> Language:
    """A message about one school owner (a meeting, a gathering, a reminder)."""
    return owner_language(owner_id)


def notice_language(kind: NoticeKind, owner_id: str) -> Language:
    return DIRECTORATE_LANGUAGE if kind == "escalation" else owner_message(owner_id)


async def period_owner_language(connection: asyncpg.pool.PoolConnectionProxy, workflow_id: str) -> Language:
    """The language of the owner of the period `workflow_id` (its `periods` row); bokmål before the row exists."""
    owner_id = await connection.fetchval(OWNER_OF_PERIOD, workflow_id)
    return owner_message(owner_id) if owner_id else DEFAULT


async def stored_contact(connection: asyncpg.pool.PoolConnectionProxy, workflow_id: str) -> ContactPerson | None:
    """The owner's contact person kept for the period `workflow_id`, if one is."""
    row = await connection.fetchrow(CONTACT_OF_PERIOD, workflow_id)
    return ContactPerson.model_validate(dict(row)) if row is not None else None
