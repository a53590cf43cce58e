"""Meeting invitations: RFC 5545 requests that are the same bytes for the same record."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar

from activities.invitations import meeting_invitation
from domain.records import MeetingRecord
from tests.activities import factories
from tests.activities.factories import STARTED_AT

SCHEDULED_AT = STARTED_AT + timedelta(days=20)


def _record(title: str = "") -> MeetingRecord:
    request = factories.follow_up().model_copy(update={"title": title})
    return factories.meeting(factories.new_period(), request, SCHEDULED_AT, "update:meeting-1")


def _parse(record: MeetingRecord) -> Calendar:
    return Calendar.from_ical(meeting_invitation(record, factories.participants(record), language="en"))


def test_the_same_record_gives_the_same_bytes() -> None:
    record = _record()

    first = meeting_invitation(record, factories.participants(record), language="en")
    again = meeting_invitation(record.model_copy(deep=True), factories.participants(record), language="en")

    assert first == again
    assert b"\r\n" in first
    assert b"DTSTAMP:20270124T080000Z" in first


def test_an_untitled_meeting_is_named_by_kind_and_owner() -> None:
    [event] = _parse(_record()).walk("VEVENT")

    assert event.get("summary") == "Veilederkorpset: follow-up meeting with Drammen"


def test_a_titled_meeting_keeps_its_title_and_lists_its_schools() -> None:
    [event] = _parse(_record(title="Oppfølging: vurdering for læring")).walk("VEVENT")

    assert event.get("summary") == "Oppfølging: vurdering for læring"
    assert "- Fjell skole\n- Brandengen skole" in event.get("description")
    assert str(event.get("organizer")) == "mailto:a.hansen@veileder.test"


def test_the_time_zone_is_described_for_clients_without_one() -> None:
    calendar = _parse(_record())

    assert [tz.get("tzid") for tz in calendar.walk("VTIMEZONE")] == ["Europe/Oslo"]
