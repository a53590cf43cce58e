"""The workflow sandbox every worker of the engine uses (the worker, tests, benchmarks, replay)."""

from __future__ import annotations

from collections.abc import Sequence

from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from domain import calendar

# `holidays` imports its country tables lazily, from inside a workflow task; passed through, they are
# imported once, outside the sandbox. The tables are pure functions of the year, so determinism holds.
PASSTHROUGH_MODULES = ("holidays", "dateutil", "six")


def workflow_modules(workflows: Sequence[type]) -> tuple[str, ...]:
    """The modules of the given workflow classes, for the production worker to pass through.

    The sandbox otherwise executes a workflow's module afresh for every run it creates: a period's first
    workflow task spent most of its time re-importing `workflows.guidance_period` and what it imports, and
    every cached run kept its own copy of their code and classes (about 100 KB of the 285 KB a cached period
    took). The engine's workflow modules hold no state a run could change (constants and classes only),
    every clock and random value comes from `workflow` (never `datetime.now`, `random` or I/O), and the
    `domain` modules they use are passed through already. What is lost: the sandbox no longer catches a
    forbidden call made directly in those files *in the production worker*. Every test worker keeps the
    strict sandbox (`worker.build_worker` passes them through only when asked), and the replay tests run
    every recorded history in it, so such a call still fails the suite.
    """
    return tuple(sorted({w.__module__ for w in workflows} - {"__main__"}))


def workflow_runner(also_pass_through: Sequence[str] = ()) -> SandboxedWorkflowRunner:
    """The sandboxed runner with the engine's pure third-party modules passed through, the holiday tables built.

    Args:
        also_pass_through: More modules to pass through, such as the log formatter a worker installs.
    """
    # The holiday tables are built on first use (domain/calendar.py); here, before any workflow task, as building
    # them reads files the sandbox forbids and takes longer than a workflow task may.
    calendar.holiday_tables()
    modules = (*PASSTHROUGH_MODULES, *also_pass_through)
    return SandboxedWorkflowRunner(restrictions=SandboxRestrictions.default.with_passthrough_modules(*modules))
