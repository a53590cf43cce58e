"""The rules of a guidance period as pure functions over `PeriodState`.

The workflow asks these functions whether an update may be accepted (`check_*`, which raise
`Rejection` naming the field and what is allowed) and when the next deadline falls (`next_deadline`);
`domain.period_changes` applies accepted events (`apply_*`) and says what each causes. No I/O and no
clock: "now" is always an argument.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal, get_args

from domain import calendar
from domain.models import (
    MAX_MEETINGS,
    CancelMeeting,
    ChangeAdvisers,
    GatheringEntry,
    GatheringInvitation,
    MeetingEntry,
    MilestoneEntry,
    NetworkMeeting,
    NoticeEntry,
    PartnerKind,
    PeriodInput,
    PeriodProgress,
    PeriodState,
    PeriodStatus,
    RecordMilestone,
    ScheduleMeeting,
    Withdraw,
)
from domain.phases import Phase, is_terminal
from domain.programme import WEEKDAYS, MeetingSeries, ProgrammePlan, Records

#: A rejection's parameter: JSON-safe (dates as ISO strings), so it travels in the failure's details.
RejectionParam = str | int | bool | None | list[str]


class Rejection(ValueError):
    """An update that may not be applied: names the field and says what is allowed.

    Besides the English message (the workflow's own words, what history and other clients read), a rejection
    carries a stable `code` (e.g. ``date.not_working_day``) and its `params` (JSON-safe), so the edge can say it
    in the person's language (readmodel/rejections.py keeps one template per code). The domain says no words
    in other languages: it imports no `language`.
    """

    def __init__(self, field: str, message: str, *, code: str, **params: RejectionParam) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.code = code
        self.params: dict[str, RejectionParam] = params

    @property
    def details(self) -> dict[str, object]:
        """What the workflow sends beside the message (`ApplicationError` details, docs/temporal-contract.md)."""
        return {"code": self.code, "field": self.field, "params": dict(self.params)}


def in_the_past(day: date, start: time, next_day: date) -> Rejection:
    """A meeting (a period's or a network's) agreed for a moment already gone, and the next working day."""
    return Rejection(
        "date",
        f"{day.isoformat()} {start:%H:%M} is in the past; the next working day is {next_day}",
        code="date.in_past",
        date=day.isoformat(),
        time=f"{start:%H:%M}",
        next_working_day=next_day.isoformat(),
    )


def meeting_cancelled(meeting_id: str, cancelled_on: date) -> Rejection:
    """A meeting (a period's or a network's) moved or cancelled after it was cancelled."""
    return Rejection(
        "meeting_id",
        f"{meeting_id} was cancelled on {cancelled_on.isoformat()}; agree a new meeting instead",
        code="meeting_id.cancelled",
        meeting_id=meeting_id,
        cancelled_on=cancelled_on.isoformat(),
    )


def meeting_begun(meeting_id: str, day: date, start: time) -> Rejection:
    """A meeting (a period's or a network's) cancelled once it has begun."""
    return Rejection(
        "meeting_id",
        f"{meeting_id} began on {day.isoformat()} {start:%H:%M}; only a meeting that lies ahead can be cancelled",
        code="meeting_id.past",
        meeting_id=meeting_id,
        date=day.isoformat(),
    )


def not_working_day(
    day: date,
    country: str,
    applies_to: Literal["meetings", "gatherings"],
    *,
    next_day: date,
    last_day: date | None = None,
) -> Rejection | None:
    """The rejection of a meeting or gathering on `day` when it is not a working day, else None.

    The hint names the next working day, or the last working day of the period (`last_day`) when the next one
    falls after it.
    """
    reason = calendar.why_not_working_day(day, country)
    if reason is None:
        return None
    holiday = calendar.holiday_name(day, country)
    hint = f"the next working day is {next_day}"
    params: dict[str, RejectionParam] = {"next_working_day": next_day.isoformat()}
    if last_day is not None:
        hint = f"the last working day of the period is {last_day}"
        params = {"last_working_day": last_day.isoformat()}
    return Rejection(
        "date",
        f"{reason}; {applies_to} fall on working days; {hint}",
        code="date.not_working_day",
        date=day.isoformat(),
        country=country,
        holiday=holiday,
        applies_to=applies_to,
        **params,
    )


def new_state(period: PeriodInput, plan: ProgrammePlan) -> PeriodState:
    """The state of a period that has just started on `plan`."""
    return PeriodState(
        input=period,
        plan=plan,
        phase=plan.first_phase,
        phase_started_on=period.start_date,
        meeting_gap_from=period.start_date,
    )


# --- derived dates ------------------------------------------------------------------------------


def ends_on(state: PeriodState) -> date:
    """The last day of the period: the day before the maximum duration is reached."""
    return calendar.add_months(state.input.start_date, state.plan.max_months) - timedelta(days=1)


def ends_at(state: PeriodState) -> datetime:
    """The moment the period expires."""
    return calendar.end_of_day(ends_on(state), state.plan.timezone)


def phase_due_on(state: PeriodState) -> date | None:
    """The working day by which the current phase is expected to close (never after the period's end)."""
    if is_terminal(state.phase):
        return None
    weeks = state.plan.phase_plan(state.phase).expected_weeks
    country = state.plan.calendar_country
    due = calendar.due_working_day(state.phase_started_on, weeks=weeks, country=country)
    return min(due, calendar.previous_working_day(ends_on(state), country))


def phase_due_at(state: PeriodState) -> datetime | None:
    """The moment the current phase becomes overdue."""
    due = phase_due_on(state)
    return None if due is None else calendar.end_of_day(due, state.plan.timezone)


def is_overdue(state: PeriodState, now: datetime) -> bool:
    due = phase_due_at(state)
    return due is not None and now >= due


def at_risk_on(state: PeriodState) -> date | None:
    """The working day at whose end the current phase is at risk: the plan's `at_risk_share` of the time from its
    start to its due day (rounded up), while that is still before the due day; None when the plan sets no share."""
    if is_terminal(state.phase):
        return None
    share = state.plan.at_risk_share_of(state.phase)
    due = phase_due_on(state)
    if share is None or due is None:
        return None
    days = math.ceil((due - state.phase_started_on).days * share)
    warn_on = calendar.next_working_day(state.phase_started_on + timedelta(days=days), state.plan.calendar_country)
    return warn_on if warn_on < due else None


def at_risk_at(state: PeriodState) -> datetime | None:
    """The moment the current phase is at risk (the end of `at_risk_on`)."""
    warn_on = at_risk_on(state)
    return None if warn_on is None else calendar.end_of_day(warn_on, state.plan.timezone)


def is_at_risk(state: PeriodState, now: datetime) -> bool:
    """The period's state ``at_risk``: past the phase's share of its time, its milestone not come, not yet overdue."""
    warn_at = at_risk_at(state)
    return warn_at is not None and now >= warn_at and not is_overdue(state, now)


def today(state: PeriodState, now: datetime) -> date:
    return calendar.local_date(now, state.plan.timezone)


def months_remaining(state: PeriodState, on: date) -> int:
    """Whole calendar months left of the period after `on`."""
    months = 0
    while calendar.add_months(on, months + 1) <= ends_on(state):
        months += 1
    return months


# --- deadlines ------------------------------------------------------------------------------------


DeadlineKind = Literal[
    "period_end",
    "phase_due",
    "phase_reminder",
    "phase_second_reminder",
    "escalation",
    "meeting_gap_reminder",
    "at_risk",
]


@dataclass(frozen=True)
class Deadline:
    """The next moment the workflow must act, and what it must do then.

    ``phase_due`` only marks the phase overdue (it is a deadline of its own only when the reminder
    waits some days after the due date); ``period_end`` closes the period; the others send a notice.
    """

    at: datetime
    kind: DeadlineKind
    summary: str


def meeting_gap_due_on(reference: date, gap_weeks: int, country: str) -> date:
    """The day a period with no meeting since `reference` (its start, its last meeting or the last reminder of the
    gap) needs one: `gap_weeks` on, moved to a working day. The workflow reminds the advisers at its end; the web
    app lists it as a task."""
    return calendar.next_working_day(reference + timedelta(weeks=gap_weeks), country)


def _meeting_gap_reference(state: PeriodState) -> date:
    planned = [m.date for m in state.meetings if m.cancelled_at is None]
    return max([state.meeting_gap_from, *planned])


def phase_reminder_at(state: PeriodState) -> datetime | None:
    """When the advisers are reminded of an overdue phase: working days after its due date."""
    due = phase_due_on(state)
    if due is None:
        return None
    country = state.plan.calendar_country
    return calendar.end_of_day(
        calendar.add_working_days(due, state.plan.reminder_delay_days, country), state.plan.timezone
    )


def escalation_on(state: PeriodState) -> date | None:
    """The working day at whose end the Directorate is told: weeks after the reminder."""
    if state.phase_reminded_at is None:
        return None
    reminded = calendar.local_date(state.phase_reminded_at, state.plan.timezone)
    weeks = state.plan.escalation_delay_weeks
    return calendar.due_working_day(reminded, weeks=weeks, country=state.plan.calendar_country)


def escalation_at(state: PeriodState) -> datetime | None:
    """When the Directorate is told."""
    escalate_on = escalation_on(state)
    return None if escalate_on is None else calendar.end_of_day(escalate_on, state.plan.timezone)


def escalate_pending(state: PeriodState) -> bool:
    return state.phase_reminded_at is not None and state.phase_escalated_at is None


def second_reminder_at(state: PeriodState) -> datetime | None:
    """When the advisers get a second reminder of an overdue phase, if before the escalation."""
    weeks = state.plan.second_reminder_after_weeks
    if state.phase_reminded_at is None or not weeks or weeks >= state.plan.escalation_delay_weeks:
        return None
    reminded = calendar.local_date(state.phase_reminded_at, state.plan.timezone)
    remind_on = calendar.due_working_day(reminded, weeks=weeks, country=state.plan.calendar_country)
    return calendar.end_of_day(remind_on, state.plan.timezone)


def pending_deadlines(state: PeriodState) -> list[Deadline]:
    """Every deadline still ahead of an open period, earliest first."""
    if is_terminal(state.phase):
        return []
    plan, tz = state.plan, state.plan.timezone
    deadlines = [Deadline(ends_at(state), "period_end", f"period ends ({plan.max_months} months)")]
    # Only a plan with an `at_risk_share` has this deadline: the plans of histories recorded before it have none.
    warn_at = at_risk_at(state)
    if warn_at is not None and state.phase_at_risk_noted_at is None:
        deadlines.append(Deadline(warn_at, "at_risk", f"{state.phase} at risk: warn advisers"))
    due, remind = phase_due_at(state), phase_reminder_at(state)
    if due is not None and remind is not None and state.phase_reminded_at is None:
        if remind > due and not state.phase_overdue_noted:
            deadlines.append(Deadline(due, "phase_due", f"{state.phase} due: mark overdue"))
        deadlines.append(Deadline(remind, "phase_reminder", f"{state.phase} overdue: remind advisers"))
    second = second_reminder_at(state)
    if second is not None and state.phase_second_reminded_at is None and escalate_pending(state):
        deadlines.append(Deadline(second, "phase_second_reminder", f"{state.phase} overdue: remind again"))
    escalate = escalation_at(state)
    if escalate is not None and state.phase_escalated_at is None:
        deadlines.append(Deadline(escalate, "escalation", f"{state.phase} still overdue: escalate to the Directorate"))
    gap_end = meeting_gap_due_on(_meeting_gap_reference(state), plan.meeting_gap_weeks, plan.calendar_country)
    deadlines.append(
        Deadline(
            calendar.end_of_day(gap_end, tz),
            "meeting_gap_reminder",
            f"no meeting for {plan.meeting_gap_weeks} weeks: remind advisers",
        )
    )
    return sorted(deadlines, key=lambda d: d.at)


def next_deadline(state: PeriodState) -> Deadline | None:
    deadlines = pending_deadlines(state)
    return deadlines[0] if deadlines else None


def due_deadlines(state: PeriodState, now: datetime) -> list[Deadline]:
    """The deadlines that have passed at `now`, earliest first."""
    return [d for d in pending_deadlines(state) if d.at <= now]


# --- checks (used by update validators) ----------------------------------------------------------


def check_open(state: PeriodState) -> None:
    if is_terminal(state.phase):
        raise Rejection(
            "phase",
            f"the period has ended ({state.phase}: {state.end_reason}); nothing more can be recorded",
            code="period.ended",
            phase=state.phase,
            reason=state.end_reason,
        )


def check_adviser(state: PeriodState, adviser: str) -> None:
    if adviser not in state.input.advisers:
        assigned = ", ".join(state.input.advisers)
        raise Rejection(
            "adviser",
            f"{adviser!r} is not assigned to this period; assigned: {assigned}",
            code="adviser.not_assigned",
            adviser=adviser,
            assigned=list(state.input.advisers),
        )


def check_milestone(state: PeriodState, update: RecordMilestone, now: datetime) -> None:
    """Reject a milestone that may not be recorded now (the plan says which closes the phase, and what it carries)."""
    check_open(state)
    check_adviser(state, update.adviser)
    plan = state.plan
    phase = plan.phase_plan(state.phase)
    closing = phase.closing_milestone
    if update.milestone != closing:
        ours = plan.phase_of_milestone(update.milestone) is not None
        known = "" if ours else f" is not a milestone of plan {plan.name} and"
        raise Rejection(
            "milestone",
            f"{update.milestone}{known} does not close the current phase {state.phase}; "
            f"the milestone that does is {closing}",
            code="milestone.not_closing" if ours else "milestone.unknown",
            plan=plan.name,
            milestone=update.milestone,
            phase=state.phase,
            closing=closing,
        )
    if update.skipped and not phase.optional:
        optional = [p.phase for p in plan.phases if p.optional]
        raise Rejection(
            "skipped",
            f"the phase {state.phase} cannot be skipped; "
            f"optional phases of plan {plan.name}: {', '.join(optional) or 'none'}",
            code="skipped.not_optional",
            plan=plan.name,
            phase=state.phase,
            optional=optional,
        )
    if phase.records == "development_area" and not update.skipped:
        _check_development_area(state, update)
    elif update.development_area is not None or update.development_area_other is not None:
        raise _given_only_with(plan, "development_area")
    if phase.records == "goals" and not update.skipped:
        if not update.goals or not any(goal for goal in update.goals):
            raise Rejection(
                "goals", "give at least one goal (a non-empty list of non-empty texts)", code="goals.missing"
            )
        if not all(update.goals):
            raise Rejection("goals", "a goal may not be empty", code="goals.empty")
    elif update.goals is not None:
        raise _given_only_with(plan, "goals")
    recording = None if update.skipped else phase.records
    _check_partner(plan, update, recording)
    _check_report(state, update, recording, now)
    if update.next_cycle:
        _check_next_cycle(state, update, now)


def _given_only_with(plan: ProgrammePlan, records: Records, field: str | None = None) -> Rejection:
    """`records` given (in `field`, named after it unless told) with a milestone that does not carry it: names the
    plan's milestone that does (a report's: all of them)."""
    field = field or records
    milestones = [p.closing_milestone for p in plan.phases if p.records == records]
    verb = "are" if records == "goals" else "is"
    if not milestones:
        return Rejection(
            field,
            f"{verb} given only with no milestone of plan {plan.name}",
            code=f"{records}.not_in_plan",
            plan=plan.name,
        )
    if records == "report":
        return Rejection(
            field,
            f"is given only with {' or '.join(milestones)}",
            code="report.only_with",
            plan=plan.name,
            milestones=milestones,
        )
    return Rejection(
        field,
        f"{verb} given only with {milestones[0]}",
        code=f"{records}.only_with",
        plan=plan.name,
        milestone=milestones[0],
    )


#: The partners a support agreement may name, in the order forms offer them.
PARTNERS: tuple[str, ...] = get_args(PartnerKind)


def _check_partner(plan: ProgrammePlan, update: RecordMilestone, recording: Records | None) -> None:
    """The partner the owner's support is agreed with: the guidance corps, or an expert partner named by name."""
    if recording != "partner":
        if update.partner is not None or update.partner_name is not None:
            raise _given_only_with(plan, "partner", "partner" if update.partner is not None else "partner_name")
        return
    if update.partner is None:
        raise Rejection(
            "partner",
            f"is required with this milestone; allowed: {', '.join(PARTNERS)}",
            code="partner.required",
            allowed=list(PARTNERS),
        )
    if update.partner == "expert_partner" and not update.partner_name:
        raise Rejection(
            "partner_name", "name the expert partner when partner is expert_partner", code="partner_name.required"
        )
    if update.partner == "guidance_corps" and update.partner_name is not None:
        raise Rejection(
            "partner_name", "is given only when partner is expert_partner", code="partner_name.not_expected"
        )


def _check_report(state: PeriodState, update: RecordMilestone, recording: Records | None, now: datetime) -> None:
    """A report handed in: the day (within the period, not after today) and its case number or web address."""
    if recording != "report":
        if update.report_date is not None or update.report_ref is not None:
            field = "report_date" if update.report_date is not None else "report_ref"
            raise _given_only_with(state.plan, "report", field)
        return
    if update.report_date is None:
        raise Rejection(
            "report_date", "give the day the owner handed in the report (YYYY-MM-DD)", code="report_date.required"
        )
    if update.report_ref is None:
        raise Rejection(
            "report_ref",
            "give the report's case number (e.g. 2027/1234-5) or its web address",
            code="report_ref.required",
        )
    start, on = state.input.start_date, today(state, now)
    if update.report_date > on:
        raise Rejection(
            "report_date",
            f"{update.report_date.isoformat()} is after today ({on.isoformat()}); give the day it was handed in",
            code="report_date.future",
            date=update.report_date.isoformat(),
            today=on.isoformat(),
        )
    if update.report_date < start:
        raise Rejection(
            "report_date",
            f"{update.report_date.isoformat()} is before the period starts on {start.isoformat()}",
            code="report_date.before_start",
            date=update.report_date.isoformat(),
            start=start.isoformat(),
        )


def _check_development_area(state: PeriodState, update: RecordMilestone) -> None:
    allowed = state.plan.development_areas
    if update.development_area is None:
        raise Rejection(
            "development_area",
            f"is required with this milestone; allowed: {', '.join(allowed)}",
            code="development_area.required",
            plan=state.plan.name,
            allowed=list(allowed),
        )
    if update.development_area not in allowed:
        raise Rejection(
            "development_area",
            f"{update.development_area!r} is not allowed; allowed: {', '.join(allowed)}",
            code="development_area.not_allowed",
            plan=state.plan.name,
            area=update.development_area,
            allowed=list(allowed),
        )
    if update.development_area == "other" and not update.development_area_other:
        raise Rejection(
            "development_area_other",
            "say which core task when development_area is 'other'",
            code="development_area_other.required",
        )
    if update.development_area != "other" and update.development_area_other is not None:
        raise Rejection(
            "development_area_other",
            "is given only when development_area is 'other'",
            code="development_area_other.not_expected",
        )


def _check_next_cycle(state: PeriodState, update: RecordMilestone, now: datetime) -> None:
    plan = state.plan
    if plan.new_cycle_min_months is None:
        raise Rejection(
            "next_cycle", f"plan {plan.name} has no new cycles", code="next_cycle.not_in_plan", plan=plan.name
        )
    if not plan.is_last_phase(state.phase):
        last = plan.phases[-1].closing_milestone
        raise Rejection(
            "next_cycle", f"is given only with {last}", code="next_cycle.only_with", plan=plan.name, milestone=last
        )
    left = months_remaining(state, today(state, now))
    needed = plan.new_cycle_min_months
    if left < needed:
        raise Rejection(
            "next_cycle",
            f"only {left} whole months remain of the period (it ends {ends_on(state).isoformat()}); "
            f"a new development cycle needs at least {needed}",
            code="next_cycle.too_late",
            left=left,
            ends=ends_on(state).isoformat(),
            needed=needed,
        )


def check_meeting(state: PeriodState, request: ScheduleMeeting, now: datetime) -> None:
    """Reject a meeting that may not be scheduled: wrong adviser, or not on a working day in the period."""
    check_open(state)
    check_adviser(state, request.adviser)
    country = state.plan.calendar_country
    first_allowed = calendar.next_working_day(today(state, now), country)
    last_allowed = calendar.previous_working_day(ends_on(state), country)
    if datetime.combine(request.date, request.start, tzinfo=calendar.zone(state.plan.timezone)) <= now:
        if request.date == today(state, now):
            first_allowed = calendar.next_working_day(request.date + timedelta(days=1), country)
        raise in_the_past(request.date, request.start, first_allowed)
    if request.date > ends_on(state):
        raise Rejection(
            "date",
            f"{request.date.isoformat()} is after the period's end ({ends_on(state).isoformat()}); "
            f"the last working day of the period is {last_allowed}",
            code="date.after_period_end",
            date=request.date.isoformat(),
            ends=ends_on(state).isoformat(),
            last_working_day=last_allowed.isoformat(),
        )
    suggestion = calendar.next_working_day(request.date, country)
    not_working = not_working_day(
        request.date,
        country,
        "meetings",
        next_day=suggestion,
        last_day=last_allowed if suggestion > ends_on(state) else None,
    )
    if not_working is not None:
        raise not_working
    if request.meeting_id is not None and is_network_meeting(request.meeting_id):
        raise Rejection(
            "meeting_id",
            f"{request.meeting_id} is a network meeting; the cohort moves it (guidance cohort network-meeting)",
            code="meeting_id.network_meeting",
            meeting_id=request.meeting_id,
        )
    if request.meeting_id is not None:
        _check_not_cancelled(_known_meeting(state, request.meeting_id))
    if request.meeting_id is None and len(state.meetings) >= MAX_MEETINGS:
        raise Rejection(
            "meeting_id",
            f"the period holds {len(state.meetings)} meetings, the most it may; move one (its meeting_id)",
            code="meeting_id.too_many",
            count=len(state.meetings),
        )
    known_schools = state.input.schools
    if known_schools:
        unknown = [s for s in request.schools if s not in known_schools]
        if unknown:
            raise Rejection(
                "schools",
                f"{', '.join(unknown)} not among this period's schools; allowed: {', '.join(known_schools)}",
                code="schools.unknown",
                unknown=unknown,
                allowed=list(known_schools),
            )


def is_network_meeting(meeting_id: str) -> bool:
    """A meeting the cohort shares with the owner's network (it moves and keeps it, not the period)."""
    return meeting_id.startswith("network-")


def _known_meeting(state: PeriodState, meeting_id: str) -> MeetingEntry:
    """The period's meeting of that id, or the rejection that names the ones it has."""
    found = next((m for m in state.meetings if m.meeting_id == meeting_id), None)
    if found is None:
        known = ", ".join(m.meeting_id for m in state.meetings) or "none yet"
        raise Rejection(
            "meeting_id",
            f"{meeting_id!r} is not a meeting of this period; known: {known}",
            code="meeting_id.unknown",
            meeting_id=meeting_id,
            known=[m.meeting_id for m in state.meetings],
        )
    return found


def _check_not_cancelled(meeting: MeetingEntry) -> None:
    if meeting.cancelled_at is not None:
        raise meeting_cancelled(meeting.meeting_id, meeting.cancelled_at.date())


def meeting_starts_at(state: PeriodState, meeting: MeetingEntry) -> datetime:
    """When a meeting begins, in the plan's time zone."""
    return datetime.combine(meeting.date, meeting.start, tzinfo=calendar.zone(state.plan.timezone))


def check_meeting_cancel(state: PeriodState, request: CancelMeeting, now: datetime) -> None:
    """Reject a cancellation of a meeting this period does not hold, has cancelled, has held, or the cohort owns."""
    check_open(state)
    check_adviser(state, request.adviser)
    if is_network_meeting(request.meeting_id):
        raise Rejection(
            "meeting_id",
            f"{request.meeting_id} is a network meeting; the cohort keeps it (guidance cohort cancel-network-meeting)",
            code="meeting_id.network",
            meeting_id=request.meeting_id,
        )
    meeting = _known_meeting(state, request.meeting_id)
    _check_not_cancelled(meeting)
    if meeting_starts_at(state, meeting) <= now:
        raise meeting_begun(meeting.meeting_id, meeting.date, meeting.start)


# Checked by the update validators only, not again in the handlers: validators do not run on replay, and a
# history recorded before these rules may hold a milestone or a meeting before its period's start.


def check_milestone_started(state: PeriodState, update: RecordMilestone, now: datetime) -> None:
    """A milestone closes work done in the period, so none is recorded before the period's first day."""
    start = state.input.start_date
    if today(state, now) < start:
        raise Rejection(
            "milestone",
            f"{update.milestone} cannot be recorded before the period starts on {start.isoformat()}; "
            f"milestones can be recorded from {start.isoformat()}",
            code="milestone.before_start",
            plan=state.plan.name,
            milestone=update.milestone,
            start=start.isoformat(),
        )


def check_meeting_started(state: PeriodState, request: ScheduleMeeting, now: datetime) -> None:
    """A period's meetings fall within the period: none on a day before its start."""
    start = state.input.start_date
    if request.date < start:
        first = calendar.next_working_day(max(start, today(state, now)), state.plan.calendar_country)
        raise Rejection(
            "date",
            f"{request.date.isoformat()} is before the period starts on {start.isoformat()}; "
            f"meetings can be agreed from {first.isoformat()}",
            code="date.before_start",
            date=request.date.isoformat(),
            start=start.isoformat(),
            first=first.isoformat(),
        )


def _closing(state: PeriodState) -> str:
    return state.plan.phase_plan(state.phase).closing_milestone


def check_withdrawal(state: PeriodState, request: Withdraw, now: datetime) -> None:
    check_open(state)


def check_advisers_change(state: PeriodState, request: ChangeAdvisers, now: datetime) -> None:
    """Reject a change of advisers to an ended period, or one that changes nothing.

    The list's bounds (1 to `MAX_ADVISERS`, each named once) are the message's own (`ChangeAdvisers`).
    """
    check_open(state)
    if set(request.advisers) == set(state.input.advisers):
        raise Rejection(
            "advisers",
            f"the period already has exactly these advisers ({', '.join(state.input.advisers)}); "
            "name at least one adviser to add or leave out",
            code="advisers.unchanged",
            advisers=list(state.input.advisers),
        )


# --- transitions ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PhaseChange:
    from_phase: str
    to_phase: str
    cycle: int
    sequence: int


def _enter_phase(state: PeriodState, phase: str, on: date) -> PhaseChange:
    change = PhaseChange(state.phase, phase, state.cycle, state.transitions + 1)
    if is_terminal(phase):
        state.ended_in_phase = state.phase
    state.phase = phase
    state.phase_started_on = on
    state.phase_reminded_at = None
    state.phase_second_reminded_at = None
    state.phase_escalated_at = None
    state.phase_overdue_noted = False
    state.phase_at_risk_noted_at = None
    state.transitions += 1
    return change


def apply_milestone(state: PeriodState, update: RecordMilestone, now: datetime) -> tuple[MilestoneEntry, PhaseChange]:
    """Record an accepted milestone and move to the next phase (or a new cycle, or `completed`)."""
    entry = MilestoneEntry(
        milestone=update.milestone,
        cycle=state.cycle,
        adviser=update.adviser,
        note=update.note,
        recorded_at=now,
        development_area=update.development_area,
        goals=list(update.goals or []),
        skipped=update.skipped,
        partner=update.partner,
        partner_name=update.partner_name,
        report_date=update.report_date,
        report_ref=update.report_ref,
    )
    state.milestones.append(entry)
    records = state.plan.phase_plan(state.phase).records
    if records == "development_area" and not update.skipped:
        state.development_area = update.development_area
        state.development_area_other = update.development_area_other
    if records == "goals" and not update.skipped:
        state.goals = list(update.goals or [])
    on = max(today(state, now), state.input.start_date)
    if update.next_cycle:  # checked: the last phase's milestone, while time remains
        change = _enter_phase(state, state.plan.first_phase, on)
        state.cycle += 1
        state.development_area = None
        state.development_area_other = None
        state.goals = []
        return entry, PhaseChange(change.from_phase, change.to_phase, state.cycle, change.sequence)
    following = state.plan.next_phase(state.phase)
    change = _enter_phase(state, following, on)
    if is_terminal(following):
        state.ended_at = now
        # The flagship's words kept as they were; another plan names its last milestone.
        flagship = update.milestone == "evaluation_done"
        state.end_reason = "evaluation done" if flagship else f"{update.milestone} recorded"
    return entry, change


def apply_meeting(state: PeriodState, request: ScheduleMeeting, now: datetime) -> MeetingEntry:
    """Add a meeting, or move an existing one (same id, next sequence number)."""
    fields = request.model_dump(exclude={"meeting_id"})
    if request.meeting_id is not None:
        index = next(i for i, m in enumerate(state.meetings) if m.meeting_id == request.meeting_id)
        moved = MeetingEntry(
            **fields,
            meeting_id=request.meeting_id,
            sequence=state.meetings[index].sequence + 1,
            scheduled_at=now,
            series=state.meetings[index].series,
        )
        state.meetings[index] = moved
        return moved
    entry = MeetingEntry(**fields, meeting_id=f"m{len(state.meetings) + 1}", scheduled_at=now)
    state.meetings.append(entry)
    return entry


def apply_meeting_cancel(state: PeriodState, meeting_id: str, now: datetime) -> MeetingEntry:
    """Mark a meeting cancelled: same id, next sequence number (the CANCEL supersedes every invitation sent)."""
    index = next(i for i, m in enumerate(state.meetings) if m.meeting_id == meeting_id)
    meeting = state.meetings[index]
    cancelled = meeting.model_copy(update={"sequence": meeting.sequence + 1, "cancelled_at": now})
    state.meetings[index] = cancelled
    return cancelled


def meetings_cancelled_by_withdrawal(state: PeriodState, now: datetime) -> list[str]:
    """The meetings a withdrawal cancels: every one still ahead and not cancelled, by start.

    Network meetings stay: the cohort keeps them for the whole network, and sends their changes itself.
    """
    ahead = [
        m
        for m in state.meetings
        if m.cancelled_at is None and not is_network_meeting(m.meeting_id) and meeting_starts_at(state, m) > now
    ]
    return [m.meeting_id for m in sorted(ahead, key=lambda m: (m.date, m.start, m.meeting_id))]


def apply_planned_meetings(state: PeriodState, now: datetime) -> list[MeetingEntry]:
    """Propose the plan's recurring meetings and gatherings for the whole period (at its start).

    Each gets the id ``plan-{series}-{n}`` (n from 1), the period's first adviser as its organiser and
    `MeetingEntry.series`; an adviser moves one with `schedule_meeting` and that id.
    """
    proposed: list[MeetingEntry] = []
    for series in state.plan.meetings:
        for number, day in enumerate(occurrences(series, state), start=1):
            proposed.append(
                MeetingEntry(
                    meeting_id=f"plan-{series.id}-{number}",
                    kind=series.kind,
                    date=day,
                    start=series.start,
                    duration_minutes=series.duration_minutes,
                    adviser=state.input.advisers[0],
                    schools=[],
                    title=series.title,
                    scheduled_at=now,
                    series=series.id,
                )
            )
    proposed.sort(key=lambda m: (m.date, m.start, m.meeting_id))
    state.meetings.extend(proposed)
    return proposed


def occurrences(series: MeetingSeries, state: PeriodState) -> list[date]:
    """The working days on which a series falls within the period (see `MeetingSeries`)."""
    plan, start = state.plan, state.input.start_date
    last = ends_on(state)
    if series.until_months is not None:
        last = min(last, calendar.add_months(start, series.until_months) - timedelta(days=1))
    first = start + timedelta(weeks=series.first_after_weeks)
    days: list[date] = []
    for n in range(1000):  # a bound: 1000 weeks is beyond any plan's 120 months
        if series.every_weeks is not None:
            nominal = first + timedelta(weeks=n * series.every_weeks)
        else:
            nominal = calendar.add_months(first, n * (series.every_months or 1))
        if nominal > last:
            break
        if nominal.month in series.skip_months:
            continue
        day = nominal
        if series.weekday is not None:
            day += timedelta(days=(WEEKDAYS.index(series.weekday) - day.weekday()) % 7)
        day = calendar.next_working_day(day, plan.calendar_country)
        if day > last or day.month in series.skip_months or (days and day <= days[-1]):
            continue  # moved past the end, into a skipped month, or onto the last one's day
        days.append(day)
    return days


def apply_withdrawal(state: PeriodState, request: Withdraw, now: datetime) -> PhaseChange:
    change = _enter_phase(state, Phase.WITHDRAWN, today(state, now))
    state.ended_at = now
    state.end_reason = f"withdrawn by {request.by}: {request.reason}"
    return change


def apply_advisers_change(state: PeriodState, request: ChangeAdvisers) -> list[str]:
    """Give the period its new advisers; answers with the ones it had.

    They are kept in the period's input, which every rule reads them from: who may record a milestone or a
    meeting, who is invited, the `periods` row and the ``Advisers`` search attribute all follow at once.
    """
    before = list(state.input.advisers)
    state.input = state.input.model_copy(update={"advisers": list(request.advisers)})
    return before


def apply_expiry(state: PeriodState, now: datetime) -> PhaseChange:
    reached = state.phase
    change = _enter_phase(state, Phase.EXPIRED, today(state, now))
    state.ended_at = now
    state.end_reason = f"maximum duration of {state.plan.max_months} months reached in phase {reached}"
    return change


def apply_gathering(state: PeriodState, invitation: GatheringInvitation, now: datetime) -> GatheringEntry:
    """Record a gathering invitation; a repeated id replaces the earlier one (a moved gathering)."""
    entry = GatheringEntry(**invitation.model_dump(), received_at=now)
    known = next((g for g in state.gatherings if g.gathering_id == entry.gathering_id), None)
    if known is not None and known.sequence > entry.sequence:
        return known  # a late, older invitation: the newer one stands
    state.gatherings = [g for g in state.gatherings if g.gathering_id != entry.gathering_id]
    state.gatherings.append(entry)
    state.gatherings.sort(key=lambda g: g.date)
    return entry


def apply_notice(state: PeriodState, deadline: Deadline, now: datetime) -> NoticeEntry:
    """Record that the reminder or escalation of a passed deadline was sent."""
    assert deadline.kind in ("phase_reminder", "phase_second_reminder", "escalation", "meeting_gap_reminder", "at_risk")
    phase_key = f"{deadline.kind}:{state.cycle}:{state.phase}"
    if deadline.kind == "at_risk":
        state.phase_at_risk_noted_at = now
        message = (
            f"The {state.phase} phase is due {phase_due_on(state)} and {_closing(state)} has not been recorded; "
            f"it is at risk of running late."
        )
        key = phase_key
    elif deadline.kind == "phase_reminder":
        state.phase_reminded_at = now
        message = (
            f"The {state.phase} phase was due {phase_due_on(state)} and has not been closed; "
            f"record {_closing(state)} or agree a new plan with the owner."
        )
        key = phase_key
    elif deadline.kind == "phase_second_reminder":
        state.phase_second_reminded_at = now
        message = (
            f"Second reminder: the {state.phase} phase was due {phase_due_on(state)}; unless "
            f"{_closing(state)} is recorded, the Directorate is told at the end of "
            f"{escalation_on(state)}."
        )
        key = phase_key
    elif deadline.kind == "escalation":
        state.phase_escalated_at = now
        message = (
            f"{state.input.owner.name} ({state.input.owner.id}) has been in {state.phase} since "
            f"{state.phase_started_on}, {state.plan.escalation_delay_weeks} weeks past the reminder."
        )
        key = phase_key
    else:
        last = _meeting_gap_reference(state)
        state.meeting_gap_from = today(state, now)
        message = (
            f"No meeting with {state.input.owner.name} since {last}; "
            f"agree the next one ({state.plan.meeting_gap_weeks}-week cadence)."
        )
        key = f"{deadline.kind}:{state.meeting_gap_from.isoformat()}"
    entry = NoticeEntry(kind=deadline.kind, key=key, phase=state.phase, cycle=state.cycle, sent_at=now, message=message)
    state.notices.append(entry)
    return entry


def apply_network_meeting(state: PeriodState, meeting: NetworkMeeting, now: datetime) -> MeetingEntry | str:
    """Record a meeting shared by the owner's network (agreed, moved, or cancelled by the cohort), or say why this
    period leaves it out.

    The cohort has checked the date is a working day ahead; a period that has ended, or whose end
    comes before the meeting, does not take part. The same id and sequence again changes nothing, so
    a repeated signal is harmless.
    """
    if is_terminal(state.phase):
        return f"the period has ended ({state.phase})"
    if meeting.date > ends_on(state):
        return f"{meeting.date} is after the period's end ({ends_on(state)})"
    known = next((i for i, m in enumerate(state.meetings) if m.meeting_id == meeting.meeting_id), None)
    if known is not None and state.meetings[known].sequence >= meeting.sequence:
        return f"meeting {meeting.meeting_id} is already at sequence {state.meetings[known].sequence}"
    if meeting.cancelled_on is not None:
        # The cohort cancelled it: the period's copy is marked so, its CANCEL supersedes every invitation sent.
        if known is None:
            return f"meeting {meeting.meeting_id} is not one of this period's; there is nothing to cancel"
        cancelled = state.meetings[known].model_copy(update={"sequence": meeting.sequence, "cancelled_at": now})
        state.meetings[known] = cancelled
        return cancelled
    entry = MeetingEntry(
        meeting_id=meeting.meeting_id,
        kind="network",
        date=meeting.date,
        start=meeting.start,
        duration_minutes=meeting.duration_minutes,
        adviser=meeting.adviser,
        schools=[],
        title=meeting.title or f"Network meeting: {meeting.network}",
        sequence=meeting.sequence,
        scheduled_at=now,
    )
    if known is None:
        state.meetings.append(entry)
    else:
        state.meetings[known] = entry
    return entry


def progress_fingerprint(state: PeriodState, now: datetime, *, overdue: bool | None = None) -> tuple[object, ...]:
    """What the cohort is told about; a report goes out when it changes (`overdue`: as the cohort assumes it)."""
    late = is_overdue(state, now) if overdue is None else overdue
    return (state.phase, state.cycle, phase_due_on(state), late, is_terminal(state.phase))


def progress(state: PeriodState, now: datetime) -> PeriodProgress:
    """The next report to the cohort (counts it)."""
    state.progress_reports += 1
    return PeriodProgress(
        owner_id=state.input.owner.id,
        report=state.progress_reports,
        phase=state.phase,
        cycle=state.cycle,
        phase_due_on=phase_due_on(state),
        overdue=is_overdue(state, now),
        ended=is_terminal(state.phase),
        end_reason=state.end_reason,
        at=now,
    )


def notice_counts(state: PeriodState) -> tuple[int, int]:
    """How many reminders and how many escalations the period has sent (an early warning, ``at_risk``, is neither)."""
    escalations = sum(1 for n in state.notices if n.kind == "escalation")
    warnings = sum(1 for n in state.notices if n.kind == "at_risk")
    return len(state.notices) - escalations - warnings, escalations


def status(state: PeriodState, workflow_id: str, now: datetime) -> PeriodStatus:
    """What a person or client sees of the period."""
    reminders, escalations = notice_counts(state)
    return PeriodStatus(
        workflow_id=workflow_id,
        cohort=state.input.cohort,
        owner=state.input.owner,
        advisers=list(state.input.advisers),
        plan=state.plan.name,
        plan_version=state.plan.version,
        phase=state.phase,
        cycle=state.cycle,
        phase_started_on=state.phase_started_on,
        phase_due_at=phase_due_at(state),
        overdue=is_overdue(state, now),
        ends_at=ends_at(state),
        development_area=state.development_area,
        development_area_other=state.development_area_other,
        goals=list(state.goals),
        milestones=list(state.milestones),
        meetings=sorted(state.meetings, key=lambda m: (m.date, m.start)),
        gatherings=list(state.gatherings),
        reminders_sent=reminders,
        escalations_sent=escalations,
        end_reason=state.end_reason,
        records_pending=len(state.pending),
        records_refused=len(state.refused),
        network=state.input.network,
        kindergarten_transition=state.input.kindergarten_transition,
        start_date=state.input.start_date,
        at_risk_at=at_risk_at(state),
        at_risk=is_at_risk(state, now),
        competence_environments=[e.model_copy(deep=True) for e in state.competence_environments],
    )
