"""The county governors' assessment of a cohort's spread-track owners on the time-skipping server (issue 20, 2).

A cohort whose spread-track owners wait for the county governor: one answered, one reminded and then past its
deadline (``no_reply``); the Directorate's decision, saved after, records both as it saw them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from domain import calendar
from domain.assessment import AssessmentInput, AssessmentRecord, RecordAssessment, RequestState
from domain.cohort import CohortInput
from domain.contract import Activities, assessment_workflow_id
from domain.selection_decision import SelectionDecision, SelectionDecisionRecord
from starter import assessments, decisions
from starter.client import UpdateRejected
from tests.helpers.harness import Harness
from tests.helpers.waits import wait_for
from workflows.assessment import CountyAssessmentWorkflow

BERGEN = {"id": "4601", "name": "Bergen", "kind": "municipality", "county": "46"}
KVINNHERAD = {"id": "4617", "name": "Kvinnherad", "kind": "municipality", "county": "46"}
DRAMMEN = {"id": "3301", "name": "Drammen", "kind": "municipality", "county": "33"}


def assessment_input(cohort: str, **changes: Any) -> AssessmentInput:
    return AssessmentInput.model_validate(
        {
            "cohort": cohort,
            "requested_by": "coordinator",
            "owners": [
                {"owner": BERGEN, "rank": 31, "spread": 0.42},
                {"owner": KVINNHERAD, "rank": 32, "spread": 0.38},
                {"owner": DRAMMEN, "rank": 33, "spread": 0.35},
            ],
            **changes,
        }
    )


def answer(owner_id: str, priority: int, **changes: Any) -> RecordAssessment:
    return RecordAssessment.model_validate(
        {
            "owner_id": owner_id,
            "assessment": "Two schools far below the rest; the owner has asked for help before.",
            "priority": priority,
            "by": "sf.vestland",
            "recorded_as": "county_governor",
            "county": "46",
            **changes,
        }
    )


def code(error: pytest.ExceptionInfo[WorkflowUpdateFailedError]) -> str:
    cause = error.value.cause
    assert isinstance(cause, ApplicationError) and cause.type == "UpdateRejected"
    details = cause.details[0]
    assert isinstance(details, dict)
    return str(details["code"])


async def settled(harness: Harness, cohort: str, records: int) -> list[AssessmentRecord]:
    async def written() -> bool:
        return len(mine(harness, cohort)) >= records

    await wait_for(written, f"{records} assessment records of {cohort}", harness.patience)
    return mine(harness, cohort)


def mine(harness: Harness, cohort: str) -> list[AssessmentRecord]:
    return [r for r in harness.fakes.calls[Activities.RECORD_COUNTY_ASSESSMENT] if r.cohort == cohort]


async def test_one_answered_one_past_its_deadline_and_the_decision_sees_both(harness: Harness) -> None:
    cohort = harness.new_name()
    handle = await assessments.start_assessment(
        harness.client, assessment_input(cohort, reply_days=15, reminder_days=5), task_queue=harness.task_queue
    )
    harness.track(handle.id)
    assert handle.id == assessment_workflow_id(cohort)

    # Every owner waits for its county governor: a request (a letter) each, with a deadline on a working day.
    requested = await settled(harness, cohort, 3)
    assert [(r.owner_id, r.event, r.state) for r in requested] == [
        ("4601", "requested", "requested"),
        ("4617", "requested", "requested"),
        ("3301", "requested", "requested"),
    ]
    status = await handle.query(CountyAssessmentWorkflow.status)
    assert status.counts == {"requested": 3, "reminded": 0, "answered": 0, "no_reply": 0}
    assert calendar.is_working_day(status.reply_by) and status.reply_by == requested[0].reply_by
    assert status.remind_on is not None and status.remind_on < status.reply_by

    # Vestland's county governor answers for Bergen.
    answered = await handle.execute_update(CountyAssessmentWorkflow.record_assessment, answer("4601", 1))
    bergen = answered.requests[0]
    assert (bergen.state, bergen.priority, bergen.recorded_by, bergen.recorded_as) == (
        RequestState.ANSWERED,
        1,
        "sf.vestland",
        "county_governor",
    )
    records = await settled(harness, cohort, 4)
    assert records[-1].event == "answered" and records[-1].audit.actor == "sf.vestland"
    assert records[-1].audit.details == {
        "owner_id": "4601",
        "county": "46",
        "priority": 1,
        "recorded_as": "county_governor",
    }

    # The rules, each refused naming its field and code before it reaches history.
    refused = {
        "priority.taken": answer("4617", 1),
        "priority.out_of_range": answer("4617", 3),
        "owner_id.other_county": answer("3301", 1),
        "owner_id.already_assessed": answer("4601", 2),
        "owner_id.not_assessed": answer("1103", 1, recorded_as="coordinator", by="coordinator", county=None),
    }
    for expected, request in refused.items():
        with pytest.raises(WorkflowUpdateFailedError) as error:
            await handle.execute_update(CountyAssessmentWorkflow.record_assessment, request)
        assert code(error) == expected

    # The reminder goes to the two still waiting; then the deadline passes and both are `no_reply`.
    start = await harness.now()
    await harness.sleep(calendar.end_of_day(status.remind_on, "Europe/Oslo") - start + timedelta(hours=1))
    reminded = [r for r in await settled(harness, cohort, 6) if r.event == "reminded"]
    assert sorted(r.owner_id for r in reminded) == ["3301", "4617"]

    # The Drammen answer from a coordinator on the county governor's behalf, before the deadline.
    on_behalf = answer("3301", 1, recorded_as="coordinator", by="coordinator", county=None)
    await assessments.record_assessment(harness.client, cohort, on_behalf)
    await harness.sleep(calendar.end_of_day(status.reply_by, "Europe/Oslo") - await harness.now() + timedelta(hours=1))
    final = await handle.result()
    assert final.ended
    assert {r.owner_id: r.state for r in final.requests} == {
        "4601": RequestState.ANSWERED,
        "3301": RequestState.ANSWERED,
        "4617": RequestState.NO_REPLY,
    }
    assert [r.event for r in mine(harness, cohort) if r.owner_id == "4617"] == ["requested", "reminded", "no_reply"]

    # A late answer is refused with a clear rejection, also once the workflow has ended.
    with pytest.raises(UpdateRejected) as late:
        await assessments.record_assessment(harness.client, cohort, answer("4617", 2))
    assert late.value.code == "owner_id.assessment_too_late" and late.value.field == "owner_id"
    assert status.reply_by.isoformat() in str(late.value)

    # The Directorate decides after: the decision records which assessments it saw.
    decision = SelectionDecision(
        cohort=CohortInput.model_validate(
            {
                "cohort": cohort,
                "start_date": calendar.next_working_day(await harness.today() + timedelta(weeks=8)),
                "owners": [{"owner": o, "advisers": ["a.hansen"]} for o in (BERGEN, KVINNHERAD, DRAMMEN)],
            }
        ),
        decided_by="coordinator",
        indicator_file="0" * 64,
    )
    saved: SelectionDecisionRecord = await decisions.save_decision(
        harness.client, decision, task_queue=harness.task_queue
    )
    seen = {a.owner_id: (a.state, a.priority) for a in saved.decision.assessments}
    assert seen == {
        "4601": (RequestState.ANSWERED, 1),
        "4617": (RequestState.NO_REPLY, None),
        "3301": (RequestState.ANSWERED, 1),
    }
    assert saved.audit.details["assessments"] == {"4601": "answered:1", "4617": "no_reply", "3301": "answered:1"}


async def test_a_cohort_is_assessed_once(harness: Harness) -> None:
    cohort = harness.new_name()
    first = await assessments.start_assessment(harness.client, assessment_input(cohort), task_queue=harness.task_queue)
    harness.track(first.id)
    with pytest.raises(assessments.AssessmentAlreadyStarted):
        await assessments.start_assessment(harness.client, assessment_input(cohort), task_queue=harness.task_queue)
    assert await assessments.assessment_status(harness.client, harness.new_name()) is None
    with pytest.raises(assessments.AssessmentNotFound):
        await assessments.record_assessment(harness.client, harness.new_name(), answer("4601", 1))
