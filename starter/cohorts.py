"""The client API of a cohort: start it, pass on an owner's answer, read where its invitations stand.

Errors follow `starter.client`: `UpdateRejected` for a refused answer (the workflow's own message),
`CohortAlreadyExists` when the cohort has a workflow already.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.common import SearchAttributePair, TypedSearchAttributes, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from domain.cohort import CancelNetworkMeeting, CohortInput, CohortStatus, RespondToInvitation, ScheduleNetworkMeeting
from domain.contract import COHORT, TASK_QUEUE, cohort_workflow_id
from domain.gatherings import AddGathering, MoveGathering
from starter.client import GuidanceError, UpdateRejected
from workflows.cohort import CohortWorkflow

CohortHandle = WorkflowHandle[CohortWorkflow, CohortStatus]


class CohortAlreadyExists(GuidanceError):
    """The cohort has a workflow already (running or ended)."""

    def __init__(self, workflow_id: str) -> None:
        super().__init__(f"cohort workflow {workflow_id} already exists; a cohort is started once")
        self.workflow_id = workflow_id


def static_summary(cohort: CohortInput) -> str:
    return f"Cohort {cohort.cohort}: {len(cohort.owners)} school owners, periods start {cohort.start_date}"


def static_details(cohort: CohortInput) -> str:
    owners = ", ".join(f"{o.owner.name} ({o.owner.id})" for o in cohort.owners[:50])
    more = f" and {len(cohort.owners) - 50} more" if len(cohort.owners) > 50 else ""
    return "\n\n".join(
        [
            f"**Cohort:** {cohort.cohort}, plan {cohort.plan}",
            f"**Periods start:** {cohort.start_date.isoformat()}",
            f"**Reply within:** {cohort.reply_days} working days, then {cohort.no_reply_after_days} after a reminder",
            f"**Owners:** {owners}{more}",
        ]
    )


def cohort_handle(client: Client, cohort: str) -> CohortHandle:
    return client.get_workflow_handle_for(CohortWorkflow.run, cohort_workflow_id(cohort))


async def start_cohort(client: Client, cohort: CohortInput, *, task_queue: str = TASK_QUEUE) -> CohortHandle:
    """Start the cohort's workflow (id ``cohort-{cohort}``): it invites every owner at once.

    Raises:
        CohortAlreadyExists: The cohort has a workflow already.
    """
    workflow_id = cohort_workflow_id(cohort.cohort)
    try:
        return await client.start_workflow(
            CohortWorkflow.run,
            cohort,
            id=workflow_id,
            task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            static_summary=static_summary(cohort),
            static_details=static_details(cohort),
            search_attributes=TypedSearchAttributes([SearchAttributePair(COHORT, cohort.cohort)]),
        )
    except WorkflowAlreadyStartedError as err:
        raise CohortAlreadyExists(workflow_id) from err


async def respond_to_invitation(client: Client, cohort: str, request: RespondToInvitation) -> CohortStatus:
    """Pass on an owner's answer; answers with the cohort's status.

    Raises:
        UpdateRejected: Not invited, already answered, or past the reply deadline.
    """
    try:
        return await cohort_handle(client, cohort).execute_update(CohortWorkflow.respond_to_invitation, request)
    except WorkflowUpdateFailedError as err:
        raise UpdateRejected.from_failure(err.cause) from err


async def add_gathering(client: Client, cohort: str, request: AddGathering) -> CohortStatus:
    """Add a national gathering to the cohort; answers with the cohort's status.

    Raises:
        UpdateRejected: A day that is not allowed (not a working day, or past the cohort's last period).
    """
    return await _update(client, cohort, CohortWorkflow.add_gathering, request)


async def move_gathering(client: Client, cohort: str, request: MoveGathering) -> CohortStatus:
    """Move a gathering; owners already invited get the same calendar event with a higher sequence.

    Raises:
        UpdateRejected: An unknown or past gathering, or a day that is not allowed.
    """
    return await _update(client, cohort, CohortWorkflow.move_gathering, request)


async def schedule_network_meeting(client: Client, cohort: str, request: ScheduleNetworkMeeting) -> CohortStatus:
    """Agree (or move) a meeting for every running period of a network.

    Raises:
        UpdateRejected: An unknown network, adviser or meeting id, or a day that is not allowed.
    """
    return await _update(client, cohort, CohortWorkflow.schedule_network_meeting, request)


async def cancel_network_meeting(client: Client, cohort: str, request: CancelNetworkMeeting) -> CohortStatus:
    """Cancel a network meeting that lies ahead in every running period of its network.

    Raises:
        UpdateRejected: An unknown network, adviser or meeting id, or a meeting cancelled or begun already.
    """
    return await _update(client, cohort, CohortWorkflow.cancel_network_meeting, request)


async def _update(client: Client, cohort: str, update: Any, request: Any) -> CohortStatus:
    try:
        result: CohortStatus = await cohort_handle(client, cohort).execute_update(update, request)
    except WorkflowUpdateFailedError as err:
        raise UpdateRejected.from_failure(err.cause) from err
    return result


async def cohort_status(client: Client, cohort: str, *, rpc_timeout: timedelta | None = None) -> CohortStatus:
    """Where every invitation of the cohort stands (the ``status`` query)."""
    return await cohort_handle(client, cohort).query(CohortWorkflow.status, rpc_timeout=rpc_timeout)
