"""A live period and a live cohort on the time-skipping server, served by a real worker with recording fakes.

Each property sends its examples to the same workflow while it lives; a period that an accepted example has
ended (a withdrawal, the last milestone) is replaced by a fresh one before the next example.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from hypothesis.errors import UnsatisfiedAssumption
from temporalio.client import WorkflowHandle, WorkflowQueryFailedError
from temporalio.testing import WorkflowEnvironment

from domain import calendar
from domain.cohort import CohortInput, CohortStatus, InvitationState
from domain.contract import period_workflow_id
from domain.models import PeriodInput, PeriodStatus
from domain.phases import is_terminal
from domain.programme import ProgrammePlan
from starter.cohorts import start_cohort
from tests.helpers.fakes import RecordingActivities
from tests.helpers.waits import terminate_when_settled
from workflows.cohort import CohortWorkflow
from workflows.guidance_period import GuidancePeriodWorkflow

PeriodHandle = WorkflowHandle[GuidancePeriodWorkflow, PeriodStatus]
CohortHandle = WorkflowHandle[CohortWorkflow, CohortStatus]

ADVISERS = ("a.hansen", "b.olsen")
SCHOOLS = ("Fjell skole", "Åssiden skole")
#: How long a workflow may take to write its records and send its signals after an example.
SETTLE_SECONDS = 10.0


async def _today(env: WorkflowEnvironment) -> date:
    return calendar.local_date(await env.get_current_time(), "Europe/Oslo")


@dataclass(repr=False)
class PeriodBench:
    env: WorkflowEnvironment
    task_queue: str
    fakes: RecordingActivities
    started: list[str] = field(default_factory=list)
    abandoned: list[str] = field(default_factory=list)
    current: PeriodHandle | None = None
    #: The last example passed: the current period is fit for the next one.
    trusted: bool = False

    @property
    def plan(self) -> ProgrammePlan:
        return self.fakes.plan

    def __repr__(self) -> str:
        return f"PeriodBench(task_queue={self.task_queue!r})"

    async def today(self) -> date:
        return await _today(self.env)

    @contextlib.asynccontextmanager
    async def example(self) -> AsyncIterator[PeriodHandle]:
        """The period for one example: the current one while it is open and the last example passed.

        A failed example may have left its period stuck (a workflow task failing for ever), so the next
        example, a shrink of it among them, gets a fresh period.
        """
        if self.current is not None and not self.trusted:
            self.abandoned.append(self.current.id)
            self.current = None
        if self.current is not None:
            status = await self.current.query(GuidancePeriodWorkflow.status)
            if is_terminal(status.phase):
                self.current = None
        if self.current is None:
            self.current = await self.start()
        self.trusted = False
        try:
            yield self.current
        except UnsatisfiedAssumption:
            self.trusted = True  # the example was left out before it was sent
            raise
        self.trusted = True

    async def start(self) -> PeriodHandle:
        period = PeriodInput.model_validate(
            {
                "cohort": f"p{uuid.uuid4().hex[:10]}",
                "owner": {"id": "3301", "name": "Drammen", "kind": "municipality", "county": "33"},
                "advisers": list(ADVISERS),
                "start_date": calendar.next_working_day(await self.today() + timedelta(days=1)),
                "schools": list(SCHOOLS),
                "programme": self.plan,
            }
        )
        handle = await self.env.client.start_workflow(
            GuidancePeriodWorkflow.run,
            period,
            id=period_workflow_id(period.cohort, period.owner.id),
            task_queue=self.task_queue,
        )
        self.started.append(handle.id)
        return handle

    async def settled(self, handle: PeriodHandle) -> PeriodStatus:
        """The period's status once every record it queued has been written."""
        async with asyncio.timeout(SETTLE_SECONDS):
            while True:
                status = await handle.query(GuidancePeriodWorkflow.status)
                if status.records_pending == 0:
                    return status
                await asyncio.sleep(0.02)

    async def stop_all(self) -> None:
        if self.current is not None and not self.trusted:
            self.abandoned.append(self.current.id)
        await stop_all(self.env, self.started, self.abandoned)


async def stop_all(env: WorkflowEnvironment, started: list[str], abandoned: list[str]) -> None:
    """Terminate every workflow a module started: each once settled, or at once when a failed example may
    have left it stuck."""
    await terminate_when_settled(
        env.client, [w for w in started if w not in abandoned], unserved=[w for w in started if w in abandoned]
    )


