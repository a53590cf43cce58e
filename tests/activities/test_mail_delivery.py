"""The outbox delivered by mail to a real SMTP server (aiosmtpd on loopback), against the real record store.

Each test writes real outbox entries through the record store's activities (a reminder, an escalation, a meeting
invitation), runs the delivery activity, and reads what the server received and what the outbox says.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import asyncpg
import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.invitations import UID_DOMAIN
from activities.mail_delivery import MailDelivery, MailServerUnreachable
from activities.record_store import RecordStore
from config.mail import MailSettings
from devstack.temporal_server import HOST
from domain.mail import DeliveryReport, DeliveryRound, message_id
from tests.activities import factories
from tests.activities.factories import STARTED_AT
from tests.helpers.itip import invitation_of
from tests.helpers.mail_server import MailServer, running_mail_server

ADVISERS = ["a.hansen@veileder.test", "b.olsen@veileder.test"]


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    with running_mail_server() as server:
        yield server


def delivery(pool: asyncpg.Pool, server: MailServer, **settings: object) -> MailDelivery:
    mail = MailSettings.model_validate(
        {"host": HOST, "port": server.port, "security": "none", "timeout_seconds": 5, **settings}
    )
    return MailDelivery(pool, mail)


async def deliver(env: ActivityEnvironment, sender: MailDelivery, batch: int = 100) -> DeliveryReport:
    report: DeliveryReport = await env.run(sender.deliver_mail, DeliveryRound(batch=batch))
    return report


async def write_reminder(store: RecordStore, env: ActivityEnvironment) -> str:
    record = factories.notice(factories.new_period(), "phase_reminder")
    await env.run(store.send_notice, record)
    return f"{factories.WORKFLOW_ID}/{record.notice.key}"


async def test_a_reminder_is_sent_once_with_the_message_id_of_its_key(
    store: RecordStore, pool: asyncpg.Pool, env: ActivityEnvironment, mail_server: MailServer
) -> None:
    key = await write_reminder(store, env)
    sender = delivery(pool, mail_server, sender="varsel@udir.test")

    first = await deliver(env, sender)
    second = await deliver(env, sender)

    assert first.sent == [key] and not first.more
    assert second.sent == [] and second.deferred == [] and second.failed == []
    [received] = mail_server.recorder.received()
    assert received["Message-ID"] == message_id(key, UID_DOMAIN)
    assert received["From"] == "varsel@udir.test"
    assert received["To"] == ", ".join(ADVISERS)
    assert received["Auto-Submitted"] == "auto-generated"
    row = await pool.fetchrow("SELECT * FROM outbox WHERE message_key = $1", key)
    assert row is not None
    assert row["sent_at"] is not None and row["message_id"] == received["Message-ID"]
    assert row["smtp_reply"] and "queued as test" in row["smtp_reply"]
    assert row["subject"] == received["Subject"]


async def test_an_entry_sent_again_after_a_crash_carries_the_same_message_id(
    store: RecordStore, pool: asyncpg.Pool, env: ActivityEnvironment, mail_server: MailServer
) -> None:
    key = await write_reminder(store, env)
    sender = delivery(pool, mail_server)
    await deliver(env, sender)
    # A worker that died after the server accepted the message and before the mark was committed.
    await pool.execute("UPDATE outbox SET sent_at = NULL WHERE message_key = $1", key)

    again = await deliver(env, sender)

    assert again.sent == [key]
    first, second = mail_server.recorder.received()
    assert first["Message-ID"] == second["Message-ID"] == message_id(key, UID_DOMAIN)


async def test_nothing_is_lost_while_the_server_is_down_and_everything_arrives_once_after(
    store: RecordStore, pool: asyncpg.Pool, env: ActivityEnvironment, mail_server: MailServer
) -> None:
    state = factories.new_period()
    reminder = factories.notice(state, "phase_reminder")
    await env.run(store.send_notice, reminder)
    meeting = factories.meeting(state, factories.follow_up(), STARTED_AT + timedelta(days=20), "update:meeting-1")
    await env.run(store.record_meeting, meeting)
    sender = delivery(pool, mail_server)
    mail_server.stop()

    with pytest.raises(MailServerUnreachable, match=f"{HOST}:{mail_server.port}"):
        await deliver(env, sender)
    assert await pool.fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NULL AND attempts = 0") == 2

    mail_server.start()
    report = await deliver(env, sender)
    await deliver(env, sender)

    assert len(report.sent) == 2
    received = mail_server.recorder.received()
    assert sorted(m["Message-ID"] for m in received) == sorted(
        message_id(k, UID_DOMAIN) for k in await pool.fetchval("SELECT array_agg(message_key) FROM outbox")
    )
    invitation = invitation_of(next(m for m in received if m.get_content_type() == "multipart/mixed"))
    assert invitation.filename == "m1.ics"
    assert invitation.method == invitation.content_method == "REQUEST"
    assert invitation.event["uid"] == f"{factories.WORKFLOW_ID}.m1@{UID_DOMAIN}"


async def test_an_address_refused_for_good_is_recorded_and_never_tried_again(
    store: RecordStore, pool: asyncpg.Pool, env: ActivityEnvironment, mail_server: MailServer
) -> None:
    key = await write_reminder(store, env)
    for address in ADVISERS:
        mail_server.recorder.refuse[address] = "550 5.1.1 no such mailbox"
    sender = delivery(pool, mail_server)

    report = await deliver(env, sender)
    mail_server.recorder.refuse.clear()
    later = await deliver(env, sender)

    assert report.failed == [key] and later.failed == [] and later.sent == []
    assert mail_server.recorder.received() == []
    row = await pool.fetchrow("SELECT * FROM outbox WHERE message_key = $1", key)
    assert row is not None
    assert row["failed_at"] is not None and row["sent_at"] is None and row["attempts"] == 1
    assert "a.hansen@veileder.test: 550 5.1.1 no such mailbox" in row["last_error"]


async def test_a_refusal_for_now_is_tried_again_after_its_pause(
    store: RecordStore, pool: asyncpg.Pool, env: ActivityEnvironment, mail_server: MailServer
) -> None:
    key = await write_reminder(store, env)
    for address in ADVISERS:
        mail_server.recorder.refuse[address] = "451 4.2.1 mailbox busy, try later"
    sender = delivery(pool, mail_server)

    deferred = await deliver(env, sender)
    too_soon = await deliver(env, sender)

    assert deferred.deferred == [key] and too_soon.deferred == [] and too_soon.sent == []
    row = await pool.fetchrow("SELECT attempts, next_attempt_at - now() AS wait FROM outbox")
    assert row is not None and row["attempts"] == 1
    assert timedelta(seconds=30) < row["wait"] <= timedelta(minutes=1)

    mail_server.recorder.refuse.clear()
    await pool.execute("UPDATE outbox SET next_attempt_at = now() - interval '1 second'")  # the pause is over
    sent = await deliver(env, sender)

    assert sent.sent == [key]
    assert len(mail_server.recorder.received()) == 1


async def test_one_recipient_refused_does_not_hold_back_the_others(
    store: RecordStore, pool: asyncpg.Pool, env: ActivityEnvironment, mail_server: MailServer
) -> None:
    key = await write_reminder(store, env)
    mail_server.recorder.refuse["b.olsen@veileder.test"] = "550 5.1.1 no such mailbox"

    report = await deliver(env, delivery(pool, mail_server))

    assert report.sent == [key]
    assert len(mail_server.recorder.received()) == 1
    error = await pool.fetchval("SELECT last_error FROM outbox")
    assert error.startswith("b.olsen@veileder.test: 550")


async def test_a_long_queue_is_sent_in_bounded_rounds(
    store: RecordStore, pool: asyncpg.Pool, env: ActivityEnvironment, mail_server: MailServer
) -> None:
    await env.run(store.send_notice, factories.notice(factories.new_period(), "phase_reminder"))
    await env.run(store.send_notice, factories.notice(factories.new_period(), "escalation"))
    sender = delivery(pool, mail_server)

    first = await deliver(env, sender, batch=1)
    second = await deliver(env, sender, batch=1)

    assert len(first.sent) == 1 and first.more
    assert len(second.sent) == 1 and not second.more
    assert len(mail_server.recorder.received()) == 2


async def test_without_a_mail_server_configured_the_round_fails_for_good(
    pool: asyncpg.Pool, env: ActivityEnvironment
) -> None:
    sender = MailDelivery(pool, MailSettings.model_validate({"host": None}))

    with pytest.raises(ApplicationError, match="GUIDANCE_MAIL_HOST") as raised:
        await env.run(sender.deliver_mail, DeliveryRound())
    assert raised.value.non_retryable
