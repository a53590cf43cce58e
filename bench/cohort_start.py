"""Starting a cohort of all 371 school owners on the dev server, beside bare workflow starts from the same run.

Run with `make bench` (or `.venv/bin/python bench/cohort_start.py`; `--help` lists the options). The
script starts its own Temporal dev server and embedded PostgreSQL (or uses ``DATABASE_URL``) in a
temporary folder and runs the real worker (`worker.run_worker`: the engine's workflows and the real
activities over the record store) on the engine's task queue. After warming up every path it measures:

1. the cohort: `start_cohort` with all 371 owners of `config.owners`, each accepted already (so every
   period starts at once) and with an adviser or two, timed from the start call until the cohort's
   ``status`` query says all 371 `GuidancePeriodWorkflow` runs have started (and, second, until the
   cohort's queued records are written);
2. the baseline: 371 client starts of `BareWorkflow` (it returns at once) from the same client, on a
   task queue of its own served by a second worker in this process, at the same concurrency. The cohort
   requests up to `workflows.cohort.START_BATCH` period starts together (as child starts in one workflow
   task, or as `start_periods` activities running at once), so all 371 are in flight together; the
   baseline makes its `start_workflow` calls under `asyncio.gather`, bounded by a semaphore of as many.
   Timed until every start call has returned, and until every run completed;
3. with ``--reference``, for a diagnosis: `BareParentWorkflow` starting 371 `BareWorkflow` children in
   one workflow task, the child-start path without a cohort's own work.

Each phase begins once the processes are quiet again, and a run has three rounds (``--rounds``): the
figures are medians, since a shared machine makes single runs noisy.

Rate = starts / seconds; the target (issue 21) is a cohort rate of at least 0.8 of the bare rate. The
table is printed and written as JSON (bench/results/cohort_start.json unless ``--output``), with each
phase's CPU seconds (this process, the Temporal server, PostgreSQL) and the cohort's timeline from the
histories of its runs (server clock), so that commits can be compared.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402
import temporalio  # noqa: E402
from temporalio.api.enums.v1 import EventType, TimeoutType  # noqa: E402
from temporalio.client import Client, WorkflowHandle, WorkflowQueryFailedError  # noqa: E402
from temporalio.service import RPCError  # noqa: E402

from bench.bare import BareParentWorkflow, BareWorkflow  # noqa: E402
from config.owners import all_owners  # noqa: E402
from config.settings import AppSettings  # noqa: E402
from devstack.postgres import EmbeddedPostgres, start_embedded_postgres  # noqa: E402
from devstack.temporal_server import DevServer, free_port  # noqa: E402
from domain import calendar  # noqa: E402
from domain.cohort import CohortInput, CohortOwner, CohortStatus  # noqa: E402
from domain.contract import TASK_QUEUE, Activities  # noqa: E402
from starter.cohorts import start_cohort  # noqa: E402
from starter.logs import configure_logging  # noqa: E402
from worker import build_worker, run_worker  # noqa: E402
from workflows.cohort import START_BATCH, CohortWorkflow  # noqa: E402

#: Issue 21 (was half the bare rate, issue 4): a cohort starts its periods at 0.8 of bare client starts or more.
TARGET_RATIO = 0.8
#: The activity that starts a batch of periods, where a cohort starts them so rather than as children.
START_PERIODS_ACTIVITY = "start_periods"
DEFAULT_OUTPUT = ROOT / "bench" / "results" / "cohort_start.json"
#: Plausible adviser ids (the corps' advisers are named ``initial.surname``); one or two per owner.
ADVISERS = (
    "a.hansen",
    "b.olsen",
    "c.berg",
    "d.lie",
    "e.johansen",
    "f.larsen",
    "g.andersen",
    "h.pedersen",
    "i.nilsen",
    "j.kristiansen",
    "k.jensen",
    "l.karlsen",
)

T = TypeVar("T")


class BenchmarkError(Exception):
    """A step did not finish (the message says which); the run stops and cleans up."""


# --- measuring ---------------------------------------------------------------------------------------


@dataclass
class Cpu:
    """CPU seconds (user + system) used so far: this process (worker and client), the server, PostgreSQL."""

    worker: float
    server: float
    postgres: float | None

    def __sub__(self, other: Cpu) -> Cpu:
        postgres = None if self.postgres is None or other.postgres is None else self.postgres - other.postgres
        return Cpu(self.worker - other.worker, self.server - other.server, postgres)


class Meter:
    """Reads the CPU time of the processes of a run."""

    def __init__(self, server_pid: int, postgres: EmbeddedPostgres | None) -> None:
        self._server = psutil.Process(server_pid)
        self._postgres: psutil.Process | None = None
        if postgres is not None:
            pid = int((postgres.data_dir / "postmaster.pid").read_text().split()[0])
            self._postgres = psutil.Process(pid)

    @staticmethod
    def _seconds(process: psutil.Process, *, with_children: bool = False) -> float:
        times = process.cpu_times()
        total = times.user + times.system + times.children_user + times.children_system
        if with_children:
            for child in process.children(recursive=True):
                try:
                    times = child.cpu_times()
                except psutil.NoSuchProcess:
                    continue
                total += times.user + times.system
        return float(total)

    async def quiet(self, patience: float = 60.0) -> None:
        """Wait until this process and the server are nearly idle (what the last phase set going has ended)."""
        deadline = time.monotonic() + patience
        before = self.now()
        while time.monotonic() < deadline:
            await asyncio.sleep(0.5)
            after = self.now()
            used = after - before
            if used.worker + used.server < 0.1:  # under a tenth of a CPU
                return
            before = after

    def now(self) -> Cpu:
        own = os.times()
        postgres = None if self._postgres is None else self._seconds(self._postgres, with_children=True)
        return Cpu(own.user + own.system, self._seconds(self._server), postgres)


@dataclass
class Phase:
    """One measured phase: client-observed seconds, the server clock's figure and the CPU it used."""

    starts: int
    started_seconds: float  # the start call(s) until every start is seen by the client
    settled_seconds: float  # ... until every run completed (bare) or the cohort's records are written
    last_start_server_seconds: float  # ... until the last started workflow's start time (visibility)
    cpu: Cpu
    details: dict[str, Any] = field(default_factory=dict)


