"""Replay speed of the recorded histories in tests/histories beside bare histories of as many events (issue 8, item 1).

Run with `make bench` (or `.venv/bin/python bench/replay_speed.py`; ``--help`` lists the options).

- The engine: every history of tests/histories replayed by temporalio's `Replayer` as
  tests/workflows/test_replay.py builds it (`GuidancePeriodWorkflow` and `CohortWorkflow`, the engine's data
  converter, its sandboxed runner), ``--rounds`` times over in one `replay_workflows` call.
- The baseline, recorded in the same run on a dev server: for each of those histories, one of
  `bench.bare.BareHistoryWorkflow` (a no-op activity and a one-day timer per step, the same sandboxed runner
  and converter) with the step count that comes closest to its event count; replayed the same way, as often.

Figures: periods (guidance_period histories) replayed per second, all histories per second, events per second;
each history's replay creates a new workflow instance in a new sandbox, as a worker does for a period it has
not cached. Results go to bench/results/replay_speed.json.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from temporalio.client import WorkflowHistory  # noqa: E402
from temporalio.worker import Replayer  # noqa: E402

from bench.bare import BareHistoryWorkflow, bare_noop, steps_for  # noqa: E402
from bench.common import (  # noqa: E402
    BenchmarkError,
    Figure,
    parser,
    print_table,
    report_header,
    run_benchmark,
    within,
    write_results,
)
from devstack.temporal_server import DevServer, free_port  # noqa: E402
from starter.connect import data_converter  # noqa: E402
from worker import build_worker  # noqa: E402
from workflows.assessment import CountyAssessmentWorkflow  # noqa: E402
from workflows.cohort import CohortWorkflow  # noqa: E402
from workflows.guidance_period import GuidancePeriodWorkflow  # noqa: E402
from workflows.sandbox import workflow_runner  # noqa: E402

NAME = "replay_speed"
HISTORIES = ROOT / "tests" / "histories"
PERIOD_PREFIX = "guidance_period-"


@dataclass
class Recorded:
    name: str
    history: WorkflowHistory

    @property
    def events(self) -> int:
        return len(self.history.events)

    @property
    def is_period(self) -> bool:
        return self.name.startswith(PERIOD_PREFIX)


def recorded_histories() -> list[Recorded]:
    paths = sorted(HISTORIES.glob("*.json"))
    if not paths:
        raise BenchmarkError(f"no recorded histories in {HISTORIES} (run `make histories`)")
    return [Recorded(p.stem, WorkflowHistory.from_json(p.stem, p.read_text())) for p in paths]


async def record_bare(recorded: list[Recorded]) -> list[Recorded]:
    """One `BareHistoryWorkflow` history per recorded one, of about as many events, on a dev server of its own."""
    with tempfile.TemporaryDirectory(prefix="bench-replay-") as folder:
        async with await DevServer.start(Path(folder) / "temporal.sqlite", free_port()) as server:
            client = await server.connect()
            task_queue = f"bench-replay-{uuid.uuid4().hex[:6]}"
            async with build_worker(client, [bare_noop], task_queue=task_queue, workflows=[BareHistoryWorkflow]):
                handles = [
                    await client.start_workflow(
                        BareHistoryWorkflow.run,
                        steps_for(r.events),
                        id=f"bare-{r.name}-{uuid.uuid4().hex[:6]}",
                        task_queue=task_queue,
                    )
                    for r in recorded
                ]
                await within(asyncio.gather(*(h.result() for h in handles)), 300, "the bare histories")
                return [
                    Recorded(f"bare-{r.name}", await h.fetch_history()) for r, h in zip(recorded, handles, strict=True)
                ]


async def replay(replayer: Replayer, histories: list[Recorded], rounds: int) -> float:
    """Seconds to replay `histories` `rounds` times over in one `replay_workflows` call (failures raise)."""
    batch = [r.history for _ in range(rounds) for r in histories]

    async def each() -> AsyncIterator[WorkflowHistory]:
        for history in batch:
            yield history

    began = time.perf_counter()
    results = await replayer.replay_workflows(each(), raise_on_replay_failure=True)
    seconds = time.perf_counter() - began
    if len(results.replay_failures) != 0:
        raise BenchmarkError(f"{len(results.replay_failures)} histories failed to replay")
    return seconds


async def main(options: Any) -> list[Figure]:
    began = time.perf_counter()
    report_header(NAME, options.quick)
    recorded = recorded_histories()
    periods = [r for r in recorded if r.is_period]
    print(f"recording {len(recorded)} bare histories of as many events on a dev server ...", flush=True)
    recording = time.perf_counter()
    bare = await record_bare(recorded)
    print(f"  recorded in {time.perf_counter() - recording:.1f} s", flush=True)
    bare_periods = [b for r, b in zip(recorded, bare, strict=True) if r.is_period]
    engine = Replayer(
        workflows=[GuidancePeriodWorkflow, CohortWorkflow, CountyAssessmentWorkflow],
        data_converter=data_converter(),
        workflow_runner=workflow_runner(),
    )
    baseline = Replayer(
        workflows=[BareHistoryWorkflow], data_converter=data_converter(), workflow_runner=workflow_runner()
    )
    print("warming up ...", flush=True)
    await replay(engine, recorded, 1)
    await replay(baseline, bare, 1)
    rounds = options.rounds
    print(f"replaying {len(recorded)} histories x {rounds} rounds, the same of the bare ones ...", flush=True)
    # Alternate the kinds, twice each, so that a drifting machine load falls on both.
    seconds = {"all": 0.0, "bare_all": 0.0, "periods": 0.0, "bare_periods": 0.0}
    half = max(1, rounds // 2)
    for _ in range(2):
        seconds["all"] += await replay(engine, recorded, half)
        seconds["bare_all"] += await replay(baseline, bare, half)
        seconds["periods"] += await replay(engine, periods, half)
        seconds["bare_periods"] += await replay(baseline, bare_periods, half)
    replays = 2 * half
    events = sum(r.events for r in recorded)
    bare_events = sum(b.events for b in bare)
    period_events = sum(r.events for r in periods)
    bare_period_events = sum(b.events for b in bare_periods)
    result = [
        Figure(
            "periods replayed per second (vs bare)",
            replays * len(periods) / seconds["periods"],
            replays * len(bare_periods) / seconds["bare_periods"],
            "1/s",
            note=f"{len(periods)} guidance_period histories, {period_events} events; bare: {bare_period_events} events",
        ),
        Figure(
            "period events replayed per second",
            replays * period_events / seconds["periods"],
            replays * bare_period_events / seconds["bare_periods"],
            "1/s",
        ),
        Figure(
            "all histories replayed per second (vs bare)",
            replays * len(recorded) / seconds["all"],
            replays * len(bare) / seconds["bare_all"],
            "1/s",
            note=f"{len(recorded)} histories (periods and cohorts), {events} events; bare: {bare_events} events",
        ),
        Figure(
            "ms per 100 events replayed (all)",
            seconds["all"] * 1000 / (replays * events / 100),
            seconds["bare_all"] * 1000 / (replays * bare_events / 100),
            "ms",
        ),
    ]
    print_table(
        f"replaying tests/histories ({replays} times each) vs bare histories of as many events, same runner",
        result,
    )
    write_results(
        NAME,
        options.output,
        result,
        began=began,
        options=vars(options),
        details={
            "replays_of_each": replays,
            "seconds": seconds,
            "histories": {r.name: r.events for r in recorded},
            "bare_histories": {b.name: b.events for b in bare},
        },
    )
    return result


def parse_options(argv: list[str] | None = None) -> Any:
    p = parser("Replay speed of the recorded histories beside bare histories of as many events.", NAME)
    p.add_argument("--rounds", type=int, default=10, help="replays of every history (10; --quick 2)")
    options = p.parse_args(argv)
    if options.quick and options.rounds == 10:
        options.rounds = 2
    return options


if __name__ == "__main__":
    run_benchmark(main, parse_options())
