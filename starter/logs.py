"""Logging for the worker, the `guidance` command and `make dev`: structlog, JSON or console."""

from __future__ import annotations

import logging
import sys

import structlog
from temporalio import activity

# The formatter runs wherever a record is logged, workflow code included: a worker that logs through
# it passes these modules through the workflow sandbox (see worker.py).
LOGGING_MODULES = ("structlog",)


def add_activity_context(
    _logger: object, _method: str, event: structlog.typing.EventDict
) -> structlog.typing.EventDict:
    """Name the period (workflow id and run id) and the activity on every line logged inside an activity.

    This covers lines that do not come through `activities.logging.activity_logger`, such as the
    Temporal SDK's own and those of the libraries an activity calls; fields already set are kept.
    """
    if activity.in_activity():
        info = activity.info()
        event.setdefault("workflow_id", info.workflow_id)
        event.setdefault("run_id", info.workflow_run_id)
        event.setdefault("activity", info.activity_type)
    return event


def configure_logging(*, json: bool | None = None, level: int = logging.INFO) -> None:
    """Route structlog and the standard library (Temporal's SDK logs there) to stderr.

    Args:
        json: One JSON object per line (for machines); default: JSON unless stderr is a terminal.
        level: The lowest level written.
    """
    as_json = (not sys.stderr.isatty()) if json is None else json
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer() if as_json else structlog.dev.ConsoleRenderer(colors=False)
    )
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        add_activity_context,
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.make_filtering_bound_logger(level),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
            foreign_pre_chain=shared,
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
