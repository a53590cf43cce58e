"""Workflow tests: the real workflow on the time-skipping server, activities replaced by recording fakes."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pytest
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from domain import calendar
from domain.models import PeriodInput, PeriodStatus
from domain.settings import VeilederkorpsetSettings
from tests.fakes import RecordingActivities
from tests.harness import terminate_when_settled
from worker import build_worker
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
        """The period's status once every queued record has been written (activities run in real time)."""
        for _ in range(200):
            status = await handle.query(GuidancePeriodWorkflow.status)
            if status.records_pending == 0:
                return status
            await asyncio.sleep(0.05)
        raise AssertionError(f"records still pending after 10 s: {status.records_pending}")

    async def stop_all(self) -> None:
        """Terminate what a test left running: time skipping stalls on workflows no worker serves."""
        await terminate_when_settled(self.env.client, [h.id for h in self.started])


@pytest.fixture
async def harness(time_skipping_env: WorkflowEnvironment) -> AsyncIterator[PeriodHarness]:
    fakes = RecordingActivities(VeilederkorpsetSettings().plan())
    task_queue = f"test-{uuid.uuid4()}"
    async with build_worker(time_skipping_env.client, fakes.all(), task_queue=task_queue):
        harness = PeriodHarness(time_skipping_env, task_queue, fakes)
        try:
            yield harness
        finally:
            await harness.stop_all()


def dev_period(fakes: RecordingActivities, owner: dict[str, str]) -> PeriodInput:
    """A period for the dev-server tests: real dates (the dev server keeps real time), the fakes' plan."""
    return PeriodInput.model_validate(
        {
            "cohort": f"dev{uuid.uuid4().hex[:6]}",
            "owner": owner,
            "advisers": ["a.hansen"],
            "start_date": calendar.next_working_day(date.today() + timedelta(days=1)),
            "programme": fakes.plan,
        }
    )
