"""Records built the way the workflow builds them: through the domain's own rules, not hand-typed dicts."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from config.people import Participants, People
from config.settings import VeilederkorpsetSettings, resolve_plan
from domain.assessment import AssessmentEvent, AssessmentRecord
from domain.competence import check_competence_environment
from domain.contacts import ContactPerson, OwnerContactChange, OwnerContactRecord, contact_audit
from domain.contract import Activities, assessment_workflow_id, decision_workflow_id, period_workflow_id
from domain.effects import Occasion
from domain.models import (
    ChangeAdvisers,
    EnvironmentRef,
    GatheringInvitation,
    MeetingEntry,
    NoticeKind,
    PeriodInput,
    PeriodState,
    RecordCompetenceEnvironment,
    RecordMilestone,
    ScheduleMeeting,
    SchoolOwner,
    Withdraw,
)
from domain.period import (
    apply_advisers_change,
    apply_gathering,
    apply_meeting,
    apply_milestone,
    apply_notice,
    apply_withdrawal,
    due_deadlines,
    escalation_at,
    new_state,
    phase_due_at,
)
from domain.period_changes import competence_environment, started
from domain.phases import Milestone
from domain.programme import ProgrammePlan
from domain.records import (
    AdvisersChangeRecord,
    AuditEntry,
    CompetenceEnvironmentRecord,
    FinalEvaluationRecord,
    GatheringGuest,
    GatheringRecord,
    InvitationEvent,
    InvitationRecord,
    MeetingRecord,
    MeetingRecords,
    MilestoneRecord,
    NationalGatheringRecord,
    NoticeRecord,
    PeriodSnapshot,
    PeriodStartedRecord,
    PhaseChangeRecord,
    PhaseTransition,
)
from domain.selection_decision import SelectionDecision, SelectionDecisionRecord

WORKFLOW_ID = period_workflow_id("2027", "3301")
STARTED_AT = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)
ADVISERS = ["a.hansen", "b.olsen"]
SCHOOLS = ["Fjell skole", "Brandengen skole"]
#: A shipped plan that proposes meetings for the whole period at its start (some seventy).
LEDA = "leda-for-skolutveckling"


def new_period(plan: ProgrammePlan | None = None) -> PeriodState:
    """Drammen's period in cohort 2027, on the Veilederkorpset plan (or `plan`), just started."""
    period = PeriodInput(
        cohort="2027",
        owner=SchoolOwner(id="3301", name="Drammen", kind="municipality", county="33"),
        advisers=ADVISERS,
        start_date=date(2027, 1, 4),
        schools=SCHOOLS,
    )
    return new_state(period, plan or VeilederkorpsetSettings().plan())


def audit(key: str, actor: str, action: str, at: datetime, **details: object) -> AuditEntry:
    return AuditEntry(workflow_id=WORKFLOW_ID, event_key=key, at=at, actor=actor, action=action, details=details)


def period_started(state: PeriodState, at: datetime = STARTED_AT) -> PeriodStartedRecord:
    return PeriodStartedRecord(
        period=PeriodSnapshot.of(state, WORKFLOW_ID, at),
        audit=audit("started", "system", "period started", at, plan=state.plan.version),
        plan=state.plan,
    )


def mapping_done(state: PeriodState, at: datetime) -> MilestoneRecord:
    """Close the mapping phase (the state moves on to anchoring)."""
    update = RecordMilestone(milestone=Milestone.MAPPING_DONE, adviser="a.hansen", note="data analysed")
    entry, change = apply_milestone(state, update, at)
    return MilestoneRecord(
        period=PeriodSnapshot.of(state, WORKFLOW_ID, at),
        milestone=entry,
        transition=PhaseTransition.of(change, WORKFLOW_ID, at, update.adviser),
        audit=audit("update:milestone-1", update.adviser, "milestone recorded", at, milestone=update.milestone),
    )


def withdrawal(state: PeriodState, at: datetime) -> PhaseChangeRecord:
    request = Withdraw(reason="new municipal leadership", by="kommunedirektør")
    change = apply_withdrawal(state, request, at)
    return PhaseChangeRecord(
        period=PeriodSnapshot.of(state, WORKFLOW_ID, at),
        transition=PhaseTransition.of(change, WORKFLOW_ID, at, request.by),
        audit=audit("update:withdraw-1", request.by, "withdrawn", at, reason=request.reason),
    )


def advisers_change(state: PeriodState, at: datetime) -> AdvisersChangeRecord:
    request = ChangeAdvisers(advisers=["c.berg", "a.hansen"], by="k.nilsen")
    before = apply_advisers_change(state, request)
    return AdvisersChangeRecord(
        period=PeriodSnapshot.of(state, WORKFLOW_ID, at),
        audit=audit(
            "update:advisers-1", request.by, "advisers changed", at, previous=before, advisers=request.advisers
        ),
    )


