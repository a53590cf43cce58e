"""The record store: one activity per record the workflow writes, each one transaction over asyncpg.

Every activity is idempotent by the natural keys of `schema.sql`, so Temporal may retry it freely:

- facts (phase transitions, milestones, notices, outbox messages, audit entries) are inserted with
  ``ON CONFLICT DO NOTHING``: the first write wins and a retry changes nothing;
- states (periods, meetings, gatherings, final evaluations) are upserted only when the incoming row
  is at least as new as the stored one, so a late or repeated older write never regresses a row.

Bad data (a constraint the database refuses, ids that do not belong together, an unknown time zone)
raises a non-retryable `ApplicationError` of type ``InvalidRecord``; anything else, such as a lost
connection, is left for Temporal to retry.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import asyncpg
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.invitations import (
    OutboxMessage,
    invitation_message,
    meeting_invitation,
    meeting_start,
    notice_message,
    outbox_file,
    write_outbox_file,
)
from activities.logging import activity_logger
from activities.metrics import count_notice_sent
from activities.recipients import (
    OWNER_OF_PERIOD,
    PLAN_OF_PERIOD,
    letter_to_county_governor,
    notice_language,
    period_owner_language,
    stored_contact,
)
from config.people import People, load_people
from config.settings import AppSettings
from domain.contract import INVALID_RECORD, Activities
from domain.records import (
    AdvisersChangeRecord,
    AuditEntry,
    CompetenceEnvironmentRecord,
    FinalEvaluationRecord,
    GatheringRecord,
    InvitationRecord,
    MeetingRecord,
    MeetingRecords,
    MilestoneRecord,
    NoticeRecord,
    PeriodSnapshot,
    PeriodStartedRecord,
    PhaseChangeRecord,
    PhaseTransition,
)
from language import Language, formats
from language.current import gettext, using

# The periods table has one column per PeriodSnapshot field (schema.sql), so the statement is built
# from the model: a field added to the snapshot without a column fails loudly at the first write.
_PERIOD_COLUMNS = tuple(PeriodSnapshot.model_fields)
UPSERT_PERIOD = (
    f"INSERT INTO periods ({', '.join(_PERIOD_COLUMNS)}) "
    f"VALUES ({', '.join(f'${i}' for i in range(1, len(_PERIOD_COLUMNS) + 1))}) "
    "ON CONFLICT (workflow_id) DO UPDATE SET "
    + ", ".join(f"{c} = EXCLUDED.{c}" for c in _PERIOD_COLUMNS if c != "workflow_id")
    + " WHERE periods.updated_at <= EXCLUDED.updated_at"
)

# A plan's version never changes once periods run on it: the first row stays.
INSERT_PLAN = """
INSERT INTO programme_plans (plan, version, definition) VALUES ($1, $2, $3)
ON CONFLICT (plan, version) DO NOTHING
"""

INSERT_AUDIT = """
INSERT INTO audit_log (workflow_id, event_key, at, actor, action, details)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (workflow_id, event_key) DO NOTHING
"""

INSERT_TRANSITION = """
INSERT INTO phase_transitions (workflow_id, sequence, cycle, from_phase, to_phase, at, actor)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (workflow_id, sequence) DO NOTHING
"""

INSERT_MILESTONE = """
INSERT INTO milestones (workflow_id, cycle, milestone, adviser, note, recorded_at, development_area, goals, skipped,
                        partner, partner_name, report_date, report_ref)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
