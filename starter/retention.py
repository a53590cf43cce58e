"""The Temporal Schedule that runs the retention job every night (domain/retention.py).

The worker ensures it at every start (worker.py), so a deployment needs no extra step: the schedule
``guidance-retention`` starts `RetentionWorkflow` on the engine's task queue at 02:30 Oslo time, one run
at a time. Ensuring it again brings its spec and action up to date and keeps it paused if an operator
paused it (``temporal schedule toggle --pause --schedule-id guidance-retention``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleCalendarSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleRange,
    ScheduleSpec,
    ScheduleState,
)

from domain.contract import TASK_QUEUE
from domain.retention import RETENTION_SCHEDULE_ID, RETENTION_WORKFLOW_TYPE
from starter.schedules import ensure_schedule

TIME_ZONE = "Europe/Oslo"


def retention_schedule(task_queue: str = TASK_QUEUE) -> Schedule:
    """Every night at 02:30 in Oslo, skipped while a run is still going; a missed night is made up within a day."""
    return Schedule(
        action=ScheduleActionStartWorkflow(
            RETENTION_WORKFLOW_TYPE,
            id=RETENTION_SCHEDULE_ID,
            task_queue=task_queue,
            execution_timeout=timedelta(hours=6),
            static_summary="Remove personal data of periods ended longer ago than GUIDANCE_RETENTION_DAYS",
        ),
        spec=ScheduleSpec(
            calendars=[ScheduleCalendarSpec(hour=[ScheduleRange(2)], minute=[ScheduleRange(30)])],
            time_zone_name=TIME_ZONE,
        ),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=timedelta(days=1)),
        state=ScheduleState(note="guidance engine: retention of personal data in the record store"),
    )


async def ensure_retention_schedule(client: Client, task_queue: str = TASK_QUEUE) -> Literal["created", "updated"]:
    """Create the schedule, or bring an existing one up to date; safe to call at every worker start."""
    return await ensure_schedule(client, RETENTION_SCHEDULE_ID, retention_schedule(task_queue))
