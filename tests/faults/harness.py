"""Real components for the fault tests, and the checks they share.

- `WorkerProcess`: ``python worker.py`` as an operator runs it (its own process, `TEMPORAL_ADDRESS` and
  `DATABASE_URL` from the environment), so that it can be killed with SIGKILL and started again.
- `RestartablePostgres`: an embedded PostgreSQL server of the test's own, stopped (``pg_ctl stop``, which
  ends every connection) and started again on the same data folder and socket, so the URL stays valid.
- Checks over what the engine left behind: the periods Temporal's visibility lists for a cohort, rows and
  duplicates per natural key in every table, retried activities and failed workflow tasks in histories.
- `FaultReport`: each test's figures, written as JSON lines under the session's temporary folder and
  printed in pytest's terminal summary whatever the output capture.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Self, TypeVar

import asyncpg
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client
from temporalio.service import RPCError

from devstack.postgres import EmbeddedPostgres, start_embedded_postgres
from devstack.temporal_server import free_port
from domain.models import PeriodInput, PeriodStatus, RecordMilestone, SchoolOwner
from domain.phases import Milestone
from starter.client import period_status, start_period
from tests.devstack.stack_process import clean_environment
from tests.helpers.clock import real_today
from tests.telemetry.worker_process import fetch

ROOT = Path(__file__).resolve().parents[2]
WORKER_SCRIPT = ROOT / "worker.py"
READY_TIMEOUT_SECONDS = 90.0
STOP_TIMEOUT_SECONDS = 60.0
T = TypeVar("T")

#: The natural key of every table of `activities/schema.sql` (its primary key: what makes a row "the same").
NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "periods": ("workflow_id",),
    "phase_transitions": ("workflow_id", "sequence"),
    "milestones": ("workflow_id", "cycle", "milestone"),
    "meetings": ("workflow_id", "meeting_id"),
    "reminders": ("workflow_id", "notice_key"),
    "escalations": ("workflow_id", "notice_key"),
    "gatherings": ("workflow_id", "gathering_id"),
    "final_evaluations": ("workflow_id",),
    "outbox": ("message_key",),
    "audit_log": ("workflow_id", "event_key"),
    "invitations": ("cohort", "owner_id"),
    "national_gatherings": ("cohort", "gathering_id"),
    "gathering_guests": ("cohort", "gathering_id", "owner_id"),
}

#: The milestones of one development cycle, in order.
CYCLE: tuple[Milestone, ...] = (
    Milestone.MAPPING_DONE,
    Milestone.ANCHORING_DONE,
    Milestone.DEVELOPMENT_AREA_CHOSEN,
    Milestone.GOALS_PRIORITISED,
    Milestone.MEASURES_IMPLEMENTED,
    Milestone.EVALUATION_DONE,
)


async def wait_for(
    probe: Callable[[], Awaitable[T]],
    done: Callable[[T], bool],
    *,
    seconds: float,
    interval: float = 0.5,
    unanswered: tuple[type[BaseException], ...] = (RPCError,),
) -> tuple[T, float]:
    """Call `probe` until `done` holds or `seconds` have passed; the last answer and the seconds it took.

    A probe that raises one of `unanswered` (by default a Temporal RPC error: a query finds no worker to answer
    while one restarts or replays) is asked again; the error is raised only if it is still there at the end.
    """
    began = time.monotonic()
    while True:
        try:
            value = await probe()
        except unanswered:
            if time.monotonic() - began > seconds:
                raise
            await asyncio.sleep(interval)
            continue
        waited = time.monotonic() - began
        if done(value) or waited > seconds:
            return value, waited
        await asyncio.sleep(interval)


# --- the worker process ---------------------------------------------------------------------------


class WorkerProcess:
    """``python worker.py`` in a folder of its own (working directory, outbox, log), started and stopped at will.

    Each start appends to ``worker.log`` in the folder; `/readyz` on a free port tells when it polls.
    """

    def __init__(self, folder: Path, *, temporal_address: str, database_url: str) -> None:
        self.folder = folder
        self.temporal_address = temporal_address
        self.database_url = database_url
        self.log_path = folder / "worker.log"
        self.process: asyncio.subprocess.Process | None = None
        self.starts = 0
        self.health_port = 0

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def start(self) -> float:
        """Start the process; return once it is ready (polling Temporal, PostgreSQL answering): seconds taken."""
        assert not self.running, "the worker runs already"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.health_port = free_port()
        env = clean_environment(
            TEMPORAL_ADDRESS=self.temporal_address,
            DATABASE_URL=self.database_url,
            GUIDANCE_DATA_DIR=str(self.folder),
            GUIDANCE_HEALTH_PORT=str(self.health_port),
            GUIDANCE_HEALTH_HOST="127.0.0.1",
        )
        began = time.monotonic()
        with self.log_path.open("ab") as log:
            log.write(f"--- start {self.starts + 1} ---\n".encode())
            log.flush()
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                str(WORKER_SCRIPT),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
                cwd=self.folder,
                env=env,
            )
        self.starts += 1
        while True:
            if self.process.returncode is not None:
                raise AssertionError(f"the worker exited with {self.process.returncode}:\n{self.log_tail()}")
            with contextlib.suppress(OSError):
                if (await fetch(f"http://127.0.0.1:{self.health_port}/readyz"))[0] == 200:
                    return time.monotonic() - began
            if time.monotonic() - began > READY_TIMEOUT_SECONDS:
                raise AssertionError(
                    f"the worker was not ready within {READY_TIMEOUT_SECONDS:.0f} s:\n{self.log_tail()}"
                )
            await asyncio.sleep(0.2)

    async def kill(self) -> None:
        """SIGKILL: no graceful shutdown, no activity completes, nothing is flushed."""
        assert self.process is not None and self.process.returncode is None, "the worker is not running"
        self.process.send_signal(signal.SIGKILL)
        code = await self.process.wait()
        assert code == -signal.SIGKILL, f"the worker exited with {code}, not by SIGKILL"

    async def stop(self) -> int | None:
        """SIGTERM (a clean stop), SIGKILL after `STOP_TIMEOUT_SECONDS`; the exit code (None: never started)."""
        if self.process is None:
            return None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), STOP_TIMEOUT_SECONDS)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        return self.process.returncode

    async def ready(self) -> bool:
        """/readyz answers 200 (the worker polls, its PostgreSQL answers)."""
        with contextlib.suppress(OSError):
            return (await fetch(f"http://127.0.0.1:{self.health_port}/readyz"))[0] == 200
        return False

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


@contextlib.asynccontextmanager
async def worker_process(folder: Path, *, temporal_address: str, database_url: str) -> AsyncIterator[WorkerProcess]:
    """A started `WorkerProcess`, stopped on exit whatever the test did to it."""
    worker = WorkerProcess(folder, temporal_address=temporal_address, database_url=database_url)
    try:
        await worker.start()
        yield worker
    finally:
        await worker.stop()


# --- PostgreSQL that can go away ------------------------------------------------------------------


class RestartablePostgres:
    """An embedded PostgreSQL server in `data_dir`, stopped and started again on the same data and socket."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._server: EmbeddedPostgres | None = None
        self.url = ""

    def start(self) -> float:
        """Start (or restart) the server; seconds taken. The URL is the same every time (same socket folder)."""
        began = time.monotonic()
        self._server = start_embedded_postgres(self.data_dir)
        url = self._server.url
        assert not self.url or url == self.url, f"the server came back on another address: {url} (was {self.url})"
        self.url = url
        return time.monotonic() - began

    def stop(self) -> float:
        """``pg_ctl stop`` (fast mode: every connection is ended at once); seconds taken."""
        assert self._server is not None, "not running"
        began = time.monotonic()
        self._server.stop()
        self._server = None
        return time.monotonic() - began

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        if self._server is not None:
            self.stop()