ON CONFLICT (workflow_id, cycle, milestone) DO NOTHING
"""

# RETURNING yields a row only when this write took effect; an older sequence arriving late yields none.
UPSERT_MEETING = """
INSERT INTO meetings (workflow_id, meeting_id, sequence, kind, meeting_date, start_time, timezone, starts_at,
                      duration_minutes, adviser, schools, title, scheduled_at, series, cancelled_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
ON CONFLICT (workflow_id, meeting_id) DO UPDATE SET
    sequence = EXCLUDED.sequence, kind = EXCLUDED.kind, meeting_date = EXCLUDED.meeting_date,
    start_time = EXCLUDED.start_time, timezone = EXCLUDED.timezone, starts_at = EXCLUDED.starts_at,
    duration_minutes = EXCLUDED.duration_minutes, adviser = EXCLUDED.adviser, schools = EXCLUDED.schools,
    title = EXCLUDED.title, scheduled_at = EXCLUDED.scheduled_at, series = EXCLUDED.series,
    cancelled_at = EXCLUDED.cancelled_at
WHERE meetings.sequence <= EXCLUDED.sequence
RETURNING sequence
"""

# The newest step wins: a late write of an older step never takes an environment back (updated_at).
UPSERT_COMPETENCE_ENVIRONMENT = """
INSERT INTO competence_environments (workflow_id, cycle, environment_id, name, kind, development_area, state,
                                     proposed_on, contacted_on, agreed_on, note, adviser, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
ON CONFLICT (workflow_id, cycle, environment_id) DO UPDATE SET
    name = EXCLUDED.name, kind = EXCLUDED.kind, development_area = EXCLUDED.development_area,
    state = EXCLUDED.state, proposed_on = EXCLUDED.proposed_on, contacted_on = EXCLUDED.contacted_on,
    agreed_on = EXCLUDED.agreed_on, note = EXCLUDED.note, adviser = EXCLUDED.adviser, updated_at = EXCLUDED.updated_at
WHERE competence_environments.updated_at <= EXCLUDED.updated_at
"""

INSERT_REMINDER = """
INSERT INTO reminders (workflow_id, notice_key, kind, phase, cycle, sent_at, message, recipients)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (workflow_id, notice_key) DO NOTHING
"""

INSERT_ESCALATION = """
INSERT INTO escalations (workflow_id, notice_key, phase, cycle, sent_at, message, recipients)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (workflow_id, notice_key) DO NOTHING
"""

UPSERT_GATHERING = """
INSERT INTO gatherings (workflow_id, gathering_id, title, gathering_date, place, received_at)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (workflow_id, gathering_id) DO UPDATE SET
    title = EXCLUDED.title, gathering_date = EXCLUDED.gathering_date, place = EXCLUDED.place,
    received_at = EXCLUDED.received_at
WHERE gatherings.received_at <= EXCLUDED.received_at
"""

UPSERT_FINAL_EVALUATION = """
INSERT INTO final_evaluations (workflow_id, outcome, cycles, last_working_phase, milestone_count, meeting_count,
                               gathering_count, reminder_count, escalation_count, development_area, goals,
                               ended_at, summary)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
ON CONFLICT (workflow_id) DO UPDATE SET
    outcome = EXCLUDED.outcome, cycles = EXCLUDED.cycles, last_working_phase = EXCLUDED.last_working_phase,
    milestone_count = EXCLUDED.milestone_count, meeting_count = EXCLUDED.meeting_count,
    gathering_count = EXCLUDED.gathering_count, reminder_count = EXCLUDED.reminder_count,
    escalation_count = EXCLUDED.escalation_count, development_area = EXCLUDED.development_area,
    goals = EXCLUDED.goals, ended_at = EXCLUDED.ended_at, summary = EXCLUDED.summary
WHERE final_evaluations.ended_at <= EXCLUDED.ended_at
"""

INSERT_OUTBOX = """
INSERT INTO outbox (message_key, workflow_id, kind, recipients, subject, body, attachment_name, attachment,
                    created_at, language)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (message_key) DO NOTHING
"""

UPSERT_INVITATION = """
INSERT INTO invitations (cohort, owner_id, workflow_id, owner_name, owner_kind, county, advisers, network, state,
                         reply_by, no_reply_on, start_date, answered_by, period_workflow_id, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
ON CONFLICT (cohort, owner_id) DO UPDATE SET
    workflow_id = EXCLUDED.workflow_id, owner_name = EXCLUDED.owner_name, owner_kind = EXCLUDED.owner_kind,
    county = EXCLUDED.county, advisers = EXCLUDED.advisers, network = EXCLUDED.network, state = EXCLUDED.state,
    reply_by = EXCLUDED.reply_by, no_reply_on = EXCLUDED.no_reply_on, start_date = EXCLUDED.start_date,
    answered_by = EXCLUDED.answered_by, period_workflow_id = EXCLUDED.period_workflow_id,
    updated_at = EXCLUDED.updated_at
WHERE invitations.updated_at <= EXCLUDED.updated_at
"""

Connection = asyncpg.pool.PoolConnectionProxy


@contextmanager
def _bad_data_is_final(what: str) -> Iterator[None]:
    """Turn errors that a retry cannot fix into a non-retryable ``InvalidRecord``."""
    try:
        yield
    except (asyncpg.IntegrityConstraintViolationError, asyncpg.DataError, ValueError) as error:
        activity_logger().error("record refused", record=what, error=str(error))
        raise ApplicationError(
            f"{what} refused: {error}", type(error).__name__, type=INVALID_RECORD, non_retryable=True
        ) from error


def _check_one_period(workflow_id: str, *parts: AuditEntry | PhaseTransition) -> None:
    for part in parts:
        if part.workflow_id != workflow_id:
            raise ValueError(
                f"workflow_id: the record is for {workflow_id!r} but its {type(part).__name__} is for "
                f"{part.workflow_id!r}"
            )


async def _upsert_period(connection: Connection, snapshot: PeriodSnapshot) -> None:
    await connection.execute(UPSERT_PERIOD, *(getattr(snapshot, column) for column in _PERIOD_COLUMNS))


async def _insert_audit(connection: Connection, entry: AuditEntry) -> None:
    # Through JSON mode so that dates, enums and models in the details become plain JSON values.
    details: dict[str, Any] = entry.model_dump(mode="json")["details"]
    await connection.execute(
        INSERT_AUDIT, entry.workflow_id, entry.event_key, entry.at, entry.actor, entry.action, details
    )


async def _insert_transition(connection: Connection, transition: PhaseTransition) -> None:
    await connection.execute(
        INSERT_TRANSITION,
        transition.workflow_id,
        transition.sequence,
        transition.cycle,
        transition.from_phase,
        transition.to_phase,
        transition.at,
        transition.by,
    )


async def _insert_outbox(connection: Connection, message: OutboxMessage) -> None:
    await connection.execute(
        INSERT_OUTBOX,
        message.message_key,
        message.workflow_id,
        message.kind,
        message.recipients,
        message.subject,
        message.body,
        message.attachment_name,
        message.attachment,
        message.created_at,
        message.language,
    )


async def _queue_county_governor_letter(
    connection: Connection,
    settings: AppSettings,
    message_key: str,
    workflow_id: str,
    county: str,
    letter: tuple[str, str, str],
    at: datetime,
    language: Language,
) -> None:
    """Queue a letter (kind, subject, body) to a county's governor: a cohort's invitations and its assessments."""
    kind, subject, body = letter
    address = settings.county_governor_address.format(county=county)
    await connection.execute(
        INSERT_OUTBOX, message_key, workflow_id, kind, [address], subject, body, None, None, at, language
    )


def _invitation_letter(record: InvitationRecord, language: Language) -> tuple[str, str, str] | None:
    """The outbox kind, subject and body of the letter an invitation event sends, if it sends one, in `language`."""
    if record.event not in ("invited", "reminded"):
        return None
    with using(language):
        values = {
            "owner": f"{record.owner_name} ({record.owner_id})",
            "cohort": record.cohort,
            "start": formats.long_day(record.start_date),
            "reply_by": formats.long_day(record.reply_by),
            "no_reply_on": formats.long_day(record.no_reply_on),
        }
        facts = [
            gettext("Cohort: %(cohort)s; periods start %(start)s") % values,
            gettext("Advisers: %(advisers)s") % {"advisers": ", ".join(record.advisers)},
            *([gettext("Network: %(network)s") % {"network": record.network}] if record.network else []),
            gettext("Answer by: %(reply_by)s") % values,
        ]
        if record.event == "invited":
            kind = "invitation_letter"
            subject = gettext("Veilederkorpset: invitation to %(owner)s, cohort %(cohort)s") % values
            lead = (
                gettext(
                    "The Directorate invites %(owner)s to a guidance period with the guidance corps. Please pass "
                    "the invitation on and tell us whether the school owner accepts or declines by %(reply_by)s."
                )
                % values
            )
        else:
            kind = "invitation_reminder"
            subject = gettext("Reminder: no answer from %(owner)s, cohort %(cohort)s") % values
            lead = (
                gettext(
                    "We have not had an answer from %(owner)s. Without one by %(no_reply_on)s the school owner is "
                    "recorded as not replying."
                )
                % values
            )
    return kind, subject, lead + "\n\n" + "\n".join(facts) + "\n"


def _final_evaluation_audit(record: FinalEvaluationRecord) -> AuditEntry:
    # The record carries no audit entry of its own, yet the end of a period belongs in the audit log,
    # which outlives Temporal's histories; one per period, keyed like the record.
    return AuditEntry(
        workflow_id=record.workflow_id,
        event_key="final_evaluation",
        at=record.ended_at,
        actor="system",
        action=f"period {record.outcome}",
        details={"summary": record.summary, "cycles": record.cycles},
    )


class RecordStore:
    """The activities that write a period's records to PostgreSQL and hand messages to the outbox.

    Args:
        pool: The shared connection pool (activities.db.create_pool).
        settings: Mail addresses and the outbox folder.
    """

    def __init__(self, pool: asyncpg.Pool, settings: AppSettings, people: People | None = None) -> None:
        self._pool = pool
        self._settings = settings
        # Who receives what: the people file (GUIDANCE_PEOPLE_FILE), read once; a bad one raises PeopleFileError.
        self._people = people if people is not None else load_people(settings.people_file, settings.adviser_mail_domain)

    @property
    def pool(self) -> asyncpg.Pool:
        return self._pool

    @property
    def settings(self) -> AppSettings:
        return self._settings

    @property
    def people(self) -> People:
        return self._people

    def _adviser_addresses(self, advisers: list[str]) -> list[str]:
        return [self._people.adviser_address(adviser) for adviser in advisers]

    @activity.defn(name=Activities.RECORD_PERIOD_STARTED)
    async def record_period_started(self, record: PeriodStartedRecord) -> None:
        """Store the new period's row and the audit entry of its start."""
        with _bad_data_is_final("period start"):
            _check_one_period(record.period.workflow_id, record.audit)
            async with self._pool.acquire() as connection, connection.transaction():
                await _upsert_period(connection, record.period)
                await _insert_audit(connection, record.audit)
                plan = record.plan
                await connection.execute(INSERT_PLAN, plan.name, plan.version, plan.model_dump(mode="json"))
        activity_logger().info("period start recorded", cohort=record.period.cohort, owner=record.period.owner_id)

    @activity.defn(name=Activities.RECORD_MILESTONE)
    async def record_milestone(self, record: MilestoneRecord) -> None:
        """Store a milestone, the phase transition it caused and the period's new row."""
        milestone = record.milestone
        with _bad_data_is_final("milestone"):
            _check_one_period(record.period.workflow_id, record.transition, record.audit)
            async with self._pool.acquire() as connection, connection.transaction():
                await _upsert_period(connection, record.period)
                await connection.execute(
                    INSERT_MILESTONE,
                    record.period.workflow_id,
                    milestone.cycle,
                    milestone.milestone,
                    milestone.adviser,
                    milestone.note,
                    milestone.recorded_at,
                    milestone.development_area,
                    milestone.goals,
                    milestone.skipped,
                    milestone.partner,
                    milestone.partner_name,
                    milestone.report_date,
                    milestone.report_ref,
                )
                await _insert_transition(connection, record.transition)
                await _insert_audit(connection, record.audit)
        activity_logger().info(
            "milestone recorded", milestone=milestone.milestone, cycle=milestone.cycle, phase=record.period.phase
        )

    @activity.defn(name=Activities.RECORD_PHASE_CHANGE)
    async def record_phase_change(self, record: PhaseChangeRecord) -> None:
        """Store a phase change that is not a milestone (withdrawal, expiry) and the period's new row."""
        with _bad_data_is_final("phase change"):
            _check_one_period(record.period.workflow_id, record.transition, record.audit)
            async with self._pool.acquire() as connection, connection.transaction():
                await _upsert_period(connection, record.period)
                await _insert_transition(connection, record.transition)
                await _insert_audit(connection, record.audit)
        activity_logger().info(
            "phase change recorded", from_phase=record.transition.from_phase, to_phase=record.transition.to_phase
        )

    @activity.defn(name=Activities.RECORD_ADVISERS_CHANGE)
    async def record_advisers_change(self, record: AdvisersChangeRecord) -> None:
        """Store the period's row with its new advisers and the audit entry of the change (from whom to whom)."""
        with _bad_data_is_final("change of advisers"):
            _check_one_period(record.period.workflow_id, record.audit)
            async with self._pool.acquire() as connection, connection.transaction():
                await _upsert_period(connection, record.period)
                await _insert_audit(connection, record.audit)
        activity_logger().info("advisers changed", advisers=record.period.advisers)

    @activity.defn(name=Activities.RECORD_COMPETENCE_ENVIRONMENT)
    async def record_competence_environment(self, record: CompetenceEnvironmentRecord) -> None:
        """Store where a competence environment of the period stands (its row, the day of each step) and the audit
        entry of the step; the note kept is the last step's."""
        entry = record.entry
        days = {step.state: step.date for step in entry.steps}
        last = entry.steps[-1]
        with _bad_data_is_final("competence environment"):
            _check_one_period(record.workflow_id, record.audit)
            if "proposed" not in days:
                raise ValueError(f"entry: {entry.environment_id} has no proposal among its steps")
            async with self._pool.acquire() as connection, connection.transaction():
                await connection.execute(
                    UPSERT_COMPETENCE_ENVIRONMENT,
                    record.workflow_id,
                    entry.cycle,
                    entry.environment_id,
                    entry.name,
                    entry.kind,
                    entry.development_area,
                    entry.state,
                    days["proposed"],
                    days.get("contacted"),
                    days.get("agreed"),
                    last.note,
                    last.adviser,
                    last.recorded_at,
                )
                await _insert_audit(connection, record.audit)
        activity_logger().info("competence environment recorded", environment=entry.environment_id, state=entry.state)

    @activity.defn(name=Activities.RECORD_MEETING)
    async def record_meeting(self, record: MeetingRecord) -> str:
        """Store a meeting and send its invitation: an outbox message and ``<outbox>/<workflow>/<meeting>.ics``.

        A moved meeting (same id, higher sequence) replaces the row and the file; an older sequence
        arriving late changes neither.

        Returns:
            The path of the meeting's invitation file.
        """
        return (await self._store_meetings([record]))[0]

    @activity.defn(name=Activities.RECORD_MEETINGS)
    async def record_meetings(self, batch: MeetingRecords) -> list[str]:
        """Store the meetings a plan proposes at a period's start and send their invitations, as `record_meeting`
        does each, in one transaction: one activity (one Temporal Cloud action) however many the plan proposes.

        Returns:
            The paths of the invitation files, in the order of the meetings.
        """
        return await self._store_meetings(batch.records)

    async def _store_meetings(self, records: list[MeetingRecord]) -> list[str]:
        """Meetings' rows, invitations (outbox messages and files) and audit entries, in one transaction.

        Every record is checked before any row is touched, and the files are written once every row is: bad data in
        any record of a batch leaves neither a row nor a file of it.
        """
        settings = self._settings
        with _bad_data_is_final("meeting"):
            paths = []
            for record in records:
                _check_one_period(record.workflow_id, record.audit)
                meeting_start(record)  # an unknown time zone is bad data
                paths.append(outbox_file(settings.outbox_path, record.workflow_id, record.meeting.meeting_id).resolve())
            async with self._pool.acquire() as connection, connection.transaction():
                invitations = [await self._store_meeting(connection, record) for record in records]
                # Written while the meetings' rows are locked (until the commit), so two sequences of one meeting
                # cannot interleave and leave the older invitation in the file.
                for path, invitation in zip(paths, invitations, strict=True):
                    if invitation is not None:
                        await asyncio.to_thread(write_outbox_file, path, invitation)
        for record, path, invitation in zip(records, paths, invitations, strict=True):
            activity_logger().info(
                "meeting recorded" if invitation is not None else "older meeting sequence ignored",
                meeting_id=record.meeting.meeting_id,
                sequence=record.meeting.sequence,
                path=str(path),
            )
        return [str(path) for path in paths]

    async def _store_meeting(self, connection: Connection, record: MeetingRecord) -> bytes | None:
        """A meeting's row, outbox message and audit entry, in the caller's transaction.

        Returns:
            The invitation file's content, or None when an older sequence of the meeting arrived late (no change).
        """
        meeting = record.meeting
        language = await period_owner_language(connection, record.workflow_id)
        # Who it names and reaches: the period's advisers and its owner's contact (config/people.py's rule).
        owner_id = await connection.fetchval(OWNER_OF_PERIOD, record.workflow_id)
        kept = await stored_contact(connection, record.workflow_id)
        contact = self._people.owner_contact(owner_id, kept) if owner_id else kept
        participants = self._people.meeting_participants(meeting.adviser, record.advisers, contact)
        plan = await connection.fetchval(PLAN_OF_PERIOD, record.workflow_id)
        invitation = meeting_invitation(record, participants, language=language, plan=plan)
        latest = await connection.fetchval(
            UPSERT_MEETING,
            record.workflow_id,
            meeting.meeting_id,
            meeting.sequence,
            meeting.kind,
            meeting.date,
            meeting.start,
            record.timezone,
            meeting_start(record),
            meeting.duration_minutes,
            meeting.adviser,
            meeting.schools,
            meeting.title,
            meeting.scheduled_at,
            meeting.series,
            meeting.cancelled_at,
        )
        if latest is not None:
            await _insert_outbox(
                connection,
                invitation_message(record, invitation, participants, language=language, plan=plan),
            )
        await _insert_audit(connection, record.audit)
        return invitation if latest is not None else None

    @activity.defn(name=Activities.SEND_NOTICE)
    async def send_notice(self, record: NoticeRecord) -> None:
        """Store a reminder (to the advisers) or an escalation (to the Directorate) and queue its letter."""
        notice, period = record.notice, record.period
        with _bad_data_is_final("notice"):
            _check_one_period(period.workflow_id, record.audit)
            async with self._pool.acquire() as connection, connection.transaction():
                if notice.kind == "escalation":
                    recipients = [self._settings.directorate_address]
                    inserted = await connection.execute(
                        INSERT_ESCALATION,
                        period.workflow_id,
                        notice.key,
                        notice.phase,
                        notice.cycle,
                        notice.sent_at,
                        notice.message,
                        recipients,
                    )
                else:
                    recipients = self._adviser_addresses(period.advisers)
                    inserted = await connection.execute(
                        INSERT_REMINDER,
                        period.workflow_id,
                        notice.key,
                        notice.kind,
                        notice.phase,
                        notice.cycle,
                        notice.sent_at,
                        notice.message,
                        recipients,
                    )
                language = notice_language(notice.kind, period.owner_id)
                await _insert_outbox(connection, notice_message(record, recipients, language=language))
                await _upsert_period(connection, period)
                await _insert_audit(connection, record.audit)
        # Counted once committed, and only by the write that stored it (a retry inserts "0" rows).
        if inserted == "INSERT 0 1":
            count_notice_sent(notice.kind)
        activity_logger().info("notice sent", kind=notice.kind, key=notice.key, recipients=recipients)

    @activity.defn(name=Activities.RECORD_GATHERING)
    async def record_gathering(self, record: GatheringRecord) -> None:
        """Store a national gathering the period's owner is invited to (a repeated id moves it)."""
        gathering = record.gathering
        with _bad_data_is_final("gathering"):
            _check_one_period(record.workflow_id, record.audit)
            async with self._pool.acquire() as connection, connection.transaction():
                await connection.execute(
                    UPSERT_GATHERING,
                    record.workflow_id,
                    gathering.gathering_id,
                    gathering.title,
                    gathering.date,
                    gathering.place,
                    gathering.received_at,
                )
                await _insert_audit(connection, record.audit)
        activity_logger().info("gathering recorded", gathering_id=gathering.gathering_id, date=str(gathering.date))

    @activity.defn(name=Activities.RECORD_FINAL_EVALUATION)
    async def record_final_evaluation(self, record: FinalEvaluationRecord) -> None:
        """Store the closing record of a period, whatever way it ended, and its entry in the audit log."""
        with _bad_data_is_final("final evaluation"):
            async with self._pool.acquire() as connection, connection.transaction():
                await _insert_audit(connection, _final_evaluation_audit(record))
                await connection.execute(
                    UPSERT_FINAL_EVALUATION,
                    record.workflow_id,
                    record.outcome,
                    record.cycles,
                    record.last_working_phase,
                    record.milestones,
                    record.meetings,
                    record.gatherings,
                    record.reminders,
                    record.escalations,
                    record.development_area,
                    record.goals,
                    record.ended_at,
                    record.summary,
                )
        activity_logger().info("final evaluation recorded", outcome=record.outcome, cycles=record.cycles)

    @activity.defn(name=Activities.RECORD_INVITATION)
    async def record_invitation(self, record: InvitationRecord) -> None:
        """Store an owner's invitation row; an invitation or reminder also queues a letter to the county governor."""
        language = letter_to_county_governor(record.county)
        letter = _invitation_letter(record, language)
        with _bad_data_is_final("invitation"):
            _check_one_period(record.workflow_id, record.audit)
            async with self._pool.acquire() as connection, connection.transaction():
                await connection.execute(
                    UPSERT_INVITATION,
                    record.cohort,
                    record.owner_id,
                    record.workflow_id,
                    record.owner_name,
                    record.owner_kind,
                    record.county,
                    record.advisers,
                    record.network,
                    record.state,
                    record.reply_by,
                    record.no_reply_on,
                    record.start_date,
                    record.answered_by,
                    record.period_workflow_id,
                    record.updated_at,
                )
                if letter is not None:
                    await _queue_county_governor_letter(
                        connection,
                        self._settings,
                        f"{record.workflow_id}/invitation/{record.owner_id}/{record.event}",
                        record.workflow_id,
                        record.county,
                        letter,
                        record.updated_at,
                        language,
                    )
                await _insert_audit(connection, record.audit)
        activity_logger().info("invitation recorded", cohort=record.cohort, owner=record.owner_id, change=record.event)
