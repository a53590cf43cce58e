"""What a period sends: meeting invitations (RFC 5545 iCalendar) and reminder or escalation letters.

Everything here is built from the record and the recipient's language alone, never from the wall clock, so a
retried activity produces byte-identical messages and files. `write_outbox_file` is the only function with I/O.

Each message is written in the language it is given (`activities.recipients` says which one a recipient reads):
the text is rendered inside `language.current.using(language)`, so a worker that writes a nynorsk letter and
then a bokmål one never leaves a language set behind. Machine fields (DTSTART, UIDs, message keys, file names)
stay the same in every language.
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
from config.people import Participant, Participants
from config.settings import InvalidPlanSettings, UnknownPlan, resolve_plan
from domain import calendar
from domain.programme import PlanLabels
from domain.records import GatheringGuest, MeetingRecord, NationalGatheringRecord, NoticeRecord
from language import Language, formats
from language.current import N_, current_language, gettext, using

PRODID = "-//Utdanningsdirektoratet//guidance-engine//EN"
UID_DOMAIN = "guidance-engine"

#: The meeting kinds' names (English, translated by `meeting_kind_label`).
MEETING_LABELS = {
    "kickoff": N_("kick-off meeting"),
    "follow_up": N_("follow-up meeting"),
    "phase_review": N_("phase review"),
    "school_visit": N_("school visit"),
    "network": N_("network meeting"),
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
    #: The language the subject, body and calendar texts are written in (None: not known).
    language: Language | None = None


def meeting_kind_label(kind: str, plan: str | None = None) -> str:
    """A meeting kind's name in the current language, the one spot where letters name one: the plan's label for it
    (``[labels.nn.meeting_kinds]``), else the engine's name for the kinds every plan knows, else its id with spaces."""
    labels = _plan_labels(plan)
    named = labels.named("meeting_kinds", kind) if labels is not None else None
    if named:
        return named
    label = MEETING_LABELS.get(kind)
    return gettext(label) if label else kind.replace("_", " ")


def phase_label(phase: str, plan: str | None = None) -> str:
    """A phase as the letters name it, in the current language: the plan's label for it (``[labels.nn.phases]`` in
    the plan's file), else its id with spaces (a plan without labels in that language, English, an unknown plan).

    The plan's labels are read from its file as the worker resolves it (`config.settings.resolve_plan`), like the
    web pages do (`readmodel.labels`): the one lookup is `PlanLabels.named`.
    """
    labels = _plan_labels(plan)
    named = labels.named("phases", phase) if labels is not None else None
    return named or phase.replace("_", " ")


def _plan_labels(plan: str | None) -> PlanLabels | None:
    if not plan:
        return None
    try:
        return resolve_plan(plan).labels.get(current_language())
    except (UnknownPlan, InvalidPlanSettings):
        return None  # a letter still goes, naming the phase by its id


def _ics_text(text: str, language: Language) -> vText:
    # RFC 5545 LANGUAGE parameter: a calendar client may pick a font or a spell checker by it.
    value = vText(text)
    value.params["language"] = language
    return value


def meeting_uid(workflow_id: str, meeting_id: str) -> str:
    """The iCalendar UID of a meeting: stable, so a moved meeting updates the event people already have."""
    return f"{workflow_id}.{meeting_id}@{UID_DOMAIN}"


def meeting_summary(record: MeetingRecord, *, plan: str | None = None) -> str:
    """The meeting's title, or a default naming its kind and the school owner (in the current language)."""
    meeting = record.meeting
    if meeting.title:
        return meeting.title
    return gettext("Veilederkorpset: %(meeting)s with %(owner)s") % {
        "meeting": meeting_kind_label(meeting.kind, plan),
        "owner": record.owner_name,
    }


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


def _description(record: MeetingRecord, plan: str | None) -> str:
    meeting = record.meeting
    lines = [
        gettext("%(meeting)s, agreed by adviser %(adviser)s.")
        % {"meeting": meeting_summary(record, plan=plan), "adviser": meeting.adviser}
    ]
    if meeting.schools:
        lines += ["", gettext("Schools:"), *(f"- {school}" for school in meeting.schools)]
    else:
        lines += ["", gettext("With the school owner %(owner)s.") % {"owner": record.owner_name}]
    if meeting.sequence:
        lines += [
            "",
            gettext("This invitation replaces earlier ones for this meeting (update %(sequence)s).")
            % {"sequence": meeting.sequence},
        ]
    return "\n".join(lines)


def _address(address: str, name: str, *, attendee: bool) -> vCalAddress:
    value = vCalAddress(f"mailto:{address}")
    value.params["cn"] = vText(name)
    if attendee:
        value.params["role"] = vText("REQ-PARTICIPANT")
        value.params["partstat"] = vText("NEEDS-ACTION")
        value.params["rsvp"] = vText("TRUE")
    return value


