"""A phase runs overdue on the time-skipping server and its reminder reaches a real SMTP server once.

The period runs on the real workflows and the real record store; `MailDeliveryWorkflow` (what the schedule
``guidance-mail`` starts every minute) delivers the outbox to aiosmtpd on loopback.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import asyncpg
from temporalio.testing import WorkflowEnvironment

from activities.invitations import UID_DOMAIN
from activities.record_store import RecordStore
from activities.registry import all_activities, maintenance_activities
from config.mail import MailSettings
from devstack.temporal_server import HOST
from domain.contract import period_workflow_id
from domain.mail import DeliveryRound, message_id
from tests.helpers.mail_server import running_mail_server
from tests.helpers.waits import terminate_when_settled, wait_for
from tests.telemetry.worker_process import period_input
from worker import build_worker
from workflows.guidance_period import GuidancePeriodWorkflow
from workflows.mail_delivery import MailDeliveryWorkflow

REMINDER = "SELECT message_key FROM outbox WHERE workflow_id = $1 AND message_key LIKE '%/phase_reminder:%'"


async def test_an_overdue_phase_sends_its_reminder_by_mail_once_with_the_message_id_of_its_key(
    time_skipping_env: WorkflowEnvironment, store: RecordStore, pool: asyncpg.Pool
) -> None:
    env = time_skipping_env
    task_queue = f"mail-{uuid.uuid4()}"
    period = await period_input(env)
    workflow_id = period_workflow_id(period.cohort, period.owner.id)
    with running_mail_server() as server:
        mail = MailSettings.model_validate(
            {"host": HOST, "port": server.port, "security": "none", "sender": "varsel@udir.test"}
        )
        activities = [*all_activities(store), *maintenance_activities(pool, store.settings, mail)]
        async with build_worker(env.client, activities, task_queue=task_queue):
            await env.client.start_workflow(GuidancePeriodWorkflow.run, period, id=workflow_id, task_queue=task_queue)
            try:
                # Mapping is due ten weeks after the start: eleven weeks on, the phase reminder is in the outbox.
                await env.sleep(timedelta(weeks=11))

                async def reminder_written() -> bool:
                    return await pool.fetchval(REMINDER, workflow_id) is not None

                await wait_for(reminder_written, "the phase reminder written to the outbox")
                key = await pool.fetchval(REMINDER, workflow_id)
                rounds = [
                    await env.client.execute_workflow(
                        MailDeliveryWorkflow.run,
                        DeliveryRound(),
                        id=f"mail-delivery-{uuid.uuid4()}",
                        task_queue=task_queue,
                    )
                    for _ in range(2)
                ]
            finally:
                await terminate_when_settled(env.client, [workflow_id])
        received = server.recorder.received()

    first, second = rounds
    assert key in first[0].sent
    # While a run is awaited the server skips time, so the period goes on (a second reminder, an escalation):
    # the second run sends those, never the first reminder again.
    assert key not in second[0].sent
    reminders = [m for m in received if m["Message-ID"] == message_id(key, UID_DOMAIN)]
    assert len(reminders) == 1
    assert reminders[0]["To"] == "a.hansen@veileder.test, b.olsen@veileder.test"
    assert "Drammen (3301)" in reminders[0]["Subject"]
    sent_at = await pool.fetchval("SELECT sent_at FROM outbox WHERE message_key = $1", key)
    assert sent_at is not None
