"""A full period of every programme plan on the time-skipping server: wall time and history events.

Run with `make bench` (or `.venv/bin/python bench/period_sim.py`; ``--help`` lists the options). For each
plan in the plans folder, one period on the real workflow (recording fake activities): the flagship walked
through every phase with meetings and gatherings into a second cycle (tests/workflows/scenarios.py
`full_period`), every other plan closing each phase but the last as it falls due, with the meetings and
gatherings its plan proposes (`plan_period`); each then runs to its maximum duration. Baseline, measured in
the same run: a bare workflow that only waits out the same months with one timer. Results go to
bench/results/period_sim.json so that commits can be compared.

Targets (issues 3 and 8): every plan's period under 3 s of wall time and under 2,000 history events.
"""

from __future__ import annotations

import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from temporalio import workflow
from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

ROOT = Path(__file__).resolve().parent.parent
import sys  # noqa: E402

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import Figure, Target, parser, print_table, report_header, run_benchmark, write_results  # noqa: E402
from config.settings import known_plans, resolve_plan  # noqa: E402
from devstack.test_server import start_time_skipping  # noqa: E402
from domain.models import PeriodStatus  # noqa: E402
from tests.helpers.fakes import RecordingActivities  # noqa: E402
from tests.workflows.scenarios import full_period, plan_period  # noqa: E402
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


async def _measured(handle: WorkflowHandle[Any, Any], began: float) -> tuple[float, int, Any]:
    final = await handle.result()
    elapsed = time.perf_counter() - began
    return elapsed, len([e async for e in handle.fetch_history_events()]), final


async def run_plan(client: Client, env: WorkflowEnvironment, task_queue: str, name: str) -> tuple[float, int, str]:
    """One period of plan `name`, start to end: wall seconds, history events, and how it ended."""
    plan = resolve_plan(name)
    began = time.perf_counter()
    if name == "veilederkorpset":
        handle = await full_period(client, env, task_queue)
    else:
        handle = await plan_period(client, env, task_queue, plan)
    seconds, events, final = await _measured(handle, began)
    assert isinstance(final, PeriodStatus)
    return seconds, events, f"{final.phase}, {len(final.milestones)} milestones, {len(final.meetings)} meetings"


async def run_baseline(client: Client, task_queue: str, months: int) -> tuple[float, int]:
    began = time.perf_counter()
    handle = await client.start_workflow(BareWaitWorkflow.run, months, id=f"bare-{uuid.uuid4()}", task_queue=task_queue)
    seconds, events, _ = await _measured(handle, began)
    return seconds, events


async def main(options: Any) -> list[Figure]:
    began = time.perf_counter()
    report_header("period_sim", options.quick)
    names = [n for n in known_plans() if not options.plan or n in options.plan]
    figures: list[Figure] = []
    outcomes: dict[str, str] = {}
    for name in names:
        # A server of its own per plan: one server's clock would run on past the years a period may start in.
        env = await start_time_skipping()
        try:
            task_queue = f"bench-{uuid.uuid4()}"
            async with build_worker(
                env.client,
                RecordingActivities().all(),
                task_queue=task_queue,
                workflows=[GuidancePeriodWorkflow, BareWaitWorkflow],
            ):
                months = resolve_plan(name).max_months
                seconds, events, outcomes[name] = await run_plan(env.client, env, task_queue, name)
                base_seconds, base_events = await run_baseline(env.client, task_queue, months)
        finally:
            await env.shutdown()
        figures += [
            Figure(f"{name}: full period wall time", seconds, base_seconds, "s", Target("value", "<", TARGET_SECONDS)),
            Figure(f"{name}: history events", events, base_events, "events", Target("value", "<", TARGET_EVENTS)),
        ]
    print_table(f"A full period per plan ({len(names)} plans) beside a bare timer of the same months", figures)
    for name, outcome in outcomes.items():
        print(f"  {name}: {outcome}")
    write_results(
        "period_sim", options.output, figures, began=began, options=vars(options), details={"outcomes": outcomes}
    )
    return figures


if __name__ == "__main__":
    arguments = parser(__doc__.splitlines()[0], "period_sim")
    arguments.add_argument("--plan", action="append", help="only this plan (repeat for more); default every plan")
    run_benchmark(main, arguments.parse_args())
