"""OwnerContactWorkflow: keeps a change of a period's owner contact person in the record store, stamped when made.

Why a short workflow of its own rather than an update on the period's workflow: the contact is a fact about the
period that the period's own logic never reads (no rule of a phase, a deadline or a meeting depends on it), so the
period's history and state stay as they are (no patch, nothing for years-long histories to carry), and it can be
recorded however the period stands. It is the way a selection decision is kept (workflows/selection_decision.py):
the web app and the `guidance` command start it (id ``contact-{period}``: one change of a period's contact at a
time) with the validated change; the workflow stamps it with its own time (deterministic on replay) and one
activity writes the `owner_contacts` row and the period's audit entry, then it ends.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from domain.contacts import OwnerContactChange, OwnerContactRecord, contact_audit
    from domain.contract import INVALID_RECORD, OWNER_CONTACT_WORKFLOW_TYPE, Activities

# A record store that is down delays the change; a period the store does not know is refused at once.
CONTACT_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    maximum_interval=timedelta(minutes=1),
    non_retryable_error_types=[INVALID_RECORD],
)
CONTACT_TIMEOUT = timedelta(seconds=30)


@workflow.defn(name=OWNER_CONTACT_WORKFLOW_TYPE)
class OwnerContactWorkflow:
    """Record one change of a period's owner contact person and its audit entry."""

    @workflow.run
    async def run(self, change: OwnerContactChange) -> OwnerContactRecord:
        now = workflow.now()
        # The run id keys the audit entry: each change is one entry, and a retried activity writes it once.
        record = OwnerContactRecord(change=change, at=now, audit=contact_audit(change, now, workflow.info().run_id))
        await workflow.execute_activity(
            Activities.RECORD_OWNER_CONTACT,
            record,
            start_to_close_timeout=CONTACT_TIMEOUT,
            retry_policy=CONTACT_RETRY,
            summary="record the owner's contact person" if change.contact else "clear the owner's contact person",
        )
        return record
