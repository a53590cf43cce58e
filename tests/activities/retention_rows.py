"""Rows of periods for the retention tests, written by the real record store's activities as a period writes them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import asyncpg
from temporalio.testing import ActivityEnvironment

from activities.record_store import RecordStore
from config.settings import VeilederkorpsetSettings
from domain import calendar
from domain.contract import period_workflow_id
from domain.models import PeriodInput, RecordMilestone, ScheduleMeeting, SchoolOwner, Withdraw
from domain.period import apply_meeting, apply_milestone, apply_notice, apply_withdrawal, due_deadlines, new_state
from domain.records import (
    AuditEntry,
    FinalEvaluationRecord,
    MeetingRecord,
    MilestoneRecord,
    NoticeRecord,
    PeriodSnapshot,
    PeriodStartedRecord,
    PhaseChangeRecord,
    PhaseTransition,
)

NOTE = "Talked with Kari Nordmann, head of the school office, about the pupil survey"
TITLE = "Follow-up with Kari Nordmann"
WITHDRAWN_BY = "Per Hansen, municipal director"
# Everything that names a person in the rows one `write_period` writes.
PERSONAL = ("a.hansen", "b.olsen", "Kari Nordmann", "Per Hansen", "@veileder.test")


@dataclass
class Written:
    workflow_id: str
    outbox_folder: Path


async def write_period(
    env: ActivityEnvironment, store: RecordStore, owner: str, start: date, ended: datetime | None
) -> Written:
    """One period's records, as its workflow writes them: start, a milestone with a note, a meeting with a title
    (and its calendar file), a reminder to the advisers, and, if `ended`, its withdrawal and final evaluation."""
    period = PeriodInput(
        cohort=str(start.year),
        owner=SchoolOwner(id=owner, name=f"Owner {owner}", kind="municipality", county=owner[:2]),
        advisers=["a.hansen", "b.olsen"],
        start_date=start,
        schools=["Fjell skole"],
    )
    state = new_state(period, VeilederkorpsetSettings(_env_file=None).plan())
    workflow_id = period_workflow_id(period.cohort, owner)
    at = datetime.combine(start, datetime.min.time(), UTC) + timedelta(hours=8)

    def audit(key: str, actor: str, action: str, when: datetime, **details: object) -> AuditEntry:
        return AuditEntry(workflow_id=workflow_id, event_key=key, at=when, actor=actor, action=action, details=details)

    await env.run(
        store.record_period_started,
        PeriodStartedRecord(
            period=PeriodSnapshot.of(state, workflow_id, at),
            audit=audit("started", "system", "period started", at),
            plan=state.plan,
        ),
    )

    meeting_at = at + timedelta(days=1)
    request = ScheduleMeeting(
        kind="follow_up",
        date=calendar.next_working_day(start + timedelta(days=14)),
        adviser="a.hansen",
        schools=["Fjell skole"],
        title=TITLE,
    )
    entry = apply_meeting(state, request, meeting_at)
    invitation_file = await env.run(
        store.record_meeting,
        MeetingRecord(
            workflow_id=workflow_id,
            owner_name=period.owner.name,
            advisers=list(period.advisers),
            timezone=state.plan.timezone,
            meeting=entry,
            audit=audit("update:meeting-1", "a.hansen", "meeting scheduled", meeting_at, title=TITLE),
        ),
    )

    milestone_at = at + timedelta(weeks=9)
    update = RecordMilestone(milestone="mapping_done", adviser="b.olsen", note=NOTE)
    milestone, change = apply_milestone(state, update, milestone_at)
    await env.run(
        store.record_milestone,
        MilestoneRecord(
            period=PeriodSnapshot.of(state, workflow_id, milestone_at),
            milestone=milestone,
            transition=PhaseTransition.of(change, workflow_id, milestone_at, "b.olsen"),
            audit=audit("update:milestone-1", "b.olsen", "milestone recorded", milestone_at, note=NOTE),
        ),
    )

    reminder_at = milestone_at + timedelta(weeks=12)
    deadline = next(d for d in due_deadlines(state, reminder_at) if d.kind == "phase_reminder")
    notice = apply_notice(state, deadline, reminder_at)
    await env.run(
        store.send_notice,
        NoticeRecord(
            period=PeriodSnapshot.of(state, workflow_id, reminder_at),
            notice=notice,
            audit=audit(f"timer:{notice.key}", "system", "phase_reminder sent", reminder_at),
        ),
    )

    if ended is not None:
        request_end = Withdraw(reason="The owner merges with a neighbour", by=WITHDRAWN_BY)
        end_change = apply_withdrawal(state, request_end, ended)
        await env.run(
            store.record_phase_change,
            PhaseChangeRecord(
                period=PeriodSnapshot.of(state, workflow_id, ended),
                transition=PhaseTransition.of(end_change, workflow_id, ended, WITHDRAWN_BY),
                audit=audit("update:withdraw-1", WITHDRAWN_BY, "withdrawn", ended, reason=request_end.reason),
            ),
        )
        await env.run(store.record_final_evaluation, FinalEvaluationRecord.of(state, workflow_id, ended))
    return Written(workflow_id, Path(invitation_file).parent)


async def rows_of(pool: asyncpg.Pool, workflow_id: str) -> dict[str, list[dict[str, object]]]:
    """Every row of one period, table by table."""
    tables = (
        "periods",
        "milestones",
        "phase_transitions",
        "meetings",
        "reminders",
        "outbox",
        "audit_log",
        "final_evaluations",
        "owner_contacts",
    )
    async with pool.acquire() as connection:
        return {
            table: [
                dict(row)
                for row in await connection.fetch(
                    f"SELECT * FROM {table} WHERE workflow_id = $1 ORDER BY 1, 2", workflow_id
                )
            ]
            for table in tables
        }


def names_a_person(rows: object) -> list[str]:
    """The personal data found anywhere in `rows` (their text, as a reader of the database would see it)."""
    text = repr(rows)
    return [name for name in PERSONAL if name in text]
