"""Cohort tests: `CohortWorkflow` and the periods it starts on the time-skipping server, with recording fakes."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from domain import calendar
from domain.cohort import CohortInput, CohortStatus
from domain.contract import period_workflow_id
from domain.models import PeriodStatus
from starter.cohorts import start_cohort
from tests.helpers.fakes import RecordingActivities
from tests.helpers.waits import query_when_started, terminate_when_settled, wait_for
from tests.helpers.workers import recording_worker
from workflows.cohort import CohortWorkflow
from workflows.guidance_period import GuidancePeriodWorkflow

CohortHandle = WorkflowHandle[CohortWorkflow, CohortStatus]
PeriodHandle = WorkflowHandle[GuidancePeriodWorkflow, PeriodStatus]

OWNERS: list[dict[str, Any]] = [
    {"owner": {"id": "3301", "name": "Drammen", "kind": "municipality", "county": "33"}, "advisers": ["a.hansen"]},
    {
        "owner": {"id": "1103", "name": "Stavanger", "kind": "municipality", "county": "11"},
        "advisers": ["b.olsen", "c.berg"],
        "schools": ["Hundvåg skole"],
    },
    {
        "owner": {"id": "4617", "name": "Kvinnherad", "kind": "municipality", "county": "46"},
        "advisers": ["d.lie"],
        "network": "Sunnhordland",
    },
]


@dataclass
class CohortHarness:
    env: WorkflowEnvironment
    task_queue: str
    fakes: RecordingActivities
    started: list[str] = field(default_factory=list)

    async def today(self) -> date:
        return calendar.local_date(await self.env.get_current_time(), "Europe/Oslo")

    async def cohort_input(self, **changes: object) -> CohortInput:
        start = calendar.next_working_day(await self.today() + timedelta(weeks=8))
        return CohortInput.model_validate(
            {
                "cohort": f"c{uuid.uuid4().hex[:8]}",
                "start_date": start.isoformat(),
                "owners": OWNERS,
                "reply_days": 3,
                "no_reply_after_days": 2,
                **changes,
            }
        )

    async def start(self, cohort: CohortInput | None = None) -> CohortHandle:
        cohort = cohort or await self.cohort_input()
        handle = await start_cohort(self.env.client, cohort, task_queue=self.task_queue)
        self.started.append(handle.id)
        self.started.extend(period_workflow_id(cohort.cohort, o.owner.id) for o in cohort.owners)
        return handle

    def period(self, cohort: str, owner_id: str) -> PeriodHandle:
        return self.env.client.get_workflow_handle_for(GuidancePeriodWorkflow.run, period_workflow_id(cohort, owner_id))

    async def settled(self, handle: CohortHandle, *, starts: int = 0) -> CohortStatus:
        """The cohort's status once it has loaded its plan, its records are written and `starts` periods have
        started."""
        status: CohortStatus | None = None

        async def done() -> bool:
            nonlocal status
            status = await query_when_started(handle, CohortWorkflow.status)
            started = sum(1 for i in status.invitations if i.period_started)
            return status.records_pending == 0 and started >= starts

        await wait_for(done, f"cohort {handle.id} settled with {starts} periods started")
        assert status is not None
        return status

    async def stop_all(self) -> None:
        """Terminate what a test left running: time skipping stalls on workflows no worker serves."""
        await terminate_when_settled(self.env.client, self.started)


@pytest.fixture
async def cohorts(time_skipping_env: WorkflowEnvironment) -> AsyncIterator[CohortHarness]:
    async with recording_worker(time_skipping_env.client) as worker:
        harness = CohortHarness(time_skipping_env, worker.task_queue, worker.fakes)
        try:
            yield harness
        finally:
            await harness.stop_all()