async def within(work: Awaitable[T], patience: float, what: str) -> T:
    try:
        return await asyncio.wait_for(work, patience)
    except TimeoutError:
        raise BenchmarkError(f"stuck: {what} not done within {patience:.0f} s") from None


async def visible_start_times(client: Client, query: str, count: int, patience: float) -> list[float]:
    """The start times (epoch seconds) of the `count` workflows the visibility query finds, once all are visible."""
    deadline = time.monotonic() + patience
    while True:
        found = [w.start_time.timestamp() async for w in client.list_workflows(query)]
        if len(found) >= count:
            return found
        if time.monotonic() > deadline:
            raise BenchmarkError(f"stuck: {len(found)} of {count} workflows visible for {query}")
        await asyncio.sleep(0.2)


# --- the cohort ------------------------------------------------------------------------------------


def cohort_input(name: str, owners: int | None = None, advisers: tuple[str, ...] = ADVISERS) -> CohortInput:
    """All (or the first `owners`) school owners, each accepted already and with one or two of `advisers`."""
    chosen = all_owners()[:owners]
    start = calendar.next_working_day(date.today() + timedelta(weeks=8))
    return CohortInput(
        cohort=name,
        start_date=start,
        owners=[
            CohortOwner(
                owner=owner,
                advisers=[advisers[i % len(advisers)], *([advisers[(i + 5) % len(advisers)]] if i % 3 == 0 else [])],
                accepted_by="Statsforvalteren",
            )
            for i, owner in enumerate(chosen)
        ],
    )


