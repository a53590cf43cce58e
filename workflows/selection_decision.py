"""SelectionDecisionWorkflow: keeps a coordinator's selection decision in the record store, stamped when decided.

The web app never writes the record store itself: it starts this workflow (id ``decision-{cohort}``, so one
decision per cohort) with the validated decision; the workflow stamps it with its own time (deterministic on
replay) and has one activity write the `selection_decisions` row and its audit entry, then ends.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from domain.contract import SELECTION_DECISION_WORKFLOW_TYPE, Activities
    from domain.records import AuditEntry
    from domain.selection_decision import SelectionDecision, SelectionDecisionRecord

# A record store that is down delays the decision's record; the coordinator's page says it is being saved.
DECISION_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=1))
DECISION_TIMEOUT = timedelta(seconds=30)


@workflow.defn(name=SELECTION_DECISION_WORKFLOW_TYPE)
class SelectionDecisionWorkflow:
    """Record one selection decision and its audit entry."""

    @workflow.run
    async def run(self, decision: SelectionDecision) -> SelectionDecisionRecord:
        now = workflow.now()
        cohort = decision.cohort
        record = SelectionDecisionRecord(
            decision=decision,
            decided_at=now,
            audit=AuditEntry(
                workflow_id=workflow.info().workflow_id,
                event_key="decision",
                at=now,
                actor=decision.decided_by,
                action=f"selected {len(cohort.owners)} school owners for cohort {cohort.cohort}",
                details={
                    "indicator_file": decision.indicator_file,
                    "owners": [o.owner.id for o in cohort.owners],
                    # Which county governors' assessments the decision saw (only when one was asked for).
                    **({"assessments": _seen(decision)} if decision.assessments else {}),
                },
            ),
        )
        await workflow.execute_activity(
            Activities.RECORD_SELECTION_DECISION,
            record,
            start_to_close_timeout=DECISION_TIMEOUT,
            retry_policy=DECISION_RETRY,
            summary=f"record the selection decision for cohort {cohort.cohort}",
        )
        return record


def _seen(decision: SelectionDecision) -> dict[str, str]:
    """Each assessed owner's state as the decision saw it, with the priority given: ``{"4601": "answered:1"}``."""
    return {
        a.owner_id: f"{a.state}:{a.priority}" if a.priority is not None else str(a.state) for a in decision.assessments
    }
