"""The activity that delivers the outbox by mail over SMTP (the rules: domain/mail.py).

Each round opens one SMTP connection and sends the due entries one by one, each in its own transaction that
holds the entry's row: the row is marked (sent, refused for now, refused for good) before the next is sent, so a
crash loses at most the mark of one message, which is then sent again with the same Message-ID. A mail server
that cannot be reached, or that drops the connection, fails the round: Temporal retries it with back-off and
the unsent entries stay due, so nothing is lost while the server is down.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Literal

import aiosmtplib
import asyncpg
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.invitations import UID_DOMAIN
from activities.itip import add_calendar
from activities.logging import activity_logger
from config.mail import MailSettings
from domain.mail import DELIVER_MAIL, DeliveryReport, DeliveryRound, is_permanent, message_id, retry_pause

# asyncpg's pool hands out proxies of connections.
Connection = asyncpg.pool.PoolConnectionProxy

DUE = """
SELECT message_key FROM outbox
WHERE sent_at IS NULL AND failed_at IS NULL AND (next_attempt_at IS NULL OR next_attempt_at <= now())
ORDER BY created_at, message_key
LIMIT $1
"""

# The entry, if it is still due and no other round holds it.
CLAIM = """
SELECT message_key, kind, recipients, subject, body, attachment_name, attachment, created_at, attempts
FROM outbox
WHERE message_key = $1 AND sent_at IS NULL AND failed_at IS NULL
  AND (next_attempt_at IS NULL OR next_attempt_at <= now())
FOR UPDATE SKIP LOCKED
"""

MARK_SENT = """
UPDATE outbox SET sent_at = now(), message_id = $2, smtp_reply = $3, last_error = $4, attempts = attempts + 1
WHERE message_key = $1
"""

MARK_DEFERRED = """
UPDATE outbox SET attempts = $2, next_attempt_at = now() + $3::interval, last_error = $4, message_id = $5
WHERE message_key = $1
"""

MARK_FAILED = """
UPDATE outbox SET failed_at = now(), attempts = attempts + 1, last_error = $2, message_id = $3
WHERE message_key = $1
"""

Outcome = Literal["sent", "deferred", "failed"]


class MailServerUnreachable(Exception):
    """The mail server could not be reached or dropped the connection; the round is retried."""


def mail_message(row: asyncpg.Record | dict[str, object], sender: str) -> EmailMessage:
    """The mail of one outbox entry: its text, and its letter as an attachment; a calendar (``.ics``) makes it
    an iTIP mail with the calendar beside the text (`activities.itip`)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(row["recipients"])  # type: ignore[arg-type]
    message["Subject"] = str(row["subject"])
    message["Date"] = format_datetime(row["created_at"])  # type: ignore[arg-type]
    message["Message-ID"] = message_id(str(row["message_key"]), UID_DOMAIN)
    # Sent by the engine, not by a person (RFC 3834): out-of-office replies stay away.
    message["Auto-Submitted"] = "auto-generated"
    name, attachment = row["attachment_name"], row["attachment"]
    if isinstance(name, str) and isinstance(attachment, str) and name.endswith(".ics"):
        add_calendar(message, str(row["body"]), attachment, name)
        return message
    message.set_content(str(row["body"]))
    if isinstance(name, str) and isinstance(attachment, str):
        message.add_attachment(attachment, filename=name)
    return message


def _refusal(error: aiosmtplib.SMTPResponseException) -> str:
    return f"{error.code} {error.message}".strip()


def _recipients_refused(error: aiosmtplib.SMTPRecipientsRefused) -> tuple[bool, str]:
    """Whether every refusal of the recipients is permanent, and what the server said of each."""
    said = "; ".join(f"{refused.recipient}: {_refusal(refused)}" for refused in error.recipients)
    return all(is_permanent(refused.code) for refused in error.recipients), said


