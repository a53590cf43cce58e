"""The workflow sandbox every worker of the engine uses (the worker, tests, benchmarks, replay)."""

from __future__ import annotations

from collections.abc import Sequence

from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

# `holidays` imports its country tables lazily, from inside a workflow task; passed through, they are
# imported once, outside the sandbox. The tables are pure functions of the year, so determinism holds.
PASSTHROUGH_MODULES = ("holidays", "dateutil", "six")


def workflow_runner(also_pass_through: Sequence[str] = ()) -> SandboxedWorkflowRunner:
    """The sandboxed runner with the engine's pure third-party modules passed through.

    Args:
        also_pass_through: More modules to pass through, such as the log formatter a worker installs.
    """
    modules = (*PASSTHROUGH_MODULES, *also_pass_through)
    return SandboxedWorkflowRunner(restrictions=SandboxRestrictions.default.with_passthrough_modules(*modules))
