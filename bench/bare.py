"""The bare workflows the benchmarks measure the engine against: the same SDK, runner and converter, no engine.

The benchmarks run the production worker's configuration (`build_worker(..., pass_through_workflows=True)`),
which loads this module once for all runs exactly as it loads the engine's `workflows` modules; it imports
nothing but the SDK, so a baseline pays the same sandbox price per run as a period does, and nothing else.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import activity, workflow

#: A bare step's activity: scheduled, started and completed, then a workflow task (6 events).
STEP_ACTIVITY_TIMEOUT = timedelta(seconds=30)
#: Events of `BareHistoryWorkflow` besides its steps: started, the first workflow task (3), completed.
HISTORY_FIXED_EVENTS = 5
#: Events of one step of `BareHistoryWorkflow`.
HISTORY_STEP_EVENTS = 6


@workflow.defn
class BareUpdateWorkflow:
    """Waits until `finish` and answers `noop` with nothing: the cheapest update a workflow can take."""

    def __init__(self) -> None:
        self._updates = 0
        self._finished = False

    @workflow.run
    async def run(self) -> None:
        await workflow.wait_condition(lambda: self._finished)

    @workflow.update
    def noop(self) -> None:
        self._updates += 1

    @workflow.update
    def finish(self) -> None:
        self._finished = True


@activity.defn(name="bench_bare_noop")
async def bare_noop() -> None:
    """The bare history's activity: does nothing."""


@workflow.defn
class BareHistoryWorkflow:
    """`steps` no-op activities one after the other: a history of 5 + 6 * steps events to replay.

    No timers: a dev server fires a short timer only about a second late, and a period's history is mostly
    workflow tasks and activities anyway (tests/histories: over three quarters of the events).
    """

    @workflow.run
    async def run(self, steps: int) -> int:
        for _ in range(steps):
            await workflow.execute_activity(bare_noop, start_to_close_timeout=STEP_ACTIVITY_TIMEOUT)
        return steps


def steps_for(events: int) -> int:
    """The number of steps whose `BareHistoryWorkflow` history comes closest to `events` events (at least 1)."""
    return max(1, round((events - HISTORY_FIXED_EVENTS) / HISTORY_STEP_EVENTS))


@workflow.defn
class BareWorkflow:
    """Baseline of the cohort start: a workflow that does nothing and returns."""

    @workflow.run
    async def run(self) -> None:
        return None


@workflow.defn
class BareParentWorkflow:
    """Reference: starts `count` bare children, `batch` per workflow task, as the cohort starts its periods."""

    @workflow.run
    async def run(self, prefix: str, count: int, batch: int) -> None:
        for first in range(0, count, batch):
            await asyncio.gather(
                *(
                    workflow.start_child_workflow(
                        BareWorkflow.run, id=f"{prefix}-{i}", parent_close_policy=workflow.ParentClosePolicy.ABANDON
                    )
                    for i in range(first, min(count, first + batch))
                )
            )
