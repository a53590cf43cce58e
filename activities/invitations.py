"""What a period sends: meeting invitations (RFC 5545 iCalendar) and reminder or escalation letters.

Everything here is built from the record alone, never from the wall clock, so a retried activity
produces byte-identical messages and files. `write_outbox_file` is the only function with I/O.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Literal

from icalendar import Calendar, Event, vCalAddress, vText

from activities.itip import event_status, meeting_method
from config.people import OwnerContact, People
from domain import calendar
from domain.records import GatheringGuest, MeetingRecord, NationalGatheringRecord, NoticeRecord

PRODID = "-//Utdanningsdirektoratet//guidance-engine//EN"
UID_DOMAIN = "guidance-engine"

MEETING_LABELS = {
    "kickoff": "kick-off meeting",
    "follow_up": "follow-up meeting",
    "phase_review": "phase review",
    "school_visit": "school visit",
    "network": "network meeting",
}

OutboxKind = Literal["meeting_invitation", "reminder", "escalation", "gathering_invitation"]


@dataclass(frozen=True)
class OutboxMessage:
    """One row of the `outbox` table: a message for the mail hand-over to send."""

    message_key: str
    workflow_id: str
    kind: OutboxKind
    recipients: list[str]
    subject: str
    body: str
    created_at: datetime
    attachment_name: str | None = None
    attachment: str | None = None


def mail_address(user: str, domain: str) -> str:
    """An adviser's mail address from their user name (without the people file; config/people.py)."""
    return People(domain).adviser_address(user)


def meeting_uid(workflow_id: str, meeting_id: str) -> str:
    """The iCalendar UID of a meeting: stable, so a moved meeting updates the event people already have."""
    return f"{workflow_id}.{meeting_id}@{UID_DOMAIN}"


def meeting_summary(record: MeetingRecord) -> str:
    """The meeting's title, or a default naming its kind and the school owner."""
    meeting = record.meeting
    if meeting.title:
        return meeting.title
    return f"Veilederkorpset: {MEETING_LABELS.get(meeting.kind, meeting.kind)} with {record.owner_name}"


def meeting_start(record: MeetingRecord) -> datetime:
    """When the meeting starts, in the record's time zone.

    Raises:
        ValueError: The time zone is not an IANA time zone name.
    """
    try:
        zone = calendar.zone(record.timezone)
    except ValueError as error:
        raise ValueError(f"timezone: {error}") from None
    return datetime.combine(record.meeting.date, record.meeting.start, tzinfo=zone)


def _description(record: MeetingRecord) -> str:
    meeting = record.meeting
    lines = [f"{meeting_summary(record)}, agreed by adviser {meeting.adviser}."]
    if meeting.schools:
        lines += ["", "Schools:", *(f"- {school}" for school in meeting.schools)]
    else:
        lines += ["", f"With the school owner {record.owner_name}."]
    if meeting.sequence:
        lines += ["", f"This invitation replaces earlier ones for this meeting (update {meeting.sequence})."]
    return "\n".join(lines)


def _address(address: str, name: str, *, attendee: bool) -> vCalAddress:
    value = vCalAddress(f"mailto:{address}")
    value.params["cn"] = vText(name)
    if attendee:
        value.params["role"] = vText("REQ-PARTICIPANT")
        value.params["partstat"] = vText("NEEDS-ACTION")
        value.params["rsvp"] = vText("TRUE")
    return value


