"""Bad data fails once, as a non-retryable ``InvalidRecord``, and writes nothing; a lost database is retried."""

from __future__ import annotations

from datetime import timedelta

import asyncpg
import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.record_store import RecordStore
from config.settings import AppSettings
from domain.contract import INVALID_RECORD
from domain.records import MeetingRecord, MilestoneRecord
from tests.activities import factories
from tests.activities.factories import STARTED_AT
from tests.activities.store_rows import row_counts

LATER = STARTED_AT + timedelta(days=30)


async def _refused(env: ActivityEnvironment, activity: object, record: object) -> ApplicationError:
    with pytest.raises(ApplicationError) as raised:
        await env.run(activity, record)  # type: ignore[arg-type]
    assert raised.value.type == INVALID_RECORD
    assert raised.value.non_retryable
    return raised.value


async def test_a_constraint_violation_rolls_back_the_whole_record(
    store: RecordStore, pool: asyncpg.Pool, env: ActivityEnvironment
) -> None:
    record = factories.mapping_done(factories.new_period(), LATER)
    # The transition is written after the period and the milestone: all three must be rolled back.
    bad = MilestoneRecord.model_validate(
        record.model_dump() | {"transition": record.transition.model_dump() | {"sequence": 0}}
    )

    error = await _refused(env, store.record_milestone, bad)

    assert "sequence" in str(error)
    assert set((await row_counts(pool)).values()) == {0}


async def test_parts_of_another_period_are_refused(
    store: RecordStore, pool: asyncpg.Pool, env: ActivityEnvironment
) -> None:
    record = factories.period_started(factories.new_period())
    bad = record.model_copy(
        update={"audit": record.audit.model_copy(update={"workflow_id": "guidance-period-2027-0301"})}
    )

    error = await _refused(env, store.record_period_started, bad)

    assert "guidance-period-2027-0301" in str(error)
    assert set((await row_counts(pool)).values()) == {0}


async def test_a_meeting_in_an_unknown_time_zone_is_refused(
    store: RecordStore, pool: asyncpg.Pool, env: ActivityEnvironment, settings: AppSettings
) -> None:
    record = factories.meeting(factories.new_period(), factories.follow_up(), LATER, "update:meeting-1")
    bad = record.model_copy(update={"timezone": "Europe/Narnia"})

    error = await _refused(env, store.record_meeting, bad)

    assert "Europe/Narnia" in str(error)
    assert not settings.outbox_path.exists()
    assert set((await row_counts(pool)).values()) == {0}


async def test_a_meeting_id_that_would_leave_the_outbox_folder_is_refused(
    store: RecordStore, env: ActivityEnvironment, settings: AppSettings
) -> None:
    record = factories.meeting(factories.new_period(), factories.follow_up(), LATER, "update:meeting-1")
    bad = MeetingRecord.model_validate(
        record.model_dump() | {"meeting": record.meeting.model_dump() | {"meeting_id": "../../escape"}}
    )

    await _refused(env, store.record_meeting, bad)

    assert not (settings.outbox_path.parent / "escape.ics").exists()


async def test_a_lost_database_is_left_for_temporal_to_retry(
    pool: asyncpg.Pool, settings: AppSettings, env: ActivityEnvironment
) -> None:
    store = RecordStore(pool, settings)
    await pool.close()

    # Not an ApplicationError: Temporal retries it until the database is back.
    with pytest.raises(asyncpg.InterfaceError, match="closed"):
        await env.run(store.record_period_started, factories.period_started(factories.new_period()))