async def run_cohort(client: Client, meter: Meter, name: str, owners: int | None, options: Options) -> Phase:
    cohort = cohort_input(name, owners)
    count = len(cohort.owners)
    cpu = meter.now()
    began_wall, began = time.time(), time.perf_counter()
    handle = await start_cohort(client, cohort, task_queue=TASK_QUEUE)
    polls = unanswered = 0

    async def watch(done: Callable[[CohortStatus], bool]) -> float:
        # Each query costs the worker a workflow task's time (the status of every owner), so the interval
        # grows with the time waited: the figure is at most 2 % late, and the worker is not swamped.
        nonlocal polls, unanswered
        while True:
            polls += 1
            try:
                status = await handle.query(CohortWorkflow.status)
            except WorkflowQueryFailedError:
                status = None  # still loading its plan: nothing has started
            except RPCError:
                status = None  # the worker did not answer in time (a long workflow task): ask again
                unanswered += 1
            elapsed = time.perf_counter() - began
            if status is not None and done(status):
                return elapsed
            await asyncio.sleep(max(options.poll, 0.02 * elapsed))

    started = await within(
        watch(lambda s: s.periods_started == count), options.timeout, f"cohort {name}: {count} periods started"
    )
    settled = await within(
        watch(lambda s: s.periods_started == count and s.records_pending == 0),
        options.timeout,
        f"cohort {name}: every record written",
    )
    used = meter.now() - cpu
    query = f"Cohort='{name}' AND WorkflowType='GuidancePeriodWorkflow'"
    starts = await visible_start_times(client, query, count, options.timeout)
    last_start = max(starts) - began_wall
    timeline = await cohort_timeline(client, handle.id, began_wall, last_start)
    details = {"status_queries": polls, "status_queries_unanswered": unanswered, **timeline}
    return Phase(count, started, settled, last_start, used, details)


async def cohort_timeline(client: Client, workflow_id: str, began_wall: float, last_start: float) -> dict[str, Any]:
    """Where the cohort's time went, from the histories of all its runs: seconds after the start call.

    `last_start` is when the last period started (seconds, from visibility). Periods may be started as
    child workflows (batches of start commands) or by activities; the summary shows whichever happened.
    """
    runs = sorted([w async for w in client.list_workflows(f"WorkflowId='{workflow_id}'")], key=lambda w: w.start_time)
    handles = [client.get_workflow_handle(workflow_id, run_id=run.run_id) for run in runs]
    histories = [[e async for e in handle.fetch_history_events()] for handle in handles]
    sizes = [(await h.describe()).raw_description.workflow_execution_info.history_size_bytes for h in handles]
    events = [e for history in histories for e in history]

    def at(event: Any) -> float:
        micros: int = event.event_time.ToMicroseconds()
        return round(micros / 1e6 - began_wall, 3)

    def of(kind: int, history: list[Any] = events) -> list[Any]:
        return [e for e in history if e.event_type == kind]

    activities: dict[str, list[float]] = {}
    child_batches: list[tuple[float, int]] = []
    task_seconds: list[float] = []
    for history in histories:
        by_id = {e.event_id: e for e in history}
        for e in of(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, history):
            scheduled = by_id[e.activity_task_completed_event_attributes.scheduled_event_id]
            name = scheduled.activity_task_scheduled_event_attributes.activity_type.name
            activities.setdefault(name, []).append(at(e))
        issued: dict[int, int] = {}
        for e in of(EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED, history):
            task = e.start_child_workflow_execution_initiated_event_attributes.workflow_task_completed_event_id
            issued[task] = issued.get(task, 0) + 1
        child_batches += [(at(by_id[task]), n) for task, n in sorted(issued.items())]
        for e in of(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, history):
            started = by_id[e.workflow_task_completed_event_attributes.started_event_id]
            task_seconds.append(at(e) - at(started))
    children = [at(e) for e in of(EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED)]
    return {
        "runs": len(runs),
        "events_per_run": [len(h) for h in histories],
        "history_bytes_per_run": sizes,
        "run_started": [round(r.start_time.timestamp() - began_wall, 3) for r in runs],
        "last_period_started": round(last_start, 3),
        "child_start_batches": [f"{n} at {t}" for t, n in child_batches],
        "first_child_started": min(children, default=None),
        "last_child_started": max(children, default=None),
        "activities_completed (count, first, last)": {
            name: (len(times), min(times), max(times)) for name, times in sorted(activities.items())
        },
        "invitation_records_by_last_period_start": sum(
            1 for t in activities.get(Activities.RECORD_INVITATION, []) if t <= last_start
        ),
        "progress_signals": len(of(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED)),
        "workflow_tasks": len(task_seconds),
        "workflow_task_seconds_total": round(sum(task_seconds), 3),
        "workflow_task_seconds_max": round(max(task_seconds, default=0.0), 3),
        "workflow_tasks_timed_out (at, kind)": [
            (at(e), TimeoutType.Name(e.workflow_task_timed_out_event_attributes.timeout_type)[len("TIMEOUT_TYPE_") :])
            for e in of(EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT)
        ],
        "workflow_tasks_failed": len(of(EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED)),
    }


