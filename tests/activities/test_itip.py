"""iTIP: a meeting's calendar says REQUEST or CANCEL, and its mail carries the calendar beside the text."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage

import pytest
from icalendar import Calendar

from activities.invitations import invitation_message, meeting_invitation
from activities.itip import add_calendar, calendar_method
from activities.mail_delivery import mail_message
from domain.records import MeetingRecord
from tests.activities import factories
from tests.activities.factories import STARTED_AT
from tests.helpers.itip import invitation_of

SCHEDULED_AT = STARTED_AT + timedelta(days=20)


def _record(*, cancelled: bool) -> MeetingRecord:
    record = factories.meeting(factories.new_period(), factories.follow_up(), SCHEDULED_AT, "update:meeting-1")
    if not cancelled:
        return record
    meeting = record.meeting.model_copy(update={"sequence": 1, "cancelled_at": SCHEDULED_AT + timedelta(days=1)})
    return record.model_copy(update={"meeting": meeting})


def _calendar(record: MeetingRecord) -> Calendar:
    return Calendar.from_ical(meeting_invitation(record, factories.participants(record), language="en"))


def test_a_cancelled_meeting_is_a_cancel_of_the_same_event_with_the_next_sequence() -> None:
    request = _calendar(_record(cancelled=False))
    cancel = _calendar(_record(cancelled=True))

    [asked] = request.walk("VEVENT")
    [withdrawn] = cancel.walk("VEVENT")
    assert (str(request["method"]), str(asked["status"]), int(str(asked["sequence"]))) == ("REQUEST", "CONFIRMED", 0)
    assert (str(cancel["method"]), str(withdrawn["status"]), int(str(withdrawn["sequence"]))) == (
        "CANCEL",
        "CANCELLED",
        1,
    )
    assert str(withdrawn["uid"]) == str(asked["uid"])
    assert [str(a) for a in withdrawn.get("attendee")] == [str(a) for a in asked.get("attendee")]


def test_the_mail_of_a_cancelled_meeting_says_so_and_carries_the_cancel() -> None:
    record = _record(cancelled=True)
    ics = meeting_invitation(record, factories.participants(record), language="en")
    outbox = invitation_message(record, ics, factories.participants(record), language="en")
    row = {
        "message_key": outbox.message_key,
        "recipients": outbox.recipients,
        "subject": outbox.subject,
        "body": outbox.body,
        "created_at": outbox.created_at,
        "attachment_name": outbox.attachment_name,
        "attachment": outbox.attachment,
    }

    mail = invitation_of(mail_message(row, "veileder@udir.test"))

    assert outbox.subject.startswith("Cancelled: ") and outbox.message_key.endswith("/m1/1")
    assert mail.content_method == mail.method == "CANCEL"
    assert mail.text.startswith("Cancelled: this meeting will not take place.")
    assert mail.filename == "m1.ics"


def test_a_cancellation_to_a_norwegian_owner_says_so_in_bokmal() -> None:
    record = _record(cancelled=True)
    ics = meeting_invitation(record, factories.participants(record), language="nb")

    outbox = invitation_message(record, ics, factories.participants(record), language="nb")

    assert outbox.subject.startswith("Avlyst: ")
    assert outbox.body.startswith("Avlyst: dette møtet blir ikke holdt.")
    assert calendar_method(ics.decode("utf-8")) == "CANCEL"


def test_a_calendar_without_method_is_no_itip_message() -> None:
    bare = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\nEND:VCALENDAR\r\n"
    with pytest.raises(ValueError, match="no METHOD"):
        calendar_method(bare)
    with pytest.raises(ValueError, match="no METHOD"):
        add_calendar(EmailMessage(), "text", bare, "x.ics")