# --- periods and milestones -----------------------------------------------------------------------


def milestone_update(step: int, adviser: str, note: str) -> RecordMilestone:
    """The `step`-th milestone of a period (counting over cycles), with what each one needs; a new cycle follows."""
    milestone = CYCLE[step % len(CYCLE)]
    return RecordMilestone(
        milestone=milestone,
        adviser=adviser,
        note=note,
        development_area="basic_skills" if milestone == Milestone.DEVELOPMENT_AREA_CHOSEN else None,
        goals=["More pupils read at mastery level 3"] if milestone == Milestone.GOALS_PRIORITISED else None,
        next_cycle=milestone == Milestone.EVALUATION_DONE,
    )


def fault_period(cohort: str, owner: SchoolOwner, advisers: Iterable[str], start: date | None = None) -> PeriodInput:
    """A period of the test's cohort, started today (so that milestones may be recorded at once) unless `start`."""
    return PeriodInput(
        cohort=cohort,
        owner=owner,
        advisers=list(advisers),
        start_date=start or real_today(),
    )


async def start_periods(client: Client, periods: Iterable[PeriodInput]) -> list[str]:
    """Start every period through the client API (as `guidance start` does); their workflow ids."""
    handles = await asyncio.gather(*(start_period(client, period) for period in periods))
    return [handle.id for handle in handles]


async def statuses(client: Client, workflow_ids: Iterable[str]) -> dict[str, PeriodStatus]:
    ids = list(workflow_ids)
    answers = await asyncio.gather(*(period_status(client, wid) for wid in ids))
    return dict(zip(ids, answers, strict=True))


async def records_pending(client: Client, workflow_ids: Iterable[str]) -> int:
    """Records queued in the periods' states and not written yet, summed."""
    return sum(status.records_pending for status in (await statuses(client, workflow_ids)).values())


# --- what Temporal holds --------------------------------------------------------------------------


async def listed_by_cohort(client: Client, cohort: str, workflow_type: str = "GuidancePeriodWorkflow") -> Counter[str]:
    """How many executions (runs) Temporal's visibility lists per workflow id for the search attribute Cohort."""
    query = f"Cohort = '{cohort}' AND WorkflowType = '{workflow_type}'"
    return Counter([execution.id async for execution in client.list_workflows(query)])


