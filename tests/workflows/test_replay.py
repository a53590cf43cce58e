"""Every recorded history replays on the current code: a change that would break a running period fails here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from starter.connect import data_converter
from workflows.cohort import CohortWorkflow
from workflows.guidance_period import GuidancePeriodWorkflow
from workflows.sandbox import workflow_runner

HISTORIES = sorted((Path(__file__).resolve().parents[1] / "histories").glob("*.json"))
# Read at collection, so that the test itself does no blocking file I/O in the event loop.
HISTORY_TEXTS = {path.stem: path.read_text() for path in HISTORIES}


def test_histories_are_recorded() -> None:
    recorded = {p.name.split("-")[0] for p in HISTORIES}
    assert {"guidance_period", "cohort"} <= recorded, "run `make histories`"


@pytest.mark.parametrize("name", sorted(HISTORY_TEXTS))
async def test_recorded_history_replays(name: str) -> None:
    history = WorkflowHistory.from_json(name, json.loads(HISTORY_TEXTS[name]))
    replayer = Replayer(
        workflows=[GuidancePeriodWorkflow, CohortWorkflow],
        data_converter=data_converter(),
        workflow_runner=workflow_runner(),
    )
    result = await replayer.replay_workflow(history, raise_on_replay_failure=True)
    assert result.replay_failure is None
