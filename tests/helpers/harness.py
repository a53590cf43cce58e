"""The one harness of the tests: a period or a cohort under test, on one Temporal server, served by the one worker
factory (`recording_worker`).

A `Harness` holds a client, the task queue of a worker of the real workflows with recording fakes, and the
fakes; it starts periods and cohorts on that queue (with the defaults the tests use), hands out their handles,
waits on them (`tests/helpers/waits.py`) and runs the `guidance` command. Whatever a test starts through it, or
hands to `track`, is ended when the harness is (`harness_on`), so that no workflow outlives its test and stalls
a time-skipping server's clock.

On a time-skipping server (`env` given) "today" is the server's day; on a dev server (real time) it is the
machine's.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager as Running
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from typer.testing import CliRunner, Result

from domain import calendar
from domain.cohort import CohortInput, CohortStatus, InvitationState
from domain.contract import period_workflow_id
from domain.models import PeriodInput, PeriodStatus
from domain.programme import ProgrammePlan
from starter import cli
from starter import client as api
from starter.cohorts import start_cohort
from tests.helpers.clock import ZONE, plain_saturday, real_today
from tests.helpers.fakes import RecordingActivities
from tests.helpers.waits import PATIENCE, query_when_started, terminate_when_settled, wait_for
from tests.helpers.workers import recording_worker
from workflows.cohort import CohortWorkflow
from workflows.guidance_period import GuidancePeriodWorkflow

PeriodHandle = WorkflowHandle[GuidancePeriodWorkflow, PeriodStatus]
CohortHandle = WorkflowHandle[CohortWorkflow, CohortStatus]

#: The owner of a period of `Harness.period_input`.
DRAMMEN = {"id": "3301", "name": "Drammen", "kind": "municipality", "county": "33"}

#: The advisers and the schools of a period of `Harness.period_input`.
ADVISERS = ("a.hansen", "b.olsen")
SCHOOLS = ("Fjell skole", "Åssiden skole")

#: The owners of a cohort of `Harness.cohort_input`: three, one with schools, one in a network.
OWNERS: list[dict[str, Any]] = [
    {"owner": DRAMMEN, "advisers": ["a.hansen"]},
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
class Harness:
    """A worker of recording fakes on a task queue of its own, and a period or a cohort under test on it."""

    client: Client
    task_queue: str
    fakes: RecordingActivities
    #: The time-skipping server the worker runs on; None on a dev server, which keeps real time.
    env: WorkflowEnvironment | None = None
    #: How new cohort names begin (`new_name`).
    names: str = "t"
    #: Whether `period_input` carries the fakes' plan (the period need not load it) unless told otherwise.
    with_plan: bool = True
    #: How long `settled` and `cohort_settled` wait, in seconds.
    patience: float = PATIENCE
    #: Where `file` writes.
    folder: Path | None = None
    #: Environment variables of every `guidance` command.
    command_env: Mapping[str, str] = field(default_factory=dict)
    #: Whether `guidance` fails the test on a traceback or an exception other than the command's exit.
    check_commands: bool = False
    #: Workflows ended once settled when the harness is; `unserved`, ended at once (`track`).
    started: list[str] = field(default_factory=list)
    unserved: list[str] = field(default_factory=list)

    @property
    def plan(self) -> ProgrammePlan:
        """The plan the fakes answer (the flagship's unless a test gave its own)."""
        return self.fakes.plan

    # The clock.

    async def sleep(self, duration: timedelta) -> None:
        """Move the time-skipping server's clock on by `duration` (timers falling due fire on the way)."""
        if self.env is None:
            raise RuntimeError("this harness runs on a dev server, whose clock cannot be moved")
        await self.env.sleep(duration)

    async def now(self) -> datetime:
        """Now on the server's clock."""
        return await self.env.get_current_time() if self.env else datetime.now(UTC)

    async def today(self) -> date:
        """Today on the server's clock, which other tests may have moved far ahead of the real one."""
        return calendar.local_date(await self.now(), ZONE) if self.env else real_today()

    async def working_day_in(self, days: int) -> date:
        """The first working day at least `days` ahead."""
        return calendar.next_working_day(await self.today() + timedelta(days=days))

    async def weekend_day_in(self, days: int) -> date:
        """A Saturday at least `days` ahead that is no public holiday (a refusal names it as a Saturday)."""
        return plain_saturday(await self.today() + timedelta(days=days - 1))

    def new_name(self) -> str:
        """A cohort name no other test uses."""
        return f"{self.names}{uuid.uuid4().hex[:10]}"

    # Periods.

    async def period_input(self, *, with_plan: bool | None = None, **changes: Any) -> PeriodInput:
        """Drammen's period with two advisers and two schools, started today, as one started this morning, so that
        milestones may be recorded at once (`changes` replace any of it); with the fakes' plan if `with_plan` (by
        default the harness's `with_plan`)."""
        start = await self.today()
        period = PeriodInput.model_validate(
            {
                "cohort": self.new_name(),
                "owner": DRAMMEN,
                "advisers": list(ADVISERS),
                "start_date": start.isoformat(),
                "schools": list(SCHOOLS),
                **changes,
            }
        )
        carry = self.with_plan if with_plan is None else with_plan
        return period.model_copy(update={"programme": self.fakes.plan}) if carry else period

    async def start_period(self, period: PeriodInput | None = None) -> PeriodHandle:
        """Start the period's workflow as it is given (a period without a plan loads it on the worker)."""
        period = period or await self.period_input()
        handle = await self.client.start_workflow(
            GuidancePeriodWorkflow.run,
            period,
            id=period_workflow_id(period.cohort, period.owner.id),
            task_queue=self.task_queue,
        )
        self.track(handle.id)
        return handle

    async def start_period_with_client(self, period: PeriodInput | None = None) -> api.PeriodHandle:
        """Start the period through the client API (`starter.client.start_period`), which resolves its plan."""
        period = period or await self.period_input()
        handle = await api.start_period(self.client, period, task_queue=self.task_queue)
        self.track(handle.id)
        return handle

    def period(self, cohort: str, owner_id: str) -> PeriodHandle:
        """The handle of the owner's period in the cohort."""
        return self.client.get_workflow_handle_for(GuidancePeriodWorkflow.run, period_workflow_id(cohort, owner_id))

    async def settled(self, handle: PeriodHandle) -> PeriodStatus:
        """The period's status once it has loaded its plan and written every queued record (activities run in
        real time)."""
        status: PeriodStatus | None = None

        async def written() -> bool:
            nonlocal status
            status = await query_when_started(handle, GuidancePeriodWorkflow.status)
            return status.records_pending == 0

        await wait_for(written, f"the records of {handle.id} written", self.patience)
        assert status is not None
        return status

    # Cohorts.

    async def cohort_input(self, **changes: Any) -> CohortInput:
        """A cohort of the three `OWNERS` starting on a working day eight weeks ahead, owners answering within
        three days and reminded two days after (`changes` replace any of it)."""
        return CohortInput.model_validate(
            {
                "cohort": self.new_name(),
                "start_date": (await self.working_day_in(8 * 7)).isoformat(),
                "owners": OWNERS,
                "reply_days": 3,
                "no_reply_after_days": 2,
                **changes,
            }
        )

    async def start_cohort(self, cohort: CohortInput | None = None) -> CohortHandle:
        """Start the cohort (`starter.cohorts.start_cohort`); its owners' periods are ended with it."""
        cohort = cohort or await self.cohort_input()
        handle = await start_cohort(self.client, cohort, task_queue=self.task_queue)
        self.track(handle.id)
        self.started.extend(period_workflow_id(cohort.cohort, o.owner.id) for o in cohort.owners)
        return handle

    async def cohort_settled(self, handle: CohortHandle, *, starts: int = 0, all_sent: bool = False) -> CohortStatus:
        """The cohort's status once it has loaded its plan, its records are written and `starts` periods have
        started; with `all_sent`, also once its signals are sent and every owner who accepted has its period."""
        status: CohortStatus | None = None

        async def done() -> bool:
            nonlocal status
            status = await query_when_started(handle, CohortWorkflow.status)
            started = sum(1 for i in status.invitations if i.period_started)
            if status.records_pending or started < starts:
                return False
            starting = any(i.state == InvitationState.ACCEPTED and not i.period_started for i in status.invitations)
            return not all_sent or (status.signals_pending == 0 and not starting)

        await wait_for(done, f"cohort {handle.id} settled with {starts} periods started", self.patience)
        assert status is not None
        return status

    # The command.

    def file(self, name: str, text: str) -> Path:
        """A file of the test's own (for a command to read)."""
        if self.folder is None:
            raise RuntimeError("this harness has no folder for files")
        path = self.folder / name
        path.write_text(text, encoding="utf-8")
        return path

    async def guidance(self, *args: str, env: Mapping[str, str] | None = None) -> Result:
        """Run `guidance ARGS` in-process, in a thread (the command runs its own event loop and client)."""
        variables = {**self.command_env, **(env or {})}
        result = await asyncio.to_thread(CliRunner().invoke, cli.app, list(args), env=variables)
        if self.check_commands:
            assert "Traceback" not in result.output
            assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        return result

    async def start_cohort_with_command(self, *args: str, env: Mapping[str, str] | None = None) -> Result:
        """`guidance cohort start ARGS` on this harness's task queue."""
        return await self.guidance("cohort", "start", *args, "--task-queue", self.task_queue, env=env)

    # The end.

    def track(self, workflow_id: str, *, at_once: bool = False) -> None:
        """End this workflow with the harness: once settled, or `at_once` when no worker of the harness serves it
        or it may be stuck (a failed example)."""
        (self.unserved if at_once else self.started).append(workflow_id)

    async def stop_all(self) -> None:
        """Terminate what the test left running: time skipping stalls on workflows no worker serves."""
        served = [w for w in self.started if w not in self.unserved]
        await terminate_when_settled(self.client, served, unserved=self.unserved)


def dev_period(fakes: RecordingActivities, owner: dict[str, str]) -> PeriodInput:
    """A period of `owner` for a test on a dev server, started today so that milestones may be recorded at once:
    real dates (a dev server keeps real time; the machine's date is never after Oslo's), the fakes' plan."""
    return PeriodInput.model_validate(
        {
            "cohort": f"dev{uuid.uuid4().hex[:6]}",
            "owner": owner,
            "advisers": ["a.hansen"],
            "start_date": real_today(),
            "programme": fakes.plan,
        }
    )


H = TypeVar("H", bound=Harness)


def harness_on(server: WorkflowEnvironment | Client, *, prefix: str = "test", **options: Any) -> Running[Harness]:
    """A harness (with `options`) whose worker of recording fakes runs on `server` (a time-skipping server, or a
    client of a dev server) on a task queue named after `prefix`; what a test leaves running is ended afterwards."""
    return running(Harness, server, prefix=prefix, **options)


@contextlib.asynccontextmanager
async def running(
    kind: type[H], server: WorkflowEnvironment | Client, *, prefix: str, **options: Any
) -> AsyncIterator[H]:
    """`harness_on` for a harness of `kind`, a subclass of `Harness` (the property tests' benches)."""
    env = server if isinstance(server, WorkflowEnvironment) else None
    client = server.client if isinstance(server, WorkflowEnvironment) else server
    async with recording_worker(client, prefix=prefix) as worker:
        harness = kind(client, worker.task_queue, worker.fakes, env=env, **options)
        try:
            yield harness
        finally:
            await harness.stop_all()
