"""The client API against the real workflow: start, duplicate start, update answers, rejections, not found."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.api.enums.v1 import EventType

from config.owners import UnknownOwner
from domain import calendar
from domain.contract import Activities, period_workflow_id
from domain.models import GatheringInvitation, RecordMilestone, ScheduleMeeting, Withdraw
from domain.phases import Milestone, Phase
from domain.records import MeetingRecord, MilestoneRecord, PeriodStartedRecord
from starter import client as api
from tests.helpers.harness import Harness


def milestone(name: str, **extra: object) -> RecordMilestone:
    return RecordMilestone.model_validate({"milestone": name, "adviser": "a.hansen", **extra})


async def test_start_period_carries_the_resolved_plan_and_explains_itself(harness: Harness) -> None:
    period = await harness.period_input()
    assert period.programme is None

    handle = await harness.start_period_with_client(period)

    assert handle.id == period_workflow_id(period.cohort, "3301")
    status = await api.period_status(harness.client, handle.id)
    assert (status.phase, status.cycle, status.plan) == (Phase.MAPPING, 1, "veilederkorpset")
    assert status.plan_version == harness.fakes.plan.version
    assert harness.fakes.calls[Activities.LOAD_PROGRAMME_PLAN] == [], "the plan travels with the start"
    started = await harness.fakes.received(Activities.RECORD_PERIOD_STARTED)
    assert isinstance(started[0], PeriodStartedRecord)
    assert started[0].period.owner_name == "Drammen"

    history = await handle.fetch_history()
    first = history.events[0]
    assert first.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED
    converter = harness.client.data_converter.payload_converter
    summary = converter.from_payload(first.user_metadata.summary, str)
    details = converter.from_payload(first.user_metadata.details, str)
    assert summary == f"Guidance period: Drammen (3301), cohort {period.cohort}"
    assert "**Advisers:** a.hansen, b.olsen" in details
    assert f"**Plan:** veilederkorpset {harness.fakes.plan.version}" in details
    last_day = calendar.add_months(period.start_date, 30) - timedelta(days=1)
    assert f"**Period end:** {last_day.isoformat()}" in details
    indexed = first.workflow_execution_started_event_attributes.search_attributes.indexed_fields
    assert {"GuidancePhase", "SchoolOwner", "Cohort", "County", "Advisers"} <= set(indexed)


async def test_a_second_start_for_the_same_owner_and_cohort_is_refused(harness: Harness) -> None:
    period = await harness.period_input()
    await harness.start_period_with_client(period)

    with pytest.raises(api.PeriodAlreadyExists) as refused:
        await harness.start_period_with_client(period)

    assert "Drammen (3301)" in str(refused.value)
    assert refused.value.workflow_id == period_workflow_id(period.cohort, "3301")


async def test_an_unknown_plan_is_refused_before_anything_starts(harness: Harness) -> None:
    period = await harness.period_input(plan="kunstskole")

    with pytest.raises(api.UnknownPlan, match=r"known plans: led-skole, leda-for-skolutveckling, .*, veilederkorpset"):
        await harness.start_period_with_client(period)


async def test_updates_answer_with_the_new_status(harness: Harness) -> None:
    handle = await harness.start_period_with_client()

    status = await api.record_milestone(harness.client, handle.id, milestone("mapping_done", note="data read"))

    assert status.phase == Phase.ANCHORING
    assert [(m.milestone, m.note) for m in status.milestones] == [(Milestone.MAPPING_DONE, "data read")]
    written = await harness.fakes.received(Activities.RECORD_MILESTONE)
    assert isinstance(written[0], MilestoneRecord)
    assert written[0].transition.to_phase == Phase.ANCHORING

    day = await harness.working_day_in(14)
    request = ScheduleMeeting.model_validate(
        {"kind": "follow_up", "date": day.isoformat(), "adviser": "b.olsen", "schools": ["Fjell skole"]}
    )
    status = await api.schedule_meeting(harness.client, handle.id, request)

    assert [(m.meeting_id, m.date) for m in status.meetings] == [("m1", day)]
    invitation = await harness.fakes.received(Activities.RECORD_MEETING)
    assert isinstance(invitation[0], MeetingRecord)
    assert invitation[0].meeting.meeting_id == "m1"


async def test_a_rejected_update_carries_the_workflows_message_naming_the_field(harness: Harness) -> None:
    handle = await harness.start_period_with_client()

    with pytest.raises(api.UpdateRejected) as rejected:
        await api.record_milestone(harness.client, handle.id, milestone("anchoring_done"))

    assert rejected.value.field == "milestone"
    assert str(rejected.value).startswith("milestone: anchoring_done does not close the current phase mapping")
    assert "mapping_done" in str(rejected.value)
    # Beside the message, the failure's details: the rule's code and its parameters (docs/temporal-contract.md).
    assert rejected.value.code == "milestone.not_closing"
    assert rejected.value.params == {
        "plan": "veilederkorpset",
        "milestone": "anchoring_done",
        "phase": "mapping",
        "closing": "mapping_done",
    }
    status = await api.period_status(harness.client, handle.id)
    assert (status.phase, status.milestones) == (Phase.MAPPING, [])


async def test_a_meeting_on_a_weekend_is_rejected_naming_the_date(harness: Harness) -> None:
    handle = await harness.start_period_with_client()
    saturday = await harness.weekend_day_in(7)
    request = ScheduleMeeting.model_validate({"kind": "kickoff", "date": saturday.isoformat(), "adviser": "a.hansen"})

    with pytest.raises(api.UpdateRejected) as rejected:
        await api.schedule_meeting(harness.client, handle.id, request)

    assert rejected.value.field == "date"
    assert "working day" in str(rejected.value)


async def test_a_gathering_invitation_shows_in_the_status(harness: Harness) -> None:
    handle = await harness.start_period_with_client()
    day = await harness.working_day_in(60)
    invitation = GatheringInvitation(gathering_id="g1", title="The school-owner role", date=day, place="Oslo")

    await api.invite_to_gathering(harness.client, handle.id, invitation)

    status = await api.period_status(harness.client, handle.id)
    assert [(g.gathering_id, g.title, g.date) for g in status.gatherings] == [("g1", "The school-owner role", day)]


async def test_a_withdrawn_period_answers_its_status_and_takes_no_more_updates(harness: Harness) -> None:
    handle = await harness.start_period_with_client()

    status = await api.withdraw(harness.client, handle.id, Withdraw(reason="merger of municipalities", by="udir"))
    assert status.phase == Phase.WITHDRAWN
    assert status.end_reason == "withdrawn by udir: merger of municipalities"
    assert (await handle.result()).phase == Phase.WITHDRAWN

    assert (await api.period_status(harness.client, handle.id)).phase == Phase.WITHDRAWN
    with pytest.raises(api.PeriodNotFound, match="has ended") as ended:
        await api.withdraw(harness.client, handle.id, Withdraw(reason="again", by="udir"))
    assert ended.value.ended
    with pytest.raises(api.PeriodAlreadyExists):
        await harness.start_period_with_client(await harness.period_input(cohort=status.cohort))


async def test_a_period_that_does_not_exist_is_named_in_the_error(harness: Harness) -> None:
    missing = period_workflow_id(harness.new_name(), "3301")

    with pytest.raises(api.PeriodNotFound, match=missing) as not_found:
        await api.period_status(harness.client, missing)
    assert not not_found.value.ended
    with pytest.raises(api.PeriodNotFound, match=missing):
        await api.record_milestone(harness.client, missing, milestone("mapping_done"))
    invitation = GatheringInvitation.model_validate({"gathering_id": "g", "title": "t", "date": "2030-01-07"})
    with pytest.raises(api.PeriodNotFound, match=missing):
        await api.invite_to_gathering(harness.client, missing, invitation)


def test_find_period_checks_the_owner_against_the_owner_list() -> None:
    assert api.find_period("2027", "3301") == "guidance-period-2027-3301"
    with pytest.raises(UnknownOwner, match="3301 Drammen"):
        api.find_period("2027", "Dramen")
