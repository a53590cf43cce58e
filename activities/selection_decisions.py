"""The activity a selection decision is kept with: its `selection_decisions` row and its audit entry.

Idempotent by the cohort (a decision per cohort): a retry, or a second workflow for the same cohort after the
first ended, never replaces the first decision (``ON CONFLICT DO NOTHING``).
"""

from __future__ import annotations

import asyncpg
from temporalio import activity

from activities.logging import activity_logger
from activities.record_store import _bad_data_is_final, _check_one_period, _insert_audit
from domain.contract import Activities, decision_workflow_id
from domain.selection_decision import SelectionDecisionRecord

INSERT_DECISION = """
INSERT INTO selection_decisions (cohort, decision, decided_by, decided_at, indicator_file)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (cohort) DO NOTHING
"""


class DecisionStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @activity.defn(name=Activities.RECORD_SELECTION_DECISION)
    async def record_selection_decision(self, record: SelectionDecisionRecord) -> None:
        decision = record.decision
        with _bad_data_is_final("selection decision"):
            _check_one_period(decision_workflow_id(decision.cohort.cohort), record.audit)
            async with self._pool.acquire() as connection, connection.transaction():
                await connection.execute(
                    INSERT_DECISION,
                    decision.cohort.cohort,
                    decision.model_dump(mode="json"),
                    decision.decided_by,
                    record.decided_at,
                    decision.indicator_file,
                )
                await _insert_audit(connection, record.audit)
        activity_logger().info(
            "selection decision recorded", cohort=decision.cohort.cohort, owners=len(decision.cohort.owners)
        )
