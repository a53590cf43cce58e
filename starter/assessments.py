"""The client API of the county governors' assessment: start it from a shortlist, record an answer, read its status.

The `guidance assessment` commands and the web app's assessment pages use it (the web app reaches Temporal only
through `starter`). One assessment per cohort: the workflow id ``assessment-{cohort}`` is reused only after a run
that failed.
"""

from __future__ import annotations

from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from config.owners import owner_by_id
from domain.assessment import (
    DEFAULT_ASSESSMENT_DAYS,
    DEFAULT_REMINDER_DAYS,
    AssessedOwner,
    AssessmentInput,
    AssessmentStatus,
    RecordAssessment,
    check_ended,
)
from domain.contract import TASK_QUEUE, assessment_workflow_id
from domain.period import Rejection
from selection.scoring import Shortlist
from starter.client import GuidanceError, UpdateRejected
from workflows.assessment import CountyAssessmentWorkflow

AssessmentHandle = WorkflowHandle[CountyAssessmentWorkflow, AssessmentStatus]


class AssessmentAlreadyStarted(GuidanceError):
    """The cohort's county governors have been asked already."""

    def __init__(self, cohort: str) -> None:
        super().__init__(
            f"the county governors have been asked to assess cohort {cohort} already; a cohort is assessed once"
        )
        self.cohort = cohort


class AssessmentNotFound(GuidanceError, LookupError):
    """No assessment has been started for the cohort."""

    def __init__(self, cohort: str) -> None:
        super().__init__(f"no county governors' assessment has been started for cohort {cohort}")
        self.cohort = cohort


class NoSpreadTrack(GuidanceError, ValueError):
    """The shortlist has no owner on the spread track: nobody for the county governors to assess."""

    def __init__(self) -> None:
        super().__init__("the shortlist has no school owner on the spread track; there is nothing to assess")


def assessment_input(
    shortlist: Shortlist,
    cohort: str,
    requested_by: str,
    *,
    indicator_file: str | None = None,
    reply_days: int = DEFAULT_ASSESSMENT_DAYS,
    reminder_days: int = DEFAULT_REMINDER_DAYS,
) -> AssessmentInput:
    """The assessment of the shortlist's spread-track owners (owners from the register, as a cohort takes them).

    Raises:
        NoSpreadTrack: No owner of the shortlist is on the spread track.
        pydantic.ValidationError: A value out of its bounds (the cohort's name, the days).
    """
    spread = [entry for entry in shortlist.selected if entry.track == "spread"]
    if not spread:
        raise NoSpreadTrack()
    return AssessmentInput(
        cohort=cohort,
        requested_by=requested_by,
        indicator_file=indicator_file,
        reply_days=reply_days,
        reminder_days=reminder_days,
        owners=[
            AssessedOwner(owner=owner_by_id(entry.assessment.owner_id), rank=entry.rank, spread=entry.assessment.spread)
            for entry in spread
        ],
    )


async def start_assessment(
    client: Client, assessment: AssessmentInput, *, task_queue: str = TASK_QUEUE
) -> AssessmentHandle:
    """Start the cohort's assessment: its requests go out at once.

    Raises:
        AssessmentAlreadyStarted: The cohort has an assessment already.
    """
    cohort = assessment.cohort
    try:
        return await client.start_workflow(
            CountyAssessmentWorkflow.run,
            assessment,
            id=assessment_workflow_id(cohort),
            task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
            static_summary=(
                f"County governors' assessment for cohort {cohort}: {len(assessment.owners)} spread-track owners"
            ),
        )
    except WorkflowAlreadyStartedError as err:
        raise AssessmentAlreadyStarted(cohort) from err


async def assessment_status(client: Client, cohort: str) -> AssessmentStatus | None:
    """Where the cohort's assessment stands (also once it has ended), or None if none was started."""
    handle: AssessmentHandle = client.get_workflow_handle(assessment_workflow_id(cohort))
    try:
        return await handle.query(CountyAssessmentWorkflow.status)
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            return None
        raise


async def record_assessment(client: Client, cohort: str, request: RecordAssessment) -> AssessmentStatus:
    """Record the county governor's assessment of one owner.

    Raises:
        UpdateRejected: The workflow refused it (the field and what is allowed, with its code); also once the
            assessment has ended, by the same rules (an answer after the deadline is too late).
        AssessmentNotFound: The cohort has no assessment.
    """
    handle: AssessmentHandle = client.get_workflow_handle(assessment_workflow_id(cohort))
    try:
        return await handle.execute_update(CountyAssessmentWorkflow.record_assessment, request)
    except WorkflowUpdateFailedError as err:
        raise UpdateRejected.from_failure(err.cause) from err
    except RPCError as err:
        if err.status != RPCStatusCode.NOT_FOUND:
            raise
        ended = await assessment_status(client, cohort)
        if ended is None:
            raise AssessmentNotFound(cohort) from err
        try:
            check_ended(ended, request)
        except Rejection as rejection:
            raise UpdateRejected(str(rejection), rejection.code, dict(rejection.params)) from err
        raise AssessmentNotFound(cohort) from err