def participants(record: MeetingRecord) -> Participants:
    """Who a meeting's invitation names without a people file or a contact (config/people.py's rule)."""
    return People("veileder.test").meeting_participants(record.meeting.adviser, record.advisers, None)


LESESENTERET = EnvironmentRef(id="lesesenteret", name="Lesesenteret", kind="national_centre", areas=["basic_skills"])


def with_development_area() -> PeriodState:
    """Drammen's period that chose basic skills on its third day (now prioritising its goals)."""
    state = new_period()
    for day, milestone, extra in (
        (0, Milestone.MAPPING_DONE, {}),
        (1, Milestone.ANCHORING_DONE, {}),
        (2, Milestone.DEVELOPMENT_AREA_CHOSEN, {"development_area": "basic_skills"}),
    ):
        update = RecordMilestone.model_validate({"milestone": milestone, "adviser": "a.hansen", **extra})
        apply_milestone(state, update, STARTED_AT + timedelta(days=day))
    return state


def competence_step(
    state: PeriodState, wanted: str, at: datetime, key: str, note: str = ""
) -> CompetenceEnvironmentRecord:
    """A step with Lesesenteret, checked and applied as `record_competence_environment` does."""
    request = RecordCompetenceEnvironment.model_validate(
        {"environment": LESESENTERET, "state": wanted, "adviser": "a.hansen", "note": note}
    )
    check_competence_environment(state, request, at)
    [pending] = competence_environment(state, request, Occasion(WORKFLOW_ID, at, key)).records
    return CompetenceEnvironmentRecord.model_validate(pending.payload)


def meeting(state: PeriodState, request: ScheduleMeeting, at: datetime, key: str) -> MeetingRecord:
    """Schedule (or, with ``request.meeting_id``, move) a meeting as the `schedule_meeting` update does."""
    entry = apply_meeting(state, request, at)
    return meeting_record(
        state, entry, audit(key, request.adviser, "meeting scheduled", at, meeting_id=entry.meeting_id)
    )


def meeting_record(state: PeriodState, entry: MeetingEntry, entry_audit: AuditEntry) -> MeetingRecord:
    """The record the workflow queues for a meeting of `state`'s period (agreed, moved or proposed by the plan)."""
    return MeetingRecord(
        workflow_id=WORKFLOW_ID,
        owner_name=state.input.owner.name,
        advisers=list(state.input.advisers),
        timezone=state.plan.timezone,
        meeting=entry,
        audit=entry_audit,
    )


def planned_meetings(state: PeriodState | None = None, at: datetime = STARTED_AT) -> MeetingRecords:
    """The meetings the plan of `state` (by default a new period on Leda's plan) proposes at its start, in the one
    record the workflow writes them in (`domain.period_changes.started`)."""
    [_, pending] = started(state or new_period(resolve_plan(LEDA)), Occasion(WORKFLOW_ID, at)).records
    assert pending.activity == Activities.RECORD_MEETINGS, pending.activity
    return MeetingRecords.model_validate(pending.payload)


def follow_up(meeting_id: str | None = None, on: date = date(2027, 3, 2), start: time = time(9, 0)) -> ScheduleMeeting:
    return ScheduleMeeting(
        kind="follow_up",
        date=on,
        start=start,
        duration_minutes=120,
        adviser="a.hansen",
        schools=SCHOOLS,
        meeting_id=meeting_id,
    )


def notice(state: PeriodState, kind: NoticeKind) -> NoticeRecord:
    """The first notice of `kind` the period falls due for, sent as the workflow's deadline loop does."""
    due = phase_due_at(state)
    assert due is not None
    now = due + timedelta(days=1)
    if kind == "escalation":
        notice(state, "phase_reminder")
        escalate = escalation_at(state)
        assert escalate is not None
        now = escalate
    deadline = next(d for d in due_deadlines(state, now) if d.kind == kind)
    entry = apply_notice(state, deadline, now)
    return NoticeRecord(
        period=PeriodSnapshot.of(state, WORKFLOW_ID, now),
        notice=entry,
        audit=audit(f"timer:{entry.key}", "system", f"{kind} sent", now),
    )


def gathering(state: PeriodState, at: datetime) -> GatheringRecord:
    invitation = GatheringInvitation(
        gathering_id="2027-spring", title="Skoleeierrollen", date=date(2027, 5, 11), place="Oslo"
    )
    entry = apply_gathering(state, invitation, at)
    return GatheringRecord(
        workflow_id=WORKFLOW_ID,
        gathering=entry,
        audit=audit("signal:2027-spring", "udir", "gathering invitation", at),
    )


def final_evaluation(state: PeriodState, at: datetime) -> FinalEvaluationRecord:
    """The closing record of a period withdrawn at `at`."""
    withdrawal(state, at)
    return FinalEvaluationRecord.of(state, WORKFLOW_ID, at)