def add_participants(event: Event, participants: Participants) -> None:
    """The event's ORGANIZER and ATTENDEEs, as `config.people.People.meeting_participants` chose them (the mailed
    invitation and the calendar feeds name the same people)."""
    if participants.organizer is not None:
        event.add("organizer", _participant(participants.organizer, attendee=False))
    for attendee in participants.attendees:
        event.add("attendee", _participant(attendee, attendee=True))


def _participant(person: Participant, *, attendee: bool) -> vCalAddress:
    return _address(person.address, person.name, attendee=attendee)


def meeting_invitation(
    record: MeetingRecord,
    participants: Participants,
    *,
    language: Language,
    plan: str | None = None,
) -> bytes:
    """An iCalendar REQUEST (a CANCEL, once cancelled: `activities.itip`) with one VEVENT, to the period's advisers
    and the owner's contact when known.

    Args:
        record: The meeting; ``meeting.sequence`` becomes SEQUENCE, ``audit.at`` becomes DTSTAMP.
        participants: ORGANIZER (who receives the replies) and ATTENDEEs (`config.people.People.meeting_participants`).
        language: The language of SUMMARY and DESCRIPTION.

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
    with using(language):
        event.add("summary", _ics_text(meeting_summary(record, plan=plan), language))
        event.add("description", _ics_text(_description(record, plan), language))
    method = meeting_method(meeting)
    event.add("status", event_status(method))
    add_participants(event, participants)

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
    participants: Participants,
    *,
    language: Language,
    plan: str | None = None,
) -> OutboxMessage:
    """The outbox message that carries a meeting invitation, in `language`, to its attendees; one per meeting and
    sequence."""
    meeting = record.meeting
    start = meeting_start(record)
    cancelled = meeting.cancelled_at is not None
    with using(language):
        summary = meeting_summary(record, plan=plan)
        when = gettext("%(weekday)s %(when)s (%(zone)s), %(minutes)s minutes") % {
            "weekday": formats.weekday(start.date()),
            "when": formats.day(start, start.tzinfo or UTC),
            "zone": record.timezone,
            "minutes": formats.number(meeting.duration_minutes),
        }
        if cancelled:
            subject = gettext("Cancelled: %(summary)s") % {"summary": summary}
            headline = gettext("Cancelled: this meeting will not take place.") + "\n\n"
        else:
            subject = gettext("Moved: %(summary)s") % {"summary": summary} if meeting.sequence else summary
            headline = ""
        body = f"{headline}{when}\n\n{_description(record, plan)}\n"
    return OutboxMessage(
        message_key=f"{record.workflow_id}/{meeting.meeting_id}/{meeting.sequence}",
        workflow_id=record.workflow_id,
        kind="meeting_invitation",
        recipients=participants.addresses,
        subject=subject,
        body=body,
        created_at=record.audit.at,
        attachment_name=f"{meeting.meeting_id}.ics",
        attachment=invitation.decode("utf-8"),
        language=language,
    )


def notice_message(record: NoticeRecord, recipients: list[str], *, language: Language) -> OutboxMessage:
    """The letter of a reminder (to the advisers) or an escalation (to the Directorate), in `language`.

    The workflow's own sentence (``notice.message``, English, kept in the reminders table and the audit log) is
    not sent: the letter says the same from the record's facts in the reader's language.
    """
    notice, period = record.notice, record.period
    with using(language):
        subject, lead = _notice_text(record)
        facts = [
            gettext("Period: %(period)s (cohort %(cohort)s, plan %(plan)s %(version)s)")
            % {
                "period": period.workflow_id,
                "cohort": period.cohort,
                "plan": period.plan,
                "version": period.plan_version,
            },
            gettext("Phase: %(phase)s, cycle %(cycle)s, since %(since)s, due %(due)s")
            % {
                "phase": phase_label(notice.phase, period.plan),
                "cycle": notice.cycle,
                "since": formats.day(period.phase_started_on, UTC),
                "due": _due_day(record),
            },
            gettext("Advisers: %(advisers)s") % {"advisers": ", ".join(period.advisers)},
        ]
    return OutboxMessage(
        message_key=f"{period.workflow_id}/{notice.key}",
        workflow_id=period.workflow_id,
        kind="escalation" if notice.kind == "escalation" else "reminder",
        recipients=recipients,
        subject=subject,
        body=lead + "\n\n" + "\n".join(facts) + "\n",
        created_at=notice.sent_at,
        language=language,
    )


def _due_day(record: NoticeRecord) -> str:
    # The deadline's day as the period's record holds it (the workflow sets it at the end of a working day).
    due = record.period.phase_due_at
    return formats.long_day(due.date()) if due else gettext("none")


def _notice_text(record: NoticeRecord) -> tuple[str, str]:
    """The subject and the opening sentence of a notice, in the current language."""
    notice, period = record.notice, record.period
    values = {
        "owner": f"{period.owner_name} ({period.owner_id})",
        "phase": phase_label(notice.phase, period.plan),
        "since": formats.long_day(period.phase_started_on),
        "due": _due_day(record),
    }
    if notice.kind == "escalation":
        return (
            gettext("Escalation: %(owner)s still in %(phase)s") % values,
            gettext(
                "%(owner)s has been in the phase %(phase)s since %(since)s and the reminders to the advisers "
                "have not helped; the Directorate should follow it up."
            )
            % values,
        )
    if notice.kind == "phase_reminder":
        return (
            gettext("Reminder: %(owner)s, %(phase)s is overdue") % values,
            gettext(
                "The phase %(phase)s was due %(due)s and has not been closed; record its closing milestone or "
                "agree a new plan with the school owner."
            )
            % values,
        )
    if notice.kind == "at_risk":
        return (
            gettext("At risk: %(owner)s, %(phase)s is due %(due)s") % values,
            gettext(
                "Most of the time for the phase %(phase)s has passed and its closing milestone has not been "
                "recorded; it is due %(due)s. Agree with the school owner how to finish it in time."
            )
            % values,
        )
    if notice.kind == "phase_second_reminder":
        return (
            gettext("Second reminder: %(owner)s, %(phase)s is overdue; escalation follows") % values,
            gettext(
                "Second reminder: the phase %(phase)s was due %(due)s; unless its closing milestone is recorded, "
                "the Directorate will be told."
            )
            % values,
        )
    return (
        gettext("Reminder: no meeting with %(owner)s agreed") % values,
        gettext("No meeting with %(owner)s has been agreed for a while; agree the next one.") % values,
    )


def gathering_uid(cohort_workflow_id: str, gathering_id: str) -> str:
    """One UID per gathering for every owner's file: the same event, moved in place when it moves."""
    return f"{cohort_workflow_id}.{gathering_id}@{UID_DOMAIN}"


