"""Continue-as-new for real: a dev server that suggests it after a few events, updates arriving meanwhile."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from temporalio.client import Client, WorkflowExecutionStatus

from config.owners import all_owners
from config.settings import VeilederkorpsetSettings
from devstack.temporal_server import DevServer, free_port
from domain import calendar
from domain.cohort import CohortInput, RespondToInvitation
from domain.contract import Activities
from domain.models import RecordMilestone, ScheduleMeeting
from domain.phases import Phase
from starter.cohorts import start_cohort
from tests.helpers.clock import real_today
from tests.helpers.fakes import RecordingActivities
from tests.helpers.harness import dev_period
from tests.helpers.waits import wait_for
from worker import build_worker
from workflows.cohort import CohortWorkflow
from workflows.guidance_period import GuidancePeriodWorkflow

SUGGEST_AFTER_EVENTS = 40


@pytest.fixture(scope="module")
async def eager_server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[DevServer]:
    folder = tmp_path_factory.mktemp("continue-as-new")
    dynamic_config = {"limit.historyCount.suggestContinueAsNew": SUGGEST_AFTER_EVENTS}
    server = await DevServer.start(folder / "temporal.sqlite", free_port(), dynamic_config=dynamic_config)
    try:
        yield server
    finally:
        server.stop()


async def test_a_period_continues_as_new_mid_life_and_loses_nothing(eager_server: DevServer) -> None:
    client: Client = await eager_server.connect()
    fakes = RecordingActivities(VeilederkorpsetSettings().plan())
    task_queue = f"can-{uuid.uuid4()}"
    period = dev_period(fakes, {"id": "1103", "name": "Stavanger", "kind": "municipality", "county": "11"})
    start = period.start_date
    workflow_id = f"guidance-period-{period.cohort}-1103"
    meeting_days = []
    day = start
    for _ in range(24):
        day = calendar.next_working_day(day + timedelta(days=3))
        meeting_days.append(day)

    async with build_worker(client, fakes.all(), task_queue=task_queue):
        handle = await client.start_workflow(GuidancePeriodWorkflow.run, period, id=workflow_id, task_queue=task_queue)
        # Updates in small concurrent bursts, so some arrive while a run hands over to the next.
        for burst in range(0, len(meeting_days), 4):
            await asyncio.gather(
                *(
                    handle.execute_update(
                        GuidancePeriodWorkflow.schedule_meeting,
                        ScheduleMeeting.model_validate({"kind": "follow_up", "date": d, "adviser": "a.hansen"}),
                    )
                    for d in meeting_days[burst : burst + 4]
                )
            )
        for name in ("mapping_done", "anchoring_done"):
            update = RecordMilestone.model_validate({"milestone": name, "adviser": "a.hansen"})
            await handle.execute_update(GuidancePeriodWorkflow.record_milestone, update)
        status = await handle.query(GuidancePeriodWorkflow.status)
        for _ in range(100):  # the last records are written by the newest run's main loop
            if len(fakes.calls[Activities.RECORD_MILESTONE]) == 2:
                break
            await asyncio.sleep(0.1)

        for _ in range(50):  # visibility follows the runs with a short delay
            runs = [w async for w in client.list_workflows(f"WorkflowId = '{workflow_id}'")]
            if sum(r.status == WorkflowExecutionStatus.CONTINUED_AS_NEW for r in runs) >= 2:
                break
            await asyncio.sleep(0.1)
        await handle.terminate("test finished")

    continued = [r for r in runs if r.status == WorkflowExecutionStatus.CONTINUED_AS_NEW]
    assert len(continued) >= 2, f"expected at least two hand-overs, saw {len(continued)}"
    assert status.phase == Phase.DEVELOPMENT_AREA
    assert sorted(m.date for m in status.meetings) == meeting_days
    assert [m.milestone for m in status.milestones] == ["mapping_done", "anchoring_done"]
    # Every record written exactly once across all runs, and the period started once.
    assert sorted(r.meeting.date for r in fakes.calls[Activities.RECORD_MEETING]) == meeting_days
    assert len(fakes.calls[Activities.RECORD_MILESTONE]) == 2
    assert len(fakes.calls[Activities.RECORD_PERIOD_STARTED]) == 1


async def test_a_cohort_continues_as_new_while_answers_arrive_and_loses_none(eager_server: DevServer) -> None:
    client: Client = await eager_server.connect()
    fakes = RecordingActivities(VeilederkorpsetSettings().plan())
    task_queue = f"can-{uuid.uuid4()}"
    owners = all_owners()[:12]
    name = f"can{uuid.uuid4().hex[:6]}"
    cohort = CohortInput.model_validate(
        {
            "cohort": name,
            "start_date": calendar.next_working_day(real_today() + timedelta(weeks=8)),
            "owners": [{"owner": o.model_dump(), "advisers": ["a.hansen"]} for o in owners],
        }
    )
    answers = {o.id: ("accept" if i % 3 else "decline") for i, o in enumerate(owners)}

    async with build_worker(client, fakes.all(), task_queue=task_queue):
        handle = await start_cohort(client, cohort, task_queue=task_queue)
        ids = list(answers)
        for burst in range(0, len(ids), 3):  # small concurrent bursts, some arriving as a run hands over
            await asyncio.gather(
                *(
                    handle.execute_update(
                        CohortWorkflow.respond_to_invitation,
                        RespondToInvitation(owner_id=owner_id, answer=answers[owner_id], by="Statsforvalteren"),
                    )
                    for owner_id in ids[burst : burst + 3]
                )
            )
        accepted = sum(1 for a in answers.values() if a == "accept")

        async def all_started() -> bool:
            status = await handle.query(CohortWorkflow.status)
            return status.periods_started == accepted and status.records_pending == 0

        await wait_for(all_started, f"{accepted} periods started and recorded")
        status = await handle.query(CohortWorkflow.status)
        runs = [w async for w in client.list_workflows(f"WorkflowId = '{handle.id}'")]
        periods = [
            w async for w in client.list_workflows(f"Cohort = '{name}' AND WorkflowType = 'GuidancePeriodWorkflow'")
        ]
        for period in periods:
            await client.get_workflow_handle(period.id).terminate("test finished")
        await handle.terminate("test finished")

    assert sum(r.status == WorkflowExecutionStatus.CONTINUED_AS_NEW for r in runs) >= 1, "no hand-over happened"
    assert status.counts["accepted"] == accepted and status.counts["declined"] == len(owners) - accepted
    assert status.periods_started == accepted
    assert sorted(p.id for p in periods) == sorted(
        f"guidance-period-{name}-{o}" for o, a in answers.items() if a == "accept"
    ), "every accepted owner has exactly one period"
    invitations = [r for r in fakes.calls[Activities.RECORD_INVITATION] if r.cohort == name]
    assert sorted((r.owner_id, r.event) for r in invitations if r.event != "invited") == sorted(
        (o, "accepted" if a == "accept" else "declined") for o, a in answers.items()
    ), "every answer recorded exactly once"
