"""With a mail server configured, the worker schedules mail delivery every minute on a real Temporal server (the
dev server), and a run of the schedule delivers the outbox to a real SMTP server (aiosmtpd on loopback)."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import timedelta

import asyncpg
import pytest
from temporalio.client import ScheduleActionStartWorkflow
from temporalio.service import RPCError
from temporalio.testing import ActivityEnvironment

from activities.invitations import UID_DOMAIN
from activities.record_store import RecordStore
from config.settings import AppSettings
from devstack.temporal_server import HOST, DevServer
from domain.mail import MAIL_DELIVERY_WORKFLOW_TYPE, MAIL_SCHEDULE_ID, message_id
from tests.activities import factories
from tests.helpers.mail_server import running_mail_server
from tests.helpers.waits import wait_for
from worker import run_worker


async def test_the_worker_schedules_mail_delivery_and_a_run_sends_the_outbox(
    dev_server: DevServer,
    database_url: str,
    settings: AppSettings,
    store: RecordStore,
    pool: asyncpg.Pool,
    env: ActivityEnvironment,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    record = factories.notice(factories.new_period(), "phase_reminder")
    await env.run(store.send_notice, record)
    key = f"{factories.WORKFLOW_ID}/{record.notice.key}"
    client = await dev_server.connect()
    task_queue = f"mail-{uuid.uuid4()}"
    stop = asyncio.Event()
    with running_mail_server() as server:
        monkeypatch.setenv("GUIDANCE_MAIL_HOST", HOST)
        monkeypatch.setenv("GUIDANCE_MAIL_PORT", str(server.port))
        monkeypatch.setenv("GUIDANCE_MAIL_SECURITY", "none")
        worker = asyncio.create_task(
            run_worker(client, database_url=database_url, settings=settings, stop=stop, task_queue=task_queue)
        )
        schedule = client.get_schedule_handle(MAIL_SCHEDULE_ID)
        try:

            async def scheduled() -> bool:
                with contextlib.suppress(RPCError):
                    await schedule.describe()
                    return True
                return False

            await wait_for(scheduled, "the mail schedule created by the worker")
            description = await schedule.describe()
            action = description.schedule.action
            assert isinstance(action, ScheduleActionStartWorkflow)
            assert (action.workflow, action.task_queue) == (MAIL_DELIVERY_WORKFLOW_TYPE, task_queue)
            [interval] = description.schedule.spec.intervals
            assert interval.every == timedelta(minutes=1)

            await schedule.trigger()

            async def arrived() -> bool:
                return bool(server.recorder.received())

            await wait_for(arrived, "the reminder at the mail server")
        finally:
            stop.set()
            await worker
            with contextlib.suppress(RPCError):
                await schedule.delete()
        received = server.recorder.received()

    assert [m["Message-ID"] for m in received] == [message_id(key, UID_DOMAIN)]
    assert await pool.fetchval("SELECT sent_at IS NOT NULL FROM outbox WHERE message_key = $1", key)
