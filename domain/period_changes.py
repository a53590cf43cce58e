"""What each change to a period causes: the state moves (`domain.period`) and the records to write.

The workflow calls one function here per event (an accepted update, a signal, a passed deadline) and only
queues the `Effects` that come back; it never builds a record or branches on a deadline's kind itself.
"""

from __future__ import annotations

from collections.abc import Callable

from domain import competence
from domain import period as rules
from domain.cohort import PendingSignal
from domain.contract import PERIOD_ADVISERS_SIGNAL, Activities
from domain.effects import Effects, Occasion
from domain.models import (
    CancelMeeting,
    ChangeAdvisers,
    GatheringInvitation,
    MeetingEntry,
    NetworkMeeting,
    PeriodAdvisers,
    PeriodState,
    RecordCompetenceEnvironment,
    RecordMilestone,
    ScheduleMeeting,
    Withdraw,
)
from domain.phases import is_terminal
from domain.records import (
    AdvisersChangeRecord,
    CompetenceEnvironmentRecord,
    FinalEvaluationRecord,
    GatheringRecord,
    MeetingRecord,
    MeetingRecords,
    MilestoneRecord,
    NoticeRecord,
    PeriodSnapshot,
    PeriodStartedRecord,
    PhaseChangeRecord,
    PhaseTransition,
)


def started(state: PeriodState, at: Occasion, *, planned_in_one: Callable[[], bool] = lambda: True) -> Effects:
    """A new period: its start, then the plan's recurring meetings and gatherings proposed for the whole period.

    Two or more proposed meetings go to the store in one record (`record_meetings`): a plan such as Leda's proposes
    some seventy, and each record is an activity, a Temporal Cloud action. `planned_in_one` is asked then, and only
    then: False for histories recorded before, which wrote them one by one and must replay with those commands.
    """
    effects = Effects()
    effects.add(
        Activities.RECORD_PERIOD_STARTED,
        PeriodStartedRecord(
            period=PeriodSnapshot.of(state, at.workflow_id, at.now),
            audit=at.audit("started", "system", "period started", plan=state.plan.version),
            plan=state.plan,
        ),
        f"record start of {state.input.owner.name}",
    )
    proposed = rules.apply_planned_meetings(state, at.now)
    records = [
        _meeting_record(state, at, m, f"plan:{m.meeting_id}", "plan", "meeting proposed by the plan") for m in proposed
    ]
    if len(records) > 1 and planned_in_one():
        effects.add(
            Activities.RECORD_MEETINGS,
            MeetingRecords(records=records),
            f"invite to {len(records)} meetings proposed by the plan",
        )
        return effects
    for record in records:
        effects.add(Activities.RECORD_MEETING, record, _meeting_summary(record.meeting))
    return effects


def milestone(state: PeriodState, update: RecordMilestone, at: Occasion) -> Effects:
    """An accepted milestone closes the current phase."""
    entry, change = rules.apply_milestone(state, update, at.now)
    effects = Effects()
    effects.add(
        Activities.RECORD_MILESTONE,
        MilestoneRecord(
            period=PeriodSnapshot.of(state, at.workflow_id, at.now),
            milestone=entry,
            transition=PhaseTransition.of(change, at.workflow_id, at.now, update.adviser),
            audit=at.audit(at.key, update.adviser, f"milestone {update.milestone}"),
        ),
        f"{update.milestone} by {update.adviser}",
    )
    return effects


def meeting(state: PeriodState, request: ScheduleMeeting, at: Occasion) -> Effects:
    """An accepted meeting, agreed or moved: its record and invitation; `created` is its id."""
    entry = rules.apply_meeting(state, request, at.now)
    action = "meeting moved" if entry.sequence else "meeting scheduled"
    effects = Effects(created=entry.meeting_id)
    _meeting(effects, state, at, entry, at.key, request.adviser, action)
    return effects


