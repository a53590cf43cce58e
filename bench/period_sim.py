"""A full 30-month guidance period on the time-skipping server: wall time and history events.

Run with `make bench` (or `.venv/bin/python bench/period_sim.py`). Prints each figure beside a
baseline measured in the same run: a bare workflow that only waits out the same 30 months. Results are
also written as JSON to bench/results/period_sim.json so that commits can be compared.

Targets (issue 3): a full period under 3 s of wall time and under 2,000 history events.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path

from temporalio import workflow
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devstack.test_server import start_time_skipping  # noqa: E402
from tests.fakes import RecordingActivities  # noqa: E402
from tests.workflows.scenarios import full_period  # noqa: E402
from worker import build_worker  # noqa: E402
from workflows.guidance_period import GuidancePeriodWorkflow  # noqa: E402

TARGET_SECONDS = 3.0
TARGET_EVENTS = 2000


@workflow.defn(sandboxed=False)
class BareWaitWorkflow:
    """Baseline: waits out a period's length with one timer and nothing else."""

    @workflow.run
    async def run(self, months: int) -> None:
        await workflow.sleep(timedelta(days=months * 30.5))


@dataclass
class Figure:
    name: str
    value: float
    baseline: float
    unit: str
    target: str


async def run_full_period(client: Client, env: WorkflowEnvironment, task_queue: str) -> tuple[float, int, str]:
    began = time.perf_counter()
    handle = await full_period(client, env, task_queue)
    final = await handle.result()
    elapsed = time.perf_counter() - began
    events = len([e async for e in handle.fetch_history_events()])
    return elapsed, events, str(final.phase)


async def run_baseline(client: Client, task_queue: str) -> tuple[float, int]:
    began = time.perf_counter()
    handle = await client.start_workflow(BareWaitWorkflow.run, 30, id=f"bare-{uuid.uuid4()}", task_queue=task_queue)
    await handle.result()
    elapsed = time.perf_counter() - began
    return elapsed, len([e async for e in handle.fetch_history_events()])


async def main() -> list[Figure]:
    env = await start_time_skipping()
    try:
        task_queue = f"bench-{uuid.uuid4()}"
        async with build_worker(
            env.client,
            RecordingActivities().all(),
            task_queue=task_queue,
            workflows=[GuidancePeriodWorkflow, BareWaitWorkflow],
        ):
            base_seconds, base_events = await run_baseline(env.client, task_queue)
            seconds, events, outcome = await run_full_period(env.client, env, task_queue)
    finally:
        await env.shutdown()
    figures = [
        Figure("full period wall time (veilederkorpset)", seconds, base_seconds, "s", f"< {TARGET_SECONDS}"),
        Figure("full period history events", events, base_events, "events", f"< {TARGET_EVENTS}"),
    ]
    print(f"{'figure':<42} {'value':>10} {'baseline':>10}  unit    target   ok")
    for f in figures:
        limit = TARGET_SECONDS if f.unit == "s" else TARGET_EVENTS
        ok = "yes" if f.value < limit else "NO"
        print(f"{f.name:<42} {f.value:>10.2f} {f.baseline:>10.2f}  {f.unit:<7} {f.target:<8} {ok}")
    print(f"outcome of the simulated period: {outcome}")
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "period_sim.json").write_text(json.dumps([asdict(f) for f in figures], indent=2) + "\n")
    return figures


if __name__ == "__main__":
    asyncio.run(main())
