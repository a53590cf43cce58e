"""A full period of every programme plan on the time-skipping server: its Temporal Cloud billable actions.

Run with `make bench` (or `.venv/bin/python bench/actions.py`; ``--help`` lists the options). For each plan in the
plans folder, one period on the real workflow (recording fake activities), driven as `bench/period_sim.py` drives it
(the flagship through every phase with meetings and gatherings into a second cycle, every other plan closing each
phase as it falls due), then run to its maximum duration. Its history, every run of it, is counted by Temporal
Cloud's rules (`tests/helpers/actions.py`, one table) and printed per kind of action, with what each action is for.
Baseline, measured in the same run: a bare workflow that only waits out the same months with one timer.

Target (issue 21): no plan's period pays more actions than it did before issue 21 (`BEFORE`).
"""

from __future__ import annotations

import sys
import time
import uuid
from pathlib import Path
from typing import Any

from temporalio.client import Client

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import Figure, Target, parser, print_table, report_header, run_benchmark, write_results  # noqa: E402
from bench.period_sim import BareWaitWorkflow  # noqa: E402
from config.settings import known_plans, resolve_plan  # noqa: E402
from tests.helpers.actions import Action, counts_by_kind, counts_by_purpose, workflow_actions  # noqa: E402
from tests.helpers.clock import suite_server  # noqa: E402
from tests.helpers.fakes import RecordingActivities  # noqa: E402
from tests.workflows.scenarios import shipped_plan_period  # noqa: E402
from worker import build_worker  # noqa: E402
from workflows.guidance_period import GuidancePeriodWorkflow  # noqa: E402

#: The billable actions of each plan's period as this benchmark counted them at main before issue 21's changes.
BEFORE: dict[str, int] = {
    "led-skole": 44,
    "leda-for-skolutveckling": 96,
    "oppfolgingsordningen": 117,
    "profesjonsfellesskap": 42,
    "rektorutdanning": 44,
    "veilederkorpset": 107,
}


async def plan_actions(client: Client, env: Any, task_queue: str, name: str) -> list[Action]:
    """The billable actions of one full period of plan `name`, start to end."""
    handle = await shipped_plan_period(client, env, task_queue, name)
    await handle.result()
    return await workflow_actions(client, handle.id, handle.first_execution_run_id or handle.run_id)


async def bare_actions(client: Client, task_queue: str, months: int) -> list[Action]:
    handle = await client.start_workflow(BareWaitWorkflow.run, months, id=f"bare-{uuid.uuid4()}", task_queue=task_queue)
    await handle.result()
    return await workflow_actions(client, handle.id, handle.result_run_id)


def print_plan(name: str, actions: list[Action], bare: list[Action]) -> None:
    total, bare_total = sum(a.count for a in actions), sum(a.count for a in bare)
    print(f"\n{name}: {total} billable actions, {total / bare_total:.1f} times a bare wait's {bare_total}")
    for kind, count in counts_by_kind(actions).items():
        print(f"  {kind:<30} {count:>5}")
    print("  what they are for:")
    for kind, what, count in counts_by_purpose(actions):
        print(f"    {count:>5}  {kind}: {what}")


async def measure(name: str) -> tuple[list[Action], list[Action]]:
    """A bare wait's actions and a full period's of plan `name`, on a server of their own whose clock starts on the
    test suite's day: the counts do not move with the day the benchmark runs, nor with the plans run before."""
    env = await suite_server()
    try:
        task_queue = f"bench-{uuid.uuid4()}"
        async with build_worker(
            env.client,
            RecordingActivities().all(),
            task_queue=task_queue,
            workflows=[GuidancePeriodWorkflow, BareWaitWorkflow],
        ):
            # The period first: it starts on the suite's day, as tests/workflows/test_action_count.py's does.
            actions = await plan_actions(env.client, env, task_queue, name)
            return await bare_actions(env.client, task_queue, resolve_plan(name).max_months), actions
    finally:
        await env.shutdown()


async def main(options: Any) -> list[Figure]:
    began = time.perf_counter()
    report_header("actions", options.quick)
    names = [n for n in known_plans() if not options.plan or n in options.plan]
    figures: list[Figure] = []
    details: dict[str, Any] = {}
    for name in names:
        bare, actions = await measure(name)
        print_plan(name, actions, bare)
        total = sum(a.count for a in actions)
        before = BEFORE.get(name)
        note = f"{before} before issue 21" if before is not None else "no count from before issue 21"
        target = Target("value", "<=", before) if before is not None else None
        figures.append(Figure(f"{name}: billable actions", total, sum(a.count for a in bare), "actions", target, note))
        details[name] = {
            "by_kind": counts_by_kind(actions),
            "by_purpose": [{"kind": k, "for": w, "actions": n} for k, w, n in counts_by_purpose(actions)],
            "bare": counts_by_kind(bare),
        }
    print_table(f"Billable actions of a full period per plan ({len(names)} plans) beside a bare wait", figures)
    write_results("actions", options.output, figures, began=began, options=vars(options), details=details)
    return figures


if __name__ == "__main__":
    arguments = parser(__doc__.splitlines()[0], "actions")
    arguments.add_argument("--plan", action="append", help="only this plan (repeat for more); default every plan")
    run_benchmark(main, arguments.parse_args())
