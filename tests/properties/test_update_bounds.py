"""Updates too large for a period: each list and text of an update is bounded (count and length), so an
oversized one is rejected naming the field before anything reaches history, instead of being accepted and then
failing its workflow task ("payloads too large") or growing the period's state and every answer without end."""

from __future__ import annotations

from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType

from domain.models import MAX_GOALS, MAX_MEETING_SCHOOLS, PeriodStatus
from tests.helpers.harness import ADVISERS
from tests.helpers.waits import wait_until_settled
from tests.properties.benches import PeriodBench
from tests.properties.probe import history, send_update, update_ids_in

WORKFLOW_TASK = {
    EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
}


@pytest.mark.parametrize(
    ("update", "payload", "field"),
    [
        (
            "record_milestone",
            {"milestone": "mapping_done", "adviser": ADVISERS[0], "goals": ["g" * 400] * (MAX_GOALS * 10)},
            "goals: List should have at most 10 items",
        ),
        (
            "record_milestone",
            {"milestone": "mapping_done", "adviser": ADVISERS[0], "development_area": "x" * 100_000},
            "development_area: String should have at most 64 characters",
        ),
        (
            "schedule_meeting",
            {"kind": "follow_up", "date": "WORKING_DAY", "adviser": ADVISERS[0], "schools": ["s" * 200] * 5000},
            f"schools: List should have at most {MAX_MEETING_SCHOOLS} items",
        ),
    ],
)
async def test_an_oversized_update_is_rejected_naming_the_field(
    periods: PeriodBench, update: str, payload: dict[str, Any], field: str
) -> None:
    handle = await periods.start_period()
    await periods.settled(handle)
    await wait_until_settled(periods.client, handle.id)
    if payload.get("date") == "WORKING_DAY":
        payload = payload | {"date": (await periods.working_day_in(10)).isoformat()}
    before = await history(handle)
    answer = await send_update(handle, update, payload, PeriodStatus)
    assert not answer.accepted
    assert answer.reason[1].startswith(field), answer.failures
    after = await history(handle)
    # The test server writes the workflow task that rejected it (the real one drops a speculative task): nothing
    # else, and the update is nowhere in the history.
    assert answer.update_id not in update_ids_in(after)
    assert [e for e in after if e.event_type not in WORKFLOW_TASK] == [
        e for e in before if e.event_type not in WORKFLOW_TASK
    ]
