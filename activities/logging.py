"""Structured logging inside activities: every line names the period and the activity it belongs to."""

from __future__ import annotations

import structlog
from structlog.typing import FilteringBoundLogger
from temporalio import activity


def activity_logger() -> FilteringBoundLogger:
    """A structlog logger bound to the running activity's workflow id and run id, activity name and attempt.

    An operator who finds a line in the worker's log can open the period in the Temporal Web UI by
    its workflow id, and the very run (a period continues as new runs) by its run id; the attempt
    tells a retry from a first try.
    """
    info = activity.info()
    logger: FilteringBoundLogger = structlog.get_logger("activities").bind(
        workflow_id=info.workflow_id,
        run_id=info.workflow_run_id,
        activity=info.activity_type,
        activity_id=info.activity_id,
        attempt=info.attempt,
    )
    return logger
