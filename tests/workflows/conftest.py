"""Workflow tests: the real workflow on the time-skipping server, activities replaced by recording fakes."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pytest
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from domain import calendar
from domain.models import PeriodInput, PeriodStatus
from tests.helpers.clock import real_today
from tests.helpers.fakes import RecordingActivities
from tests.helpers.waits import query_when_started, terminate_when_settled, wait_for
from tests.helpers.workers import recording_worker
from workflows.guidance_period import GuidancePeriodWorkflow

Handle = WorkflowHandle[GuidancePeriodWorkflow, PeriodStatus]


@dataclass
class PeriodHarness:
    """A worker on a fresh task queue and helpers to start and inspect periods."""

    env: WorkflowEnvironment
    task_queue: str
    fakes: RecordingActivities
    started: list[Handle] = field(default_factory=list)

    async def today(self) -> date:
        return calendar.local_date(await self.env.get_current_time(), "Europe/Oslo")

    async def now(self) -> datetime:
        return await self.env.get_current_time()

    async def period_input(self, *, with_plan: bool = True, **changes: object) -> PeriodInput:
        start = calendar.next_working_day(await self.today() + timedelta(days=1))
        period = PeriodInput.model_validate(
            {
                "cohort": f"t{uuid.uuid4().hex[:8]}",
                "owner": {"id": "3301", "name": "Drammen", "kind": "municipality", "county": "33"},
                "advisers": ["a.hansen", "b.olsen"],
                "start_date": start.isoformat(),
                "schools": ["Fjell skole", "Åssiden skole"],
                **changes,
            }
        )
        return period.model_copy(update={"programme": self.fakes.plan}) if with_plan else period

    async def start(self, period: PeriodInput | None = None) -> Handle:
        period = period or await self.period_input()
        handle = await self.env.client.start_workflow(
            GuidancePeriodWorkflow.run,
            period,
            id=f"guidance-period-{period.cohort}-{period.owner.id}",
            task_queue=self.task_queue,
        )
        self.started.append(handle)
        return handle

    async def settled(self, handle: Handle) -> PeriodStatus:
        """The period's status once it has loaded its plan and written every queued record (activities run in
        real time)."""
        status: PeriodStatus | None = None

        async def written() -> bool:
            nonlocal status
            status = await query_when_started(handle, GuidancePeriodWorkflow.status)
            return status.records_pending == 0

        await wait_for(written, f"the records of {handle.id} written")
        assert status is not None
        return status

    async def stop_all(self) -> None:
        """Terminate what a test left running: time skipping stalls on workflows no worker serves."""
        await terminate_when_settled(self.env.client, [h.id for h in self.started])


@contextlib.asynccontextmanager
async def period_harness(env: WorkflowEnvironment) -> AsyncIterator[PeriodHarness]:
    """A worker with recording fakes on a fresh task queue of `env`; what a test leaves running is ended."""
    async with recording_worker(env.client) as worker:
        harness = PeriodHarness(env, worker.task_queue, worker.fakes)
        try:
            yield harness
        finally:
            await harness.stop_all()


@pytest.fixture
async def harness(time_skipping_env: WorkflowEnvironment) -> AsyncIterator[PeriodHarness]:
    async with period_harness(time_skipping_env) as harness:
        yield harness


def dev_period(fakes: RecordingActivities, owner: dict[str, str]) -> PeriodInput:
    """A period for the dev-server tests: real dates (the dev server keeps real time), the fakes' plan."""
    return PeriodInput.model_validate(
        {
            "cohort": f"dev{uuid.uuid4().hex[:6]}",
            "owner": owner,
            "advisers": ["a.hansen"],
            "start_date": calendar.next_working_day(real_today() + timedelta(days=1)),
            "programme": fakes.plan,
        }
    )
