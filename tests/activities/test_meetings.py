"""A meeting is one row and one calendar file; moving it updates both, and people's calendars, in place."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg
from icalendar import Calendar, Event
from temporalio.testing import ActivityEnvironment

from activities.invitations import meeting_invitation
from activities.record_store import RecordStore
from config.settings import AppSettings
from tests.activities import factories
from tests.activities.factories import STARTED_AT, WORKFLOW_ID

SCHEDULED_AT = STARTED_AT + timedelta(days=20)
MOVED_AT = STARTED_AT + timedelta(days=40)
OSLO = ZoneInfo("Europe/Oslo")


async def _event(path: Path) -> Event:
    calendar = Calendar.from_ical(await asyncio.to_thread(path.read_bytes))
    assert calendar.get("method") == "REQUEST"
    [event] = calendar.walk("VEVENT")
    assert isinstance(event, Event)
    return event


async def test_a_meeting_becomes_an_invitation_file_and_an_outbox_message(
    store: RecordStore, pool: asyncpg.Pool, env: ActivityEnvironment, settings: AppSettings
) -> None:
    record = factories.meeting(factories.new_period(), factories.follow_up(), SCHEDULED_AT, "update:meeting-1")

    path = Path(await env.run(store.record_meeting, record))

    assert path == (settings.outbox_path / WORKFLOW_ID / "m1.ics").resolve()
    expected = meeting_invitation(record, factories.participants(record), language="nb")  # no period row: bokmål
    assert await asyncio.to_thread(path.read_bytes) == expected
    message = await pool.fetchrow("SELECT * FROM outbox")
    assert message is not None
    assert message["message_key"] == f"{WORKFLOW_ID}/m1/0"
    assert message["kind"] == "meeting_invitation"
    assert message["attachment_name"] == "m1.ics"
    assert message["attachment"].encode() == await asyncio.to_thread(path.read_bytes)
    assert message["recipients"] == ["a.hansen@veileder.test", "b.olsen@veileder.test"]
    row = await pool.fetchrow("SELECT * FROM meetings")
    assert row is not None
    assert row["starts_at"] == datetime(2027, 3, 2, 9, 0, tzinfo=OSLO)


async def test_a_moved_meeting_updates_the_same_row_and_the_same_calendar_event(
    store: RecordStore, pool: asyncpg.Pool, env: ActivityEnvironment
) -> None:
    state = factories.new_period()
    first = factories.meeting(state, factories.follow_up(), SCHEDULED_AT, "update:meeting-1")
    first_path = Path(await env.run(store.record_meeting, first))
    first_uid = (await _event(first_path)).get("uid")
    moved_request = factories.follow_up(meeting_id="m1", on=date(2027, 3, 9), start=time(13, 30))
    moved = factories.meeting(state, moved_request, MOVED_AT, "update:meeting-2")

    moved_path = Path(await env.run(store.record_meeting, moved))

    assert moved_path == first_path
    assert [p.name for p in await asyncio.to_thread(lambda: list(moved_path.parent.iterdir()))] == ["m1.ics"]
    event = await _event(moved_path)
    assert event.get("uid") == first_uid == f"{WORKFLOW_ID}.m1@guidance-engine"
    assert event.get("sequence") == 1
    assert isinstance(event.start, datetime)
    assert event.start == datetime(2027, 3, 9, 13, 30, tzinfo=OSLO)
    assert event.start.tzinfo == OSLO
    assert event.duration == timedelta(minutes=120)
    assert event.get("dtstamp").dt == MOVED_AT
    assert [str(a) for a in event.get("attendee")] == [
        "mailto:a.hansen@veileder.test",
        "mailto:b.olsen@veileder.test",
    ]
    rows = await pool.fetch("SELECT meeting_id, sequence, meeting_date, start_time FROM meetings")
    assert [tuple(r) for r in rows] == [("m1", 1, date(2027, 3, 9), time(13, 30))]
    keys = await pool.fetch("SELECT message_key FROM outbox ORDER BY created_at")
    assert [r["message_key"] for r in keys] == [f"{WORKFLOW_ID}/m1/0", f"{WORKFLOW_ID}/m1/1"]


async def test_an_older_invitation_retried_late_changes_neither_row_nor_file(
    store: RecordStore, pool: asyncpg.Pool, env: ActivityEnvironment
) -> None:
    state = factories.new_period()
    first = factories.meeting(state, factories.follow_up(), SCHEDULED_AT, "update:meeting-1")
    moved = factories.meeting(state, factories.follow_up(meeting_id="m1", on=date(2027, 3, 9)), MOVED_AT, "update:m-2")
    await env.run(store.record_meeting, first)
    path = Path(await env.run(store.record_meeting, moved))
    moved_file = await asyncio.to_thread(path.read_bytes)

    await env.run(store.record_meeting, first)

    assert await asyncio.to_thread(path.read_bytes) == moved_file
    assert await pool.fetchval("SELECT sequence FROM meetings") == 1
    assert await pool.fetchval("SELECT count(*) FROM outbox") == 2


async def test_a_retry_restores_the_invitation_file_with_identical_bytes(
    store: RecordStore, env: ActivityEnvironment
) -> None:
    record = factories.meeting(factories.new_period(), factories.follow_up(), SCHEDULED_AT, "update:meeting-1")
    path = Path(await env.run(store.record_meeting, record))
    written = await asyncio.to_thread(path.read_bytes)
    await asyncio.to_thread(path.unlink)

    await env.run(store.record_meeting, record)

    assert await asyncio.to_thread(path.read_bytes) == written