def gathering_invitation(
    record: NationalGatheringRecord,
    guest: GatheringGuest,
    organizer_address: str,
    attendees: list[str],
    *,
    language: Language,
) -> bytes:
    """An iCalendar REQUEST for one owner: an all-day VEVENT on the gathering's day, its texts in `language`.

    Raises:
        ValueError: The record cannot be expressed as an invitation.
    """
    event = Event()
    event.add("uid", gathering_uid(record.workflow_id, record.gathering_id))
    event.add("sequence", record.sequence)
    event.add("dtstamp", record.audit.at.astimezone(UTC))
    event.add("dtstart", record.date)
    event.add("dtend", record.date + timedelta(days=1))
    event.add("location", record.place)
    with using(language):
        event.add("summary", _ics_text(_gathering_summary(record), language))
        event.add("description", _ics_text(_gathering_description(record, guest), language))
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


def _gathering_summary(record: NationalGatheringRecord) -> str:
    # The title is the Directorate's own (one per gathering), so it stays as given.
    return gettext("Veilederkorpset: %(title)s") % {"title": record.title}


def _gathering_description(record: NationalGatheringRecord, guest: GatheringGuest) -> str:
    lines = [
        gettext("The Directorate invites %(owner)s to the national gathering %(title)s, cohort %(cohort)s.")
        % {"owner": f"{guest.owner_name} ({guest.owner_id})", "title": record.title, "cohort": record.cohort}
    ]
    if record.sequence:
        lines.append(
            gettext("This invitation replaces earlier ones for this gathering (update %(sequence)s).")
            % {"sequence": record.sequence}
        )
    return "\n\n".join(lines)


def gathering_message(
    record: NationalGatheringRecord,
    guest: GatheringGuest,
    invitation: bytes,
    recipients: list[str],
    *,
    language: Language,
) -> OutboxMessage:
    """The outbox message carrying one owner's gathering invitation, in `language`; one per owner and sequence."""
    with using(language):
        summary = gettext("%(summary)s, %(day)s") % {
            "summary": _gathering_summary(record),
            "day": formats.long_day(record.date),
        }
        subject = gettext("Moved: %(summary)s") % {"summary": summary} if record.sequence else summary
        body = (
            gettext("%(title)s: %(day)s, %(place)s.")
            % {"title": record.title, "day": formats.long_day(record.date), "place": record.place}
            + "\n\n"
            + gettext("For %(owner)s.") % {"owner": f"{guest.owner_name} ({guest.owner_id})"}
            + "\n"
        )
    return OutboxMessage(
        message_key=f"{record.workflow_id}/gathering/{record.gathering_id}/{guest.owner_id}/{record.sequence}",
        workflow_id=record.workflow_id,
        kind="gathering_invitation",
        recipients=recipients,
        subject=subject,
        body=body,
        created_at=record.audit.at,
        attachment_name=f"{record.gathering_id}.ics",
        attachment=invitation.decode("utf-8"),
        language=language,
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
