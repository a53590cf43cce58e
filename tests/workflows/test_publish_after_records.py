"""A change reaches Temporal's visibility once its record is written, or after a minute if the store is down.

Time-skipping server, the real workflow, recording fakes (tests/helpers/fakes.py) that can play a record store that is
down. The history shows where each command went: the update's own workflow task queues the record and answers;
the search attributes follow in the task after the record's activity.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent

from domain import calendar
from domain.contract import GUIDANCE_PHASE, Activities
from domain.models import RecordMilestone, ScheduleMeeting, Withdraw
from domain.records import MilestoneRecord
from tests.helpers.harness import Harness, PeriodHandle
from workflows.guidance_period import GuidancePeriodWorkflow
from workflows.record_writer import STALL_ATTEMPTS

MAPPING_DONE = RecordMilestone.model_validate({"milestone": "mapping_done", "adviser": "a.hansen"})


def _phase_set(event: HistoryEvent) -> str | None:
    """The GuidancePhase an upsert event sets, if it sets one."""
    if event.event_type != EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
        return None
    fields = event.upsert_workflow_search_attributes_event_attributes.search_attributes.indexed_fields
    return fields["GuidancePhase"].data.decode().strip('"') if "GuidancePhase" in fields else None


async def _history(handle: PeriodHandle) -> list[HistoryEvent]:
    return [e async for e in handle.fetch_history_events()]


async def _start(harness: Harness) -> PeriodHandle:
    """A period started as `guidance start` starts it: with all its search attributes, so it upserts none at first."""
    handle = await harness.start_period_with_client(await harness.period_input())
    await harness.settled(handle)
    return handle


async def test_a_milestone_is_published_in_the_task_after_its_record_not_in_the_updates_own(
    harness: Harness,
) -> None:
    handle = await _start(harness)
    status = await handle.execute_update(GuidancePeriodWorkflow.record_milestone, MAPPING_DONE)
    assert status.phase == "anchoring"  # the answer has the new phase at once
    await harness.settled(handle)
    (record,) = await harness.fakes.received(Activities.RECORD_MILESTONE)
    assert isinstance(record, MilestoneRecord) and record.transition.to_phase == "anchoring"

    events = await _history(handle)
    kinds = [e.event_type for e in events]
    accepted = kinds.index(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED)
    scheduled = next(
        i
        for i, e in enumerate(events)
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
        and e.activity_task_scheduled_event_attributes.activity_type.name == Activities.RECORD_MILESTONE
    )
    completed = next(
        i
        for i, e in enumerate(events)
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED
        and e.activity_task_completed_event_attributes.scheduled_event_id == events[scheduled].event_id
    )
    published = [i for i, e in enumerate(events) if _phase_set(e) is not None]
    # The update's task: the answer and the record's activity; no phase for visibility yet.
    assert accepted < scheduled < completed
    assert [_phase_set(events[i]) for i in published] == ["anchoring"]
    # The phase goes out in the workflow task that learns the record is written.
    assert published[0] > completed
    assert kinds[published[0] - 1] == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED
    assert EventType.EVENT_TYPE_MARKER_RECORDED not in kinds  # one path: no patch marker

    # Nothing is left held back: the second milestone publishes its phase after its record too.
    await handle.execute_update(
        GuidancePeriodWorkflow.record_milestone,
        RecordMilestone.model_validate({"milestone": "anchoring_done", "adviser": "b.olsen"}),
    )
    await harness.settled(handle)
    assert [p for e in await _history(handle) if (p := _phase_set(e))] == ["anchoring", "development_area"]


async def test_while_the_record_store_is_down_a_change_is_published_after_a_minute_and_its_record_follows(
    harness: Harness,
) -> None:
    handle = await _start(harness)
    harness.fakes.down.add(Activities.RECORD_MILESTONE)
    status = await handle.execute_update(GuidancePeriodWorkflow.record_milestone, MAPPING_DONE)
    assert status.phase == "anchoring" and status.records_pending == 1

    await harness.sleep(timedelta(minutes=3))  # STALL_ATTEMPTS take about a minute
    status = await handle.query(GuidancePeriodWorkflow.status)
    assert status.records_pending == 1 and harness.fakes.calls[Activities.RECORD_MILESTONE] == []
    assert harness.fakes.failed[Activities.RECORD_MILESTONE] > STALL_ATTEMPTS  # retried all along
    # The store is down, but visibility has the new phase (Temporal's list of periods in anchoring is right).
    assert [p for e in await _history(handle) if (p := _phase_set(e))] == ["anchoring"]
    description = await handle.describe()
    assert description.typed_search_attributes.get(GUIDANCE_PHASE) == "anchoring"

    harness.fakes.down.clear()  # the store is back: the record arrives, once
    await harness.sleep(timedelta(minutes=5))
    status = await harness.settled(handle)
    records = await harness.fakes.received(Activities.RECORD_MILESTONE)
    assert len(records) == 1 and records[0].transition.to_phase == "anchoring"
    assert status.records_pending == 0 and status.records_refused == 0

    # The writer keeps up again, so the next change waits for its record as before.
    await handle.execute_update(
        GuidancePeriodWorkflow.record_milestone,
        RecordMilestone.model_validate({"milestone": "anchoring_done", "adviser": "b.olsen"}),
    )
    await harness.settled(handle)
    events = await _history(handle)
    last_record = max(i for i, e in enumerate(events) if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED)
    assert [p for e in events if (p := _phase_set(e))] == ["anchoring", "development_area"]
    assert next(i for i, e in enumerate(events) if _phase_set(e) == "development_area") > last_record


async def test_a_change_waits_for_the_records_queued_up_to_it_not_for_later_ones(harness: Harness) -> None:
    handle = await _start(harness)
    # The milestone's record takes a moment, so the meeting's record is queued behind it; that one stalls.
    harness.fakes.delay[Activities.RECORD_MILESTONE] = 0.5
    harness.fakes.down.add(Activities.RECORD_MEETING)
    await handle.execute_update(GuidancePeriodWorkflow.record_milestone, MAPPING_DONE)
    day = calendar.next_working_day(await harness.today() + timedelta(days=14))
    meeting = ScheduleMeeting(kind="follow_up", date=day, adviser="a.hansen", title="Follow-up")
    status = await handle.execute_update(GuidancePeriodWorkflow.schedule_meeting, meeting)
    assert status.phase == "anchoring" and status.records_pending == 2

    async with asyncio.timeout(10):  # the milestone's record is written at once: its phase goes out
        while True:
            events = await _history(handle)
            if any(_phase_set(e) == "anchoring" for e in events):
                break
            await asyncio.sleep(0.05)
    accepted = next(e for e in events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED)
    published = next(e for e in events if _phase_set(e) == "anchoring")
    # Published once the milestone's record was in, not after the meeting's record stalled (seven attempts,
    # about a minute of the workflow's time): that record is still not written.
    waited = published.event_time.ToDatetime() - accepted.event_time.ToDatetime()
    assert waited < timedelta(seconds=30), waited
    assert len(await harness.fakes.received(Activities.RECORD_MILESTONE)) == 1
    assert harness.fakes.calls[Activities.RECORD_MEETING] == []

    harness.fakes.down.clear()
    await harness.sleep(timedelta(minutes=5))
    await harness.settled(handle)
    assert len(await harness.fakes.received(Activities.RECORD_MEETING)) == 1


async def test_a_period_that_ends_while_the_store_is_down_shows_its_end_and_its_records_follow(
    harness: Harness,
) -> None:
    handle = await _start(harness)
    await handle.execute_update(GuidancePeriodWorkflow.record_milestone, MAPPING_DONE)
    await harness.settled(handle)
    harness.fakes.down |= {Activities.RECORD_PHASE_CHANGE, Activities.RECORD_FINAL_EVALUATION}
    withdrawal = Withdraw(reason="The owner merges with a neighbour", by="coordinator")
    status = await handle.execute_update(GuidancePeriodWorkflow.withdraw, withdrawal)
    assert status.phase == "withdrawn"

    await harness.sleep(timedelta(minutes=3))
    assert [p for e in await _history(handle) if (p := _phase_set(e))] == ["anchoring", "withdrawn"]
    assert harness.fakes.calls[Activities.RECORD_PHASE_CHANGE] == []

    harness.fakes.down.clear()
    final = await handle.result()
    assert final.phase == "withdrawn" and final.records_pending == 0
    assert len(await harness.fakes.received(Activities.RECORD_PHASE_CHANGE)) == 1
    assert len(await harness.fakes.received(Activities.RECORD_FINAL_EVALUATION)) == 1
