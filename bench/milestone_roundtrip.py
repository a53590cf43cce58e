"""`record_milestone` round trip on the dev server beside a no-op update on a bare workflow (issue 8, item 1).

Run with `make bench` (or `.venv/bin/python bench/milestone_roundtrip.py`; ``--help`` lists the options). The
script starts its own Temporal dev server and embedded PostgreSQL (or uses ``DATABASE_URL``, in a database of
its own) and one worker in this process, composed as `worker.run_worker` composes it (`check_plans`, the pool,
the schema, the real `RecordStore` activities, `build_worker`) with one more workflow type registered:
`bench.bare.BareUpdateWorkflow`. Same client, same worker (task queue, slots, sticky cache), same number of
calls of each kind:

- back to back: ``--sequential`` calls, each as soon as the last is answered, round-robin over ``--periods``
  periods (each gets the milestones of a development cycle in order, round and round: every one closes a
  phase, upserts the search attributes and queues its record for PostgreSQL) and as many bare workflows (each
  gets ``noop``), in blocks of one call per workflow that alternate bare, periods, bare, ... with a quiet wait
  between blocks, so a drifting machine load falls on both kinds. A period's record is written after its
  answer, so that write runs beside the next call (as under steady traffic);
- paced: ``--paced`` calls of each kind, a no-op and a milestone in turn, ``--pause`` ms apart, so each record
  is written before the next call: the round trip of a single adviser's milestone;
- burst: ``--burst`` periods each get one milestone at once (``--concurrency`` calls in flight), beside as
  many bare workflows each getting one ``noop`` at the same concurrency; ``--rounds`` rounds.

A round trip is the client's `execute_update` call, until the answer is back. For the diagnosis, the histories
of the sequential periods give the worker's time on each update's workflow task and the events its commands
wrote, and the CPU each process used per call shows the work each kind of call costs.

Targets: the round trip's p50 and p99, paced, within 1.5 times the no-op update's: an adviser's milestone on a
live system, which is what a person waits for (issue 8). Back to back the calls queue behind each other's work,
so that ratio measures work per call rather than a round trip: a milestone also writes its record and its search
attributes, which a no-op does not. Issue 21 holds that work to twice a no-op's: the back-to-back p50 within 2
times the no-op's, and the Temporal server's CPU per milestone within 2 times a no-op's. The burst ratios are
printed beside them, with the worker's CPU per call, without a target. Results go to
bench/results/milestone_roundtrip.json.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import statistics
import sys
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from temporalio.api.enums.v1 import EventType  # noqa: E402
from temporalio.client import Client, WorkflowHandle  # noqa: E402

from activities.db import apply_schema, create_pool  # noqa: E402
from activities.record_store import RecordStore  # noqa: E402
from activities.registry import all_activities, maintenance_activities  # noqa: E402
from bench.bare import BareUpdateWorkflow  # noqa: E402
from bench.common import (  # noqa: E402
    CpuWatch,
    Figure,
    Target,
    bounded,
    parser,
    percentile,
    print_table,
    report_header,
    run_benchmark,
    stack,
    within,
    write_results,
)
from bench.periods import MILESTONES, PeriodHandle, period_inputs, start_periods, wait_for_rows  # noqa: E402
from config.settings import AppSettings  # noqa: E402
from domain.contract import TASK_QUEUE  # noqa: E402
from starter.logs import configure_logging  # noqa: E402
from worker import WORKFLOWS, build_worker, check_plans  # noqa: E402
from workflows.guidance_period import GuidancePeriodWorkflow  # noqa: E402

NAME = "milestone_roundtrip"
TARGET = Target("ratio", "<=", 1.5)
#: Issue 21: a milestone's work, back to back, within twice a no-op update's (its p50, the server's CPU per call).
WORK_TARGET = Target("ratio", "<=", 2.0)
BareHandle = WorkflowHandle[BareUpdateWorkflow, None]


@contextlib.asynccontextmanager
async def engine_worker(client: Client, database_url: str, settings: AppSettings) -> AsyncIterator[None]:
    """The real worker as `worker.run_worker` builds it, with `BareUpdateWorkflow` registered beside the engine's."""
    check_plans()
    pool = await create_pool(database_url, min_size=settings.db_pool_min_size, max_size=settings.db_pool_max_size)
    try:
        await apply_schema(pool)
        store = RecordStore(pool, settings)
        activities = [*all_activities(store), *maintenance_activities(pool, settings)]
        async with build_worker(
            client,
            activities,
            task_queue=TASK_QUEUE,
            workflows=[*WORKFLOWS, BareUpdateWorkflow],
            pass_through_workflows=True,
        ):
            yield
    finally:
        await pool.close()


async def timed(call: Callable[[], Awaitable[Any]]) -> float:
    began = time.perf_counter()
    await call()
    return (time.perf_counter() - began) * 1000


