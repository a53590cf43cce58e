"""What the workflow hands to its activities: one record per side effect, each with its natural key.

Every record carries the moment it describes (taken from `workflow.now()`), never the moment an
activity happens to run, so a retried activity writes exactly the same row.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from domain.models import (
    MAX_MEETINGS,
    CompetenceEnvironmentEntry,
    GatheringEntry,
    MeetingEntry,
    MilestoneEntry,
    NoticeEntry,
    PeriodInput,
    PeriodState,
)
from domain.period import PhaseChange, at_risk_at, ends_at, is_overdue, notice_counts, phase_due_at
from domain.phases import Phase
from domain.programme import ProgrammePlan, SharedPlan


class AuditEntry(BaseModel):
    """Who did what when. ``event_key`` is unique within a period (an update id, a timer's key)."""

    workflow_id: str
    event_key: str
    at: datetime
    actor: str
    action: str
    details: dict[str, Any] = Field(default_factory=dict)


class PeriodSnapshot(BaseModel):
    """The `periods` row: where a period stands, for reports. Newer snapshots win (``updated_at``)."""

    workflow_id: str
    cohort: str
    owner_id: str
    owner_name: str
    owner_kind: str
    county: str
    advisers: list[str]
    schools: list[str]
    plan: str
    plan_version: str
    start_date: date
    ends_at: datetime
    phase: str
    cycle: int
    phase_started_on: date
    phase_due_at: datetime | None
    overdue: bool
    development_area: str | None
    development_area_other: str | None
    goals: list[str]
    ended_at: datetime | None
    end_reason: str | None
    updated_at: datetime
    #: When the current phase is at risk (its plan's `at_risk_share`); None for a plan without the warning.
    at_risk_at: datetime | None = None

    @classmethod
    def of(cls, state: PeriodState, workflow_id: str, now: datetime) -> PeriodSnapshot:
        period = state.input
        return cls(
            workflow_id=workflow_id,
            cohort=period.cohort,
            owner_id=period.owner.id,
            owner_name=period.owner.name,
            owner_kind=period.owner.kind,
            county=period.owner.county,
            advisers=list(period.advisers),
            schools=list(period.schools),
            plan=state.plan.name,
            plan_version=state.plan.version,
            start_date=period.start_date,
            ends_at=ends_at(state),
            phase=state.phase,
            cycle=state.cycle,
            phase_started_on=state.phase_started_on,
            phase_due_at=phase_due_at(state),
            overdue=is_overdue(state, now),
            development_area=state.development_area,
            development_area_other=state.development_area_other,
            goals=list(state.goals),
            ended_at=state.ended_at,
            end_reason=state.end_reason,
            updated_at=now,
            at_risk_at=at_risk_at(state),
        )


class PhaseTransition(BaseModel):
    """A `phase_transitions` row; ``sequence`` counts transitions within the period."""

    workflow_id: str
    sequence: int
    cycle: int
    from_phase: str
    to_phase: str
    at: datetime
    by: str

    @classmethod
    def of(cls, change: PhaseChange, workflow_id: str, at: datetime, by: str) -> PhaseTransition:
        return cls(
            workflow_id=workflow_id,
            sequence=change.sequence,
            cycle=change.cycle,
            from_phase=change.from_phase,
            to_phase=change.to_phase,
            at=at,
            by=by,
        )


class PeriodStartedRecord(BaseModel):
    period: PeriodSnapshot
    audit: AuditEntry
    #: The plan the period runs, kept by (name, version) so that reports read the version a period runs.
    plan: ProgrammePlan


class MilestoneRecord(BaseModel):
    period: PeriodSnapshot
    milestone: MilestoneEntry
    transition: PhaseTransition
    audit: AuditEntry


class PhaseChangeRecord(BaseModel):
    """A phase change that is not a milestone: withdrawal or expiry."""

    period: PeriodSnapshot
    transition: PhaseTransition
    audit: AuditEntry


class AdvisersChangeRecord(BaseModel):
    """A period's new advisers: its row (with them) and the audit entry saying who changed them from what."""

    period: PeriodSnapshot
    audit: AuditEntry


class CompetenceEnvironmentRecord(BaseModel):
    """A `competence_environments` row (keyed by period, cycle and environment; newer steps win) and the audit entry of
    its step."""

    workflow_id: str
    entry: CompetenceEnvironmentEntry
    audit: AuditEntry


class MeetingRecord(BaseModel):
    """A meeting to store and to send as an iCalendar invitation (a moved meeting: same id, higher sequence)."""

    workflow_id: str
    owner_name: str
    advisers: list[str]
    timezone: str
    meeting: MeetingEntry
    audit: AuditEntry


class MeetingRecords(BaseModel):
    """The meetings a plan proposes at a period's start, stored and sent in one activity (`record_meetings`)."""

    #: A period holds no more meetings than that, so no more are proposed at its start.
    records: list[MeetingRecord] = Field(min_length=1, max_length=MAX_MEETINGS)


class NoticeRecord(BaseModel):
    """A reminder to the advisers or an escalation to the Directorate."""

    period: PeriodSnapshot
    notice: NoticeEntry
    audit: AuditEntry


class GatheringRecord(BaseModel):
    workflow_id: str
    gathering: GatheringEntry
    audit: AuditEntry


class FinalEvaluationRecord(BaseModel):
    """The closing record of a period, whatever way it ended."""

    workflow_id: str
    outcome: Phase
    cycles: int
    last_working_phase: str | None
    milestones: int
    meetings: int
    gatherings: int
    reminders: int
    escalations: int
    development_area: str | None
    goals: list[str]
    ended_at: datetime
    summary: str

    @classmethod
    def of(cls, state: PeriodState, workflow_id: str, now: datetime) -> FinalEvaluationRecord:
        reminders, escalations = notice_counts(state)
        return cls(
            workflow_id=workflow_id,
            outcome=state.phase,
            cycles=state.cycle,
            last_working_phase=state.ended_in_phase,
            milestones=len(state.milestones),
            meetings=sum(1 for m in state.meetings if m.cancelled_at is None),  # a cancelled one was never held
            gatherings=len(state.gatherings),
            reminders=reminders,
            escalations=escalations,
            development_area=state.development_area,
            goals=list(state.goals),
            ended_at=state.ended_at or now,
            summary=f"{state.input.owner.name} ({state.input.owner.id}): {state.phase}, {state.end_reason}",
        )


InvitationEvent = Literal["invited", "reminded", "accepted", "declined", "no_reply"]


class InvitationRecord(BaseModel):
    """An `invitations` row of a cohort (keyed by cohort and owner) and the event that changed it.

    ``event`` ``invited`` and ``reminded`` also send a letter to the county governor (Statsforvalteren),
    through whom the Directorate invites the owner; newer rows win (``updated_at``).
    """

    workflow_id: str
    cohort: str
    owner_id: str
    owner_name: str
    owner_kind: str
    county: str
    advisers: list[str]
    network: str | None
    event: InvitationEvent
    state: str
    reply_by: date
    no_reply_on: date
    start_date: date
    answered_by: str | None
    period_workflow_id: str | None
    updated_at: datetime
    audit: AuditEntry


class GatheringGuest(BaseModel):
    """An owner invited to a national gathering, with the advisers who go with it."""

    owner_id: str
    owner_name: str
    county: str
    advisers: list[str]
    period_workflow_id: str


class NationalGatheringRecord(BaseModel):
    """A cohort's national gathering and the owners it invites now (all live periods, or one late joiner).

    The `national_gatherings` row is keyed by cohort and gathering; newer sequences win. Each guest gets
    one calendar file whose UID is the gathering's, so a moved gathering updates the event it holds.
    """

    workflow_id: str
    cohort: str
    gathering_id: str
    title: str
    date: date
    place: str
    sequence: int = Field(ge=0)
    timezone: str
    guests: list[GatheringGuest]
    audit: AuditEntry


class PeriodStart(BaseModel):
    """One period a cohort starts: its id and input."""

    workflow_id: str
    period: PeriodInput


#: Periods one `Activities.START_PERIODS` activity starts at most (a cohort sends 50; an activity's input is bounded).
MAX_PERIOD_STARTS = 500


class PeriodStarts(BaseModel):
    """A batch of periods for `Activities.START_PERIODS`.

    ``plan`` is the plan of every period of the batch, sent once: a period whose ``programme`` is left out starts on
    it (`period_of`), so the batch carries one plan, not one for each period (some 5 KB each, in the cohort's history
    and in every worker that caches the cohort). A batch without it (as recorded before it existed) carries each
    period's plan in its input.
    """

    starts: list[PeriodStart] = Field(max_length=MAX_PERIOD_STARTS)
    plan: SharedPlan | None = None

    @model_validator(mode="after")
    def _one_plan(self) -> PeriodStarts:
        if self.plan is not None:
            for index, start in enumerate(self.starts):
                if start.period.plan != self.plan.name:
                    raise ValueError(
                        f"starts[{index}].period.plan: {start.period.plan!r} is not the batch's plan {self.plan.name!r}"
                    )
        return self

    def period_of(self, start: PeriodStart) -> PeriodInput:
        """The input `start`'s period starts with: its own, with the batch's plan where it leaves its plan out."""
        if start.period.programme is not None or self.plan is None:
            return start.period
        return start.period.model_copy(update={"programme": self.plan})


class PeriodsStarted(BaseModel):
    """Which periods an attempt started, and which had been started before (by an earlier attempt)."""

    started: list[str]
    already_started: list[str]
    #: Of those already started, the ones that have closed since (an earlier cohort's, or ended): not waited for.
    already_closed: list[str] = Field(default_factory=list)