# --- the baseline and the reference ----------------------------------------------------------------


async def run_bare(
    client: Client, meter: Meter, task_queue: str, count: int, concurrency: int, patience: float
) -> Phase:
    gate = asyncio.Semaphore(concurrency)
    prefix = f"bare-{uuid.uuid4().hex[:8]}"

    async def start(i: int) -> WorkflowHandle[BareWorkflow, None]:
        async with gate:
            return await client.start_workflow(BareWorkflow.run, id=f"{prefix}-{i}", task_queue=task_queue)

    cpu = meter.now()
    began_wall, began = time.time(), time.perf_counter()
    handles = await within(asyncio.gather(*(start(i) for i in range(count))), patience, "bare starts")
    started = time.perf_counter() - began
    await within(asyncio.gather(*(h.result() for h in handles)), patience, "bare runs completed")
    completed = time.perf_counter() - began
    used = meter.now() - cpu
    query = f"TaskQueue='{task_queue}' AND WorkflowId STARTS_WITH '{prefix}-'"
    starts = await visible_start_times(client, query, count, patience)
    return Phase(count, started, completed, max(starts) - began_wall, used, {"concurrency": concurrency})


async def run_bare_children(
    client: Client, meter: Meter, task_queue: str, count: int, batch: int, patience: float
) -> Phase:
    prefix = f"child-{uuid.uuid4().hex[:8]}"
    cpu = meter.now()
    began_wall, began = time.time(), time.perf_counter()
    parent = await client.start_workflow(
        BareParentWorkflow.run, args=[prefix, count, batch], id=f"parent-{prefix}", task_queue=task_queue
    )
    await within(parent.result(), patience, "bare children started")  # it returns once every child started
    started = time.perf_counter() - began
    used = meter.now() - cpu
    query = f"TaskQueue='{task_queue}' AND WorkflowId STARTS_WITH '{prefix}-'"
    starts = await visible_start_times(client, query, count, patience)
    return Phase(count, started, started, max(starts) - began_wall, used, {"batch": batch})


# --- the run ---------------------------------------------------------------------------------------


@dataclass
class Options:
    owners: int | None
    rounds: int
    warmup: int
    concurrency: int | None
    reference: bool
    poll: float
    timeout: float
    output: Path


@dataclass
class Figure:
    name: str
    cohort: float
    baseline: float
    unit: str
    target: str | None = None
    ok: bool | None = None

    @property
    def ratio(self) -> float:
        return self.cohort / self.baseline if self.baseline else float("nan")


async def first_done(work: Coroutine[Any, Any, T], worker: asyncio.Task[None]) -> T:
    """`work`'s result, unless the worker fails first (then its error)."""
    task = asyncio.ensure_future(work)
    await asyncio.wait([task, worker], return_when=asyncio.FIRST_COMPLETED)
    if not task.done():
        task.cancel()
        worker.result()  # raises the worker's error
        raise BenchmarkError("the worker stopped before the benchmark ended")
    return task.result()


