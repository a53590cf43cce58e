"""The worker ensures the nightly retention schedule on a real Temporal server (the dev server), ensuring it again
changes nothing but its definition, and a run of the schedule removes expired personal data from PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import UTC, date, datetime, timedelta

import asyncpg
from temporalio.client import Client, ScheduleActionExecutionStartWorkflow, ScheduleActionStartWorkflow
from temporalio.service import RPCError
from temporalio.testing import ActivityEnvironment

from activities.record_store import RecordStore
from config.settings import AppSettings
from devstack.temporal_server import DevServer
from domain.retention import RETENTION_SCHEDULE_ID, RETENTION_WORKFLOW_TYPE, RetentionReport
from starter.retention import ensure_retention_schedule
from tests.activities.retention_rows import names_a_person, rows_of, write_period
from worker import run_worker


async def _described_schedule(client: Client) -> ScheduleActionStartWorkflow:
    """The schedule's action once the worker has created it."""
    async with asyncio.timeout(30):
        while True:
            with contextlib.suppress(RPCError):
                description = await client.get_schedule_handle(RETENTION_SCHEDULE_ID).describe()
                action = description.schedule.action
                assert isinstance(action, ScheduleActionStartWorkflow)
                return action
            await asyncio.sleep(0.2)


async def test_the_worker_schedules_the_retention_job_and_a_run_removes_expired_personal_data(
    dev_server: DevServer,
    database_url: str,
    settings: AppSettings,
    store: RecordStore,
    pool: asyncpg.Pool,
    env: ActivityEnvironment,
) -> None:
    today = datetime.now(UTC)
    old = await write_period(env, store, "3301", date(2022, 1, 3), today - timedelta(days=400))
    recent = await write_period(env, store, "4601", date(2024, 1, 8), today - timedelta(days=300))
    client = await dev_server.connect()
    task_queue = f"retention-{uuid.uuid4()}"
    stop = asyncio.Event()
    worker = asyncio.create_task(
        run_worker(client, database_url=database_url, settings=settings, stop=stop, task_queue=task_queue)
    )
    schedule = client.get_schedule_handle(RETENTION_SCHEDULE_ID)
    try:
        action = await _described_schedule(client)
        assert (action.workflow, action.task_queue) == (RETENTION_WORKFLOW_TYPE, task_queue)
        # Ensured again (another worker starting): the same one schedule, brought up to date.
        assert await ensure_retention_schedule(client, task_queue) == "updated"
        description = await schedule.describe()
        (calendar,) = description.schedule.spec.calendars
        assert ([r.start for r in calendar.hour], [r.start for r in calendar.minute]) == ([2], [30])
        assert description.schedule.spec.time_zone_name == "Europe/Oslo"
        listed = [s.id async for s in await client.list_schedules()]
        assert listed.count(RETENTION_SCHEDULE_ID) == 1

        await schedule.trigger()
        async with asyncio.timeout(30):
            while True:
                actions = (await schedule.describe()).info.recent_actions
                if actions:
                    break
                await asyncio.sleep(0.2)
        started = actions[0].action
        assert isinstance(started, ScheduleActionExecutionStartWorkflow)
        run = client.get_workflow_handle(started.workflow_id, run_id=started.first_execution_run_id)
        report = RetentionReport.model_validate(await run.result())
        assert names_a_person(await rows_of(pool, old.workflow_id)) == []
        assert "a.hansen" in names_a_person(await rows_of(pool, recent.workflow_id))

        # Started by hand with a shorter limit, as any client sends it (docs/temporal-contract.md: plain JSON input).
        by_hand = await client.execute_workflow(
            RETENTION_WORKFLOW_TYPE,
            {"retention_days": 200},
            id=f"retention-by-hand-{uuid.uuid4()}",
            task_queue=task_queue,
        )
        shorter = RetentionReport.model_validate(by_hand)
    finally:
        stop.set()
        await worker
        with contextlib.suppress(RPCError):
            await schedule.delete()

    assert report.periods == [old.workflow_id]
    assert report.retention_days == settings.retention_days == 365
    assert (shorter.periods, shorter.retention_days) == ([recent.workflow_id], 200)
    assert names_a_person(await rows_of(pool, recent.workflow_id)) == []
