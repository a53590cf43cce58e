"""The meetings a plan proposes at a period's start: one activity (`record_meetings`) writes them all, each exactly as
`record_meeting` writes one, in one transaction."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.record_store import RecordStore
from config.settings import AppSettings, resolve_plan
from domain.contract import INVALID_RECORD
from domain.records import MeetingRecords
from tests.activities import factories
from tests.activities.factories import WORKFLOW_ID
from tests.activities.store_rows import row_counts, table_rows


async def _files(folder: Path) -> dict[str, bytes]:
    """Every invitation file in the outbox folder, by its path in it."""
    return await asyncio.to_thread(
        lambda: {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
    )


async def _started(store: RecordStore, env: ActivityEnvironment) -> MeetingRecords:
    """A period on Leda's plan whose start is stored (its owner's language and its plan, which the invitations
    read), and the meetings its plan proposes."""
    state = factories.new_period(resolve_plan(factories.LEDA))
    await env.run(store.record_period_started, factories.period_started(state))
    return factories.planned_meetings(state)


async def test_a_plans_meetings_land_in_one_activity_as_record_meeting_writes_each(
    store: RecordStore, pool: asyncpg.Pool, env: ActivityEnvironment, settings: AppSettings
) -> None:
    batch = await _started(store, env)
    meetings = len(batch.records)
    assert meetings > 2  # some seventy: what the one activity saves

    paths = await env.run(store.record_meetings, batch)

    folder = settings.outbox_path
    assert paths == [str((folder / WORKFLOW_ID / f"{r.meeting.meeting_id}.ics").resolve()) for r in batch.records]
    counts = await row_counts(pool)
    assert (counts["meetings"], counts["outbox"], counts["audit_log"]) == (meetings, meetings, meetings + 1)
    rows, files = await table_rows(pool), await _files(folder)
    assert len(files) == meetings
    # The same meetings written one by one on the same started period: the same rows, messages, entries and files.
    async with pool.acquire() as connection:
        await connection.execute(
            "DELETE FROM meetings; DELETE FROM outbox; DELETE FROM audit_log WHERE event_key LIKE 'plan:%'"
        )
    await asyncio.to_thread(shutil.rmtree, folder)
    one_by_one = [await env.run(store.record_meeting, record) for record in batch.records]
    assert one_by_one == paths
    assert await table_rows(pool) == rows
    assert await _files(folder) == files


async def test_a_retried_batch_doubles_nothing(
    store: RecordStore, pool: asyncpg.Pool, env: ActivityEnvironment, settings: AppSettings
) -> None:
    batch = await _started(store, env)
    first = await env.run(store.record_meetings, batch)
    rows, files = await table_rows(pool), await _files(settings.outbox_path)

    second = await env.run(store.record_meetings, batch.model_copy(deep=True))

    assert second == first
    assert await table_rows(pool) == rows
    assert await _files(settings.outbox_path) == files


def _unknown_time_zone(record: dict[str, Any]) -> None:
    record["timezone"] = "Europe/Narnia"  # refused before any row is touched


def _no_duration(record: dict[str, Any]) -> None:
    record["meeting"]["duration_minutes"] = 0  # refused by the database, after the rows of the meetings before it


@pytest.mark.parametrize("spoil", [_unknown_time_zone, _no_duration], ids=["unknown time zone", "no duration"])
async def test_bad_data_in_one_record_is_final_and_leaves_nothing_of_the_batch(
    spoil: Any, store: RecordStore, pool: asyncpg.Pool, env: ActivityEnvironment, settings: AppSettings
) -> None:
    batch = await _started(store, env)
    before = await table_rows(pool)
    data = batch.model_dump(mode="json")
    spoil(data["records"][-1])

    with pytest.raises(ApplicationError) as raised:
        await env.run(store.record_meetings, MeetingRecords.model_validate(data))

    assert raised.value.type == INVALID_RECORD
    assert raised.value.non_retryable
    assert await table_rows(pool) == before
    assert await _files(settings.outbox_path) == {}
