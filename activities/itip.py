"""Calendar invitations as iTIP messages (RFC 5546 over mail, RFC 6047): what Outlook and Google Calendar act on.

A meeting's calendar carries METHOD:REQUEST while it stands and METHOD:CANCEL (with STATUS:CANCELLED, the same
UID and a higher SEQUENCE) once it is cancelled; `meeting_method` is that rule. The mail that carries it is
built from the calendar alone: `calendar_method` reads the METHOD back from the .ics, so the outbox stores the
calendar and nothing beside it, and the mail can never name another method than the file it carries.

The mail's shape, as the big calendar services send theirs:

    multipart/mixed
      multipart/alternative
        text/plain                                  the text, for a person or a program without a calendar
        text/calendar; method=REQUEST; charset=UTF-8    what the calendar program acts on
      application/ics (attachment NAME.ics)         the same calendar as a file to open or import
"""

from __future__ import annotations

from email.message import EmailMessage
from typing import Literal

from icalendar import Calendar

from domain.models import MeetingEntry

Method = Literal["REQUEST", "CANCEL"]


def meeting_method(meeting: MeetingEntry) -> Method:
    """REQUEST for a meeting that stands (agreed or moved), CANCEL once it is cancelled."""
    return "CANCEL" if meeting.cancelled_at is not None else "REQUEST"


def event_status(method: Method) -> str:
    """The VEVENT's STATUS that goes with the calendar's METHOD (RFC 5546 3.2.5: a CANCEL says CANCELLED)."""
    return "CANCELLED" if method == "CANCEL" else "CONFIRMED"


def calendar_method(ics: str) -> str:
    """The METHOD of an iCalendar object (upper case), read with icalendar.

    Raises:
        ValueError: The text is not an iCalendar object, or it has no METHOD (then it is no iTIP message).
    """
    calendar = Calendar.from_ical(ics)
    method = calendar.get("method")
    if not method:
        raise ValueError("the calendar has no METHOD: it is not an iTIP message (RFC 5546)")
    return str(method).upper()


def add_calendar(message: EmailMessage, text: str, ics: str, filename: str) -> None:
    """Make `message` an iTIP mail: its `text` beside the calendar `ics`, and the calendar again as `filename`."""
    method = calendar_method(ics)
    message.set_content(text)
    message.add_alternative(ics, subtype="calendar", charset="utf-8", params={"method": method})
    # A file as well, for a program that shows no invitation (and for anyone who imports it by hand);
    # application/ics, so no calendar program acts on the same message twice.
    message.add_attachment(ics.encode("utf-8"), maintype="application", subtype="ics", filename=filename)
