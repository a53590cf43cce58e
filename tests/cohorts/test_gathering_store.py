"""The `record_national_gathering` activity on a real PostgreSQL: rows, calendar files and letters per owner."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import asyncpg
from icalendar import Calendar
from temporalio.testing import ActivityEnvironment

from activities.national_gatherings import GatheringStore
from activities.record_store import RecordStore
from tests.activities.factories import national_gathering

AT = datetime(2027, 8, 2, 6, tzinfo=UTC)


def event_of(path: str) -> tuple[str, int, date, str]:
    event = Calendar.from_ical(Path(path).read_bytes()).walk("VEVENT")[0]
    return str(event["UID"]), int(event.decoded("SEQUENCE")), event.decoded("DTSTART"), str(event["LOCATION"])


def all_files(paths: list[str]) -> bool:
    return all(Path(p).is_file() for p in paths)


async def test_each_owner_gets_one_file_and_a_move_updates_the_same_event(
    store: RecordStore, pool: asyncpg.Pool
) -> None:
    env = ActivityEnvironment()
    gatherings = GatheringStore(pool, store.settings)
    first = national_gathering(AT)
    moved = national_gathering(AT + timedelta(days=3), sequence=1, on=date(2027, 9, 21))

    files = await env.run(gatherings.record_national_gathering, first)
    assert len(files) == 2 and all_files(files)
    assert [event_of(f)[:3] for f in files] == [("cohort-2027.start@guidance-engine", 0, date(2027, 9, 14))] * 2

    again = await env.run(gatherings.record_national_gathering, first)  # a retry
    assert again == files
    await env.run(gatherings.record_national_gathering, moved)
    late = await env.run(gatherings.record_national_gathering, first)  # an older sequence arriving late

    assert late == []
    assert [event_of(f) for f in files] == [("cohort-2027.start@guidance-engine", 1, date(2027, 9, 21), "Oslo")] * 2
    rows = await pool.fetch("SELECT gathering_date, sequence FROM national_gatherings")
    assert [tuple(r) for r in rows] == [(date(2027, 9, 21), 1)]
    guests = await pool.fetch("SELECT owner_id, sequence FROM gathering_guests ORDER BY owner_id")
    assert [tuple(g) for g in guests] == [("4615", 1), ("4617", 1)]
    letters = await pool.fetch(
        "SELECT recipients, subject FROM outbox WHERE kind = 'gathering_invitation' ORDER BY message_key"
    )
    assert len(letters) == 4  # two owners, two sequences
    domain = store.settings.adviser_mail_domain
    assert letters[0]["recipients"] == ["postmottak-4615@skoleeier.udir.no", f"d.lie@{domain}", f"e.berg@{domain}"]
    # Kvinnherad and Fitjar read nynorsk (config/data/languages.csv): "Moved" is "Flytta".
    assert sum(1 for r in letters if r["subject"].startswith("Flytta: ")) == 2
