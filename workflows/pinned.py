"""The short workflows as a versioned worker runs them: pinned to the worker version they started on.

A retention run, a selection decision, a change of an owner's contact or a round of mail delivery lasts seconds.
Pinned, it finishes on the code that started it, so a deployment never needs `workflow.patched` for them, and a
version drains as soon as its last one ends. Periods and cohorts live for years and auto-upgrade instead (the
worker's default, `starter.deployment`).

The behaviour cannot be declared on the workflows themselves: a server refuses every workflow task of a type that
declares one from an unversioned worker ("versioning behavior cannot be specified without deployment options"),
and tests and `GUIDANCE_WORKER_VERSIONING=false` run unversioned. So a versioned worker registers these
subclasses, under the same workflow type names, in place of the plain classes (`worker.build_worker`).
"""

from __future__ import annotations

from temporalio import workflow
from temporalio.common import VersioningBehavior

from workflows.mail_delivery import MailDeliveryWorkflow
from workflows.owner_contact import OwnerContactWorkflow
from workflows.retention import RetentionWorkflow
from workflows.selection_decision import SelectionDecisionWorkflow

with workflow.unsafe.imports_passed_through():
    from domain.contacts import OwnerContactChange, OwnerContactRecord
    from domain.contract import OWNER_CONTACT_WORKFLOW_TYPE, SELECTION_DECISION_WORKFLOW_TYPE
    from domain.mail import MAIL_DELIVERY_WORKFLOW_TYPE, DeliveryReport, DeliveryRound
    from domain.retention import RETENTION_WORKFLOW_TYPE, RetentionReport, RetentionRequest
    from domain.selection_decision import SelectionDecision, SelectionDecisionRecord


@workflow.defn(name=RETENTION_WORKFLOW_TYPE, versioning_behavior=VersioningBehavior.PINNED)
class PinnedRetentionWorkflow(RetentionWorkflow):
    @workflow.run
    async def run(self, request: RetentionRequest | None = None) -> RetentionReport:
        return await super().run(request)


@workflow.defn(name=SELECTION_DECISION_WORKFLOW_TYPE, versioning_behavior=VersioningBehavior.PINNED)
class PinnedSelectionDecisionWorkflow(SelectionDecisionWorkflow):
    @workflow.run
    async def run(self, decision: SelectionDecision) -> SelectionDecisionRecord:
        return await super().run(decision)


@workflow.defn(name=MAIL_DELIVERY_WORKFLOW_TYPE, versioning_behavior=VersioningBehavior.PINNED)
class PinnedMailDeliveryWorkflow(MailDeliveryWorkflow):
    @workflow.run
    async def run(self, request: DeliveryRound | None = None) -> list[DeliveryReport]:
        return await super().run(request)


@workflow.defn(name=OWNER_CONTACT_WORKFLOW_TYPE, versioning_behavior=VersioningBehavior.PINNED)
class PinnedOwnerContactWorkflow(OwnerContactWorkflow):
    @workflow.run
    async def run(self, change: OwnerContactChange) -> OwnerContactRecord:
        return await super().run(change)


#: Each short workflow and its pinned variant.
PINNED: dict[type, type] = {
    RetentionWorkflow: PinnedRetentionWorkflow,
    SelectionDecisionWorkflow: PinnedSelectionDecisionWorkflow,
    MailDeliveryWorkflow: PinnedMailDeliveryWorkflow,
    OwnerContactWorkflow: PinnedOwnerContactWorkflow,
}


def as_versioned(workflows: list[type]) -> list[type]:
    """`workflows` as a versioned worker registers them: the short ones pinned."""
    return [PINNED.get(definition, definition) for definition in workflows]