async def start_bare(client: Client, count: int, prefix: str, concurrency: int) -> list[BareHandle]:
    return await bounded(
        count,
        concurrency,
        lambda i: client.start_workflow(BareUpdateWorkflow.run, id=f"{prefix}-{i}", task_queue=TASK_QUEUE),
    )


def milestone_call(handle: PeriodHandle, step: int) -> Callable[[], Awaitable[Any]]:
    """The period's `step`-th milestone (round and round the cycle: the last starts a new one)."""
    update = MILESTONES[step % len(MILESTONES)]
    return lambda: handle.execute_update(GuidancePeriodWorkflow.record_milestone, update)


def noop_call(handle: BareHandle) -> Callable[[], Awaitable[Any]]:
    return lambda: handle.execute_update(BareUpdateWorkflow.noop)


class Run:
    """The measured calls of one kind, with the CPU seconds their blocks used."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.seconds = 0.0  # wall time of the blocks (bursts: the rate's denominator)
        self.calls = 0
        self.cpu: dict[str, float] = {}

    async def sequential(self, cpu: CpuWatch, calls: Sequence[Callable[[], Awaitable[Any]]]) -> None:
        """The calls one after the other, each as soon as the last is answered."""
        before, began = cpu.seconds(), time.perf_counter()
        for call in calls:
            self.latencies.append(await within(timed(call), 60, "one update"))
        self._add(cpu, before, began, len(calls))

    @staticmethod
    async def paced(runs: Sequence[tuple[Run, Callable[[], Awaitable[Any]]]], pause: float) -> None:
        """Each call into its run, one at a time, `pause` seconds apart (no CPU kept: the kinds take turns)."""
        for run, call in runs:
            run.latencies.append(await within(timed(call), 60, "one update"))
            run.calls += 1
            await asyncio.sleep(pause)

    async def burst(self, cpu: CpuWatch, calls: Sequence[Callable[[], Awaitable[Any]]], concurrency: int) -> None:
        before, began = cpu.seconds(), time.perf_counter()
        self.latencies += await within(
            bounded(len(calls), concurrency, lambda i: timed(calls[i])), 600, f"a burst of {len(calls)} updates"
        )
        self._add(cpu, before, began, len(calls))

    def _add(self, cpu: CpuWatch, before: dict[str, float], began: float, calls: int) -> None:
        self.seconds += time.perf_counter() - began
        self.calls += calls
        for name, seconds in cpu.seconds().items():
            self.cpu[name] = self.cpu.get(name, 0.0) + seconds - before.get(name, 0.0)

    def summary(self) -> dict[str, Any]:
        return {
            "calls": self.calls,
            "p50_ms": percentile(self.latencies, 50),
            "p90_ms": percentile(self.latencies, 90),
            "p99_ms": percentile(self.latencies, 99),
            "max_ms": max(self.latencies, default=float("nan")),
            "seconds": self.seconds,
            "cpu_seconds_per_call": {k: v / self.calls for k, v in self.cpu.items()} if self.calls else {},
        }


async def measure(
    client: Client, stack_cpu: CpuWatch, database_url: str, options: Any
) -> tuple[dict[str, Run], dict[str, dict[str, Any]]]:
    run_id = uuid.uuid4().hex[:6]
    warm, k = 3, options.periods
    print(
        f"starting {warm + k + options.burst} periods and as many bare workflows ({warm} of each to warm up) ...",
        flush=True,
    )
    inputs = period_inputs(warm + k + options.burst, f"rt{run_id}")
    periods = await within(start_periods(client, inputs, 20), 600, "period starts")
    bares = await within(start_bare(client, len(inputs), f"bare-{run_id}", 20), 600, "bare starts")
    await wait_for_rows(database_url, "periods", len(inputs), 300)  # every period's start is recorded
    warm_periods, seq_periods, burst_periods = periods[:warm], periods[warm : warm + k], periods[warm + k :]
    warm_bares, seq_bares, burst_bares = bares[:warm], bares[warm : warm + k], bares[warm + k :]

    print("warming up ...", flush=True)
    for step in range(len(MILESTONES)):
        for p in warm_periods:
            await milestone_call(p, step)()
        for b in warm_bares:
            await noop_call(b)()

    runs = {
        kind: Run() for kind in ("seq_period", "seq_bare", "paced_period", "paced_bare", "burst_period", "burst_bare")
    }
    steps = [0] * k  # the next milestone of each sequential period

    def next_milestones(n: int) -> list[Callable[[], Awaitable[Any]]]:
        """The next milestone of each of the first `n` sequential periods."""
        milestones = [milestone_call(seq_periods[i], steps[i]) for i in range(n)]
        for i in range(n):
            steps[i] += 1
        return milestones

    print(f"back to back: {options.sequential} milestones and {options.sequential} no-op updates ...", flush=True)
    # In blocks of one call per workflow, alternating the kinds with a quiet wait between, so that a milestone's
    # record (written after its answer) runs beside the next milestone, never beside a no-op.
    for first in range(0, options.sequential, k):
        n = min(k, options.sequential - first)
        await stack_cpu.quiet()
        await runs["seq_bare"].sequential(stack_cpu, [noop_call(b) for b in seq_bares[:n]])
        await stack_cpu.quiet()
        await runs["seq_period"].sequential(stack_cpu, next_milestones(n))
    print(f"paced: {options.paced} of each, {options.pause:g} ms apart ...", flush=True)
    # One call of each kind in turn, so that a passing disturbance of the machine falls on both kinds alike; each
    # milestone's record is written in the pause after it.
    await stack_cpu.quiet()
    for first in range(0, options.paced, k):
        n = min(k, options.paced - first)
        turns = zip(seq_bares[:n], next_milestones(n), strict=True)
        calls = [
            pair
            for bare, milestone in turns
            for pair in ((runs["paced_bare"], noop_call(bare)), (runs["paced_period"], milestone))
        ]
        await Run.paced(calls, options.pause / 1000)
    for step in range(options.rounds):
        print(
            f"burst {step + 1}/{options.rounds}: {options.burst} updates of each kind, "
            f"{options.concurrency} in flight ...",
            flush=True,
        )
        await stack_cpu.quiet()
        await runs["burst_bare"].burst(stack_cpu, [noop_call(b) for b in burst_bares], options.concurrency)
        await stack_cpu.quiet()
        await runs["burst_period"].burst(
            stack_cpu, [milestone_call(p, step) for p in burst_periods], options.concurrency
        )
    await stack_cpu.quiet()
    # Every milestone's record reached PostgreSQL (the work the round trips left to the background).
    written = warm * len(MILESTONES) + options.sequential + options.paced + options.burst * options.rounds
    await wait_for_rows(database_url, "milestones", written, 300)
    tasks = {"period": await update_tasks(seq_periods), "bare": await update_tasks(seq_bares)}
    return runs, tasks


# The events a workflow task's commands write right after its WorkflowTaskCompleted.
_COMMAND_EVENTS = {
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED,
    EventType.EVENT_TYPE_TIMER_STARTED,
    EventType.EVENT_TYPE_TIMER_CANCELED,
    EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
    EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
    EventType.EVENT_TYPE_MARKER_RECORDED,
    EventType.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED,
    EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
}


async def update_tasks(handles: Sequence[WorkflowHandle[Any, Any]]) -> dict[str, Any]:
    """From the histories: the worker's time on each update's workflow task and the events its commands wrote.

    The worker's time is WorkflowTaskStarted to WorkflowTaskCompleted on the server's clock; the rest of a round
    trip is the client, the server (persisting those events, visibility) and the network.
    """
    task_ms: list[float] = []
    written: list[int] = []
    kinds: Counter[str] = Counter()
    for handle in handles:
        events = [e async for e in handle.fetch_history_events()]
        by_id = {e.event_id: e for e in events}
        for i, event in enumerate(events):
            if event.event_type != EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
                continue
            block = []
            for after in events[i + 1 :]:
                if after.event_type not in _COMMAND_EVENTS:
                    break
                block.append(after)
            if not any(e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED for e in block):
                continue
            started = by_id[event.workflow_task_completed_event_attributes.started_event_id]
            task_ms.append((event.event_time.ToDatetime() - started.event_time.ToDatetime()).total_seconds() * 1000)
            written.append(len(block))
            kinds.update(EventType.Name(e.event_type).removeprefix("EVENT_TYPE_") for e in block)
    return {
        "update_tasks": len(task_ms),
        "worker_ms_p50": percentile(task_ms, 50),
        "worker_ms_p99": percentile(task_ms, 99),
        "events_written_per_update": statistics.mean(written) if written else float("nan"),
        "event_kinds_per_update": {k: v / len(written) for k, v in kinds.most_common()} if written else {},
    }


def figures(runs: dict[str, Run], tasks: dict[str, dict[str, Any]], options: Any) -> list[Figure]:
    seq_p, seq_b = runs["seq_period"].summary(), runs["seq_bare"].summary()
    paced_p, paced_b = runs["paced_period"].summary(), runs["paced_bare"].summary()
    burst_p, burst_b = runs["burst_period"].summary(), runs["burst_bare"].summary()
    burst_note = f"{options.burst} calls x {options.rounds} round(s), {options.concurrency} in flight; no target"

    def cpu(run: dict[str, Any], process: str) -> float:
        return float(run["cpu_seconds_per_call"].get(process, float("nan"))) * 1000

    return [
        Figure("round trip p50, paced (milestone vs noop)", paced_p["p50_ms"], paced_b["p50_ms"], "ms", TARGET),
        Figure(
            "round trip p99, paced (milestone vs noop)",
            paced_p["p99_ms"],
            paced_b["p99_ms"],
            "ms",
            TARGET,
            f"{paced_p['calls']} calls of each kind, {options.pause:g} ms apart (a record is written by the next)",
        ),
        Figure("back-to-back p50 (milestone vs noop)", seq_p["p50_ms"], seq_b["p50_ms"], "ms", WORK_TARGET),
        Figure(
            "under load: back-to-back p99 (milestone vs noop)",
            seq_p["p99_ms"],
            seq_b["p99_ms"],
            "ms",
            note=f"{seq_p['calls']} calls of each kind, each as soon as the last is answered; the p99 has no target",
        ),
        Figure("under load: burst p50 (milestone vs noop)", burst_p["p50_ms"], burst_b["p50_ms"], "ms"),
        Figure(
            "under load: burst p99 (milestone vs noop)", burst_p["p99_ms"], burst_b["p99_ms"], "ms", note=burst_note
        ),
        Figure(
            "burst rate (milestone vs noop updates/s)",
            burst_p["calls"] / burst_p["seconds"],
            burst_b["calls"] / burst_b["seconds"],
            "1/s",
        ),
        Figure(
            "update's workflow task on the worker p50",
            tasks["period"]["worker_ms_p50"],
            tasks["bare"]["worker_ms_p50"],
            "ms",
            note="WorkflowTaskStarted to WorkflowTaskCompleted (server clock), sequential calls",
        ),
        Figure(
            "events written per update",
            tasks["period"]["events_written_per_update"],
            tasks["bare"]["events_written_per_update"],
            "events",
            note=", ".join(f"{k} {v:.1f}" for k, v in tasks["period"]["event_kinds_per_update"].items()),
        ),
        Figure(
            "worker+client CPU per call (milestone vs noop)",
            cpu(seq_p, "bench"),
            cpu(seq_b, "bench"),
            "ms",
            note="back-to-back calls, the record's write included; this process runs the worker and the client",
        ),
        Figure(
            "Temporal server CPU per call (milestone vs noop)",
            cpu(seq_p, "temporal"),
            cpu(seq_b, "temporal"),
            "ms",
            WORK_TARGET,
            note="back-to-back calls: the update's task, the record's activity and its task, the visibility write",
        ),
    ]


async def main(options: Any) -> list[Figure]:
    began = time.perf_counter()
    configure_logging(level=logging.WARNING)  # a line per record written would drown the table
    report_header(NAME, options.quick)
    async with stack("milestone") as s:
        client = await s.dev_server.connect()
        settings = AppSettings(_env_file=None, data_dir=s.folder, outbox_dir=s.folder / "outbox")
        async with engine_worker(client, s.database_url, settings):
            runs, tasks = await measure(client, s.cpu, s.database_url, options)
    result = figures(runs, tasks, options)
    print_table(
        "record_milestone round trip vs a no-op update on a bare workflow (same client, worker and number of calls)",
        result,
    )
    for note in s.notes:
        print(f"note: {note}")
    write_results(
        NAME,
        options.output,
        result,
        began=began,
        options=vars(options),
        details={**{kind: run.summary() for kind, run in runs.items()}, "update_tasks": tasks},
    )
    return result


def parse_options(argv: list[str] | None = None) -> Any:
    p = parser("record_milestone round trip beside a no-op update on a bare workflow.", NAME)
    p.add_argument("--periods", type=int, default=60, help="periods (and bare workflows) for the sequential calls (60)")
    p.add_argument("--sequential", type=int, default=300, help="back-to-back calls of each kind (300)")
    p.add_argument("--paced", type=int, default=300, help="paced calls of each kind (300: p99 is the third worst)")
    p.add_argument("--pause", type=float, default=100.0, help="milliseconds between paced calls (100)")
    p.add_argument("--burst", type=int, default=200, help="periods (and bare workflows) in a burst (200)")
    p.add_argument("--concurrency", type=int, default=50, help="updates in flight in a burst (50)")
    p.add_argument("--rounds", type=int, default=2, help="bursts of each kind (2)")
    options = p.parse_args(argv)
    if options.quick:
        defaults = {"periods": 60, "sequential": 300, "paced": 300, "burst": 200, "concurrency": 50, "rounds": 2}
        quick = {"periods": 10, "sequential": 50, "paced": 20, "burst": 50, "concurrency": 25, "rounds": 1}
        for key, value in quick.items():
            if getattr(options, key) == defaults[key]:
                setattr(options, key, value)
    return options


if __name__ == "__main__":
    run_benchmark(main, parse_options())
