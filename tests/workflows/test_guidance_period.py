"""GuidancePeriodWorkflow on the time-skipping server: whole periods in seconds, every rejection."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import FailureError
from temporalio.service import RPCError

from domain import calendar
from domain.contract import Activities
from domain.models import (
    GatheringInvitation,
    PeriodStatus,
    RecordMilestone,
    ScheduleMeeting,
    Withdraw,
)
from domain.phases import Milestone, Phase
from domain.records import FinalEvaluationRecord, MilestoneRecord, NoticeRecord, PhaseChangeRecord
from tests.helpers.clock import plain_saturday
from tests.helpers.harness import Harness, PeriodHandle
from workflows.guidance_period import GuidancePeriodWorkflow

WEEK = timedelta(weeks=1)
WORKFLOW_TASK_EVENTS = {
    EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
}


async def milestone(handle: PeriodHandle, name: str, **extra: Any) -> PeriodStatus:
    update = RecordMilestone.model_validate({"milestone": name, "adviser": "a.hansen", **extra})
    return await handle.execute_update(GuidancePeriodWorkflow.record_milestone, update)


async def meeting_in(harness: Harness, handle: PeriodHandle, days: int, kind: str = "follow_up") -> PeriodStatus:
    day = calendar.next_working_day(await harness.today() + timedelta(days=days))
    request = ScheduleMeeting.model_validate(
        {"kind": kind, "date": day.isoformat(), "adviser": "b.olsen", "schools": ["Fjell skole"]}
    )
    return await handle.execute_update(GuidancePeriodWorkflow.schedule_meeting, request)


async def walk_to(handle: PeriodHandle, phase: Phase) -> PeriodStatus:
    """Record milestones until the period stands in `phase`."""
    steps: list[tuple[str, dict[str, Any]]] = [
        ("mapping_done", {}),
        ("anchoring_done", {}),
        ("development_area_chosen", {"development_area": "basic_skills"}),
        ("goals_prioritised", {"goals": ["More pupils read at level 3", "Shared assessment practice"]}),
        ("measures_implemented", {}),
        ("evaluation_done", {}),
    ]
    status = await handle.query(GuidancePeriodWorkflow.status)
    for name, extra in steps:
        if status.phase == phase:
            break
        status = await milestone(handle, name, **extra)
    assert status.phase == phase
    return status


async def history_event_types(handle: PeriodHandle) -> list[int]:
    return [event.event_type async for event in handle.fetch_history_events()]


# --- whole periods ------------------------------------------------------------------------------


async def test_a_full_period_runs_every_phase_with_meetings_reminders_escalation_and_expiry(
    harness: Harness,
) -> None:
    handle = await harness.start_period()
    started = await harness.today()
    await meeting_in(harness, handle, 7, kind="kickoff")
    await harness.sleep(5 * WEEK)
    status = await milestone(handle, "mapping_done", note="Data from the pupil survey analysed")
    assert status.phase == Phase.ANCHORING and not status.overdue

    # Anchoring runs over its 8 weeks: a reminder at the due date, an escalation four weeks later.
    await harness.sleep(8 * WEEK + timedelta(days=3))
    status = await handle.query(GuidancePeriodWorkflow.status)
    assert status.overdue
    assert status.reminders_sent >= 1 and status.escalations_sent == 0
    await harness.sleep(5 * WEEK)
    status = await handle.query(GuidancePeriodWorkflow.status)
    assert status.escalations_sent == 1
    await harness.settled(handle)
    notices = [record.notice.kind for record in harness.fakes.calls[Activities.SEND_NOTICE]]
    assert {"phase_reminder", "escalation", "meeting_gap_reminder"} <= set(notices)

    status = await milestone(handle, "anchoring_done")
    assert status.phase == Phase.DEVELOPMENT_AREA and not status.overdue
    await meeting_in(harness, handle, 10, kind="phase_review")
    status = await milestone(handle, "development_area_chosen", development_area="basic_skills")
    assert status.development_area == "basic_skills"
    status = await milestone(handle, "goals_prioritised", goals=["Reading at mastery level 3", "Numeracy"])
    assert status.goals == ["Reading at mastery level 3", "Numeracy"]
    await harness.sleep(20 * WEEK)
    await meeting_in(harness, handle, 3, kind="school_visit")
    await milestone(handle, "measures_implemented")
    status = await milestone(handle, "evaluation_done", next_cycle=True)
    assert status.phase == Phase.MAPPING and status.cycle == 2
    assert status.development_area is None and status.goals == []

    # A gathering is invited to ahead of it, on a working day (an invitation to a past day is ignored).
    gathering_day = calendar.next_working_day(await harness.today() + timedelta(days=30))
    handle_gathering = GatheringInvitation(
        gathering_id="2027-spring", title="The school owner's role", date=gathering_day, place="Oslo"
    )
    await handle.signal(GuidancePeriodWorkflow.gathering_invitation, handle_gathering)

    final = await handle.result()  # time skips to the 30-month limit
    assert final.phase == Phase.EXPIRED
    assert final.end_reason is not None and "30 months" in final.end_reason and "mapping" in final.end_reason
    assert final.ends_at.date() >= calendar.add_months(started, 30) - timedelta(days=1)
    assert [g.gathering_id for g in final.gatherings] == ["2027-spring"]

    calls = harness.fakes.calls
    transitions = [(r.transition.from_phase, r.transition.to_phase) for r in calls[Activities.RECORD_MILESTONE]]
    assert transitions == [
        (Phase.MAPPING, Phase.ANCHORING),
        (Phase.ANCHORING, Phase.DEVELOPMENT_AREA),
        (Phase.DEVELOPMENT_AREA, Phase.GOAL_PRIORITISATION),
        (Phase.GOAL_PRIORITISATION, Phase.IMPLEMENTATION),
        (Phase.IMPLEMENTATION, Phase.EVALUATION),
        (Phase.EVALUATION, Phase.MAPPING),
    ]
    expiry: list[PhaseChangeRecord] = calls[Activities.RECORD_PHASE_CHANGE]
    assert [(r.transition.from_phase, r.transition.to_phase) for r in expiry] == [(Phase.MAPPING, Phase.EXPIRED)]
    evaluation: list[FinalEvaluationRecord] = calls[Activities.RECORD_FINAL_EVALUATION]
    assert len(evaluation) == 1 and evaluation[0].outcome == Phase.EXPIRED and evaluation[0].cycles == 2
    meetings = calls[Activities.RECORD_MEETING]
    assert len(meetings) == 3 and all(calendar.is_working_day(m.meeting.date) for m in meetings)
    # Reminders keep coming while the second cycle's mapping runs over and no meeting is held.
    assert sum(1 for r in calls[Activities.SEND_NOTICE] if r.notice.kind == "meeting_gap_reminder") >= 5
    assert len(calls[Activities.RECORD_GATHERING]) == 1
    assert len(await history_event_types(handle)) < 2000


async def test_a_period_closed_by_evaluation_is_completed_with_a_final_evaluation(harness: Harness) -> None:
    handle = await harness.start_period()
    status = await walk_to(handle, Phase.EVALUATION)
    status = await milestone(handle, "evaluation_done", note="Goals reached")
    assert status.phase == Phase.COMPLETED
    final = await handle.result()
    assert final.phase == Phase.COMPLETED and len(final.milestones) == 6
    records: list[FinalEvaluationRecord] = harness.fakes.calls[Activities.RECORD_FINAL_EVALUATION]
    assert [r.outcome for r in records] == [Phase.COMPLETED]
    assert records[0].last_working_phase == Phase.EVALUATION and records[0].goals


async def test_withdrawal_ends_the_period_and_records_who_and_why(harness: Harness) -> None:
    handle = await harness.start_period()
    await milestone(handle, "mapping_done")
    status = await handle.execute_update(
        GuidancePeriodWorkflow.withdraw, Withdraw(reason="Merged with a neighbour", by="coordinator.udir")
    )
    assert status.phase == Phase.WITHDRAWN
    final = await handle.result()
    assert final.end_reason is not None and "coordinator.udir" in final.end_reason
    changes: list[PhaseChangeRecord] = harness.fakes.calls[Activities.RECORD_PHASE_CHANGE]
    assert [(c.transition.from_phase, c.transition.to_phase, c.transition.by) for c in changes] == [
        (Phase.ANCHORING, Phase.WITHDRAWN, "coordinator.udir")
    ]
    assert harness.fakes.calls[Activities.RECORD_FINAL_EVALUATION][0].last_working_phase == Phase.ANCHORING


async def test_a_period_started_without_a_plan_loads_it_on_the_worker(harness: Harness) -> None:
    handle = await harness.start_period(await harness.period_input(with_plan=False))
    status = await harness.settled(handle)  # once the plan has been loaded
    assert status.plan == "veilederkorpset" and status.plan_version == harness.fakes.plan.version
    assert harness.fakes.calls[Activities.LOAD_PROGRAMME_PLAN] == ["veilederkorpset"]


async def test_a_planned_meeting_moves_the_no_meeting_reminder(harness: Harness) -> None:
    handle = await harness.start_period()
    # A meeting planned six weeks out pushes the 8-week reminder to 8 weeks after that meeting.
    await meeting_in(harness, handle, 42)
    await harness.sleep(10 * WEEK)
    gap = [r for r in harness.fakes.calls[Activities.SEND_NOTICE] if r.notice.kind == "meeting_gap_reminder"]
    assert gap == []
    await harness.sleep(6 * WEEK)
    await harness.settled(handle)
    gap = [r for r in harness.fakes.calls[Activities.SEND_NOTICE] if r.notice.kind == "meeting_gap_reminder"]
    assert len(gap) == 1


async def test_a_moved_meeting_keeps_its_id_and_counts_up_its_sequence(harness: Harness) -> None:
    handle = await harness.start_period()
    status = await meeting_in(harness, handle, 14)
    first = status.meetings[0]
    assert status.created == first.meeting_id  # the answer names the meeting it created
    new_day = calendar.next_working_day(first.date + timedelta(days=7))
    moved = ScheduleMeeting.model_validate(
        {"kind": "follow_up", "date": new_day.isoformat(), "adviser": "a.hansen", "meeting_id": first.meeting_id}
    )
    status = await handle.execute_update(GuidancePeriodWorkflow.schedule_meeting, moved)
    assert [(m.meeting_id, m.date, m.sequence) for m in status.meetings] == [(first.meeting_id, new_day, 1)]
    assert status.created == first.meeting_id  # the answer names the meeting it moved
    assert (await handle.query(GuidancePeriodWorkflow.status)).created is None
    await harness.settled(handle)
    sequences = [r.meeting.sequence for r in harness.fakes.calls[Activities.RECORD_MEETING]]
    assert sequences == [0, 1]


async def test_records_carry_the_audit_trail_of_who_did_what(harness: Harness) -> None:
    handle = await harness.start_period()
    await milestone(handle, "mapping_done", note="Kick-off held")
    await harness.settled(handle)
    record: MilestoneRecord = harness.fakes.calls[Activities.RECORD_MILESTONE][0]
    assert record.audit.actor == "a.hansen" and record.audit.event_key.startswith("update:")
    assert record.milestone.note == "Kick-off held" and record.period.phase == Phase.ANCHORING
    started = harness.fakes.calls[Activities.RECORD_PERIOD_STARTED]
    assert len(started) == 1 and started[0].period.phase == Phase.MAPPING


async def test_phase_reminder_goes_out_once_and_notice_keys_are_unique(harness: Harness) -> None:
    handle = await harness.start_period()
    await harness.sleep(20 * WEEK)
    await milestone(handle, "mapping_done")
    await harness.settled(handle)
    records: list[NoticeRecord] = harness.fakes.calls[Activities.SEND_NOTICE]
    keys = [r.notice.key for r in records]
    assert len(keys) == len(set(keys))
    assert [r.notice.kind for r in records].count("phase_reminder") == 1
    assert [r.notice.kind for r in records].count("phase_second_reminder") == 1
    assert [r.notice.kind for r in records].count("escalation") == 1
    order = [r.notice.kind for r in records if r.notice.kind != "meeting_gap_reminder"]
    assert order == ["phase_reminder", "phase_second_reminder", "escalation"]


async def test_a_record_the_store_refuses_is_kept_aside_and_the_period_lives_on(harness: Harness) -> None:
    harness.fakes.refuse = frozenset({Activities.RECORD_MEETING})
    handle = await harness.start_period()
    await meeting_in(harness, handle, 7)
    status = await harness.settled(handle)
    assert status.records_refused == 1 and status.phase == Phase.MAPPING
    status = await milestone(handle, "mapping_done")
    assert (await harness.settled(handle)).phase == Phase.ANCHORING
    assert len(harness.fakes.calls[Activities.RECORD_MILESTONE]) == 1


# --- rejections -----------------------------------------------------------------------------------


def _next_holiday(start: date) -> date:
    day = start + timedelta(days=1)
    while calendar.holiday_name(day) is None or day.weekday() >= 5:
        day += timedelta(days=1)
    return day


Action = Callable[[Harness, PeriodHandle], Awaitable[Any]]


async def _wrong_milestone(h: Harness, handle: PeriodHandle) -> Any:
    return await milestone(handle, "anchoring_done")


async def _unknown_adviser(h: Harness, handle: PeriodHandle) -> Any:
    update = RecordMilestone(milestone=Milestone.MAPPING_DONE, adviser="c.berg")
    return await handle.execute_update(GuidancePeriodWorkflow.record_milestone, update)


async def _meeting_on(handle: PeriodHandle, day: date) -> Any:
    request = ScheduleMeeting.model_validate({"kind": "follow_up", "date": day.isoformat(), "adviser": "a.hansen"})
    return await handle.execute_update(GuidancePeriodWorkflow.schedule_meeting, request)


async def _saturday(h: Harness, handle: PeriodHandle) -> Any:
    return await _meeting_on(handle, plain_saturday(await h.today()))


async def _holiday(h: Harness, handle: PeriodHandle) -> Any:
    return await _meeting_on(handle, _next_holiday(await h.today()))


async def _past(h: Harness, handle: PeriodHandle) -> Any:
    return await _meeting_on(handle, await h.today() - timedelta(days=3))


async def _after_end(h: Harness, handle: PeriodHandle) -> Any:
    return await _meeting_on(handle, calendar.add_months(await h.today(), 31))


async def _to_development_area(h: Harness, handle: PeriodHandle) -> None:
    await walk_to(handle, Phase.DEVELOPMENT_AREA)


async def _to_goal_prioritisation(h: Harness, handle: PeriodHandle) -> None:
    await walk_to(handle, Phase.GOAL_PRIORITISATION)


async def _unknown_area(h: Harness, handle: PeriodHandle) -> Any:
    return await milestone(handle, "development_area_chosen", development_area="astrology")


async def _other_without_text(h: Harness, handle: PeriodHandle) -> Any:
    return await milestone(handle, "development_area_chosen", development_area="other")


async def _empty_goals(h: Harness, handle: PeriodHandle) -> Any:
    return await milestone(handle, "goals_prioritised", goals=[])


async def _unknown_milestone_payload(h: Harness, handle: PeriodHandle) -> Any:
    return await handle.execute_update("record_milestone", {"milestone": "party_held", "adviser": "a.hansen"})


async def _meeting_kind_payload(h: Harness, handle: PeriodHandle) -> Any:
    day = calendar.next_working_day(await h.today() + timedelta(days=7))
    return await handle.execute_update(
        "schedule_meeting", {"kind": "dinner", "date": day.isoformat(), "adviser": "a.hansen"}
    )


REJECTIONS: list[tuple[str, Action | None, Action, list[str]]] = [
    (
        "wrong milestone",
        None,
        _wrong_milestone,
        ["milestone:", "does not close the current phase mapping", "mapping_done"],
    ),
    ("adviser not assigned", None, _unknown_adviser, ["adviser:", "'c.berg' is not assigned", "a.hansen, b.olsen"]),
    ("saturday", None, _saturday, ["date:", "is a Saturday", "the next working day is"]),
    ("public holiday", None, _holiday, ["date:", "public holiday in NO", "the next working day is"]),
    ("in the past", None, _past, ["date:", "is in the past", "the next working day is"]),
    ("after the end", None, _after_end, ["date:", "after the period's end", "the last working day of the period is"]),
    (
        "area not allowed",
        _to_development_area,
        _unknown_area,
        ["development_area:", "'astrology' is not allowed", "basic_skills"],
    ),
    ("other without text", _to_development_area, _other_without_text, ["development_area_other:"]),
    ("empty goals", _to_goal_prioritisation, _empty_goals, ["goals:", "at least one goal"]),
    (
        "unknown milestone",
        None,
        _unknown_milestone_payload,
        ["milestone:", "party_held is not a milestone of plan", "mapping_done"],
    ),
    ("unknown meeting kind", None, _meeting_kind_payload, ["kind:", "'kickoff'", "'dinner'"]),
]


def _failure_messages(error: WorkflowUpdateFailedError) -> str:
    """The rejection's message with its causes (a payload error travels as the cause)."""
    messages = []
    current: BaseException | None = error.cause
    while isinstance(current, FailureError):
        messages.append(current.message)
        current = current.cause
    return " | ".join(messages)