def _owner(owner_id: str, name: str, advisers: list[str], **more: Any) -> dict[str, Any]:
    kind = "municipality" if len(owner_id) == 4 else "county_authority"
    return {
        "owner": {"id": owner_id, "name": name, "kind": kind, "county": owner_id[:2]},
        "advisers": advisers,
        **more,
    }


#: Three owners whose periods run from the start (two share a network), and eight that may still answer.
COHORT_OWNERS = [
    _owner("3301", "Drammen", ["a.hansen"], accepted_by="SF Buskerud"),
    _owner("4617", "Kvinnherad", ["d.lie"], network="Sunnhordland", accepted_by="SF Vestland"),
    _owner("4613", "Bømlo", ["e.dahl", "d.lie"], network="Sunnhordland", accepted_by="SF Vestland"),
    _owner("1103", "Stavanger", ["b.olsen", "c.berg"], schools=["Hundvåg skole"]),
    _owner("0301", "Oslo", ["f.moe"]),
    _owner("5001", "Trondheim", ["g.nilsen"], network="Trondheimsfjorden"),
    _owner("1804", "Bodø", ["h.strand"]),
    _owner("4204", "Kristiansand", ["i.berge"]),
    _owner("3907", "Sandefjord", ["j.vik"]),
    _owner("5501", "Tromsø", ["k.haugen"]),
    _owner("46", "Vestland fylkeskommune", ["l.aas"]),
]


@dataclass(repr=False)
class CohortBench:
    env: WorkflowEnvironment
    task_queue: str
    fakes: RecordingActivities
    started: list[str] = field(default_factory=list)
    abandoned: list[str] = field(default_factory=list)
    current: CohortHandle | None = None
    trusted: bool = False

    @property
    def plan(self) -> ProgrammePlan:
        return self.fakes.plan

    def __repr__(self) -> str:
        return f"CohortBench(task_queue={self.task_queue!r})"

    async def today(self) -> date:
        return await _today(self.env)

    @contextlib.asynccontextmanager
    async def example(self) -> AsyncIterator[CohortHandle]:
        """The cohort for one example: the same while examples pass, a fresh one after a failed example.

        The cohort never ends here: its periods run on, as the server's clock is not moved.
        """
        if self.current is not None and not self.trusted:
            self.abandoned.extend(self.started[self.started.index(self.current.id) :])
            self.current = None
        if self.current is None:
            start = calendar.next_working_day(await self.today() + timedelta(weeks=8))
            cohort = CohortInput.model_validate(
                {
                    "cohort": f"c{uuid.uuid4().hex[:10]}",
                    "start_date": start.isoformat(),
                    "owners": COHORT_OWNERS,
                    "reply_days": 40,
                    "no_reply_after_days": 20,
                }
            )
            self.current = await start_cohort(self.env.client, cohort, task_queue=self.task_queue)
            self.started.append(self.current.id)
            self.started.extend(period_workflow_id(cohort.cohort, o.owner.id) for o in cohort.owners)
        self.trusted = False
        try:
            yield self.current
        except UnsatisfiedAssumption:
            self.trusted = True  # the example was left out before it was sent
            raise
        self.trusted = True

    async def settled(self, handle: CohortHandle) -> CohortStatus:
        """The cohort's status once its records are written, its signals sent and its owners' periods started."""
        async with asyncio.timeout(SETTLE_SECONDS):
            while True:
                try:
                    status = await handle.query(CohortWorkflow.status)
                except WorkflowQueryFailedError as error:
                    refused = str(error)
                else:
                    refused = ""
                if refused:
                    # A fresh cohort loads its plan first.
                    assert "still starting" in refused, refused
                    await asyncio.sleep(0.02)
                    continue
                starting = any(i.state == InvitationState.ACCEPTED and not i.period_started for i in status.invitations)
                if status.records_pending == 0 and status.signals_pending == 0 and not starting:
                    return status
                await asyncio.sleep(0.02)

    async def stop_all(self) -> None:
        if self.current is not None and not self.trusted:
            self.abandoned.extend(self.started[self.started.index(self.current.id) :])
        await stop_all(self.env, self.started, self.abandoned)


class SignalDrops(logging.Handler):
    """Keeps the SDK's "dropping the signal" log records: where a refused signal's message goes."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if "dropping the signal" in record.getMessage():
            self.records.append(record)

    def causes(self, record: logging.LogRecord) -> list[str]:
        """The messages of the record's exception and its causes."""
        found = []
        error = record.exc_info[1] if record.exc_info else None
        while error is not None:
            found.append(f"{type(error).__name__}: {error}")
            error = error.__cause__
        return found
