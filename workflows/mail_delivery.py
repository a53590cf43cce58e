"""MailDeliveryWorkflow: one run of mail delivery, started every minute by the schedule ``guidance-mail``.

It asks the `deliver_mail` activity (activities/mail_delivery.py) to send what is due, round after round while
a round leaves more behind, up to a bound so a run stays short and its history small. A mail server that is
down fails the round and Temporal retries it with back-off; the schedule skips its next starts while this
run waits, so one run delivers at a time. The rules (what is due, what is retried): domain/mail.py.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from domain.mail import DELIVER_MAIL, MAIL_DELIVERY_WORKFLOW_TYPE, DeliveryReport, DeliveryRound

# A mail server that is down is tried again after 10 seconds, then less and less often, up to every 5 minutes.
DELIVERY_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=10),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=5),
    non_retryable_error_types=["MailNotConfigured"],
)
ROUND_TIMEOUT = timedelta(minutes=10)
# Each message heartbeats; a worker that dies mid-round is noticed within this.
ROUND_HEARTBEAT = timedelta(minutes=1)
# Rounds of one run; what is left waits a minute for the next run.
MAX_ROUNDS = 20


@workflow.defn(name=MAIL_DELIVERY_WORKFLOW_TYPE)
class MailDeliveryWorkflow:
    """Send the outbox's due messages (docs/operating.md, "Mail")."""

    @workflow.run
    async def run(self, request: DeliveryRound | None = None) -> list[DeliveryReport]:
        request = request or DeliveryRound()
        reports: list[DeliveryReport] = []
        for _ in range(MAX_ROUNDS):
            report: DeliveryReport = await workflow.execute_activity(
                DELIVER_MAIL,
                request,
                result_type=DeliveryReport,
                start_to_close_timeout=ROUND_TIMEOUT,
                heartbeat_timeout=ROUND_HEARTBEAT,
                retry_policy=DELIVERY_RETRY,
                summary="deliver due mail",
            )
            reports.append(report)
            workflow.set_current_details(
                f"round {len(reports)}: {len(report.sent)} sent, {len(report.deferred)} refused for now, "
                f"{len(report.failed)} refused for good"
            )
            if not report.more:
                break
        return reports