async def measure(client: Client, meter: Meter, options: Options, worker: asyncio.Task[None]) -> dict[str, Any]:
    count = len(cohort_input("probe", options.owners).owners)
    # Same concurrency: the cohort requests up to START_BATCH period starts together, so that many (all of
    # them, for 371 owners) are in flight at once; the baseline allows as many start calls in flight.
    batch = min(count, START_BATCH)
    concurrency = options.concurrency or batch
    queue = f"bench-bare-{uuid.uuid4().hex[:8]}"
    run_id = uuid.uuid4().hex[:6]
    bares: list[Phase] = []
    references: list[Phase] = []
    cohorts: list[Phase] = []
    async with build_worker(
        client, [], task_queue=queue, workflows=[BareWorkflow, BareParentWorkflow], pass_through_workflows=True
    ):
        # Warm up every path: sandbox imports, the plan activity, database connections, first polls.
        warm = options.warmup
        print(f"warming up: a cohort of {warm} owners, {warm} bare starts, {warm} bare children ...", flush=True)
        await first_done(run_cohort(client, meter, f"warm-{run_id}", warm, options), worker)
        await first_done(run_bare(client, meter, queue, warm, warm, options.timeout), worker)
        await first_done(run_bare_children(client, meter, queue, warm, warm, options.timeout), worker)
        for n in range(1, options.rounds + 1):
            await meter.quiet()
            print(f"round {n}/{options.rounds}: {count} bare starts ...", flush=True)
            bares.append(await first_done(run_bare(client, meter, queue, count, concurrency, options.timeout), worker))
            if options.reference:
                await meter.quiet()
                print(f"round {n}/{options.rounds}: a bare parent starting {count} bare children ...", flush=True)
                references.append(
                    await first_done(run_bare_children(client, meter, queue, count, batch, options.timeout), worker)
                )
            await meter.quiet()
            print(f"round {n}/{options.rounds}: a cohort of {count} owners ...", flush=True)
            cohorts.append(
                await first_done(run_cohort(client, meter, f"bench-{run_id}-{n}", options.owners, options), worker)
            )
    return report(options, count, concurrency, bares, references, cohorts)


def median(values: list[float]) -> float:
    return statistics.median(values)


def report(
    options: Options, count: int, concurrency: int, bares: list[Phase], references: list[Phase], cohorts: list[Phase]
) -> dict[str, Any]:
    started, bare_started = median([c.started_seconds for c in cohorts]), median([b.started_seconds for b in bares])
    server = median([c.last_start_server_seconds for c in cohorts])
    bare_server = median([b.last_start_server_seconds for b in bares])
    rate, bare_rate = count / started, count / bare_started
    figures = [
        Figure(
            "start rate (workflows/s)", rate, bare_rate, "1/s", f">= {TARGET_RATIO}", rate / bare_rate >= TARGET_RATIO
        ),
        Figure("all started, client (s)", started, bare_started, "s"),
        Figure("rate by server clock (workflows/s)", count / server, count / bare_server, "1/s"),
        Figure("last start, server clock (s)", server, bare_server, "s"),
        Figure(
            "settled (s): records written / runs completed",
            median([c.settled_seconds for c in cohorts]),
            median([b.settled_seconds for b in bares]),
            "s",
        ),
    ]
    seen = cohorts[-1].details
    batches = seen["child_start_batches"]
    starters = seen["activities_completed (count, first, last)"].get(START_PERIODS_ACTIVITY)
    how = (
        f"{len(batches)} workflow task(s) of child starts ({', '.join(batches)})"
        if batches
        else f"{starters[0]} {START_PERIODS_ACTIVITY} activities"
        if starters
        else "no child starts nor start activities in its history"
    )
    print()
    print(
        f"{count} starts each, median of {len(cohorts)} round(s). Same concurrency, {concurrency}: the cohort requests "
        f"up to START_BATCH={START_BATCH} period starts together (this run: {how}); the baseline makes {count} "
        f"start_workflow calls under asyncio.gather, bounded by a semaphore of {concurrency}. "
        "ratio = cohort / baseline; the target is on the start rate."
    )
    print()
    print(f"{'figure':<44} {'cohort':>9} {'baseline':>9} {'ratio':>7}  {'target':<7} result")
    for f in figures:
        ok = "" if f.ok is None else ("PASS" if f.ok else "FAIL")
        print(f"{f.name:<44} {f.cohort:>9.2f} {f.baseline:>9.2f} {f.ratio:>7.2f}  {f.target or '':<7} {ok}")
    phases = [("baseline: client starts", bares)]
    if references:
        phases.append(("reference: bare parent, children", references))
    phases.append(("cohort", cohorts))
    print()
    print(f"where the time goes (last round; CPU seconds while the phase ran, on {os.cpu_count()} CPUs):")
    print(
        f"{'phase':<34} {'started s':>9} {'server s':>9} {'rate/s':>7} {'cpu: this proc':>15} {'server':>7} {'pg':>6}"
    )
    for name, runs in phases:
        last = runs[-1]
        pg = "-" if last.cpu.postgres is None else f"{last.cpu.postgres:.1f}"
        print(
            f"{name:<34} {last.started_seconds:>9.2f} {last.last_start_server_seconds:>9.2f} "
            f"{count / last.started_seconds:>7.1f} {last.cpu.worker:>15.1f} {last.cpu.server:>7.1f} {pg:>6}"
        )
    print()
    print("the cohort's last round from the histories of its runs (seconds after the start call, server clock):")
    for key, value in cohorts[-1].details.items():
        print(f"  {key:<44} {value}")
    results = {
        "benchmark": "cohort_start",
        "commit": git_commit(),
        "at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "temporalio": temporalio.__version__,
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "starts": count,
        "concurrency": concurrency,
        "start_batch": START_BATCH,
        "rounds": len(cohorts),
        "target_ratio": TARGET_RATIO,
        "figures": [{**asdict(f), "ratio": f.ratio} for f in figures],
        "cohort": [asdict(c) for c in cohorts],
        "baseline": [asdict(b) for b in bares],
        "reference_bare_children": [asdict(r) for r in references],
    }
    options.output.parent.mkdir(parents=True, exist_ok=True)
    options.output.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nresults written to {options.output}")
    return results