def meeting_invitation(
    record: MeetingRecord,
    organizer_address: str,
    attendee_domain: str,
    owner_contact: OwnerContact | None = None,
    people: People | None = None,
) -> bytes:
    """An iCalendar REQUEST (a CANCEL, once cancelled: `activities.itip`) with one VEVENT, to the period's advisers
    and the owner's contact when known.

    Args:
        record: The meeting; ``meeting.sequence`` becomes SEQUENCE, ``audit.at`` becomes DTSTAMP.
        organizer_address: Mail address of the ORGANIZER (who receives the replies).
        attendee_domain: Mail domain of the advisers' addresses not in `people`.
        owner_contact: The school owner's contact person, an ATTENDEE too when known (config/people.py).
        people: The people file: advisers' addresses and names.

    Returns:
        The calendar, UTF-8 encoded with CRLF line endings as RFC 5545 requires.

    Raises:
        ValueError: The record cannot be expressed as an invitation (e.g. an unknown time zone).
    """
    meeting = record.meeting
    start = meeting_start(record)
    event = Event()
    event.add("uid", meeting_uid(record.workflow_id, meeting.meeting_id))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", record.audit.at.astimezone(UTC))
    event.add("dtstart", start)
    event.add("duration", timedelta(minutes=meeting.duration_minutes))
    event.add("summary", meeting_summary(record))
    event.add("description", _description(record))
    method = meeting_method(meeting)
    event.add("status", event_status(method))
    event.add("organizer", _address(organizer_address, meeting.adviser, attendee=False))
    book = people or People(attendee_domain)
    for adviser in record.advisers:
        event.add("attendee", _address(book.adviser_address(adviser), book.adviser_name(adviser), attendee=True))
    if owner_contact is not None:
        event.add("attendee", _address(owner_contact.address, owner_contact.name, attendee=True))

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    calendar.add_component(event)
    # A VTIMEZONE lets clients without the IANA database place DTSTART; a few years around the meeting
    # keep the file small.
    calendar.add_missing_timezones(
        first_date=date(meeting.date.year - 1, 1, 1), last_date=date(meeting.date.year + 2, 1, 1)
    )
    content: bytes = calendar.to_ical()
    return content


def invitation_message(
    record: MeetingRecord,
    invitation: bytes,
    attendee_domain: str,
    owner_contact: OwnerContact | None = None,
    people: People | None = None,
) -> OutboxMessage:
    """The outbox message that carries a meeting invitation, to its attendees; one per meeting and sequence."""
    book = people or People(attendee_domain)
    contact = [owner_contact.address] if owner_contact is not None else []
    meeting = record.meeting
    start = meeting_start(record)
    summary = meeting_summary(record)
    when = f"{start:%Y-%m-%d %H:%M} ({record.timezone}), {meeting.duration_minutes} minutes"
    cancelled = meeting.cancelled_at is not None
    headline = "Cancelled: this meeting will not take place.\n\n" if cancelled else ""
    return OutboxMessage(
        message_key=f"{record.workflow_id}/{meeting.meeting_id}/{meeting.sequence}",
        workflow_id=record.workflow_id,
        kind="meeting_invitation",
        recipients=[*(book.adviser_address(adviser) for adviser in record.advisers), *contact],
        subject=f"Cancelled: {summary}" if cancelled else f"Moved: {summary}" if meeting.sequence else summary,
        body=f"{headline}{when}\n\n{_description(record)}\n",
        created_at=record.audit.at,
        attachment_name=f"{meeting.meeting_id}.ics",
        attachment=invitation.decode("utf-8"),
    )


def notice_message(record: NoticeRecord, recipients: list[str]) -> OutboxMessage:
    """The letter of a reminder (to the advisers) or an escalation (to the Directorate)."""
    notice, period = record.notice, record.period
    owner = f"{period.owner_name} ({period.owner_id})"
    if notice.kind == "escalation":
        subject = f"Escalation: {owner} still in {notice.phase}"
    elif notice.kind == "phase_reminder":
        subject = f"Reminder: {owner}, {notice.phase} is overdue"
    elif notice.kind == "phase_second_reminder":
        subject = f"Second reminder: {owner}, {notice.phase} is overdue; escalation follows"
    else:
        subject = f"Reminder: no meeting with {owner} agreed"
    due = period.phase_due_at.date().isoformat() if period.phase_due_at else "none"
    facts = [
        f"Period: {period.workflow_id} (cohort {period.cohort}, plan {period.plan} {period.plan_version})",
        f"Phase: {notice.phase}, cycle {notice.cycle}, since {period.phase_started_on}, due {due}",
        f"Advisers: {', '.join(period.advisers)}",
    ]
    return OutboxMessage(
        message_key=f"{period.workflow_id}/{notice.key}",
        workflow_id=period.workflow_id,
        kind="escalation" if notice.kind == "escalation" else "reminder",
        recipients=recipients,
        subject=subject,
        body=notice.message + "\n\n" + "\n".join(facts) + "\n",
        created_at=notice.sent_at,
    )


