"""The Temporal Schedule that delivers the outbox by mail every minute (domain/mail.py).

The worker ensures it at start when a mail server is configured (``GUIDANCE_MAIL_HOST``): the schedule
``guidance-mail`` starts `MailDeliveryWorkflow` every minute, skipped while a run is still going (a mail
server that is down keeps one run retrying). Pause it with
``temporal schedule toggle --pause --schedule-id guidance-mail``; the outbox keeps what is not sent.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
    ScheduleState,
)

from domain.contract import TASK_QUEUE
from domain.mail import MAIL_DELIVERY_WORKFLOW_TYPE, MAIL_SCHEDULE_ID, DeliveryRound
from starter.schedules import ensure_schedule


def mail_schedule(task_queue: str = TASK_QUEUE, batch: int = 100) -> Schedule:
    """Every minute, skipped while a run is still going; starts missed while the server was away are not made up."""
    return Schedule(
        action=ScheduleActionStartWorkflow(
            MAIL_DELIVERY_WORKFLOW_TYPE,
            DeliveryRound(batch=batch),
            id=MAIL_SCHEDULE_ID,
            task_queue=task_queue,
            execution_timeout=timedelta(hours=2),
            static_summary="Send the outbox's due letters, reminders and invitations by mail",
        ),
        spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=timedelta(minutes=1))]),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=timedelta(minutes=1)),
        state=ScheduleState(note="guidance engine: mail delivery of the outbox"),
    )


async def ensure_mail_schedule(
    client: Client, task_queue: str = TASK_QUEUE, batch: int = 100
) -> Literal["created", "updated"]:
    """Create the schedule, or bring an existing one up to date; safe to call at every worker start."""
    return await ensure_schedule(client, MAIL_SCHEDULE_ID, mail_schedule(task_queue, batch))
