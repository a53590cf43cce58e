"""The client API of a period's owner contact person: set or clear it through `OwnerContactWorkflow`.

The web app's period page and `guidance contact` use it (the web app reaches Temporal only through `starter`). The
workflow id ``contact-{period}`` allows one change of a period's contact at a time; once a change is written the id
is free for the next (a change sent while another is being saved is refused, not queued: the person sees it and
sends it again).
"""

from __future__ import annotations

from temporalio.client import Client, WorkflowFailureError
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, FailureError, WorkflowAlreadyStartedError

from domain.contacts import OwnerContactChange, OwnerContactRecord
from domain.contract import TASK_QUEUE, UNKNOWN_PERIOD, contact_workflow_id
from starter.client import GuidanceError, PeriodNotFound
from workflows.owner_contact import OwnerContactWorkflow


class ContactChangeBusy(GuidanceError):
    """Another change of the period's contact is being saved right now."""

    def __init__(self, workflow_id: str) -> None:
        super().__init__(f"another change of the contact person of {workflow_id} is being saved; try again")
        self.workflow_id = workflow_id


class ContactRefused(GuidanceError):
    """The record store refused the change as invalid; the message is the store's."""


async def change_contact(
    client: Client, change: OwnerContactChange, *, task_queue: str = TASK_QUEUE
) -> OwnerContactRecord:
    """Start the change's workflow and wait for it to be written; answers with what was written.

    Raises:
        ContactChangeBusy: A change of the same period's contact is being saved.
        PeriodNotFound: The record store knows no such period.
        ContactRefused: The record store refused it.
    """
    period = change.period_workflow_id
    try:
        handle = await client.start_workflow(
            OwnerContactWorkflow.run,
            change,
            id=contact_workflow_id(period),
            task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            # No personal data in the summary: it is not encrypted by the codec.
            static_summary=f"Owner contact of {period}: {'set' if change.contact else 'cleared'}",
        )
    except WorkflowAlreadyStartedError as err:
        raise ContactChangeBusy(period) from err
    try:
        return await handle.result()
    except WorkflowFailureError as err:
        refusal = _refusal(err)
        if refusal is not None and refusal.type == UNKNOWN_PERIOD:
            raise PeriodNotFound(period) from err
        raise ContactRefused(refusal.message if refusal is not None else str(err)) from err


def _refusal(error: WorkflowFailureError) -> ApplicationError | None:
    """The activity's refusal under the workflow's failure (workflow failure, activity error, application error)."""
    cause: BaseException | None = error.cause
    while isinstance(cause, FailureError):
        if isinstance(cause, ApplicationError):
            return cause
        cause = cause.cause
    return None
