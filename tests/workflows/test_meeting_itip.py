"""A meeting's invitations as calendar programs receive them: scheduled, moved and cancelled through the workflow.

The period runs on the time-skipping server with the real record store (PostgreSQL) and its outbox;
`MailDeliveryWorkflow` delivers the outbox over SMTP to a real server (aiosmtpd on loopback), and each mail is read
as a calendar program reads it: the text/calendar part of its multipart/alternative (tests/helpers/itip.py).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

import asyncpg
import pytest
from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from activities.invitations import UID_DOMAIN, meeting_uid
from activities.record_store import RecordStore
from activities.registry import all_activities, maintenance_activities
from config.mail import MailSettings
from devstack.temporal_server import HOST
from domain import calendar
from domain.contract import period_workflow_id
from domain.mail import DeliveryRound, message_id
from domain.models import CancelMeeting, PeriodStatus, ScheduleMeeting, Withdraw
from starter import client as api
from tests.helpers.itip import Invitation, invitation_of
from tests.helpers.mail_server import MailServer, running_mail_server
from tests.helpers.waits import terminate_when_settled, wait_for
from tests.telemetry.worker_process import period_input
from worker import build_worker
from workflows.guidance_period import GuidancePeriodWorkflow
from workflows.mail_delivery import MailDeliveryWorkflow

OUTBOX_KEYS = "SELECT message_key FROM outbox WHERE workflow_id = $1 AND message_key LIKE $2 ORDER BY message_key"


@dataclass
class Running:
    env: WorkflowEnvironment
    pool: asyncpg.Pool
    server: MailServer
    task_queue: str
    workflow_id: str
    handle: WorkflowHandle[GuidancePeriodWorkflow, PeriodStatus]

    @property
    def client(self) -> Client:
        return self.env.client

    async def day_in(self, days: int) -> str:
        today = calendar.local_date(await self.env.get_current_time(), "Europe/Oslo")
        return calendar.next_working_day(today + timedelta(days=days)).isoformat()

    async def outbox_keys(self, meeting_id: str, count: int) -> list[str]:
        """The outbox entries of a meeting once `count` of them are written (one per sequence)."""

        async def written() -> bool:
            return len(await self.pool.fetch(OUTBOX_KEYS, self.workflow_id, f"%/{meeting_id}/%")) >= count

        await wait_for(written, f"{count} outbox entries of {meeting_id}")
        return [r["message_key"] for r in await self.pool.fetch(OUTBOX_KEYS, self.workflow_id, f"%/{meeting_id}/%")]

    async def deliver(self, keys: list[str]) -> dict[str, Invitation]:
        """Run the mail delivery until every one of `keys` is sent; the invitation each mail carries, by key."""
        for _ in range(5):
            await self.client.execute_workflow(
                MailDeliveryWorkflow.run,
                DeliveryRound(),
                id=f"mail-delivery-{uuid.uuid4()}",
                task_queue=self.task_queue,
            )
            unsent = await self.pool.fetchval(
                "SELECT count(*) FROM outbox WHERE message_key = ANY($1::text[]) AND sent_at IS NULL", keys
            )
            if unsent == 0:
                break
        by_id = {m["Message-ID"]: m for m in self.server.recorder.received()}
        return {key: invitation_of(by_id[message_id(key, UID_DOMAIN)]) for key in keys}


@asynccontextmanager
async def running_period(env: WorkflowEnvironment, store: RecordStore, pool: asyncpg.Pool) -> AsyncIterator[Running]:
    task_queue = f"itip-{uuid.uuid4()}"
    period = await period_input(env)
    workflow_id = period_workflow_id(period.cohort, period.owner.id)
    with running_mail_server() as server:
        mail = MailSettings.model_validate({"host": HOST, "port": server.port, "security": "none"})
        activities = [*all_activities(store), *maintenance_activities(pool, store.settings, mail)]
        async with build_worker(env.client, activities, task_queue=task_queue):
            handle = await env.client.start_workflow(
                GuidancePeriodWorkflow.run, period, id=workflow_id, task_queue=task_queue
            )
            try:
                yield Running(env, pool, server, task_queue, workflow_id, handle)
            finally:
                await terminate_when_settled(env.client, [workflow_id])


async def test_a_meeting_scheduled_moved_and_cancelled_reaches_the_calendars_as_one_event(
    time_skipping_env: WorkflowEnvironment, store: RecordStore, pool: asyncpg.Pool
) -> None:
    async with running_period(time_skipping_env, store, pool) as period:
        scheduled = ScheduleMeeting.model_validate(
            {"kind": "follow_up", "date": await period.day_in(21), "adviser": "a.hansen", "title": "Oppfølging"}
        )
        status = await api.schedule_meeting(period.client, period.workflow_id, scheduled)
        meeting_id = status.created
        assert meeting_id is not None
        moved_to = await period.day_in(28)
        moved = ScheduleMeeting.model_validate({**scheduled.model_dump(), "date": moved_to, "meeting_id": meeting_id})
        await api.schedule_meeting(period.client, period.workflow_id, moved)
        cancelled = await api.cancel_meeting(
            period.client, period.workflow_id, CancelMeeting(meeting_id=meeting_id, adviser="b.olsen", reason="Ill")
        )
        keys = await period.outbox_keys(meeting_id, 3)
        invitations = await period.deliver(keys)
        row = await pool.fetchrow(
            "SELECT sequence, cancelled_at FROM meetings WHERE workflow_id = $1 AND meeting_id = $2",
            period.workflow_id,
            meeting_id,
        )

    [entry] = [m for m in cancelled.meetings if m.meeting_id == meeting_id]
    assert entry.cancelled_at is not None and entry.sequence == 2
    assert row is not None and row["sequence"] == 2 and row["cancelled_at"] is not None
    assert keys == [f"{period.workflow_id}/{meeting_id}/{sequence}" for sequence in (0, 1, 2)]
    mails = [invitations[key] for key in keys]
    assert [m.method for m in mails] == ["REQUEST", "REQUEST", "CANCEL"]
    # The Content-Type's method= says the same as the calendar's METHOD (RFC 6047 requires it).
    assert [m.content_method for m in mails] == ["REQUEST", "REQUEST", "CANCEL"]
    assert {str(m.event["uid"]) for m in mails} == {meeting_uid(period.workflow_id, meeting_id)}
    assert [int(str(m.event["sequence"])) for m in mails] == [0, 1, 2]
    assert [str(m.event["status"]) for m in mails] == ["CONFIRMED", "CONFIRMED", "CANCELLED"]
    # Every mail has its text beside the calendar; the CANCEL names the same attendees as the requests.
    # The owner reads bokmål (no setting in languages.csv), so the words are bokmål.
    assert all("Oppfølging" in m.text for m in mails)
    assert "Avlyst" in mails[2].text and not any("Avlyst" in m.text for m in mails[:2])
    attendees = [sorted(str(a) for a in m.event.get("attendee")) for m in mails]
    assert attendees[0] == attendees[2] == ["mailto:a.hansen@veileder.test", "mailto:b.olsen@veileder.test"]
    assert mails[1].event.decoded("dtstart").date().isoformat() == moved_to


async def test_a_withdrawal_cancels_the_meetings_still_ahead(
    time_skipping_env: WorkflowEnvironment, store: RecordStore, pool: asyncpg.Pool
) -> None:
    async with running_period(time_skipping_env, store, pool) as period:
        request = ScheduleMeeting.model_validate(
            {"kind": "school_visit", "date": await period.day_in(14), "adviser": "a.hansen"}
        )
        meeting_id = (await api.schedule_meeting(period.client, period.workflow_id, request)).created
        assert meeting_id is not None
        final = await api.withdraw(period.client, period.workflow_id, Withdraw(reason="Merged", by="k.nilsen"))
        keys = await period.outbox_keys(meeting_id, 2)
        invitations = await period.deliver(keys)

    assert [invitations[k].method for k in keys] == ["REQUEST", "CANCEL"]
    cancel = invitations[keys[1]]
    assert str(cancel.event["status"]) == "CANCELLED" and int(str(cancel.event["sequence"])) == 1
    # Every meeting that lay ahead is cancelled: the one agreed and those the plan proposed.
    assert final.meetings and all(m.cancelled_at is not None for m in final.meetings)
    standing = await pool.fetchval(
        "SELECT count(*) FROM meetings WHERE workflow_id = $1 AND cancelled_at IS NULL", period.workflow_id
    )
    assert standing == 0


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("unknown", "meeting_id: 'm9' is not a meeting of this period"),
        ("cancelled twice", "was cancelled on"),
        ("moved after cancelled", "was cancelled on"),
    ],
)
async def test_a_cancellation_of_an_unknown_or_cancelled_meeting_is_rejected(
    time_skipping_env: WorkflowEnvironment, store: RecordStore, pool: asyncpg.Pool, case: str, expected: str
) -> None:
    async with running_period(time_skipping_env, store, pool) as period:
        request = ScheduleMeeting.model_validate(
            {"kind": "follow_up", "date": await period.day_in(14), "adviser": "a.hansen"}
        )
        meeting_id = (await api.schedule_meeting(period.client, period.workflow_id, request)).created
        assert meeting_id is not None
        cancel = CancelMeeting(meeting_id=meeting_id, adviser="a.hansen")
        if case == "unknown":
            cancel = cancel.model_copy(update={"meeting_id": "m9"})
        else:
            await api.cancel_meeting(period.client, period.workflow_id, cancel)
        before = await api.period_status(period.client, period.workflow_id)

        if case == "moved after cancelled":
            moved = ScheduleMeeting.model_validate({**request.model_dump(), "meeting_id": meeting_id})
            refused = api.schedule_meeting(period.client, period.workflow_id, moved)
        else:
            refused = api.cancel_meeting(period.client, period.workflow_id, cancel)
        with pytest.raises(api.UpdateRejected) as rejected:
            await refused
        after = await api.period_status(period.client, period.workflow_id)

    assert rejected.value.field == "meeting_id"
    assert expected in str(rejected.value)
    assert after.meetings == before.meetings