async def history(client: Client, workflow_id: str) -> list[HistoryEvent]:
    return [event async for event in client.get_workflow_handle(workflow_id).fetch_history_events()]


@dataclass
class HistoryFigures:
    """What the histories of some workflows say about faults."""

    workflows: int = 0
    events: int = 0
    activities_completed: int = 0
    activities_retried: int = 0
    max_attempt: int = 1
    workflow_tasks_failed: int = 0
    workflow_tasks_timed_out: int = 0
    workflows_failed: int = 0
    attempts: Counter[str] = field(default_factory=Counter)

    def add(self, events: list[HistoryEvent]) -> None:
        self.workflows += 1
        self.events += len(events)
        for event in events:
            kind = event.event_type
            if kind == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
                attempt = event.activity_task_started_event_attributes.attempt
                if attempt > 1:
                    self.activities_retried += 1
                self.max_attempt = max(self.max_attempt, attempt)
            elif kind == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
                self.activities_completed += 1
            elif kind == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED:
                self.workflow_tasks_failed += 1
            elif kind == EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT:
                self.workflow_tasks_timed_out += 1
            elif kind in (
                EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
                EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
                EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
            ):
                self.workflows_failed += 1

    def as_dict(self) -> dict[str, int]:
        return {
            "workflows": self.workflows,
            "events": self.events,
            "activities_completed": self.activities_completed,
            "activities_retried": self.activities_retried,
            "max_attempt": self.max_attempt,
            "workflow_tasks_failed": self.workflow_tasks_failed,
            "workflow_tasks_timed_out": self.workflow_tasks_timed_out,
            "workflows_failed": self.workflows_failed,
        }


async def history_figures(client: Client, workflow_ids: Iterable[str]) -> HistoryFigures:
    figures = HistoryFigures()
    for events in await asyncio.gather(*(history(client, wid) for wid in workflow_ids)):
        figures.add(events)
    return figures


def pending_timers(events: list[HistoryEvent]) -> dict[str, datetime]:
    """The workflow's user timers that were started and have neither fired nor been cancelled: id -> fire time."""
    started: dict[str, datetime] = {}
    for event in events:
        if event.event_type == EventType.EVENT_TYPE_TIMER_STARTED:
            attributes = event.timer_started_event_attributes
            fire_at = event.event_time.ToDatetime(tzinfo=UTC) + attributes.start_to_fire_timeout.ToTimedelta()
            started[attributes.timer_id] = fire_at
        elif event.event_type == EventType.EVENT_TYPE_TIMER_FIRED:
            started.pop(event.timer_fired_event_attributes.timer_id, None)
        elif event.event_type == EventType.EVENT_TYPE_TIMER_CANCELED:
            started.pop(event.timer_canceled_event_attributes.timer_id, None)
    return started


async def pending_activity_attempts(client: Client, workflow_id: str) -> list[int]:
    """The attempt number of each activity the server holds for the workflow (scheduled, running or backing off)."""
    described = await client.get_workflow_handle(workflow_id).describe()
    return [activity.attempt for activity in described.raw_description.pending_activities]


# --- what PostgreSQL holds ------------------------------------------------------------------------


@dataclass
class TableFigures:
    """Rows and duplicated natural keys per table."""

    rows: dict[str, int]
    duplicates: dict[str, int]

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def total_duplicates(self) -> int:
        return sum(self.duplicates.values())


async def count_tables(database_url: str) -> TableFigures:
    """Every table's rows and the natural keys held by more than one row (a duplicate), from PostgreSQL itself."""
    connection = await asyncpg.connect(database_url)
    try:
        rows: dict[str, int] = {}
        duplicates: dict[str, int] = {}
        for table, key in NATURAL_KEYS.items():
            columns = ", ".join(key)
            rows[table] = await connection.fetchval(f"SELECT count(*) FROM {table}")
            duplicates[table] = await connection.fetchval(
                f"SELECT count(*) FROM (SELECT {columns} FROM {table} GROUP BY {columns} HAVING count(*) > 1) AS d"
            )
        return TableFigures(rows, duplicates)
    finally:
        await connection.close()


async def fetch_rows(database_url: str, query: str, *args: Any) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(database_url)
    try:
        return list(await connection.fetch(query, *args))
    finally:
        await connection.close()


# --- the figures of a run -------------------------------------------------------------------------


class FaultReport:
    """The figures of the fault tests: one JSON line per test in `path`, and lines for the terminal summary."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lines: list[str] = []

    def record(self, test: str, **figures: Any) -> str:
        """Keep a test's figures; returns the summary line (also the assertion messages' context)."""
        entry = {"test": test, "at": datetime.now().isoformat(timespec="seconds"), **figures}
        with self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(entry, default=str) + "\n")
        line = f"{test}: " + ", ".join(f"{key} {value}" for key, value in figures.items())
        self.lines.append(line)
        print(line)
        return line
