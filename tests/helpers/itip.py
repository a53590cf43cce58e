"""Reading an iTIP mail as a calendar program does: the text/calendar part of its multipart/alternative."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage

from icalendar import Calendar, Component


@dataclass(frozen=True)
class Invitation:
    """What a calendar program reads from one mail: the METHOD its Content-Type names, the calendar, the text."""

    content_method: str
    calendar: Calendar
    text: str
    filename: str | None

    @property
    def method(self) -> str:
        return str(self.calendar["method"])

    @property
    def event(self) -> Component:
        [event] = self.calendar.walk("VEVENT")
        return event


def invitation_of(message: EmailMessage) -> Invitation:
    """The invitation a mail carries; fails when it is not shaped as RFC 6047 and the big calendar services say."""
    assert message.get_content_type() == "multipart/mixed", message.get_content_type()
    [alternative] = [p for p in message.iter_parts() if p.get_content_type() == "multipart/alternative"]
    parts = list(alternative.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/calendar"]
    text, calendar = parts
    assert calendar.get_content_charset() == "utf-8"
    [file] = [p for p in message.iter_attachments() if p.get_content_type() == "application/ics"]
    assert file.get_content().decode("utf-8") == calendar.get_content()
    return Invitation(
        content_method=str(calendar.get_param("method")),
        calendar=Calendar.from_ical(calendar.get_content()),
        text=text.get_content(),
        filename=file.get_filename(),
    )
