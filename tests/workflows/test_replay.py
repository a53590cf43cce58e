"""Every recorded history replays on the current code: a change that would break a running period fails here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from temporalio import workflow
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer, UnsandboxedWorkflowRunner

from domain import period as rules
from domain import period_changes as changes
from domain.models import PeriodInput, PeriodState, PeriodStatus, Withdraw
from domain.programme import ProgrammePlan
from starter.connect import data_converter
from workflows.assessment import CountyAssessmentWorkflow
from workflows.cohort import CohortWorkflow
from workflows.guidance_period import GuidancePeriodWorkflow
from workflows.sandbox import workflow_runner

HISTORIES = sorted((Path(__file__).resolve().parents[1] / "histories").glob("*.json"))
# Read at collection, so that the test itself does no blocking file I/O in the event loop.
HISTORY_TEXTS = {path.stem: path.read_text() for path in HISTORIES}


def test_histories_are_recorded() -> None:
    recorded = {p.name.split("-")[0] for p in HISTORIES}
    assert {"guidance_period", "cohort", "county_assessment"} <= recorded, "run `make histories`"


@pytest.mark.parametrize("name", sorted(HISTORY_TEXTS))
async def test_recorded_history_replays(name: str) -> None:
    history = WorkflowHistory.from_json(name, json.loads(HISTORY_TEXTS[name]))
    replayer = Replayer(
        workflows=[GuidancePeriodWorkflow, CohortWorkflow, CountyAssessmentWorkflow],
        data_converter=data_converter(),
        workflow_runner=workflow_runner(),
    )
    result = await replayer.replay_workflow(history, raise_on_replay_failure=True)
    assert result.replay_failure is None


async def replay_failure(workflow_class: type, name: str) -> Exception | None:
    """What replaying the recorded history `name` on `workflow_class` (defined in a test module) fails with."""
    history = WorkflowHistory.from_json(name, json.loads(HISTORY_TEXTS[name]))
    replayer = Replayer(
        workflows=[workflow_class],
        data_converter=data_converter(),
        workflow_runner=UnsandboxedWorkflowRunner(),  # the class lives in a test module
    )
    return (await replayer.replay_workflow(history, raise_on_replay_failure=False)).replay_failure


@workflow.defn(name="GuidancePeriodWorkflow")
class UnpatchedGuidancePeriodWorkflow(GuidancePeriodWorkflow):
    """A change a maintainer might make, deliberately without `workflow.patched`: a change's search attributes go
    out in the update's own workflow task instead of waiting for its records."""

    @workflow.run
    async def run(self, period: PeriodInput | PeriodState) -> PeriodStatus:
        return await super().run(period)

    def _holds_back(self) -> bool:
        return False


@pytest.mark.parametrize("name", ["guidance_period-1.0-expired-two-cycles", "guidance_period-1.0-withdrawn"])
async def test_a_change_without_workflow_patched_breaks_a_running_period(name: str) -> None:
    failure = await replay_failure(UnpatchedGuidancePeriodWorkflow, name)
    assert isinstance(failure, workflow.NondeterminismError), failure


@workflow.defn(name="GuidancePeriodWorkflow")
class WithdrawalKeepsMeetingsWorkflow(GuidancePeriodWorkflow):
    """The workflow as it was before `withdrawal-cancels-meetings`: a withdrawal cancels no meeting."""

    @workflow.run
    async def run(self, period: PeriodInput | PeriodState) -> PeriodStatus:
        return await super().run(period)

    @workflow.update
    def withdraw(self, request: Withdraw) -> PeriodStatus:  # type: ignore[override]
        self._check(rules.check_withdrawal, request)
        occasion = self._occasion(self._update_key())
        return self._answer(changes.withdrawal(self._live, request, occasion, cancel_meetings=False))


async def test_a_withdrawal_that_cancelled_meetings_needs_its_patch_to_replay() -> None:
    # Histories from before the patch replay on the current code (test_recorded_history_replays); one recorded
    # with it does not replay on the code from before, which would leave out the meetings' CANCELs.
    failure = await replay_failure(WithdrawalKeepsMeetingsWorkflow, "guidance_period-1.0-meeting-cancelled-withdrawn")
    assert isinstance(failure, workflow.NondeterminismError), failure


@workflow.defn(name="GuidancePeriodWorkflow")
class OneActivityPerPlannedMeetingWorkflow(GuidancePeriodWorkflow):
    """The workflow as it was before `planned-meetings-in-one-activity`: each meeting a plan proposes at a period's
    start written in an activity of its own."""

    @workflow.run
    async def run(self, period: PeriodInput | PeriodState) -> PeriodStatus:
        return await super().run(period)

    def _begin(self, period: PeriodInput, plan: ProgrammePlan) -> None:
        state = self._state = rules.new_state(period, plan)
        self._reported = rules.progress_fingerprint(state, workflow.now(), overdue=False)
        self._queue(changes.started(state, self._occasion(), planned_in_one=lambda: False))


async def test_a_period_that_wrote_its_planned_meetings_in_one_activity_needs_its_patch_to_replay() -> None:
    # Histories from before the patch (1.0: Leda's seventy-odd `record_meeting`s) replay on the current code
    # (test_recorded_history_replays); one recorded with it (1.1: one `record_meetings`) does not replay on the code
    # from before.
    failure = await replay_failure(
        OneActivityPerPlannedMeetingWorkflow, "guidance_period-1.1-leda-for-skolutveckling-expired"
    )
    assert isinstance(failure, workflow.NondeterminismError), failure
    assert (
        await replay_failure(
            OneActivityPerPlannedMeetingWorkflow, "guidance_period-1.0-leda-for-skolutveckling-expired"
        )
        is None
    )
