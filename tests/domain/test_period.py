"""The rules of a guidance period (domain/period.py): what an adviser may record or schedule, how a period
moves through its phases and cycles, and when reminders, escalations and the period's end fall due.

Every date below is worked out from the plan in `plan()` and the Norwegian calendar of 2027-2029
(Easter 2027 is 28 March, so Maundy Thursday is 25 March; 17 May 2027 is also Whit Monday).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from domain import calendar, period
from domain.models import (
    ChangeAdvisers,
    GatheringInvitation,
    MeetingEntry,
    NetworkMeeting,
    PeriodInput,
    PeriodState,
    RecordMilestone,
    ScheduleMeeting,
    SchoolOwner,
    Withdraw,
)
from domain.period import Deadline, Rejection
from domain.phases import CLOSING_MILESTONE, WORKING_PHASES, Milestone, Phase
from domain.programme import MeetingSeries, PhasePlan, ProgrammePlan

OSLO = ZoneInfo("Europe/Oslo")
START = date(2027, 1, 4)  # a Monday
ENDS_ON = date(2029, 7, 3)  # the last day: 30 months after 2027-01-04 is 2029-07-04
ADVISERS = ["a.hansen", "b.olsen"]
DRAMMEN = SchoolOwner(id="3301", name="Drammen", kind="municipality", county="33")
WEEKS = {
    Phase.MAPPING: 10,
    Phase.ANCHORING: 8,
    Phase.DEVELOPMENT_AREA: 6,
    Phase.GOAL_PRIORITISATION: 6,
    Phase.IMPLEMENTATION: 52,
    Phase.EVALUATION: 12,
}


def plan(weeks: dict[Phase, int] | None = None, **overrides: Any) -> ProgrammePlan:
    """The Veilederkorpset plan with explicit values, so that the tests do not depend on settings."""
    phase_weeks = WEEKS | (weeks or {})
    data: dict[str, Any] = {
        "name": "veilederkorpset",
        "version": "test",
        "phases": tuple(
            PhasePlan(phase=p, expected_weeks=phase_weeks[p], closing_milestone=CLOSING_MILESTONE[p])
            for p in WORKING_PHASES
        ),
        "max_months": 30,
        "meeting_gap_weeks": 8,
        "reminder_delay_days": 0,
        "escalation_delay_weeks": 4,
        "new_cycle_min_months": 9,
        "development_areas": ("classroom_management", "basic_skills", "assessment", "learning_environment", "other"),
    }
    data.update(overrides)
    return ProgrammePlan(**data)


def new_state(
    start: date = START, schools: list[str] | None = None, programme: ProgrammePlan | None = None
) -> PeriodState:
    period_input = PeriodInput(cohort="2027", owner=DRAMMEN, advisers=ADVISERS, start_date=start, schools=schools or [])
    return period.new_state(period_input, programme or plan())


def at(day: date, hour: int = 12, minute: int = 0) -> datetime:
    """A moment on `day` in Oslo, as the aware UTC datetime `workflow.now()` gives."""
    return datetime.combine(day, time(hour, minute), tzinfo=OSLO).astimezone(UTC)


def oslo_midnight_after(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=OSLO)


def closing(phase: str, adviser: str = "a.hansen", **extra: Any) -> RecordMilestone:
    """The update that closes `phase`, with what its milestone needs."""
    milestone = CLOSING_MILESTONE[Phase(phase)]
    if milestone == Milestone.DEVELOPMENT_AREA_CHOSEN:
        extra.setdefault("development_area", "basic_skills")
    if milestone == Milestone.GOALS_PRIORITISED:
        extra.setdefault("goals", ["Reading in grades 1-4", "Fewer pupils at mastery level 1"])
    return RecordMilestone(milestone=milestone, adviser=adviser, **extra)


def record(state: PeriodState, update: RecordMilestone, now: datetime) -> period.PhaseChange:
    """What the workflow does: check, then apply."""
    period.check_milestone(state, update, now)
    _, change = period.apply_milestone(state, update, now)
    return change


def walk_to(state: PeriodState, target: Phase, day: date) -> None:
    """Close phases on `day` until `state` is in `target`."""
    while state.phase != target:
        record(state, closing(state.phase), at(day))


def meeting(day: date, **extra: Any) -> ScheduleMeeting:
    fields: dict[str, Any] = {"kind": "follow_up", "date": day, "adviser": "a.hansen"}
    fields.update(extra)
    return ScheduleMeeting(**fields)


def schedule(state: PeriodState, request: ScheduleMeeting, now: datetime) -> str:
    period.check_meeting(state, request, now)
    return period.apply_meeting(state, request, now).meeting_id


def kinds(deadlines: list[Deadline]) -> list[str | None]:
    return [d.kind for d in deadlines]


def deadline(state: PeriodState, kind: str | None) -> Deadline:
    (found,) = [d for d in period.pending_deadlines(state) if d.kind == kind]
    return found


# --- milestones -----------------------------------------------------------------------------------


@pytest.mark.parametrize("wrong", [m for m in Milestone if m != Milestone.MAPPING_DONE], ids=lambda m: str(m.value))
def test_a_milestone_that_does_not_close_the_current_phase_names_the_one_that_does(wrong: Milestone) -> None:
    state = new_state()
    update = RecordMilestone(milestone=wrong, adviser="a.hansen")
    with pytest.raises(Rejection) as raised:
        period.check_milestone(state, update, at(date(2027, 2, 1)))
    assert raised.value.field == "milestone"
    assert "does not close the current phase mapping" in str(raised.value)
    assert "the milestone that does is mapping_done" in str(raised.value)


def test_a_milestone_no_phase_of_the_plan_has_is_named_as_unknown() -> None:
    state = new_state()
    with pytest.raises(Rejection) as raised:
        period.check_milestone(
            state, RecordMilestone(milestone="mapping_finished", adviser="a.hansen"), at(date(2027, 2, 1))
        )
    assert raised.value.field == "milestone"
    assert "mapping_finished is not a milestone of plan veilederkorpset" in str(raised.value)
    assert "the milestone that does is mapping_done" in str(raised.value)


def test_the_flagship_has_no_optional_phase_to_skip() -> None:
    state = new_state()
    with pytest.raises(Rejection) as raised:
        period.check_milestone(
            state, RecordMilestone(milestone="mapping_done", adviser="a.hansen", skipped=True), at(date(2027, 2, 1))
        )
    assert raised.value.field == "skipped"
    assert "optional phases of plan veilederkorpset: none" in str(raised.value)


def test_the_milestone_that_closes_a_later_phase_is_named() -> None:
    state = new_state()
    walk_to(state, Phase.IMPLEMENTATION, date(2027, 2, 1))
    with pytest.raises(Rejection, match="the milestone that does is measures_implemented"):
        period.check_milestone(state, RecordMilestone(milestone="evaluation_done", adviser="a.hansen"), at(START))


def test_a_milestone_before_the_period_starts_is_refused_naming_the_first_day_it_may_be_recorded() -> None:
    state = new_state()  # starts Monday 2027-01-04
    with pytest.raises(Rejection) as raised:
        period.check_milestone_started(state, closing(Phase.MAPPING), at(date(2026, 12, 4)))
    assert raised.value.field == "milestone"
    assert str(raised.value) == (
        "milestone: mapping_done cannot be recorded before the period starts on 2027-01-04; "
        "milestones can be recorded from 2027-01-04"
    )
    # Late in the evening before the start in Oslo is still before it, though UTC has the same date.
    with pytest.raises(Rejection):
        period.check_milestone_started(state, closing(Phase.MAPPING), at(date(2027, 1, 3), hour=23, minute=30))
    period.check_milestone_started(state, closing(Phase.MAPPING), at(START, hour=0, minute=30))
    period.check_milestone_started(state, closing(Phase.MAPPING), at(date(2027, 2, 1)))


def test_a_meeting_dated_before_the_period_starts_is_refused_naming_the_first_day_it_may_fall_on() -> None:
    state = new_state(start=date(2027, 1, 2))  # a Saturday: the first working day of the period is 2027-01-04
    with pytest.raises(Rejection) as raised:
        period.check_meeting_started(state, meeting(date(2026, 12, 14)), at(date(2026, 12, 4)))
    assert raised.value.field == "date"
    assert str(raised.value) == (
        "date: 2026-12-14 is before the period starts on 2027-01-02; meetings can be agreed from 2027-01-04"
    )
    # Agreed before the start for a day within the period: that is how a kick-off is planned.
    period.check_meeting_started(state, meeting(date(2027, 1, 12)), at(date(2026, 12, 4)))


def test_an_adviser_not_assigned_is_refused_listing_the_assigned() -> None:
    state = new_state()
    with pytest.raises(Rejection) as raised:
        period.check_milestone(state, closing(Phase.MAPPING, adviser="c.berg"), at(date(2027, 2, 1)))
    assert raised.value.field == "adviser"
    assert "'c.berg' is not assigned to this period; assigned: a.hansen, b.olsen" in str(raised.value)
    assert state.milestones == []


@pytest.mark.parametrize(
    ("extra", "field", "words"),
    [
        pytest.param(
            {"development_area": "mathematics"},
            "development_area",
            "'mathematics' is not allowed; allowed: classroom_management, basic_skills, assessment, "
            "learning_environment, other",
            id="not-allowed",
        ),
        pytest.param(
            {"development_area": None},
            "development_area",
            "is required with this milestone; allowed: classroom_management",
            id="missing",
        ),
        pytest.param(
            {"development_area": "other"},
            "development_area_other",
            "say which core task",
            id="other-without-saying-what",
        ),
        pytest.param(
            {"development_area": "assessment", "development_area_other": "transition from kindergarten"},
            "development_area_other",
            "only when development_area is 'other'",
            id="other-text-with-a-listed-area",
        ),
    ],
)
def test_development_area_rules(extra: dict[str, Any], field: str, words: str) -> None:
    state = new_state()
    walk_to(state, Phase.DEVELOPMENT_AREA, date(2027, 2, 1))
    update = RecordMilestone(milestone="development_area_chosen", adviser="a.hansen", **extra)
    with pytest.raises(Rejection) as raised:
        period.check_milestone(state, update, at(date(2027, 3, 1)))
    assert raised.value.field == field
    assert words in str(raised.value)
    assert state.phase == Phase.DEVELOPMENT_AREA


def test_development_area_other_is_accepted_with_its_text() -> None:
    state = new_state()
    walk_to(state, Phase.DEVELOPMENT_AREA, date(2027, 2, 1))
    update = closing(
        Phase.DEVELOPMENT_AREA, development_area="other", development_area_other="transition from kindergarten"
    )
    record(state, update, at(date(2027, 3, 1)))
    assert (state.development_area, state.development_area_other) == ("other", "transition from kindergarten")


def test_a_plan_with_other_development_areas_lists_those() -> None:
    state = new_state(programme=plan(development_areas=("reading", "numeracy")))
    walk_to(state, Phase.DEVELOPMENT_AREA, date(2027, 2, 1))
    with pytest.raises(Rejection, match="allowed: reading, numeracy"):
        period.check_milestone(state, closing(Phase.DEVELOPMENT_AREA), at(date(2027, 3, 1)))


def test_a_development_area_given_with_another_milestone_is_refused() -> None:
    state = new_state()
    update = closing(Phase.MAPPING, development_area="basic_skills")
    with pytest.raises(Rejection) as raised:
        period.check_milestone(state, update, at(date(2027, 2, 1)))
    assert raised.value.field == "development_area"
    assert "development_area_chosen" in str(raised.value)


@pytest.mark.parametrize(
    ("goals", "words"),
    [
        pytest.param([], "give at least one goal", id="empty-list"),
        pytest.param(None, "give at least one goal", id="missing"),
        pytest.param([""], "give at least one goal", id="one-empty-goal"),
        pytest.param(["   "], "give at least one goal", id="one-blank-goal"),
        pytest.param(["Reading", ""], "a goal may not be empty", id="one-of-two-empty"),
    ],
)
def test_goal_prioritisation_needs_goals(goals: list[str] | None, words: str) -> None:
    state = new_state()
    walk_to(state, Phase.GOAL_PRIORITISATION, date(2027, 2, 1))
    update = RecordMilestone(milestone="goals_prioritised", adviser="a.hansen", goals=goals)
    with pytest.raises(Rejection) as raised:
        period.check_milestone(state, update, at(date(2027, 3, 1)))
    assert raised.value.field == "goals"
    assert words in str(raised.value)


def test_goals_given_with_another_milestone_are_refused() -> None:
    state = new_state()
    with pytest.raises(Rejection) as raised:
        period.check_milestone(state, closing(Phase.MAPPING, goals=["Reading"]), at(date(2027, 2, 1)))
    assert raised.value.field == "goals"
    assert "goals_prioritised" in str(raised.value)


# --- walking a period ---------------------------------------------------------------------------


def test_walking_through_all_six_phases_completes_the_period() -> None:
    state = new_state()
    days = [date(2027, 3, 1), date(2027, 4, 26), date(2027, 6, 7), date(2027, 8, 16), date(2028, 8, 14)]
    days.append(date(2028, 11, 6))
    seen: list[tuple[str, str, int]] = []
    for phase, day in zip(WORKING_PHASES, days, strict=True):
        assert state.phase == phase
        change = record(state, closing(phase), at(day))
        seen.append((change.from_phase, change.to_phase, change.sequence))
        if change.to_phase != Phase.COMPLETED:
            assert state.phase_started_on == day
            due = period.phase_due_on(state)
            assert due is not None
            assert due >= day + timedelta(weeks=WEEKS[Phase(state.phase)])
    assert seen == [
        (Phase.MAPPING, Phase.ANCHORING, 1),
        (Phase.ANCHORING, Phase.DEVELOPMENT_AREA, 2),
        (Phase.DEVELOPMENT_AREA, Phase.GOAL_PRIORITISATION, 3),
        (Phase.GOAL_PRIORITISATION, Phase.IMPLEMENTATION, 4),
        (Phase.IMPLEMENTATION, Phase.EVALUATION, 5),
        (Phase.EVALUATION, Phase.COMPLETED, 6),
    ]
    assert state.phase == Phase.COMPLETED
    assert state.ended_at == at(days[-1])
    assert state.end_reason == "evaluation done"
    assert [m.milestone for m in state.milestones] == [CLOSING_MILESTONE[p] for p in WORKING_PHASES]
    assert all(m.cycle == 1 for m in state.milestones)
    assert state.development_area == "basic_skills"
    assert state.goals == ["Reading in grades 1-4", "Fewer pupils at mastery level 1"]
    assert period.pending_deadlines(state) == []
    answer = period.status(state, "guidance-period-2027-3301", at(days[-1]))
    assert (answer.phase, answer.phase_due_at, answer.overdue) == (Phase.COMPLETED, None, False)


def test_the_milestone_entry_keeps_who_when_and_what() -> None:
    state = new_state()
    walk_to(state, Phase.DEVELOPMENT_AREA, date(2027, 3, 1))
    now = at(date(2027, 4, 6), 14, 30)
    update = closing(Phase.DEVELOPMENT_AREA, adviser="b.olsen", note="Chosen with the school leaders")
    entry, _ = period.apply_milestone(state, update, now)
    assert (entry.adviser, entry.note, entry.recorded_at, entry.development_area, entry.cycle) == (
        "b.olsen",
        "Chosen with the school leaders",
        now,
        "basic_skills",
        1,
    )


def test_a_milestone_recorded_before_the_start_date_starts_the_next_phase_on_the_start_date() -> None:
    state = new_state()
    record(state, closing(Phase.MAPPING), at(START - timedelta(days=10)))
    assert state.phase_started_on == START


# --- new cycles -----------------------------------------------------------------------------------


def test_next_cycle_with_enough_time_left_starts_mapping_again() -> None:
    state = new_state()
    walk_to(state, Phase.EVALUATION, date(2027, 11, 1))
    now = at(date(2028, 1, 10))
    change = record(state, closing(Phase.EVALUATION, next_cycle=True), now)
    assert (change.from_phase, change.to_phase, change.cycle) == (Phase.EVALUATION, Phase.MAPPING, 2)
    assert (state.phase, state.cycle, state.phase_started_on) == (Phase.MAPPING, 2, date(2028, 1, 10))
    assert state.development_area is None
    assert state.goals == []
    assert len(state.milestones) == 6
    assert state.ended_at is None
    record(state, closing(Phase.MAPPING), at(date(2028, 2, 7)))
    assert state.milestones[-1].cycle == 2
    assert state.phase == Phase.ANCHORING


def test_next_cycle_near_the_end_is_refused_saying_how_much_time_is_left() -> None:
    state = new_state()
    walk_to(state, Phase.EVALUATION, date(2028, 11, 6))
    now = at(date(2029, 3, 1))
    with pytest.raises(Rejection) as raised:
        period.check_milestone(state, closing(Phase.EVALUATION, next_cycle=True), now)
    assert raised.value.field == "next_cycle"
    message = str(raised.value)
    assert f"it ends {ENDS_ON.isoformat()}" in message
    assert "needs at least 9" in message
    assert "only 4 whole months remain" in message, message
    record(state, closing(Phase.EVALUATION), now)
    assert state.phase == Phase.COMPLETED


def test_next_cycle_is_accepted_with_exactly_the_minimum_months_left() -> None:
    """On 3 October 2028 the period (ending at midnight after 3 July 2029) has nine months and a day left,
    so a plan that needs nine months for a new cycle must accept it; it is refused with the
    self-contradicting message "only 9.0 months remain ...; a new development cycle needs at least 9"."""
    state = new_state()
    walk_to(state, Phase.EVALUATION, date(2028, 6, 5))
    period.check_milestone(state, closing(Phase.EVALUATION, next_cycle=True), at(date(2028, 10, 3)))


def test_next_cycle_only_with_evaluation_done() -> None:
    state = new_state()
    with pytest.raises(Rejection) as raised:
        period.check_milestone(state, closing(Phase.MAPPING, next_cycle=True), at(date(2027, 2, 1)))
    assert raised.value.field == "next_cycle"
    assert "evaluation_done" in str(raised.value)


# --- meetings -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "now_day", "words"),
    [
        pytest.param(
            date(2027, 3, 13),
            date(2027, 3, 10),
            ["2027-03-13 is a Saturday", "the next working day is 2027-03-15"],
            id="saturday",
        ),
        pytest.param(
            date(2027, 3, 14),
            date(2027, 3, 10),
            ["2027-03-14 is a Sunday", "the next working day is 2027-03-15"],
            id="sunday",
        ),
        pytest.param(
            date(2027, 3, 25),
            date(2027, 3, 10),
            ["public holiday", "Maundy Thursday", "the next working day is 2027-03-30"],
            id="maundy-thursday",
        ),
        pytest.param(
            date(2027, 5, 17),
            date(2027, 3, 10),
            ["Constitution Day", "Pentecost Monday", "the next working day is 2027-05-18"],
            id="17-may",
        ),
        pytest.param(
            date(2027, 12, 25),
            date(2027, 3, 10),
            ["Christmas Day", "the next working day is 2027-12-27"],
            id="christmas-on-a-saturday",
        ),
        pytest.param(
            date(2027, 3, 9),
            date(2027, 3, 10),
            ["in the past", "the next working day is 2027-03-10"],
            id="yesterday",
        ),
        pytest.param(
            date(2027, 3, 12),
            date(2027, 3, 13),
            ["in the past", "the next working day is 2027-03-15"],
            id="yesterday-seen-on-a-saturday",
        ),
        pytest.param(
            date(2029, 7, 10),
            date(2027, 3, 10),
            ["after the period's end (2029-07-03)", "the last working day of the period is 2029-07-03"],
            id="after-the-end",
        ),
    ],
)
def test_a_meeting_off_a_working_day_or_outside_the_period_is_refused_with_a_suggestion(
    day: date, now_day: date, words: list[str]
) -> None:
    state = new_state()
    with pytest.raises(Rejection) as raised:
        period.check_meeting(state, meeting(day), at(now_day))
    assert raised.value.field == "date"
    for word in words:
        assert word in str(raised.value)


def test_a_meeting_on_the_weekend_after_the_last_working_day_suggests_the_last_working_day() -> None:
    state = new_state(start=date(2027, 1, 9))  # ends on Sunday 2029-07-08
    assert period.ends_on(state) == date(2029, 7, 8)
    with pytest.raises(Rejection) as raised:
        period.check_meeting(state, meeting(date(2029, 7, 7)), at(date(2029, 7, 2)))
    assert "2029-07-07 is a Saturday" in str(raised.value)
    assert "the last working day of the period is 2029-07-06" in str(raised.value)
    with pytest.raises(Rejection, match="the last working day of the period is 2029-07-06"):
        period.check_meeting(state, meeting(date(2029, 7, 9)), at(date(2029, 7, 2)))


@pytest.mark.parametrize(
    ("day", "now_day"),
    [
        pytest.param(date(2027, 3, 10), date(2027, 3, 10), id="today-later"),
        pytest.param(date(2027, 3, 24), date(2027, 3, 10), id="the-day-before-maundy-thursday"),
        pytest.param(date(2027, 3, 30), date(2027, 3, 10), id="the-day-after-easter-monday"),
        pytest.param(ENDS_ON, date(2029, 6, 1), id="the-last-day-of-the-period"),
    ],
)
def test_a_meeting_on_a_working_day_in_the_period_is_accepted(day: date, now_day: date) -> None:
    state = new_state()
    meeting_id = schedule(state, meeting(day, start=time(15, 0)), at(now_day))
    assert [(m.meeting_id, m.date) for m in state.meetings] == [(meeting_id, day)]


def test_a_meeting_by_an_adviser_not_assigned_is_refused() -> None:
    state = new_state()
    with pytest.raises(Rejection) as raised:
        period.check_meeting(state, meeting(date(2027, 3, 15), adviser="c.berg"), at(date(2027, 3, 10)))
    assert raised.value.field == "adviser"
    assert "assigned: a.hansen, b.olsen" in str(raised.value)


def test_a_meeting_with_a_school_not_in_the_period_is_refused_listing_the_schools() -> None:
    state = new_state(schools=["Fjell skole", "Åskollen skole"])
    request = meeting(date(2027, 3, 15), kind="school_visit", schools=["Gulskogen skole"])
    with pytest.raises(Rejection) as raised:
        period.check_meeting(state, request, at(date(2027, 3, 10)))
    assert raised.value.field == "schools"
    assert "Gulskogen skole" in str(raised.value)
    assert "allowed: Fjell skole, Åskollen skole" in str(raised.value)
    schedule(state, meeting(date(2027, 3, 15), kind="school_visit", schools=["Fjell skole"]), at(date(2027, 3, 10)))


def test_moving_a_meeting_keeps_its_id_and_bumps_its_sequence() -> None:
    state = new_state()
    now = at(date(2027, 2, 1))
    first = schedule(state, meeting(date(2027, 2, 15), kind="kickoff"), now)
    second = schedule(state, meeting(date(2027, 3, 15)), now)
    assert (first, second) == ("m1", "m2")
    later = at(date(2027, 2, 3))
    assert schedule(state, meeting(date(2027, 2, 22), kind="kickoff", meeting_id="m1"), later) == "m1"
    assert schedule(state, meeting(date(2027, 2, 23), kind="kickoff", meeting_id="m1", start="13:00"), later) == "m1"
    assert [(m.meeting_id, m.date, m.sequence) for m in state.meetings] == [
        ("m1", date(2027, 2, 23), 2),
        ("m2", date(2027, 3, 15), 0),
    ]
    assert state.meetings[0].start == time(13, 0)
    assert state.meetings[0].scheduled_at == later
    assert schedule(state, meeting(date(2027, 4, 5)), later) == "m3"


def test_moving_an_unknown_meeting_is_refused_listing_the_known() -> None:
    state = new_state()
    with pytest.raises(Rejection, match="'m7' is not a meeting of this period; known: none yet"):
        period.check_meeting(state, meeting(date(2027, 2, 15), meeting_id="m7"), at(date(2027, 2, 1)))
    schedule(state, meeting(date(2027, 2, 15)), at(date(2027, 2, 1)))
    schedule(state, meeting(date(2027, 2, 16)), at(date(2027, 2, 1)))
    with pytest.raises(Rejection) as raised:
        period.check_meeting(state, meeting(date(2027, 2, 15), meeting_id="m7"), at(date(2027, 2, 1)))
    assert raised.value.field == "meeting_id"
    assert "known: m1, m2" in str(raised.value)


def test_moving_a_meeting_onto_a_holiday_is_refused() -> None:
    state = new_state()
    schedule(state, meeting(date(2027, 3, 22)), at(date(2027, 3, 1)))
    with pytest.raises(Rejection, match="Good Friday"):
        period.check_meeting(state, meeting(date(2027, 3, 26), meeting_id="m1"), at(date(2027, 3, 1)))


def test_status_lists_meetings_in_date_order() -> None:
    state = new_state()
    now = at(date(2027, 2, 1))
    schedule(state, meeting(date(2027, 3, 15), start="13:00"), now)
    schedule(state, meeting(date(2027, 2, 15)), now)
    schedule(state, meeting(date(2027, 3, 15), start="09:00"), now)
    answer = period.status(state, "guidance-period-2027-3301", now)
    assert [m.meeting_id for m in answer.meetings] == ["m2", "m3", "m1"]


# --- ended periods --------------------------------------------------------------------------------


def completed() -> PeriodState:
    state = new_state()
    walk_to(state, Phase.COMPLETED, date(2027, 6, 1))
    return state


def withdrawn() -> PeriodState:
    state = new_state()
    request = Withdraw(reason="merged with a neighbour", by="coordinator")
    period.check_withdrawal(state, request, at(date(2027, 5, 3)))
    period.apply_withdrawal(state, request, at(date(2027, 5, 3)))
    return state


def expired() -> PeriodState:
    state = new_state()
    walk_to(state, Phase.IMPLEMENTATION, date(2027, 6, 1))
    period.apply_expiry(state, period.ends_at(state))
    return state


@pytest.mark.parametrize(
    ("make", "phase", "reason"),
    [
        (completed, Phase.COMPLETED, "evaluation done"),
        (withdrawn, Phase.WITHDRAWN, "withdrawn by coordinator: merged with a neighbour"),
        (expired, Phase.EXPIRED, "maximum duration of 30 months reached in phase implementation"),
    ],
    ids=["completed", "withdrawn", "expired"],
)
def test_nothing_can_be_recorded_on_an_ended_period(make: Callable[[], PeriodState], phase: Phase, reason: str) -> None:
    state = make()
    assert (state.phase, state.end_reason) == (phase, reason)
    now = at(date(2027, 6, 2))
    attempts: list[Callable[[], None]] = [
        lambda: period.check_milestone(state, closing(Phase.MAPPING), now),
        lambda: period.check_milestone(state, closing(Phase.EVALUATION), now),
        lambda: period.check_meeting(state, meeting(date(2027, 6, 7)), now),
        lambda: period.check_withdrawal(state, Withdraw(reason="again", by="coordinator"), now),
    ]
    for attempt in attempts:
        with pytest.raises(Rejection) as raised:
            attempt()
        assert raised.value.field == "phase"
        assert f"the period has ended ({phase}: {reason})" in str(raised.value)
    assert period.pending_deadlines(state) == []
    assert period.next_deadline(state) is None


def test_withdrawal_ends_the_period_with_who_and_why() -> None:
    state = withdrawn()
    assert state.ended_at == at(date(2027, 5, 3))
    assert state.phase_started_on == date(2027, 5, 3)


def test_a_change_of_advisers_that_changes_nothing_is_rejected_naming_the_advisers() -> None:
    state = new_state()
    same = ChangeAdvisers(advisers=["b.olsen", "a.hansen"], by="coordinator")  # the same two, in another order
    with pytest.raises(Rejection, match=r"already has exactly these advisers \(a.hansen, b.olsen\)") as rejected:
        period.check_advisers_change(state, same, at(date(2027, 2, 1)))
    assert rejected.value.field == "advisers"
    period.check_advisers_change(state, ChangeAdvisers(advisers=["a.hansen"], by="k"), at(date(2027, 2, 1)))


def test_an_ended_period_takes_no_new_advisers() -> None:
    state = withdrawn()
    with pytest.raises(Rejection, match="the period has ended") as rejected:
        period.check_advisers_change(state, ChangeAdvisers(advisers=["c.berg"], by="k"), at(date(2027, 6, 1)))
    assert rejected.value.field == "phase"
    assert state.input.advisers == ADVISERS


def test_expiry_closes_the_period_in_the_phase_it_reached() -> None:
    state = new_state()
    walk_to(state, Phase.IMPLEMENTATION, date(2027, 6, 1))
    end = period.ends_at(state)
    change = period.apply_expiry(state, end)
    assert (change.from_phase, change.to_phase) == (Phase.IMPLEMENTATION, Phase.EXPIRED)
    assert state.phase == Phase.EXPIRED
    assert state.ended_at == end
    answer = period.status(state, "guidance-period-2027-3301", end)
    assert (answer.phase, answer.phase_due_at, answer.overdue) == (Phase.EXPIRED, None, False)
    assert answer.end_reason == "maximum duration of 30 months reached in phase implementation"


# --- deadlines ------------------------------------------------------------------------------------


def test_the_period_ends_30_months_after_its_start() -> None:
    state = new_state()
    assert period.ends_on(state) == ENDS_ON
    assert period.ends_at(state) == oslo_midnight_after(ENDS_ON)
    assert period.ends_at(state) == datetime(2029, 7, 3, 22, 0, tzinfo=UTC)  # Oslo summer time
    end = deadline(state, "period_end")
    assert end.at == period.ends_at(state)
    assert "30 months" in end.summary


@pytest.mark.parametrize(
    ("start", "ends_on"),
    [
        (date(2027, 8, 31), date(2030, 2, 27)),  # 31 Aug + 30 months is clamped to 28 Feb 2030
        (date(2027, 8, 1), date(2030, 1, 31)),
        (date(2026, 8, 31), date(2029, 2, 27)),
    ],
)
def test_the_period_end_for_other_start_dates(start: date, ends_on: date) -> None:
    assert period.ends_on(new_state(start=start)) == ends_on


def test_a_fresh_period_has_its_deadlines_in_order() -> None:
    state = new_state()
    deadlines = period.pending_deadlines(state)
    # meeting gap: 8 weeks after 4 Jan is 1 March; mapping: 10 weeks after 4 Jan is Monday 15 March
    assert [(d.kind, d.at) for d in deadlines] == [
        ("meeting_gap_reminder", oslo_midnight_after(date(2027, 3, 1))),
        ("phase_reminder", oslo_midnight_after(date(2027, 3, 15))),
        ("period_end", oslo_midnight_after(ENDS_ON)),
    ]
    assert period.next_deadline(state) == deadlines[0]
    assert deadlines[1].at == datetime(2027, 3, 15, 23, 0, tzinfo=UTC)  # Oslo winter time


def test_a_phase_due_on_a_holiday_is_due_on_the_next_working_day() -> None:
    state = new_state(programme=plan({Phase.MAPPING: 12}))  # 12 weeks after 4 Jan 2027 is Easter Monday
    assert period.phase_due_on(state) == date(2027, 3, 30)
    assert deadline(state, "phase_reminder").at == datetime(2027, 3, 30, 22, 0, tzinfo=UTC)  # summer time


def test_the_reminder_delay_moves_the_reminder() -> None:
    state = new_state(programme=plan(reminder_delay_days=3))
    assert deadline(state, "phase_reminder").at == oslo_midnight_after(date(2027, 3, 18))
    # the phase still turns overdue on its due date, so the Web UI shows it before the reminder goes out
    assert deadline(state, "phase_due").at == oslo_midnight_after(date(2027, 3, 15))


def test_the_reminder_delay_counts_working_days() -> None:
    state = new_state(programme=plan({Phase.MAPPING: 11}, reminder_delay_days=3))  # due Monday 22 March 2027
    assert deadline(state, "phase_reminder").at == oslo_midnight_after(date(2027, 3, 30))  # Easter in between


def test_a_phase_is_never_due_after_the_period_ends() -> None:
    state = new_state(programme=plan({Phase.IMPLEMENTATION: 200}))
    walk_to(state, Phase.IMPLEMENTATION, date(2027, 6, 1))
    assert period.phase_due_on(state) == ENDS_ON


def test_phase_reminder_then_escalation_then_nothing_until_the_phase_closes() -> None:
    state = new_state()
    reminder = deadline(state, "phase_reminder")
    assert "escalation" not in kinds(period.pending_deadlines(state))
    sent_at = reminder.at + timedelta(minutes=1)
    notice = period.apply_notice(state, reminder, sent_at)
    assert notice.kind == "phase_reminder"
    assert "due 2027-03-15" in notice.message
    assert "mapping_done" in notice.message
    assert "phase_reminder" not in kinds(period.pending_deadlines(state))
    escalation = deadline(state, "escalation")
    # four weeks after the reminder went out (16 March), at the end of that working day
    assert escalation.at == oslo_midnight_after(date(2027, 4, 13))
    notice = period.apply_notice(state, escalation, escalation.at)
    assert "Drammen (3301)" in notice.message
    assert "mapping" in notice.message
    assert {"phase_reminder", "escalation"}.isdisjoint(kinds(period.pending_deadlines(state)))
    answer = period.status(state, "guidance-period-2027-3301", escalation.at)
    assert (answer.reminders_sent, answer.escalations_sent, answer.overdue) == (1, 1, True)
    # closing the phase starts the next phase's own reminder
    record(state, closing(Phase.MAPPING), at(date(2027, 4, 19)))
    assert deadline(state, "phase_reminder").at == oslo_midnight_after(date(2027, 6, 14))
    assert "escalation" not in kinds(period.pending_deadlines(state))


def test_due_deadlines_are_those_passed_earliest_first() -> None:
    state = new_state()
    assert period.due_deadlines(state, at(date(2027, 2, 26))) == []
    assert kinds(period.due_deadlines(state, at(date(2027, 3, 2)))) == ["meeting_gap_reminder"]
    assert kinds(period.due_deadlines(state, at(date(2027, 3, 16)))) == ["meeting_gap_reminder", "phase_reminder"]
    assert kinds(period.due_deadlines(state, at(date(2029, 8, 1)))) == [
        "meeting_gap_reminder",
        "phase_reminder",
        "period_end",
    ]


def test_a_planned_meeting_pushes_the_meeting_gap_reminder_back() -> None:
    state = new_state()
    schedule(state, meeting(date(2027, 2, 15)), at(date(2027, 1, 11)))
    assert deadline(state, "meeting_gap_reminder").at == oslo_midnight_after(date(2027, 4, 12))
    schedule(state, meeting(date(2027, 5, 3)), at(date(2027, 1, 11)))
    assert deadline(state, "meeting_gap_reminder").at == oslo_midnight_after(date(2027, 6, 28))
    assert kinds(period.pending_deadlines(state)) == ["phase_reminder", "meeting_gap_reminder", "period_end"]


def test_moving_the_last_meeting_earlier_brings_the_meeting_gap_reminder_forward() -> None:
    state = new_state()
    schedule(state, meeting(date(2027, 5, 3)), at(date(2027, 1, 11)))
    schedule(state, meeting(date(2027, 2, 15), meeting_id="m1"), at(date(2027, 1, 12)))
    assert deadline(state, "meeting_gap_reminder").at == oslo_midnight_after(date(2027, 4, 12))


def test_a_meeting_gap_reminder_restarts_the_gap_from_when_it_was_sent() -> None:
    state = new_state()
    gap = deadline(state, "meeting_gap_reminder")
    notice = period.apply_notice(state, gap, at(date(2027, 3, 2), 0, 5))
    assert "No meeting with Drammen since 2027-01-04" in notice.message
    assert notice.key == "meeting_gap_reminder:2027-03-02"
    assert deadline(state, "meeting_gap_reminder").at == oslo_midnight_after(date(2027, 4, 27))
    assert "phase_reminder" in kinds(period.pending_deadlines(state))


# --- status ---------------------------------------------------------------------------------------


def test_status_says_when_the_phase_is_due_and_whether_it_is_overdue() -> None:
    state = new_state()
    due = oslo_midnight_after(date(2027, 3, 15))
    before = period.status(state, "guidance-period-2027-3301", due - timedelta(seconds=1))
    after = period.status(state, "guidance-period-2027-3301", due)
    assert before.phase_due_at == after.phase_due_at == due
    assert (before.overdue, after.overdue) == (False, True)
    assert before.ends_at == oslo_midnight_after(ENDS_ON)
    assert (before.phase, before.cycle, before.owner, before.advisers) == (Phase.MAPPING, 1, DRAMMEN, ADVISERS)
    record(state, closing(Phase.MAPPING), at(date(2027, 3, 22)))
    later = period.status(state, "guidance-period-2027-3301", at(date(2027, 3, 22)))
    assert (later.phase, later.overdue) == (Phase.ANCHORING, False)
    assert later.phase_due_at == oslo_midnight_after(date(2027, 5, 18))  # 8 weeks: 17 May, then the 18th


def test_status_answer_has_the_contract_fields_in_json() -> None:
    state = new_state()
    schedule(state, meeting(date(2027, 2, 15)), at(date(2027, 2, 1)))
    period.apply_gathering(
        state, GatheringInvitation(gathering_id="g1", title="Start", date=date(2027, 5, 11)), at(START)
    )
    dumped = period.status(state, "guidance-period-2027-3301", at(date(2027, 2, 1))).model_dump(mode="json")
    assert dumped["phase"] == "mapping"
    assert dumped["phase_due_at"] == "2027-03-15T23:00:00Z"
    assert dumped["overdue"] is False
    assert dumped["ends_at"] == "2029-07-03T22:00:00Z"
    assert dumped["cycle"] == 1
    assert dumped["development_area"] is None
    assert dumped["goals"] == []
    assert dumped["milestones"] == []
    assert [m["date"] for m in dumped["meetings"]] == ["2027-02-15"]
    assert [g["gathering_id"] for g in dumped["gatherings"]] == ["g1"]


def test_a_moved_gathering_replaces_the_earlier_invitation() -> None:
    state = new_state()
    period.apply_gathering(
        state, GatheringInvitation(gathering_id="mid", title="Mid", date=date(2028, 3, 7)), at(START)
    )
    period.apply_gathering(
        state, GatheringInvitation(gathering_id="g1", title="Start", date=date(2027, 5, 11)), at(START)
    )
    period.apply_gathering(
        state, GatheringInvitation(gathering_id="mid", title="Mid", date=date(2028, 2, 6), place="Oslo"), at(START)
    )
    assert [(g.gathering_id, g.date, g.place) for g in state.gatherings] == [
        ("g1", date(2027, 5, 11), ""),
        ("mid", date(2028, 2, 6), "Oslo"),
    ]


def test_the_state_survives_continue_as_new() -> None:
    state = new_state(schools=["Fjell skole"])
    walk_to(state, Phase.GOAL_PRIORITISATION, date(2027, 3, 1))
    schedule(state, meeting(date(2027, 3, 15), schools=["Fjell skole"]), at(date(2027, 3, 1)))
    period.apply_notice(state, deadline(state, "meeting_gap_reminder"), at(date(2027, 5, 11)))
    carried = PeriodState.model_validate_json(state.model_dump_json())
    assert carried == state
    assert period.pending_deadlines(carried) == period.pending_deadlines(state)


def test_a_meeting_earlier_today_is_in_the_past() -> None:
    state = new_state()
    afternoon = datetime(2027, 1, 12, 14, 0, tzinfo=calendar.zone("Europe/Oslo"))
    with pytest.raises(Rejection, match=r"2027-01-12 09:00 is in the past; the next working day is 2027-01-13"):
        period.check_meeting(state, meeting(date(2027, 1, 12)), afternoon)
    later = meeting(date(2027, 1, 12)).model_copy(update={"start": time(16, 0)})
    period.check_meeting(state, later, afternoon)


def test_an_escalation_due_on_a_holiday_waits_for_the_next_working_day() -> None:
    state = new_state()
    reminder = deadline(state, "phase_reminder")
    period.apply_notice(state, reminder, datetime(2027, 4, 8, 10, 0, tzinfo=UTC))  # + 4 weeks is Ascension Day, 6 May
    assert deadline(state, "escalation").at == oslo_midnight_after(date(2027, 5, 7))


def test_a_second_reminder_falls_between_the_reminder_and_the_escalation() -> None:
    state = new_state()
    assert "phase_second_reminder" not in kinds(period.pending_deadlines(state))  # not before the first
    reminder = deadline(state, "phase_reminder")
    period.apply_notice(state, reminder, reminder.at)  # reminded at the end of Monday 15 March 2027
    with_second = period.pending_deadlines(state)
    second = next(d for d in with_second if d.kind == "phase_second_reminder")
    escalation = next(d for d in with_second if d.kind == "escalation")
    assert second.at == oslo_midnight_after(date(2027, 3, 30))  # two weeks on, past Easter Monday
    assert second.at < escalation.at
    notice = period.apply_notice(state, second, second.at)
    assert "the Directorate is told at the end of 2027-04-13" in notice.message
    assert "phase_second_reminder" not in kinds(period.pending_deadlines(state))


def test_no_second_reminder_when_it_would_not_come_before_the_escalation() -> None:
    state = new_state(programme=plan(second_reminder_after_weeks=4))
    reminder = deadline(state, "phase_reminder")
    period.apply_notice(state, reminder, reminder.at)
    assert "phase_second_reminder" not in kinds(period.pending_deadlines(state))


def test_a_network_meeting_is_moved_by_the_cohort_not_by_an_adviser() -> None:
    state = new_state()
    shared = NetworkMeeting(meeting_id="network-1", network="Sunnhordland", date=date(2027, 2, 2), adviser="a.hansen")
    assert isinstance(period.apply_network_meeting(state, shared, at(START)), MeetingEntry)

    with pytest.raises(Rejection, match=r"^meeting_id: network-1 is a network meeting; the cohort moves it"):
        period.check_meeting(state, meeting(date(2027, 2, 9), meeting_id="network-1"), at(START))
    again = period.apply_network_meeting(state, shared, at(START))
    assert isinstance(again, str) and "already at sequence 0" in again  # a repeated signal changes nothing


def test_a_late_older_gathering_invitation_does_not_replace_a_newer_one() -> None:
    state = new_state()
    moved = GatheringInvitation(gathering_id="start", title="Start", date=date(2027, 2, 9), sequence=1)
    first = GatheringInvitation(gathering_id="start", title="Start", date=date(2027, 2, 2), sequence=0)
    period.apply_gathering(state, moved, at(START))
    period.apply_gathering(state, first, at(START))

    assert [(g.date, g.sequence) for g in state.gatherings] == [(date(2027, 2, 9), 1)]


# --- when a series falls (hand-checked dates) --------------------------------------------------------


def test_a_monthly_series_skips_july_and_moves_off_weekends_and_holidays() -> None:
    state = new_state(date(2027, 5, 3))
    series = MeetingSeries(id="x", kind="follow_up", title="Monthly", every_months=1, skip_months=(7,), until_months=4)
    # 3 May 2027 (Mon) +0: 3 May; 3 Jun (Thu); 3 Jul skipped (July); 3 Aug (Tue). Until 4 months: before 3 Sep.
    assert period.occurrences(series, state) == [date(2027, 5, 3), date(2027, 6, 3), date(2027, 8, 3)]
    holiday = MeetingSeries(id="y", kind="follow_up", title="Yearly", every_months=12, first_after_weeks=0)
    christmas = new_state(date(2026, 12, 25))
    # 25 Dec 2026 is Christmas Day (Friday), 26th Saturday, 27th Sunday: the next working day is Monday 28 Dec.
    assert period.occurrences(holiday, christmas)[0] == date(2026, 12, 28)


def test_a_weekly_cadence_on_a_named_weekday() -> None:
    state = new_state(date(2027, 9, 1))
    series = MeetingSeries(
        id="z",
        kind="gathering",
        title="Samling",
        every_weeks=6,
        first_after_weeks=2,
        weekday="wednesday",
        until_months=3,
    )
    # 1 Sep 2027 is a Wednesday: +2 weeks 15 Sep, +6 weeks 27 Oct, +6 weeks 8 Dec is after 1 Dec (3 months).
    assert period.occurrences(series, state) == [date(2027, 9, 15), date(2027, 10, 27)]
