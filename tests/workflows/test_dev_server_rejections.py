"""On a real (dev) server a rejected update leaves no event at all in the period's history."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError

from config.settings import VeilederkorpsetSettings
from devstack.temporal_server import DevServer
from domain.models import RecordMilestone, ScheduleMeeting
from tests.helpers.clock import plain_saturday
from tests.helpers.fakes import RecordingActivities
from tests.helpers.harness import dev_period
from worker import build_worker
from workflows.guidance_period import GuidancePeriodWorkflow

# What a completed workflow task may write after it that leaves nothing to do: a search attribute upsert (the
# period publishes a change once its record is written) and a marker.
_AFTER_LAST_TASK = {EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES, EventType.EVENT_TYPE_MARKER_RECORDED}


def _settled(events: list[EventType.ValueType]) -> bool:
    last_task = max(i for i, e in enumerate(events) if e == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)
    return all(e in _AFTER_LAST_TASK for e in events[last_task + 1 :])


async def idle_history(handle: WorkflowHandle[Any, Any]) -> list[EventType.ValueType]:
    """The history once the period has settled: the same on two reads, its last workflow task completed with
    nothing left running."""
    previous: list[EventType.ValueType] = []
    for _ in range(100):
        events = [e.event_type async for e in handle.fetch_history_events()]
        if events == previous and _settled(events):
            return events
        previous = events
        await asyncio.sleep(0.2)
    raise AssertionError(f"the period did not settle: {previous[-5:]}")


async def test_rejected_updates_write_nothing_to_history(dev_server: DevServer) -> None:
    client: Client = await dev_server.connect()
    fakes = RecordingActivities(VeilederkorpsetSettings().plan())
    task_queue = f"reject-{uuid.uuid4()}"
    period = dev_period(fakes, {"id": "0301", "name": "Oslo - Oslove", "kind": "municipality", "county": "03"})
    start = period.start_date
    saturday = plain_saturday(start)
    async with build_worker(client, fakes.all(), task_queue=task_queue):
        handle = await client.start_workflow(
            GuidancePeriodWorkflow.run, period, id=f"guidance-period-{period.cohort}-0301", task_queue=task_queue
        )
        await fakes.received("record_period_started")
        before = await idle_history(handle)
        bad_updates = [
            (
                GuidancePeriodWorkflow.record_milestone,
                RecordMilestone.model_validate({"milestone": "evaluation_done", "adviser": "a.hansen"}),
            ),
            (
                GuidancePeriodWorkflow.record_milestone,
                RecordMilestone.model_validate({"milestone": "mapping_done", "adviser": "z.nobody"}),
            ),
            (
                GuidancePeriodWorkflow.schedule_meeting,
                ScheduleMeeting.model_validate({"kind": "follow_up", "date": saturday, "adviser": "a.hansen"}),
            ),
        ]
        for update, argument in bad_updates:
            with pytest.raises(WorkflowUpdateFailedError):
                await handle.execute_update(update, argument)  # type: ignore[call-overload]
        with pytest.raises(WorkflowUpdateFailedError):
            await handle.execute_update("record_milestone", {"milestone": "nonsense", "adviser": "a.hansen"})
        after = [e.event_type async for e in handle.fetch_history_events()]
        await handle.terminate("test finished")
    assert after == before
