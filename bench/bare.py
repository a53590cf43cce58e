"""The bare workflows the benchmarks measure the engine against: the same SDK, runner and converter, no engine.

This module is imported again inside the workflow sandbox for every run of its workflows (as the engine's
`workflows` package is for every period), so it imports nothing but the SDK: a baseline that pays the same
sandbox price per run as a period does, and nothing else.
"""

from __future__ import annotations

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
