"""The client API of a selection decision: save it through `SelectionDecisionWorkflow`, start its cohort.

The web app's shortlist page uses it (the web app reaches Temporal only through `starter`). A decision is saved
once per cohort: the workflow id ``decision-{cohort}`` is reused only after a run that failed.
"""

from __future__ import annotations

from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from domain.assessment import seen
from domain.contract import TASK_QUEUE, decision_workflow_id
from domain.selection_decision import SelectionDecision, SelectionDecisionRecord
from starter.assessments import assessment_status
from starter.client import GuidanceError
from workflows.selection_decision import SelectionDecisionWorkflow


class DecisionAlreadySaved(GuidanceError):
    """A decision for the cohort has been saved (or is being saved) already."""

    def __init__(self, cohort: str) -> None:
        super().__init__(f"a selection decision for cohort {cohort} is saved already; a cohort is decided once")
        self.cohort = cohort


async def save_decision(
    client: Client, decision: SelectionDecision, *, task_queue: str = TASK_QUEUE
) -> SelectionDecisionRecord:
    """Start the decision's workflow and wait for its record to be written; answers with what was written.

    The county governors' assessment of the cohort, if one was asked for, goes with the decision as it stands now
    (answered, still waiting, past its deadline): the record says which assessments the Directorate saw.

    Raises:
        DecisionAlreadySaved: The cohort has a decision workflow already.
    """
    cohort = decision.cohort.cohort
    assessment = await assessment_status(client, cohort)
    if assessment is not None:
        decision = decision.model_copy(update={"assessments": seen(assessment)})
    try:
        handle = await client.start_workflow(
            SelectionDecisionWorkflow.run,
            decision,
            id=decision_workflow_id(cohort),
            task_queue=task_queue,
            # Once saved, a cohort's decision stands; one whose record could not be written may be sent again.
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
            static_summary=f"Selection decision for cohort {cohort}: {len(decision.cohort.owners)} school owners",
        )
    except WorkflowAlreadyStartedError as err:
        raise DecisionAlreadySaved(cohort) from err
    return await handle.result()
