"""Delivery of the outbox by mail: the names of the job that sends it and the rules it follows.

Every letter, reminder, escalation and invitation is first written to the outbox (a row per message, keyed
by what it is about). `MailDeliveryWorkflow` (workflows/mail_delivery.py), started every minute by the
schedule ``guidance-mail``, asks the `deliver_mail` activity (activities/mail_delivery.py) to send what is
due over SMTP. Delivery is at least once: a message sent just before a crash may be sent again, with the
same Message-ID (derived from its key), so the recipients' mail programs show it once.

The server's answer decides what happens next: accepted, the row is marked sent with the answer; refused
for now (a 4xx code, no connection, a timeout), it is tried again after a growing pause; refused for good
(a 5xx code, an address the server will not take), the refusal is recorded, shown to the coordinators and
never tried again.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from email.errors import HeaderParseError
from email.headerregistry import Address
from typing import Final, Literal

from pydantic import BaseModel, Field

#: What an outbox entry is (the `outbox.kind` column's check in activities/schema.sql holds the same list).
OutboxKind = Literal[
    "meeting_invitation",
    "reminder",
    "escalation",
    "invitation_letter",
    "invitation_reminder",
    "gathering_invitation",
    "assessment_request",
    "assessment_reminder",
]

MAIL_DELIVERY_WORKFLOW_TYPE: Final = "MailDeliveryWorkflow"
MAIL_SCHEDULE_ID: Final = "guidance-mail"
DELIVER_MAIL: Final = "deliver_mail"

#: The pause before the first retry of a message refused for now; it doubles per attempt up to the maximum.
FIRST_RETRY_AFTER: Final = timedelta(minutes=1)
LONGEST_RETRY_PAUSE: Final = timedelta(hours=1)
#: One activity round sends at most this many messages, so a long queue is worked off in bounded steps.
MAX_BATCH: Final = 500


def retry_pause(attempts: int) -> timedelta:
    """How long a message refused for now waits after its `attempts`-th refusal (1 minute, 2, 4 ... 1 hour)."""
    if attempts < 1:
        raise ValueError("attempts counts refusals and starts at 1")
    pause: timedelta = FIRST_RETRY_AFTER * 2 ** min(attempts - 1, 16)
    return min(pause, LONGEST_RETRY_PAUSE)


def is_permanent(code: int) -> bool:
    """Whether an SMTP reply code refuses for good (5xx); a 4xx code asks the sender to try again later."""
    return 500 <= code <= 599


def message_id(message_key: str, domain: str) -> str:
    """The Message-ID of an outbox entry: the same for every send of it, so a resend is one message to its reader."""
    digest = hashlib.sha256(message_key.encode("utf-8")).hexdigest()[:40]
    return f"<{digest}@{domain}>"


def checked_address(value: str) -> str:
    """`value` if it is one plain mail address (user@domain), else a ValueError saying what is wrong."""
    try:
        address = Address(addr_spec=value)
    except (HeaderParseError, ValueError, IndexError) as error:
        raise ValueError(f"{value!r} is not a mail address (user@domain): {error}") from None
    if not address.username or "." not in address.domain:
        raise ValueError(f"{value!r} is not a mail address (user@domain with a dotted domain)")
    return value


class DeliveryRound(BaseModel):
    """Input of the activity: send at most `batch` messages that are due at the time of the round."""

    batch: int = Field(default=100, ge=1, le=MAX_BATCH)


class DeliveryReport(BaseModel):
    """What one round did. `more` says that due messages were left for the next round (the batch was full)."""

    as_of: datetime
    sent: list[str] = Field(default_factory=list, description="message keys accepted by the server")
    deferred: list[str] = Field(default_factory=list, description="message keys refused for now; tried again later")
    failed: list[str] = Field(default_factory=list, description="message keys refused for good; never tried again")
    more: bool = False