@pytest.mark.parametrize(("case", "setup", "act", "expected"), REJECTIONS, ids=[r[0] for r in REJECTIONS])
async def test_a_bad_update_is_rejected_with_a_clear_message_and_leaves_no_trace(
    harness: Harness, case: str, setup: Action | None, act: Action, expected: list[str]
) -> None:
    handle = await harness.start_period()
    if setup is not None:
        await setup(harness, handle)
    before_status = await harness.settled(handle)
    before_events = await history_event_types(handle)
    before_records = sum(len(calls) for calls in harness.fakes.calls.values())

    with pytest.raises(WorkflowUpdateFailedError) as rejected:
        await act(harness, handle)
    message = _failure_messages(rejected.value)
    for fragment in expected:
        assert fragment in message, message

    after_events = await history_event_types(handle)
    assert after_events[: len(before_events)] == before_events
    # The test server records the workflow task that rejected the update; nothing else may follow.
    assert set(after_events[len(before_events) :]) <= WORKFLOW_TASK_EVENTS, after_events[len(before_events) :]
    assert await harness.settled(handle) == before_status
    assert sum(len(calls) for calls in harness.fakes.calls.values()) == before_records


async def test_nothing_is_recorded_before_the_period_starts_and_the_refusal_names_the_first_day(
    harness: Harness,
) -> None:
    start = await harness.working_day_in(21)
    handle = await harness.start_period(await harness.period_input(start_date=start.isoformat()))
    before_status = await harness.settled(handle)
    before_records = sum(len(calls) for calls in harness.fakes.calls.values())

    with pytest.raises(WorkflowUpdateFailedError) as too_early:
        await milestone(handle, "mapping_done")
    assert _failure_messages(too_early.value) == (
        f"milestone: mapping_done cannot be recorded before the period starts on {start.isoformat()}; "
        f"milestones can be recorded from {start.isoformat()}"
    )
    with pytest.raises(WorkflowUpdateFailedError) as before_start:
        await meeting_in(harness, handle, 7)
    assert f"is before the period starts on {start.isoformat()}; meetings can be agreed from {start}" in (
        _failure_messages(before_start.value)
    )
    assert await harness.settled(handle) == before_status
    assert sum(len(calls) for calls in harness.fakes.calls.values()) == before_records

    # From its first day on, the same milestone is accepted (an hour more, so a clock change cannot fall short).
    await harness.sleep(timedelta(days=(start - await harness.today()).days, hours=1))
    assert (await milestone(handle, "mapping_done")).phase == Phase.ANCHORING


async def test_nothing_more_reaches_a_period_that_has_ended(harness: Harness) -> None:
    handle = await harness.start_period()
    await handle.execute_update(GuidancePeriodWorkflow.withdraw, Withdraw(reason="Changed priorities", by="owner"))
    final = await handle.result()
    # A closed workflow takes no updates at all: the server refuses them before any validator runs.
    with pytest.raises((WorkflowUpdateFailedError, RPCError)):
        await milestone(handle, "mapping_done")
    assert await handle.query(GuidancePeriodWorkflow.status) == final