def git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.stdout.strip()


async def main(options: Options) -> dict[str, Any]:
    # The worker's own logging, warnings only: a line per record written would drown the table.
    configure_logging(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="bench-cohort-") as folder:
        tmp = Path(folder)
        postgres = None
        database_url = os.environ.get("DATABASE_URL")
        if not database_url:
            postgres = await asyncio.to_thread(start_embedded_postgres, tmp / "pgdata", temporary=True)
            database_url = postgres.url
        try:
            async with await DevServer.start(tmp / "temporal.sqlite", free_port()) as server:
                client = await server.connect()
                settings = AppSettings(_env_file=None, data_dir=tmp, outbox_dir=tmp / "outbox")
                stop = asyncio.Event()
                worker = asyncio.create_task(
                    run_worker(client, database_url=database_url, settings=settings, stop=stop, schedules=False)
                )
                try:
                    return await measure(client, Meter(server.pid, postgres), options, worker)
                finally:
                    stop.set()
                    await asyncio.wait([worker])
        finally:
            if postgres is not None:
                await asyncio.to_thread(postgres.stop)


def parse_options(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(description="Start the 371-owner cohort beside bare workflow starts.")
    parser.add_argument("--owners", type=int, default=None, help="the first N owners only (default: all 371)")
    parser.add_argument("--rounds", type=int, default=3, help="measure this many times (3); medians are reported")
    parser.add_argument("--warmup", type=int, default=5, help="starts of each kind in the warm-up (default 5)")
    parser.add_argument("--concurrency", type=int, help="baseline starts in flight (default: the cohort's batch)")
    parser.add_argument("--reference", action="store_true", help="also time a bare parent starting bare children")
    parser.add_argument("--poll", type=float, default=0.05, help="least seconds between status queries (0.05)")
    parser.add_argument("--timeout", type=float, default=600.0, help="give up on a step after this many seconds")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="the JSON results file")
    args = parser.parse_args(argv)
    return Options(
        args.owners, args.rounds, args.warmup, args.concurrency, args.reference, args.poll, args.timeout, args.output
    )


async def run_from_command_line(options: Options) -> int:
    """Run the benchmark; SIGTERM cancels it the way Ctrl-C does, so the servers are stopped either way."""
    task = asyncio.current_task()
    assert task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    try:
        await main(options)
    except BenchmarkError as error:
        print(f"benchmark failed: {error}", file=sys.stderr)
        return 1
    except asyncio.CancelledError:
        print("benchmark stopped", file=sys.stderr)
        return 143
    return 0


if __name__ == "__main__":
    # Run the module's own copy (bench.cohort_start), not __main__'s: the workflow sandbox imports the module
    # that defines the bench's workflows by name.
    from bench.cohort_start import parse_options as bench_options
    from bench.cohort_start import run_from_command_line

    sys.exit(asyncio.run(run_from_command_line(bench_options())))
