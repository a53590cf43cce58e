"""The owner's contact person of a period in the record store, on real PostgreSQL: kept with who set it and when and
audited, replaced only by a newer change, cleared; used by the meeting and gathering invitations before the people
file's default; deleted by the retention job with the rest of the period's personal data (counted in its report)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from icalendar import Calendar
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.national_gatherings import GatheringStore
from activities.owner_contacts import ContactStore
from activities.record_store import RecordStore
from activities.retention import RetentionJob
from config.people import load_people
from config.settings import AppSettings
from domain.contacts import ContactPerson, OwnerContactChange, OwnerContactRecord, contact_audit
from domain.contract import UNKNOWN_PERIOD
from domain.retention import RetentionRun
from tests.activities.factories import (
    STARTED_AT,
    WORKFLOW_ID,
    follow_up,
    meeting,
    national_gathering,
    new_period,
    period_started,
)
from tests.activities.retention_rows import rows_of, write_period

KARI = ContactPerson(name="Kari Nordmann", email="kari.nordmann@drammen.test", phone="+47 32 04 70 00", role="Rektor")
PER = ContactPerson(name="Per Kontakt", email="per.kontakt@drammen.test")
PEOPLE = '[[owners]]\nowner_id = "3301"\nname = "Fil Kontakt"\naddress = "fil.kontakt@drammen.test"\n'


def change(contact: ContactPerson | None, at: datetime, run: str, by: str = "a.hansen") -> OwnerContactRecord:
    made = OwnerContactChange(period_workflow_id=WORKFLOW_ID, contact=contact, by=by)
    return OwnerContactRecord(change=made, at=at, audit=contact_audit(made, at, run))


async def test_a_contact_is_kept_with_who_and_when_replaced_by_newer_changes_only_and_cleared(
    pool: asyncpg.Pool, store: RecordStore, env: ActivityEnvironment
) -> None:
    await env.run(store.record_period_started, period_started(new_period()))
    contacts = ContactStore(pool)
    first = STARTED_AT + timedelta(days=1)

    await env.run(contacts.record_owner_contact, change(KARI, first, "run-1"))
    await env.run(contacts.record_owner_contact, change(KARI, first, "run-1"))  # a retry changes nothing
    await env.run(contacts.record_owner_contact, change(PER, first + timedelta(hours=1), "run-2", by="coordinator"))
    # A change older than the kept one, arriving late, leaves the newer one in place.
    await env.run(contacts.record_owner_contact, change(KARI, first + timedelta(minutes=5), "run-3"))

    row = await pool.fetchrow("SELECT * FROM owner_contacts WHERE workflow_id = $1", WORKFLOW_ID)
    assert row is not None
    assert dict(row) == {
        "workflow_id": WORKFLOW_ID,
        "name": "Per Kontakt",
        "email": "per.kontakt@drammen.test",
        "phone": None,
        "role": None,
        "set_by": "coordinator",
        "set_at": first + timedelta(hours=1),
    }

    await env.run(contacts.record_owner_contact, change(None, first + timedelta(days=1), "run-4", by="b.olsen"))

    assert await pool.fetchval("SELECT count(*) FROM owner_contacts") == 0
    audit = await pool.fetch(
        "SELECT event_key, actor, action, details FROM audit_log WHERE event_key LIKE 'contact:%' ORDER BY at"
    )
    assert [(r["event_key"], r["actor"], r["action"]) for r in audit] == [
        ("contact:run-1", "a.hansen", "owner's contact person set"),
        ("contact:run-3", "a.hansen", "owner's contact person set"),
        ("contact:run-2", "coordinator", "owner's contact person set"),
        ("contact:run-4", "b.olsen", "owner's contact person cleared"),
    ]
    assert audit[0]["details"] == {
        "name": "Kari Nordmann",
        "email": "kari.nordmann@drammen.test",
        "phone": "+47 32 04 70 00",
        "role": "Rektor",
    }


async def test_a_contact_for_a_period_the_store_does_not_know_is_refused_not_retried(
    pool: asyncpg.Pool, env: ActivityEnvironment
) -> None:
    with pytest.raises(ApplicationError) as refused:
        await env.run(ContactStore(pool).record_owner_contact, change(KARI, STARTED_AT, "run-1"))

    assert refused.value.type == UNKNOWN_PERIOD and refused.value.non_retryable
    assert await pool.fetchval("SELECT count(*) FROM owner_contacts") == 0


async def test_a_meeting_invitation_names_the_periods_contact_before_the_people_files(
    pool: asyncpg.Pool, settings: AppSettings, env: ActivityEnvironment, tmp_path: Path
) -> None:
    people_file = tmp_path / "people.toml"
    people_file.write_text(PEOPLE, encoding="utf-8")
    store = RecordStore(pool, settings, load_people(people_file, settings.adviser_mail_domain))
    state = new_period()
    await env.run(store.record_period_started, period_started(state))

    await env.run(store.record_meeting, meeting(state, follow_up(), STARTED_AT + timedelta(days=1), "update:m1"))
    await env.run(ContactStore(pool).record_owner_contact, change(KARI, STARTED_AT + timedelta(days=2), "run-1"))
    await env.run(store.record_meeting, meeting(state, follow_up(), STARTED_AT + timedelta(days=3), "update:m2"))

    sent = await pool.fetch(
        "SELECT recipients, attachment FROM outbox WHERE kind = 'meeting_invitation' ORDER BY created_at"
    )
    # Before the period had its own contact, the file's default; after, the period's.
    assert [row["recipients"][-1] for row in sent] == ["fil.kontakt@drammen.test", "kari.nordmann@drammen.test"]
    event = Calendar.from_ical(str(sent[1]["attachment"])).walk("VEVENT")[0]
    attendees = {str(a): str(a.params["CN"]) for a in event.get("attendee")}
    assert attendees == {
        "mailto:a.hansen@veileder.test": "a.hansen",
        "mailto:b.olsen@veileder.test": "b.olsen",
        "mailto:kari.nordmann@drammen.test": "Kari Nordmann",
    }
    assert str(event.get("organizer")) == "mailto:a.hansen@veileder.test"


async def test_a_gathering_invitation_goes_to_the_periods_contact(
    pool: asyncpg.Pool, settings: AppSettings, env: ActivityEnvironment
) -> None:
    await pool.execute(
        "INSERT INTO owner_contacts (workflow_id, name, email, set_by, set_at) VALUES ($1, $2, $3, $4, $5)",
        "guidance-period-2027-4615",
        "Siri Kontakt",
        "siri@fitjar.test",
        "d.lie",
        datetime(2027, 8, 1, tzinfo=UTC),
    )

    await env.run(
        GatheringStore(pool, settings).record_national_gathering, national_gathering(datetime(2027, 8, 2, tzinfo=UTC))
    )

    letters = await pool.fetch("SELECT recipients FROM outbox WHERE kind = 'gathering_invitation' ORDER BY message_key")
    assert [row["recipients"] for row in letters] == [
        ["siri@fitjar.test", "d.lie@veileder.test", "e.berg@veileder.test"],
        ["postmottak-4617@skoleeier.udir.no", "d.lie@veileder.test"],
    ]


async def test_retention_deletes_the_contact_with_the_periods_personal_data_and_counts_it(
    pool: asyncpg.Pool, store: RecordStore, settings: AppSettings, env: ActivityEnvironment
) -> None:
    ended = await write_period(env, store, "3301", STARTED_AT.date(), datetime(2027, 6, 1, 12, tzinfo=UTC))
    running = await write_period(env, store, "1103", STARTED_AT.date(), None)
    contacts = ContactStore(pool)
    for workflow_id in (ended.workflow_id, running.workflow_id):
        made = OwnerContactChange(period_workflow_id=workflow_id, contact=KARI, by="a.hansen")
        at = datetime(2027, 2, 1, tzinfo=UTC)
        await env.run(
            contacts.record_owner_contact, OwnerContactRecord(change=made, at=at, audit=contact_audit(made, at, "r1"))
        )

    report = await env.run(
        RetentionJob(pool, settings).remove_expired_personal_data,
        RetentionRun(as_of=datetime(2029, 6, 1, 2, 30, tzinfo=UTC)),
    )
    again = await env.run(
        RetentionJob(pool, settings).remove_expired_personal_data,
        RetentionRun(as_of=datetime(2029, 6, 2, 2, 30, tzinfo=UTC)),
    )

    assert report.periods == [ended.workflow_id]
    assert report.rows["owner_contacts"] == 1
    assert "owner_contacts" not in again.rows
    gone = repr(await rows_of(pool, ended.workflow_id))
    assert [trace for trace in (KARI.name, KARI.email, "+47 32 04 70 00") if trace in gone] == []
    kept = await rows_of(pool, running.workflow_id)
    assert [row["name"] for row in kept["owner_contacts"]] == ["Kari Nordmann"], "a running period keeps its contact"
