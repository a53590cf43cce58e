"""RetentionWorkflow: one run of the retention job, started every night by the schedule ``guidance-retention``.

It asks one activity to remove the personal data of periods that ended longer ago than the retention
time (activities/retention.py) and answers with what was removed. The run's own time (the schedule's
start) is the reference, so a retried activity removes exactly what the first attempt would have.
An operator may start it by hand (``temporal workflow start --type RetentionWorkflow ...``) or trigger
the schedule (``temporal schedule trigger --schedule-id guidance-retention``).
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from domain.retention import (
        REMOVE_EXPIRED_PERSONAL_DATA,
        RETENTION_WORKFLOW_TYPE,
        RetentionReport,
        RetentionRequest,
        RetentionRun,
    )

# PostgreSQL being down delays the job; the next night's run would catch up anyway.
RETENTION_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=5), backoff_coefficient=2.0, maximum_interval=timedelta(minutes=5)
)
RETENTION_TIMEOUT = timedelta(minutes=10)


@workflow.defn(name=RETENTION_WORKFLOW_TYPE)
class RetentionWorkflow:
    """Remove personal data whose retention time has run out (docs/operating.md, "Personal data and retention")."""

    @workflow.run
    async def run(self, request: RetentionRequest | None = None) -> RetentionReport:
        days = request.retention_days if request else None
        workflow.set_current_details(
            f"removing personal data of periods ended more than {days or 'the configured'} days ago"
        )
        report: RetentionReport = await workflow.execute_activity(
            REMOVE_EXPIRED_PERSONAL_DATA,
            RetentionRun(as_of=workflow.now(), retention_days=days),
            result_type=RetentionReport,
            start_to_close_timeout=RETENTION_TIMEOUT,
            retry_policy=RETENTION_RETRY,
            summary="remove expired personal data",
        )
        workflow.set_current_details(
            f"periods ended before {report.cutoff.date().isoformat()}: personal data of "
            f"{len(report.periods)} period(s) and {report.invitations} invitation(s) removed"
        )
        return report