def invitation(event: InvitationEvent, state: str, at: datetime, by: str = "system") -> InvitationRecord:
    return InvitationRecord(
        workflow_id="cohort-2027",
        cohort="2027",
        owner_id="4617",
        owner_name="Kvinnherad",
        owner_kind="municipality",
        county="46",
        advisers=["d.lie"],
        network="Sunnhordland",
        event=event,
        state=state,
        reply_by=date(2027, 1, 25),
        no_reply_on=date(2027, 2, 8),
        start_date=date(2027, 3, 1),
        answered_by=None if by == "system" else by,
        period_workflow_id="guidance-period-2027-4617" if state == "accepted" else None,
        updated_at=at,
        audit=AuditEntry(
            workflow_id="cohort-2027", event_key=f"invitation:4617:{event}", at=at, actor=by, action=event
        ),
    )


def national_gathering(at: datetime, sequence: int = 0, on: date = date(2027, 9, 14)) -> NationalGatheringRecord:
    """A cohort's start gathering with two owners invited (sequence > 0: the gathering moved)."""
    return NationalGatheringRecord(
        workflow_id="cohort-2027",
        cohort="2027",
        gathering_id="start",
        title="Start gathering",
        date=on,
        place="Oslo",
        sequence=sequence,
        timezone="Europe/Oslo",
        guests=[
            GatheringGuest(
                owner_id="4617",
                owner_name="Kvinnherad",
                county="46",
                advisers=["d.lie"],
                period_workflow_id="guidance-period-2027-4617",
            ),
            GatheringGuest(
                owner_id="4615",
                owner_name="Fitjar",
                county="46",
                advisers=["d.lie", "e.berg"],
                period_workflow_id="guidance-period-2027-4615",
            ),
        ],
        audit=AuditEntry(
            workflow_id="cohort-2027",
            event_key=f"gathering:start:{sequence}",
            at=at,
            actor="directorate",
            action="gathering",
        ),
    )


def owner_contact(at: datetime, run: str = "run-1") -> OwnerContactRecord:
    """The period's owner contact set by one of its advisers (OwnerContactWorkflow's record)."""
    change = OwnerContactChange(
        period_workflow_id=WORKFLOW_ID,
        contact=ContactPerson(name="Kari Nordmann", email="kari.nordmann@drammen.test", role="Kommunalsjef"),
        by="a.hansen",
    )
    return OwnerContactRecord(change=change, at=at, audit=contact_audit(change, at, run))


def selection_decision(at: datetime, cohort: str = "2031") -> SelectionDecisionRecord:
    """A coordinator's decision for `cohort` of two owners, as `SelectionDecisionWorkflow` records it."""
    decision = SelectionDecision.model_validate(
        {
            "cohort": {
                "cohort": cohort,
                "start_date": "2031-01-06",
                "owners": [
                    {
                        "owner": {"id": "3301", "name": "Drammen", "kind": "municipality", "county": "33"},
                        "advisers": ["a.hansen"],
                    },
                    {
                        "owner": {"id": "1101", "name": "Eigersund", "kind": "municipality", "county": "11"},
                        "advisers": ["b.olsen", "c.berg"],
                        "network": "Dalane",
                    },
                ],
            },
            "decided_by": "coordinator",
            "indicator_file": "ab" * 32,
            "ranks": {"3301": 2, "1101": 1},
        }
    )
    entry = AuditEntry(
        workflow_id=decision_workflow_id(cohort),
        event_key="decision",
        at=at,
        actor="coordinator",
        action=f"selected 2 school owners for cohort {cohort}",
    )
    return SelectionDecisionRecord(decision=decision, decided_at=at, audit=entry)


def county_assessment(event: AssessmentEvent, at: datetime, *, cohort: str = "2031", **answer: Any) -> AssessmentRecord:
    """One event of the county governors' assessment about Kvinnherad (Vestland), as `CountyAssessmentWorkflow`
    records it; an ``answered`` one takes ``assessment``, ``priority`` and ``by``."""
    workflow_id = assessment_workflow_id(cohort)
    return AssessmentRecord(
        workflow_id=workflow_id,
        cohort=cohort,
        owner_id="4617",
        owner_name="Kvinnherad",
        county="46",
        rank=32,
        event=event,
        state=event,
        requested_by="coordinator",
        reply_by=date(2031, 1, 27),
        assessment=answer.get("assessment"),
        priority=answer.get("priority"),
        recorded_by=answer.get("by"),
        recorded_as="county_governor" if answer else None,
        indicator_file="ab" * 32,
        updated_at=at,
        audit=AuditEntry(workflow_id=workflow_id, event_key=f"{event}:4617", at=at, actor="system", action=event),
    )
