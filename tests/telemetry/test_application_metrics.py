"""The worker's /metrics shows the application's own figures: periods by phase, overdue periods, reminders
and escalations sent; scraped over HTTP while a real period on the time-skipping server falls behind."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import asyncpg
from temporalio.testing import WorkflowEnvironment

from tests.helpers.waits import terminate_when_settled
from tests.telemetry.worker_process import RunningWorker, fetch, period_input, running_worker, sample
from workflows.guidance_period import GuidancePeriodWorkflow


async def _scrape_until(running: RunningWorker, ready: str, **figures: float) -> str:
    """The metrics page once every figure (``name`` or ``name__label_value``) has its value, within 20 s."""
    text = ""
    async with asyncio.timeout(20):
        while True:
            status, text = await fetch(running.metrics_url)
            assert status == 200
            if ready in text and all(_figure(text, key) == value for key, value in figures.items()):
                return text
            await asyncio.sleep(0.1)


def _figure(text: str, key: str) -> float:
    name, _, label = key.partition("__")
    if not label:
        return sample(text, name)
    label_name, _, value = label.partition("_is_")
    return sample(text, name, **{label_name: value})


async def test_metrics_count_reminders_escalations_and_overdue_periods_as_a_period_falls_behind(
    time_skipping_env: WorkflowEnvironment, database_url: str, tmp_path: Path
) -> None:
    env = time_skipping_env
    async with running_worker(env, database_url, tmp_path) as running:
        period = await period_input(env)
        handle = await env.client.start_workflow(
            GuidancePeriodWorkflow.run,
            period,
            id=f"guidance-period-{period.cohort}-{period.owner.id}",
            task_queue=running.task_queue,
        )
        try:
            started = await _scrape_until(running, "guidance_periods", guidance_periods__phase_is_mapping=1)
            assert sample(started, "guidance_periods_overdue") == 0
            assert sample(started, "guidance_reminders_sent") == 0
            assert sample(started, "guidance_escalations_sent") == 0

            # Mapping is due ten weeks after the start; eleven weeks on, the advisers have had the phase
            # reminder (and, no meeting being planned, the 8-week meeting reminder).
            await env.sleep(timedelta(weeks=11))
            behind = await _scrape_until(
                running,
                "guidance_reminders_sent",
                guidance_reminders_sent__kind_is_phase_reminder=1,
                guidance_reminders_sent__kind_is_meeting_gap_reminder=1,
                guidance_periods_overdue=1,
            )
            assert sample(behind, "guidance_periods", phase="mapping") == 1
            assert sample(behind, "guidance_escalations_sent") == 0
            assert sample(behind, "guidance_reminders_sent", task_queue=running.task_queue) == 2
            assert sample(behind, "guidance_reminders_sent", activity_type="send_notice") == 2

            # Four weeks after the reminder the Directorate is told (the second reminder came between).
            await env.sleep(timedelta(weeks=5))
            escalated = await _scrape_until(running, "guidance_escalations_sent", guidance_escalations_sent=1)
            assert sample(escalated, "guidance_reminders_sent", kind="phase_second_reminder") == 1
            assert sample(escalated, "guidance_periods_overdue") == 1
        finally:
            await terminate_when_settled(env.client, [handle.id])

        # The counters agree with what the record store holds.
        connection = await asyncpg.connect(database_url)
        try:
            reminders = await connection.fetchval("SELECT count(*) FROM reminders WHERE workflow_id = $1", handle.id)
            escalations = await connection.fetchval(
                "SELECT count(*) FROM escalations WHERE workflow_id = $1", handle.id
            )
        finally:
            await connection.close()
        assert (reminders, escalations) == (3, 1)
