"""Who receives what (config/people.py) in the record store's activities, on real PostgreSQL: a reminder goes to the
advisers' addresses of the people file, a meeting invitation names the owner's contact as an ATTENDEE and is sent to
them, an adviser missing from the file falls back to ``<id>@<domain>``; and the retention job removes every address
of the file with the rest of the period's personal data."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path

import asyncpg
from icalendar import Calendar
from temporalio.testing import ActivityEnvironment

from activities.national_gatherings import GatheringStore
from activities.record_store import RecordStore
from activities.retention import RetentionJob
from config.people import load_people
from config.settings import AppSettings
from domain.retention import RetentionRun
from tests.activities.factories import national_gathering
from tests.activities.retention_rows import rows_of, write_period

PEOPLE = """\
[[advisers]]
id = "a.hansen"
name = "Anne Hansen"
address = "anne.hansen@people.test"

[[owners]]
owner_id = "3301"
name = "Kari Kontakt"
address = "kari.kontakt@drammen.test"
"""
#: Every trace of the people file a period's rows could hold.
FROM_THE_FILE = ("anne.hansen@people.test", "Anne Hansen", "kari.kontakt@drammen.test", "Kari Kontakt")


async def test_letters_and_invitations_use_the_people_file_and_retention_removes_its_addresses(
    pool: asyncpg.Pool, settings: AppSettings, env: ActivityEnvironment, tmp_path: Path
) -> None:
    people_file = tmp_path / "people.toml"
    people_file.write_text(PEOPLE, encoding="utf-8")
    settings = settings.model_copy(update={"people_file": people_file})
    store = RecordStore(pool, settings, load_people(people_file, settings.adviser_mail_domain))

    written = await write_period(env, store, "3301", date(2023, 1, 2), datetime(2024, 3, 1, 12, tzinfo=UTC))

    outbox = {row["kind"]: row for row in (await rows_of(pool, written.workflow_id))["outbox"]}
    # a.hansen is in the file; b.olsen is not and keeps the domain rule (our choice: never hold a period up).
    assert outbox["reminder"]["recipients"] == ["anne.hansen@people.test", "b.olsen@veileder.test"]
    invitation = outbox["meeting_invitation"]
    assert invitation["recipients"] == [
        "anne.hansen@people.test",
        "b.olsen@veileder.test",
        "kari.kontakt@drammen.test",
    ]
    event = Calendar.from_ical(str(invitation["attachment"])).walk("VEVENT")[0]
    attendees = {str(a): str(a.params["CN"]) for a in event.get("attendee")}
    assert attendees == {
        "mailto:anne.hansen@people.test": "Anne Hansen",
        "mailto:b.olsen@veileder.test": "b.olsen",
        "mailto:kari.kontakt@drammen.test": "Kari Kontakt",
    }
    assert str(event.get("organizer")) == "mailto:anne.hansen@people.test"
    [ics] = await asyncio.to_thread(lambda: list(written.outbox_folder.glob("*.ics")))
    assert "kari.kontakt@drammen.test" in await asyncio.to_thread(ics.read_text, encoding="utf-8")

    await env.run(
        RetentionJob(pool, settings).remove_expired_personal_data,
        RetentionRun(as_of=datetime(2026, 6, 1, 2, 30, tzinfo=UTC)),
    )

    every_row = repr(await rows_of(pool, written.workflow_id))
    assert [trace for trace in FROM_THE_FILE if trace in every_row] == []
    async with pool.acquire() as connection:
        # Nothing of the file is left in any table of the record store.
        tables = await connection.fetch("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        dump = " ".join(
            [
                str(await connection.fetchval(f"SELECT string_agg(t::text, ' ') FROM \"{row['tablename']}\" t"))
                for row in tables
            ]
        )
    assert len(tables) > 5 and [trace for trace in FROM_THE_FILE if trace in dump] == []
    assert not written.outbox_folder.exists(), "the calendar files naming the contact are removed too"


async def test_a_gathering_invitation_goes_to_the_owners_contact_when_the_file_names_one(
    pool: asyncpg.Pool, settings: AppSettings, env: ActivityEnvironment, tmp_path: Path
) -> None:
    people_file = tmp_path / "people.toml"
    people_file.write_text(
        '[[advisers]]\nid = "d.lie"\nname = "Dag Lie"\naddress = "dag.lie@people.test"\n\n'
        '[[owners]]\nowner_id = "4615"\nname = "Siri Kontakt"\naddress = "siri@fitjar.test"\n',
        encoding="utf-8",
    )
    gatherings = GatheringStore(pool, settings, load_people(people_file, settings.adviser_mail_domain))

    await env.run(gatherings.record_national_gathering, national_gathering(datetime(2027, 8, 2, 6, tzinfo=UTC)))

    letters = await pool.fetch("SELECT recipients FROM outbox WHERE kind = 'gathering_invitation' ORDER BY message_key")
    # 4615 has a contact in the file; 4617 has none and keeps GUIDANCE_OWNER_ADDRESS's rule.
    assert [row["recipients"] for row in letters] == [
        ["siri@fitjar.test", "dag.lie@people.test", "e.berg@veileder.test"],
        ["postmottak-4617@skoleeier.udir.no", "dag.lie@people.test"],
    ]