def meeting_cancelled(state: PeriodState, request: CancelMeeting, at: Occasion) -> Effects:
    """An accepted cancellation: the meeting's record, marked cancelled, and its CANCEL; `created` is its id."""
    entry = rules.apply_meeting_cancel(state, request.meeting_id, at.now)
    effects = Effects(created=entry.meeting_id)
    action = f"meeting cancelled: {request.reason}" if request.reason else "meeting cancelled"
    _meeting(effects, state, at, entry, at.key, request.adviser, action)
    return effects


def withdrawal(state: PeriodState, request: Withdraw, at: Occasion, *, cancel_meetings: bool = True) -> Effects:
    """An accepted withdrawal ends the period, and (`cancel_meetings`) cancels every meeting still ahead.

    `cancel_meetings` is False only for histories recorded before withdrawals cancelled meetings, which must
    replay with the commands they had.
    """
    cancelled = rules.meetings_cancelled_by_withdrawal(state, at.now) if cancel_meetings else []
    change = rules.apply_withdrawal(state, request, at.now)
    effects = Effects()
    _phase_change(effects, state, at, change, request.by, f"withdrawn: {request.reason}", at.key)
    for meeting_id in cancelled:
        entry = rules.apply_meeting_cancel(state, meeting_id, at.now)
        key = f"{at.key}:cancel:{meeting_id}"
        _meeting(effects, state, at, entry, key, request.by, "meeting cancelled: period withdrawn")
    return effects


def advisers_changed(state: PeriodState, request: ChangeAdvisers, at: Occasion) -> Effects:
    """Accepted new advisers: the period's row with them and an audit entry of who changed them from what.

    The ``Advisers`` search attribute follows with the workflow's next publish, as every attribute does. A period
    of a cohort tells the cohort, whose national gatherings and network meetings name the owner's advisers.
    """
    before = rules.apply_advisers_change(state, request)
    effects = Effects()
    effects.add(
        Activities.RECORD_ADVISERS_CHANGE,
        AdvisersChangeRecord(
            period=PeriodSnapshot.of(state, at.workflow_id, at.now),
            audit=at.audit(
                at.key,
                request.by,
                "advisers changed",
                previous=before,
                advisers=list(state.input.advisers),
                reason=request.reason,
            ),
        ),
        f"advisers {', '.join(before)} -> {', '.join(state.input.advisers)}",
    )
    cohort = state.report_to or state.input.report_to
    if cohort is not None:
        told = PeriodAdvisers(owner_id=state.input.owner.id, advisers=list(state.input.advisers), at=at.now)
        effects.signals.append(
            PendingSignal(workflow_id=cohort, signal=PERIOD_ADVISERS_SIGNAL, payload=told.model_dump(mode="json"))
        )
    return effects


def competence_environment(state: PeriodState, request: RecordCompetenceEnvironment, at: Occasion) -> Effects:
    """An accepted step with a competence environment: its row and audit entry; `created` is the environment's id."""
    entry = competence.apply_competence_environment(state, request, at.now)
    step = entry.steps[-1]
    effects = Effects(created=entry.environment_id)
    effects.add(
        Activities.RECORD_COMPETENCE_ENVIRONMENT,
        CompetenceEnvironmentRecord(
            workflow_id=at.workflow_id,
            entry=entry,
            audit=at.audit(
                at.key,
                request.adviser,
                f"competence environment {step.state}",
                environment_id=entry.environment_id,
                environment=entry.name,
                cycle=entry.cycle,
                date=step.date.isoformat(),
                note=step.note,
            ),
        ),
        f"{entry.environment_id} {step.state}",
    )
    return effects


def deadlines_passed(state: PeriodState, at: Occasion) -> Effects:
    """The deadlines that have passed, earliest first: reminders and escalations go out, the period may expire.

    A phase that only became overdue sends nothing: the next publish shows it overdue.
    """
    effects = Effects()
    for deadline in rules.due_deadlines(state, at.now):
        if deadline.kind == "period_end":
            reached = state.phase
            change = rules.apply_expiry(state, at.now)
            _phase_change(effects, state, at, change, "system", f"expired in {reached}", "expired")
            return effects
        if deadline.kind == "phase_due":
            state.phase_overdue_noted = True
            continue
        notice = rules.apply_notice(state, deadline, at.now)
        effects.add(
            Activities.SEND_NOTICE,
            NoticeRecord(
                period=PeriodSnapshot.of(state, at.workflow_id, at.now),
                notice=notice,
                audit=at.audit(notice.key, "system", notice.kind, message=notice.message),
            ),
            f"{notice.kind.replace('_', ' ')}: {state.phase}",
        )
    return effects


