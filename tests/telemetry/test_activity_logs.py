"""The worker logs one JSON object per line, and every line written inside an activity names the period's
workflow id and run id and the activity."""

from __future__ import annotations

import dataclasses
import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import structlog
from temporalio import activity
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment

from domain.models import RecordMilestone
from starter.logs import configure_logging
from tests.helpers.waits import terminate_when_settled
from tests.telemetry.worker_process import period_input, running_worker
from workflows.guidance_period import GuidancePeriodWorkflow


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    """The worker's JSON logging for one test, its stderr stream swapped for a buffer the test reads; the
    previous set-up restored after."""
    root = logging.getLogger()
    handlers, level, config = root.handlers[:], root.level, structlog.get_config()
    configure_logging(json=True)
    (handler,) = root.handlers
    assert isinstance(handler, logging.StreamHandler)
    buffer = io.StringIO()
    handler.setStream(buffer)
    try:
        yield buffer
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        structlog.configure(**config)


# What the record store logs, and from which activity.
ACTIVITY_EVENTS = {"period start recorded": "record_period_started", "milestone recorded": "record_milestone"}


def _lines(text: str) -> list[dict[str, Any]]:
    """Every line of `text`, each of which must be a JSON object."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]


async def test_every_activity_line_of_a_real_period_names_its_workflow_run_and_activity(
    time_skipping_env: WorkflowEnvironment, database_url: str, tmp_path: Path, json_logs: io.StringIO
) -> None:
    env = time_skipping_env
    async with running_worker(env, database_url, tmp_path) as running:
        period = await period_input(env, "4601", "Bergen")
        handle = await env.client.start_workflow(
            GuidancePeriodWorkflow.run,
            period,
            id=f"guidance-period-{period.cohort}-{period.owner.id}",
            task_queue=running.task_queue,
        )
        milestone = RecordMilestone.model_validate({"milestone": "mapping_done", "adviser": "a.hansen"})
        await handle.execute_update(GuidancePeriodWorkflow.record_milestone, milestone)
        await terminate_when_settled(env.client, [handle.id])
    lines = _lines(json_logs.getvalue())

    # The record store's lines, and any other line logged while an activity ran (which `activity` marks).
    activity_lines = [line for line in lines if line["event"] in ACTIVITY_EVENTS or "activity" in line]
    assert {line["event"] for line in activity_lines} >= set(ACTIVITY_EVENTS)
    for line in activity_lines:
        assert line["workflow_id"] == handle.id, line
        assert line["run_id"] == handle.result_run_id, line
        assert line["activity"] == ACTIVITY_EVENTS.get(line["event"], line["activity"]), line
        assert line["level"] in {"debug", "info", "warning", "error"}, line
        assert line["timestamp"].endswith("Z"), line
    started = next(line for line in activity_lines if line["event"] == "period start recorded")
    assert (started["owner"], started["attempt"]) == ("4601", 1)
    assert any(line["event"] == "worker running" for line in lines)


async def test_a_library_logging_through_the_standard_library_inside_an_activity_is_named_too(
    json_logs: io.StringIO,
) -> None:
    @activity.defn(name="probe")
    async def probe() -> None:
        logging.getLogger("some.library").warning("connection slow")

    env = ActivityEnvironment()
    env.info = dataclasses.replace(
        ActivityEnvironment.default_info(),
        workflow_id="guidance-period-2027-3301",
        workflow_run_id="0b7f6a1e-run",
        activity_type="probe",
    )
    await env.run(probe)
    outside = logging.getLogger("some.library")
    outside.warning("outside any activity")

    inside_line, outside_line = _lines(json_logs.getvalue())
    assert inside_line["event"] == "connection slow"
    assert (inside_line["workflow_id"], inside_line["run_id"], inside_line["activity"]) == (
        "guidance-period-2027-3301",
        "0b7f6a1e-run",
        "probe",
    )
    assert inside_line["level"] == "warning"
    assert outside_line["event"] == "outside any activity"
    assert "workflow_id" not in outside_line
