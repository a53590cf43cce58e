"""`make dev` delivers mail for real: a meeting agreed from the command line reaches its local mail server.

The stack is `python -m devstack` on free ports; the meeting's invitation goes through the outbox, the schedule
``guidance-mail`` (triggered here with the `temporal` CLI rather than waiting for its minute), SMTP, and lands in
the Maildir under the data folder, read back with Python's `mailbox`.
"""

from __future__ import annotations

import asyncio
import mailbox
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

from devstack.binaries import temporal_cli
from devstack.mail_server import MAILBOX
from domain.calendar import next_working_day
from domain.mail import MAIL_SCHEDULE_ID
from tests.devstack.stack_process import RunningStack, clean_environment, eventually
from tests.e2e.test_period_e2e import WAIT_SECONDS, _guidance, _run
from tests.helpers.clock import real_today
from tests.helpers.itip import invitation_of


def _received(stack: RunningStack) -> list[EmailMessage]:
    folder = mailbox.Maildir(stack.data_dir / MAILBOX, create=False)
    messages = []
    for key in folder.iterkeys():
        parsed = message_from_bytes(folder.get_bytes(key), policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        messages.append(parsed)
    return messages


async def test_a_meeting_agreed_in_make_dev_arrives_at_its_local_mail_server(stack: RunningStack) -> None:
    assert "local mail server" in stack.banner_value("Mail")
    start = real_today()
    # Tomorrow or later: a meeting agreed for today starts at 09:00, which is past for most of the day.
    meeting_day = next_working_day(start + timedelta(days=1), "NO")
    await _guidance(
        stack,
        "start",
        "--cohort",
        "mail",
        "--owner",
        "3301",
        "--adviser",
        "a.hansen",
        "--start-date",
        start.isoformat(),
    )
    await _guidance(
        stack, "meeting", "--cohort", "mail", "--owner", "3301", "--kind", "follow_up",
        "--date", meeting_day.isoformat(), "--adviser", "a.hansen", "--title", "Oppstart",
    )  # fmt: skip

    async def triggered() -> int:
        done = await _run(
            [temporal_cli(), "schedule", "trigger", "--schedule-id", MAIL_SCHEDULE_ID, "--address", stack.address],
            clean_environment(),
            stack.data_dir.parent,
        )
        return done.returncode

    assert await eventually(triggered, lambda code: code == 0, seconds=WAIT_SECONDS) == 0
    received = await eventually(
        lambda: asyncio.to_thread(_received, stack), lambda messages: len(messages) >= 1, seconds=WAIT_SECONDS
    )

    [invitation] = [m for m in received if "Oppstart" in str(m["Subject"])]
    # Addressed by make dev's people file (devstack/people_sample.py): the adviser's address, and Drammen's contact.
    assert invitation["To"] == "anne.hansen@veiledere.example.no, kari.nordmann@drammen.example.no"
    assert invitation["Message-ID"].endswith("@guidance-engine>")
    calendar = invitation_of(invitation)
    assert calendar.method == "REQUEST" and "Oppstart" in str(calendar.event["summary"])
    attendees = calendar.event.get("attendee")
    assert sorted(str(a) for a in (attendees if isinstance(attendees, list) else [attendees])) == [
        "mailto:anne.hansen@veiledere.example.no",
        "mailto:kari.nordmann@drammen.example.no",
    ]