def gathering(state: PeriodState, invitation: GatheringInvitation, at: Occasion) -> Effects:
    """The Directorate's invitation to a national gathering (a repeated id moves it); an ended period ignores it."""
    if is_terminal(state.phase):
        return Effects(left_out=f"the period has ended ({state.phase})")
    entry = rules.apply_gathering(state, invitation, at.now)
    effects = Effects()
    effects.add(
        Activities.RECORD_GATHERING,
        GatheringRecord(
            workflow_id=at.workflow_id,
            gathering=entry,
            audit=at.audit(
                f"gathering:{entry.gathering_id}:{at.now.isoformat()}",
                "directorate",
                "gathering invitation",
                gathering_id=entry.gathering_id,
            ),
        ),
        f"gathering {entry.date}: {entry.title}",
    )
    return effects


def network_meeting(state: PeriodState, meeting: NetworkMeeting, at: Occasion) -> Effects:
    """A meeting of the owner's network passed on by the cohort (a higher sequence moves or cancels it)."""
    entry = rules.apply_network_meeting(state, meeting, at.now)
    if isinstance(entry, str):
        return Effects(left_out=entry)
    if entry.cancelled_at is not None:
        action = "network meeting cancelled"
    else:
        action = "network meeting moved" if entry.sequence else "network meeting scheduled"
    effects = Effects(created=entry.meeting_id)
    _meeting(effects, state, at, entry, f"{entry.meeting_id}:{entry.sequence}", "cohort", action)
    return effects


def ended(state: PeriodState, at: Occasion) -> Effects:
    """The closing record of a period that has ended, whatever way it ended (once)."""
    if state.final_evaluation_queued:
        return Effects()
    state.final_evaluation_queued = True
    effects = Effects()
    effects.add(
        Activities.RECORD_FINAL_EVALUATION,
        FinalEvaluationRecord.of(state, at.workflow_id, at.now),
        f"final evaluation: {state.phase}",
    )
    return effects


def _meeting(
    effects: Effects, state: PeriodState, at: Occasion, entry: MeetingEntry, key: str, actor: str, action: str
) -> None:
    """A meeting's record and its invitation (its cancellation, once cancelled) to the period's advisers."""
    effects.add(
        Activities.RECORD_MEETING, _meeting_record(state, at, entry, key, actor, action), _meeting_summary(entry)
    )


def _meeting_record(
    state: PeriodState, at: Occasion, entry: MeetingEntry, key: str, actor: str, action: str
) -> MeetingRecord:
    return MeetingRecord(
        workflow_id=at.workflow_id,
        owner_name=state.input.owner.name,
        advisers=list(state.input.advisers),
        timezone=state.plan.timezone,
        meeting=entry,
        audit=at.audit(key, actor, action, meeting_id=entry.meeting_id),
    )


def _meeting_summary(entry: MeetingEntry) -> str:
    return f"{'cancel' if entry.cancelled_at else 'invite to'} {entry.kind} {entry.date}"


def _phase_change(
    effects: Effects, state: PeriodState, at: Occasion, change: rules.PhaseChange, by: str, action: str, key: str
) -> None:
    effects.add(
        Activities.RECORD_PHASE_CHANGE,
        PhaseChangeRecord(
            period=PeriodSnapshot.of(state, at.workflow_id, at.now),
            transition=PhaseTransition.of(change, at.workflow_id, at.now, by),
            audit=at.audit(key, by, action),
        ),
        f"{change.from_phase} -> {change.to_phase}",
    )
