"""A cohort of every school owner (371) for three years stays within Temporal's history limits by continuing as new.

The slowest test of the suite (about three minutes on two cores): 371 real periods live their 30 months. (It had 29
made-up owners more, to reach 400; a start input names owners of the shipped register only.)
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.testing import WorkflowEnvironment

from config.owners import all_owners
from config.settings import VeilederkorpsetSettings
from domain import calendar
from domain.cohort import CohortInput
from domain.contract import period_workflow_id
from starter.cohorts import start_cohort
from tests.helpers.fakes import RecordingActivities
from tests.helpers.waits import terminate_when_settled
from worker import build_worker
from workflows.cohort import CONTINUE_AS_NEW_AFTER_EVENTS

# Temporal refuses a history beyond 51,200 events and warns from 10,240.
HISTORY_WARNING = 10_240


def every_owner() -> list[dict[str, Any]]:
    """Norway's 371 school owners, the most a cohort can have."""
    owners = [o.model_dump() for o in all_owners()]
    return [
        {"owner": o, "advisers": [f"adviser{i % 40}"], "accepted_by": "Statsforvalteren"} for i, o in enumerate(owners)
    ]


@pytest.mark.timeout(900)  # three minutes on an idle machine with two cores, more when it is shared
async def test_a_cohort_of_all_owners_continues_as_new_and_keeps_every_run_small(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    env = time_skipping_env
    fakes = RecordingActivities(VeilederkorpsetSettings().plan())
    task_queue = f"test-{uuid.uuid4()}"
    today = calendar.local_date(await env.get_current_time(), "Europe/Oslo")
    name = f"h{uuid.uuid4().hex[:8]}"
    owners = every_owner()
    cohort = CohortInput.model_validate(
        {"cohort": name, "start_date": (today + timedelta(weeks=8)).isoformat(), "owners": owners}
    )
    started = [f"cohort-{name}", *(period_workflow_id(name, o["owner"]["id"]) for o in owners)]
    async with build_worker(env.client, fakes.all(), task_queue=task_queue):
        try:
            handle = await start_cohort(env.client, cohort, task_queue=task_queue)
            final = await handle.result()
        finally:
            await terminate_when_settled(env.client, started)

    assert final.ended and final.periods_started == len(owners) and final.phases == {"expired": len(owners)}
    runs: list[int] = []
    run_id: str | None = handle.first_execution_run_id
    while run_id:
        history = await env.client.get_workflow_handle(handle.id, run_id=run_id).fetch_history()
        runs.append(len(history.events))
        last = history.events[-1]
        run_id = (
            last.workflow_execution_continued_as_new_event_attributes.new_execution_run_id
            if last.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
            else None
        )
    # Temporal suggests continue-as-new (the test server from about 4,000 events); our own bound is
    # the backstop. Every run stays below the warning, far from the limit.
    assert len(runs) >= 2, runs
    assert max(runs) < min(HISTORY_WARNING, CONTINUE_AS_NEW_AFTER_EVENTS + 500), runs