def gathering_uid(cohort_workflow_id: str, gathering_id: str) -> str:
    """One UID per gathering for every owner's file: the same event, moved in place when it moves."""
    return f"{cohort_workflow_id}.{gathering_id}@{UID_DOMAIN}"


def gathering_invitation(
    record: NationalGatheringRecord, guest: GatheringGuest, organizer_address: str, attendees: list[str]
) -> bytes:
    """An iCalendar REQUEST for one owner: an all-day VEVENT on the gathering's day.

    Raises:
        ValueError: The record cannot be expressed as an invitation.
    """
    event = Event()
    event.add("uid", gathering_uid(record.workflow_id, record.gathering_id))
    event.add("sequence", record.sequence)
    event.add("dtstamp", record.audit.at.astimezone(UTC))
    event.add("dtstart", record.date)
    event.add("dtend", record.date + timedelta(days=1))
    event.add("summary", f"Veilederkorpset: {record.title}")
    event.add("location", record.place)
    lines = [
        f"The Directorate invites {guest.owner_name} ({guest.owner_id}) to {record.title}, cohort {record.cohort}."
    ]
    if record.sequence:
        lines.append(f"This invitation replaces earlier ones for this gathering (update {record.sequence}).")
    event.add("description", "\n\n".join(lines))
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add("organizer", _address(organizer_address, "Utdanningsdirektoratet", attendee=False))
    for address in attendees:
        event.add("attendee", _address(address, address.split("@")[0], attendee=True))
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    calendar.add_component(event)
    content: bytes = calendar.to_ical()
    return content


def gathering_message(
    record: NationalGatheringRecord, guest: GatheringGuest, invitation: bytes, recipients: list[str]
) -> OutboxMessage:
    """The outbox message carrying one owner's gathering invitation; one per owner and sequence."""
    subject = f"{'Moved: ' if record.sequence else ''}Veilederkorpset: {record.title}, {record.date.isoformat()}"
    return OutboxMessage(
        message_key=f"{record.workflow_id}/gathering/{record.gathering_id}/{guest.owner_id}/{record.sequence}",
        workflow_id=record.workflow_id,
        kind="gathering_invitation",
        recipients=recipients,
        subject=subject,
        body=f"{record.title}: {record.date.isoformat()}, {record.place}.\n\n"
        f"For {guest.owner_name} ({guest.owner_id}).\n",
        created_at=record.audit.at,
        attachment_name=f"{record.gathering_id}.ics",
        attachment=invitation.decode("utf-8"),
    )


def gathering_file(folder: Path, cohort_workflow_id: str, gathering_id: str, owner_id: str) -> Path:
    """Where one owner's invitation to a gathering lives, overwritten when the gathering moves."""
    return folder / _safe_name(cohort_workflow_id) / f"{_safe_name(gathering_id)}-{_safe_name(owner_id)}.ics"


def _safe_name(name: str) -> str:
    # Ids become folder and file names: refuse anything that could leave the outbox folder.
    if not name or name in {".", ".."} or any(c in name for c in "/\\\0"):
        raise ValueError(f"{name!r} cannot be used as a file name in the outbox")
    return name


def outbox_file(folder: Path, workflow_id: str, meeting_id: str) -> Path:
    """Where a meeting's invitation lives: one file per meeting, overwritten when the meeting moves."""
    return folder / _safe_name(workflow_id) / f"{_safe_name(meeting_id)}.ics"


def write_outbox_file(path: Path, content: bytes) -> None:
    """Write `content` to `path` atomically: a reader sees the old file or the new one, never half.

    A retry writes the same bytes again; a moved meeting replaces the file with the higher SEQUENCE.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        # mkstemp creates the file private to us; the mail hand-over may run as another user.
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
