"""CohortWorkflow on the time-skipping server: invitations, answers, reminders, no_reply, periods started."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from domain import calendar
from domain.cohort import InvitationState, RespondToInvitation
from domain.contract import Activities, cohort_workflow_id, period_workflow_id
from domain.models import PeriodInput, RecordMilestone
from domain.phases import Phase
from domain.records import InvitationRecord, PeriodStarts
from tests.helpers.harness import CohortHandle, Harness
from workflows.cohort import CohortWorkflow
from workflows.guidance_period import GuidancePeriodWorkflow

WORKFLOW_TASK_EVENTS = {
    EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
}


def answer(owner_id: str, what: str = "accept") -> RespondToInvitation:
    return RespondToInvitation.model_validate(
        {"owner_id": owner_id, "answer": what, "by": "Statsforvalteren i Vestland"}
    )


def invitation_events(cohorts: Harness, cohort: str) -> list[tuple[str, str]]:
    """The invitation records written, in the order they arrived (a cohort writes records in batches, so
    records queued together may arrive in any order)."""
    records = [r for r in cohorts.fakes.calls[Activities.RECORD_INVITATION] if r.cohort == cohort]
    assert all(isinstance(r, InvitationRecord) for r in records)
    return [(r.owner_id, r.event) for r in records]


async def history_event_types(handle: CohortHandle) -> list[int]:
    return [event.event_type async for event in handle.fetch_history_events()]


async def test_every_owner_is_invited_once_through_the_county_governor(cohorts: Harness) -> None:
    handle = await cohorts.start_cohort()
    status = await cohorts.cohort_settled(handle)
    cohort = status.cohort

    assert handle.id == cohort_workflow_id(cohort)
    assert sorted(invitation_events(cohorts, cohort)) == [("1103", "invited"), ("3301", "invited"), ("4617", "invited")]
    assert status.counts["invited"] == 3
    assert status.reply_by == calendar.add_working_days(status.invited_on, 3)
    assert calendar.is_working_day(status.reply_by) and calendar.is_working_day(status.no_reply_on)
    records = [r for r in cohorts.fakes.calls[Activities.RECORD_INVITATION] if r.cohort == cohort]
    assert {r.network for r in records} == {None, "Sunnhordland"}
    assert len({r.audit.event_key for r in records}) == 3
    # The plan is resolved once per cohort, not once per owner.
    assert cohorts.fakes.calls[Activities.LOAD_PROGRAMME_PLAN] == ["veilederkorpset"]


async def test_an_acceptance_starts_exactly_one_period_and_a_second_answer_is_rejected(
    cohorts: Harness,
) -> None:
    handle = await cohorts.start_cohort()
    cohort = (await cohorts.cohort_settled(handle)).cohort

    answered = await handle.execute_update(CohortWorkflow.respond_to_invitation, answer("1103"))
    assert next(i for i in answered.invitations if i.owner_id == "1103").state == InvitationState.ACCEPTED
    status = await cohorts.cohort_settled(handle, starts=1)

    period = await cohorts.period(cohort, "1103").query(GuidancePeriodWorkflow.status)
    assert period.workflow_id == period_workflow_id(cohort, "1103")
    assert period.owner.name == "Stavanger" and period.advisers == ["b.olsen", "c.berg"]
    assert period.phase == Phase.MAPPING
    assert next(i for i in status.invitations if i.owner_id == "1103").period_started
    # The plan travelled with the input: the period did not load it again.
    assert cohorts.fakes.calls[Activities.LOAD_PROGRAMME_PLAN] == ["veilederkorpset"]

    with pytest.raises(WorkflowUpdateFailedError) as rejected:
        await handle.execute_update(CohortWorkflow.respond_to_invitation, answer("1103", "decline"))
    assert isinstance(rejected.value.cause, ApplicationError)
    assert "already answered: accepted" in rejected.value.cause.message
    details = rejected.value.cause.details[0]
    assert (details["code"], details["field"], details["params"]["answer"]) == (
        "owner_id.already_answered",
        "owner_id",
        "accepted",
    )
    started = [r for r in cohorts.fakes.calls[Activities.RECORD_PERIOD_STARTED] if r.period.cohort == cohort]
    assert len(started) == 1
    assert ("1103", "accepted") in invitation_events(cohorts, cohort)


async def test_a_batch_of_starts_carries_the_plan_once_and_each_period_starts_pinned_to_it(cohorts: Harness) -> None:
    handle = await cohorts.start_cohort()
    cohort = (await cohorts.cohort_settled(handle)).cohort
    for owner_id in ("1103", "3301", "4617"):
        await handle.execute_update(CohortWorkflow.respond_to_invitation, answer(owner_id))
    await cohorts.cohort_settled(handle, starts=3)

    converter = cohorts.client.data_converter
    batches: list[PeriodStarts] = []
    async for event in handle.fetch_history_events():
        scheduled = event.activity_task_scheduled_event_attributes
        if scheduled.activity_type.name == Activities.START_PERIODS:
            [batch] = await converter.decode(scheduled.input.payloads, [PeriodStarts])
            batches.append(batch)
    assert batches and all(b.plan is not None and b.plan.name == "veilederkorpset" for b in batches)
    # The cohort's history holds the plan once per batch, not once per period.
    assert all(start.period.programme is None for b in batches for start in b.starts)
    assert sorted(start.period.owner.id for b in batches for start in b.starts) == ["1103", "3301", "4617"]

    plan = batches[0].plan
    for owner_id in ("1103", "3301", "4617"):
        started = await anext(cohorts.period(cohort, owner_id).fetch_history_events())
        [period] = await converter.decode(
            started.workflow_execution_started_event_attributes.input.payloads, [PeriodInput]
        )
        # Each period's own history pins the whole plan it runs on.
        assert period.programme == plan and period.report_to == cohort_workflow_id(cohort)
    assert cohorts.fakes.calls[Activities.LOAD_PROGRAMME_PLAN] == ["veilederkorpset"]


async def test_a_decline_is_recorded_and_starts_nothing(cohorts: Harness) -> None:
    handle = await cohorts.start_cohort()
    cohort = (await cohorts.cohort_settled(handle)).cohort

    await handle.execute_update(CohortWorkflow.respond_to_invitation, answer("3301", "decline"))
    status = await cohorts.cohort_settled(handle)

    assert status.counts["declined"] == 1
    entry = next(i for i in status.invitations if i.owner_id == "3301")
    assert entry.answered_by == "Statsforvalteren i Vestland" and not entry.period_started
    assert invitation_events(cohorts, cohort)[-1] == ("3301", "declined")
    assert not [r for r in cohorts.fakes.calls[Activities.RECORD_PERIOD_STARTED] if r.period.cohort == cohort]


async def test_no_reply_gets_a_reminder_at_the_deadline_then_no_reply_after_the_working_days(
    cohorts: Harness,
) -> None:
    handle = await cohorts.start_cohort()
    status = await cohorts.cohort_settled(handle)
    cohort = status.cohort
    await handle.execute_update(CohortWorkflow.respond_to_invitation, answer("3301", "decline"))
    now = await cohorts.now()
    reminder_at = calendar.end_of_day(status.reply_by, "Europe/Oslo")
    no_reply_at = calendar.end_of_day(status.no_reply_on, "Europe/Oslo")
    assert status.no_reply_on == calendar.add_working_days(status.reply_by, 2)

    await cohorts.sleep(reminder_at - now - timedelta(minutes=5))
    assert (await cohorts.cohort_settled(handle)).counts["reminded"] == 0
    await cohorts.sleep(timedelta(minutes=10))
    status = await cohorts.cohort_settled(handle)
    assert status.counts == {"invited": 0, "reminded": 2, "accepted": 0, "declined": 1, "no_reply": 0}
    reminders = [
        r for r in cohorts.fakes.calls[Activities.RECORD_INVITATION] if r.cohort == cohort and r.event == "reminded"
    ]
    assert {r.owner_id for r in reminders} == {"1103", "4617"}
    assert all(reminder_at <= r.updated_at < reminder_at + timedelta(minutes=1) for r in reminders)

    # A reminded owner may still answer until the last day.
    await handle.execute_update(CohortWorkflow.respond_to_invitation, answer("4617"))
    now = await cohorts.now()
    await cohorts.sleep(no_reply_at - now - timedelta(minutes=5))
    assert (await cohorts.cohort_settled(handle, starts=1)).counts["no_reply"] == 0
    await cohorts.sleep(timedelta(minutes=10))
    status = await cohorts.cohort_settled(handle, starts=1)
    assert status.counts == {"invited": 0, "reminded": 0, "accepted": 1, "declined": 1, "no_reply": 1}
    late = [
        r for r in cohorts.fakes.calls[Activities.RECORD_INVITATION] if r.event == "no_reply" and r.cohort == cohort
    ]
    assert [r.owner_id for r in late] == ["1103"]
    assert no_reply_at <= late[0].updated_at < no_reply_at + timedelta(minutes=1)

    with pytest.raises(WorkflowUpdateFailedError) as rejected:
        await handle.execute_update(CohortWorkflow.respond_to_invitation, answer("1103"))
    assert isinstance(rejected.value.cause, ApplicationError)
    assert "reply deadline" in rejected.value.cause.message and "no_reply" in rejected.value.cause.message


async def test_a_period_keeps_running_when_its_cohort_is_terminated(cohorts: Harness) -> None:
    # Starting today, so that the period takes a milestone at once.
    handle = await cohorts.start_cohort(await cohorts.cohort_input(start_date=(await cohorts.today()).isoformat()))
    cohort = (await cohorts.cohort_settled(handle)).cohort
    await handle.execute_update(CohortWorkflow.respond_to_invitation, answer("3301"))
    await cohorts.cohort_settled(handle, starts=1)

    await handle.terminate("cohort closed by an operator")

    period = cohorts.period(cohort, "3301")
    status = await period.execute_update(
        GuidancePeriodWorkflow.record_milestone,
        RecordMilestone.model_validate({"milestone": "mapping_done", "adviser": "a.hansen"}),
    )
    assert status.phase == Phase.ANCHORING


@pytest.mark.parametrize(
    ("request_json", "expected"),
    [
        ({"owner_id": "0301", "answer": "accept", "by": "x"}, ["owner_id: 0301 is not invited", "3301, 1103, 4617"]),
        ({"owner_id": "3301", "answer": "accept", "by": "x"}, ["owner_id:", "already answered: declined"]),
    ],
)
async def test_a_rejected_answer_leaves_no_trace(
    cohorts: Harness, request_json: dict[str, str], expected: list[str]
) -> None:
    handle = await cohorts.start_cohort()
    await handle.execute_update(CohortWorkflow.respond_to_invitation, answer("3301", "decline"))
    before_status = await cohorts.cohort_settled(handle)
    before_events = await history_event_types(handle)
    before_records = sum(len(calls) for calls in cohorts.fakes.calls.values())

    with pytest.raises(WorkflowUpdateFailedError) as rejected:
        await handle.execute_update(
            CohortWorkflow.respond_to_invitation, RespondToInvitation.model_validate(request_json)
        )
    assert isinstance(rejected.value.cause, ApplicationError)
    for fragment in expected:
        assert fragment in rejected.value.cause.message

    after_events = await history_event_types(handle)
    assert after_events[: len(before_events)] == before_events
    assert set(after_events[len(before_events) :]) <= WORKFLOW_TASK_EVENTS
    assert await cohorts.cohort_settled(handle) == before_status
    assert sum(len(calls) for calls in cohorts.fakes.calls.values()) == before_records