class MailDelivery:
    """The activity that sends the due entries of the outbox.

    Args:
        pool: The record store's connection pool.
        settings: The SMTP server and the senders (``GUIDANCE_MAIL_*``).
    """

    def __init__(self, pool: asyncpg.Pool, settings: MailSettings) -> None:
        self._pool = pool
        self._settings = settings

    @activity.defn(name=DELIVER_MAIL)
    async def deliver_mail(self, request: DeliveryRound) -> DeliveryReport:
        """Send up to `request.batch` due messages; say which were sent, deferred, refused for good."""
        if not self._settings.enabled:
            raise ApplicationError(
                "mail delivery is off: set GUIDANCE_MAIL_HOST (docs/operating.md, 'Mail')",
                type="MailNotConfigured",
                non_retryable=True,
            )
        async with self._pool.acquire() as connection:
            due = [row["message_key"] for row in await connection.fetch(DUE, request.batch + 1)]
        report = DeliveryReport(as_of=datetime.now().astimezone(), more=len(due) > request.batch)
        if not due:
            return report
        try:
            async with self._client() as smtp:
                await self._send_all(smtp, due[: request.batch], report)
        except (
            aiosmtplib.SMTPConnectError,
            aiosmtplib.SMTPServerDisconnected,
            aiosmtplib.SMTPTimeoutError,
            OSError,
        ) as error:
            raise MailServerUnreachable(f"mail server {self._settings.host}:{self._settings.port}: {error}") from error
        activity_logger().info(
            "mail delivered", sent=len(report.sent), deferred=len(report.deferred), failed=len(report.failed)
        )
        return report

    def _client(self) -> aiosmtplib.SMTP:
        settings = self._settings
        return aiosmtplib.SMTP(
            hostname=settings.host,
            port=settings.port,
            use_tls=settings.security == "tls",
            start_tls=settings.security == "starttls",
            username=settings.user,
            password=settings.password.get_secret_value() if settings.password else None,
            timeout=settings.timeout_seconds,
        )

    async def _send_all(self, smtp: aiosmtplib.SMTP, keys: Sequence[str], report: DeliveryReport) -> None:
        for key in keys:
            activity.heartbeat(key)
            async with self._pool.acquire() as connection, connection.transaction():
                row = await connection.fetchrow(CLAIM, key)
                if row is None:  # sent or held by another round since the list was read
                    continue
                outcome = await self._send_one(smtp, connection, row)
            getattr(report, outcome).append(key)

    async def _send_one(self, smtp: aiosmtplib.SMTP, connection: Connection, row: asyncpg.Record) -> Outcome:
        key = row["message_key"]
        message = mail_message(row, self._settings.sender_of(row["kind"]))
        mid = message["Message-ID"]
        try:
            refused, reply = await smtp.send_message(message)
        except aiosmtplib.SMTPRecipientsRefused as error:
            permanent, said = _recipients_refused(error)
            return await self._refused(connection, row, permanent=permanent, said=said, mid=mid)
        except aiosmtplib.SMTPResponseException as error:
            return await self._refused(
                connection, row, permanent=is_permanent(error.code), said=_refusal(error), mid=mid
            )
        partly = "; ".join(f"{address}: {answer.code} {answer.message}" for address, answer in refused.items())
        await connection.execute(MARK_SENT, key, mid, reply, partly or None)
        activity_logger().info("mail sent", message_key=key, message_id=mid, refused=partly or None)
        return "sent"

    @staticmethod
    async def _refused(connection: Connection, row: asyncpg.Record, *, permanent: bool, said: str, mid: str) -> Outcome:
        key = row["message_key"]
        if permanent:
            await connection.execute(MARK_FAILED, key, said, mid)
            activity_logger().warning("mail refused for good", message_key=key, reply=said)
            return "failed"
        attempts = row["attempts"] + 1
        await connection.execute(MARK_DEFERRED, key, attempts, retry_pause(attempts), said, mid)
        activity_logger().info("mail refused for now", message_key=key, reply=said, attempts=attempts)
        return "deferred"
