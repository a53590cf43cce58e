"""Client API and `guidance` command tests: the real workflow on the time-skipping server, fake activities.

Each test gets a worker on a fresh task queue. The command runs in a thread with its own event loop and
its own client (as it would in its own process), so the worker keeps running on the test's loop meanwhile.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from typer.testing import CliRunner, Result

from domain import calendar
from domain.models import PeriodInput
from starter import cli, commands
from starter import client as api
from starter.connect import data_converter
from tests.helpers.clock import plain_saturday
from tests.helpers.fakes import RecordingActivities
from tests.helpers.waits import terminate_when_settled
from tests.helpers.workers import recording_worker


@dataclass
class Harness:
    """A worker on a fresh task queue, helpers to start periods, and the `guidance` command."""

    env: WorkflowEnvironment
    task_queue: str
    fakes: RecordingActivities
    workflow_ids: list[str] = field(default_factory=list)
    unserved_ids: list[str] = field(default_factory=list)

    @property
    def client(self) -> Client:
        return self.env.client

    async def today(self) -> date:
        """Today on the test server's clock, which other tests may have moved far ahead of the real one."""
        return calendar.local_date(await self.env.get_current_time(), "Europe/Oslo")

    async def working_day_in(self, days: int) -> date:
        return calendar.next_working_day(await self.today() + timedelta(days=days))

    async def weekend_day_in(self, days: int) -> date:
        """A Saturday at least `days` ahead that is no public holiday (a refusal names it as a Saturday)."""
        return plain_saturday(await self.today() + timedelta(days=days - 1))

    def new_cohort(self) -> str:
        return f"t{uuid.uuid4().hex[:10]}"

    async def period_input(self, **changes: Any) -> PeriodInput:
        return PeriodInput.model_validate(
            {
                "cohort": self.new_cohort(),
                "owner": {"id": "3301", "name": "Drammen", "kind": "municipality", "county": "33"},
                "advisers": ["a.hansen", "b.olsen"],
                "start_date": (await self.today()).isoformat(),
                "schools": ["Fjell skole", "Åssiden skole"],
                **changes,
            }
        )

    async def start(self, period: PeriodInput | None = None) -> api.PeriodHandle:
        period = period or await self.period_input()
        handle = await api.start_period(self.client, period, task_queue=self.task_queue)
        self.workflow_ids.append(handle.id)
        return handle

    async def guidance(self, *args: str) -> Result:
        """Run the `guidance` command in-process, in a thread (it runs its own event loop)."""
        return await asyncio.to_thread(CliRunner().invoke, cli.app, list(args))

    def track(self, workflow_id: str, *, served: bool = True) -> None:
        """Terminate this workflow when the test ends (for periods the command started); `served` says
        whether this harness's worker runs it."""
        (self.workflow_ids if served else self.unserved_ids).append(workflow_id)

    async def stop_all(self) -> None:
        """Time skipping stalls on workflows no worker serves, so none may outlive its test."""
        await terminate_when_settled(self.client, self.workflow_ids, unserved=self.unserved_ids)


@pytest.fixture
async def harness(time_skipping_env: WorkflowEnvironment, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Harness]:
    env = time_skipping_env
    target, namespace = env.client.service_client.config.target_host, env.client.namespace

    async def connect_to_test_server() -> Client:
        return await Client.connect(target, namespace=namespace, data_converter=data_converter())

    monkeypatch.setattr(commands, "client_factory", connect_to_test_server)
    async with recording_worker(env.client, prefix="test-starter") as worker:
        harness = Harness(env, worker.task_queue, worker.fakes)
        try:
            yield harness
        finally:
            await harness.stop_all()
