"""What each change to a period causes (domain/period_changes.py): the records the workflow queues, in order,
with the event's key and moment, and the id of what an update created."""

from __future__ import annotations

import re
from datetime import date

import pytest

from domain import period, period_changes
from domain.contract import PERIOD_ADVISERS_SIGNAL, Activities
from domain.effects import Occasion
from domain.models import ChangeAdvisers, GatheringInvitation, NetworkMeeting, Withdraw
from domain.phases import Phase
from tests.domain.test_period import ENDS_ON, START, at, closing, meeting, new_state, plan

WORKFLOW_ID = "guidance-period-2027-3301"


def occasion(day: date, key: str = "update:u1") -> Occasion:
    return Occasion(WORKFLOW_ID, at(day), key)


def test_a_milestone_writes_one_record_with_the_update_key_and_the_new_phase() -> None:
    state = new_state()
    effects = period_changes.milestone(state, closing(Phase.MAPPING), occasion(date(2027, 2, 1)))
    [record] = effects.records
    assert record.activity == Activities.RECORD_MILESTONE
    assert record.payload["audit"]["event_key"] == "update:u1"
    assert record.payload["period"]["phase"] == Phase.ANCHORING == state.phase
    assert record.payload["transition"]["from_phase"] == Phase.MAPPING
    assert effects.created is None


def test_a_meeting_answers_with_its_id_and_a_move_keeps_it() -> None:
    state = new_state()
    first = period_changes.meeting(state, meeting(date(2027, 1, 12)), occasion(date(2027, 1, 5)))
    assert first.created == "m1"
    moved = period_changes.meeting(
        state, meeting(date(2027, 1, 13), meeting_id="m1"), occasion(date(2027, 1, 6), "update:u2")
    )
    assert moved.created == "m1"
    [record] = moved.records
    assert record.payload["meeting"]["sequence"] == 1
    assert record.payload["audit"]["action"] == "meeting moved"


def test_a_start_records_the_period_before_the_meetings_the_plan_proposes() -> None:
    state = new_state(
        programme=plan(meetings=[{"id": "network", "kind": "network", "title": "Network meeting", "every_months": 3}])
    )
    effects = period_changes.started(state, Occasion(WORKFLOW_ID, at(START)))
    assert [r.activity for r in effects.records] == [Activities.RECORD_PERIOD_STARTED, Activities.RECORD_MEETINGS]
    assert effects.records[0].payload["period"]["phase"] == Phase.MAPPING
    proposed = effects.records[1].payload["records"]
    assert len(proposed) > 1

    # A period recorded before `planned-meetings-in-one-activity` wrote the same meetings one activity each.
    before = period_changes.started(
        new_state(programme=state.plan), Occasion(WORKFLOW_ID, at(START)), planned_in_one=lambda: False
    )
    assert [r.activity for r in before.records[1:]] == [Activities.RECORD_MEETING] * len(proposed)
    assert [r.payload for r in before.records[1:]] == proposed


def test_passed_deadlines_send_the_reminder_once_and_the_end_expires_the_period() -> None:
    state = new_state()
    reminder = period_changes.deadlines_passed(state, occasion(date(2027, 3, 16)))
    assert [r.activity for r in reminder.records] == [Activities.SEND_NOTICE, Activities.SEND_NOTICE]
    assert {r.payload["notice"]["kind"] for r in reminder.records} == {"meeting_gap_reminder", "phase_reminder"}
    assert period_changes.deadlines_passed(state, occasion(date(2027, 3, 16))).records == []

    end = period_changes.deadlines_passed(state, Occasion(WORKFLOW_ID, period.ends_at(state)))
    assert end.records[-1].activity == Activities.RECORD_PHASE_CHANGE
    assert end.records[-1].payload["audit"]["event_key"] == "expired"
    assert state.phase == Phase.EXPIRED
    assert period.ends_on(state) == ENDS_ON


def test_a_period_ends_with_one_final_evaluation() -> None:
    state = new_state()
    withdrawn = period_changes.withdrawal(state, Withdraw(by="coordinator", reason="merger"), occasion(START))
    assert [r.activity for r in withdrawn.records] == [Activities.RECORD_PHASE_CHANGE]
    [final] = period_changes.ended(state, occasion(START)).records
    assert final.activity == Activities.RECORD_FINAL_EVALUATION
    assert final.payload["outcome"] == Phase.WITHDRAWN
    assert period_changes.ended(state, occasion(START)).records == []


def test_signals_to_an_ended_period_change_nothing_and_say_why() -> None:
    state = new_state()
    period_changes.withdrawal(state, Withdraw(by="coordinator", reason="merger"), occasion(START))
    invitation = GatheringInvitation(gathering_id="g1", title="Samling", date=date(2027, 3, 10), place="Oslo")
    ignored = period_changes.gathering(state, invitation, occasion(START))
    assert ignored.records == []
    assert ignored.left_out is not None
    assert "ended" in ignored.left_out
    shared = NetworkMeeting(
        meeting_id="network-1", network="Vest", date=date(2027, 3, 10), adviser="a.hansen", sequence=0
    )
    left_out = period_changes.network_meeting(state, shared, occasion(START))
    assert left_out.records == []
    assert left_out.left_out is not None
    assert state.gatherings == []


def test_new_advisers_write_the_periods_row_with_them_and_an_audit_entry_from_whom_to_whom() -> None:
    state = new_state()
    request = ChangeAdvisers(advisers=["c.berg", "a.hansen"], by="coordinator", reason="b.olsen on leave")

    effects = period_changes.advisers_changed(state, request, occasion(date(2027, 2, 1)))

    [record] = effects.records
    assert record.activity == Activities.RECORD_ADVISERS_CHANGE
    assert record.payload["period"]["advisers"] == ["c.berg", "a.hansen"] == state.input.advisers
    assert record.payload["audit"] | {"at": None} == {
        "workflow_id": WORKFLOW_ID,
        "event_key": "update:u1",
        "at": None,
        "actor": "coordinator",
        "action": "advisers changed",
        "details": {
            "previous": ["a.hansen", "b.olsen"],
            "advisers": ["c.berg", "a.hansen"],
            "reason": "b.olsen on leave",
        },
    }
    # The rules follow at once: the adviser left out may no longer record, the new one may.
    with pytest.raises(
        period.Rejection, match=re.escape("'b.olsen' is not assigned to this period; assigned: c.berg, a.hansen")
    ):
        period.check_adviser(state, "b.olsen")
    period.check_adviser(state, "c.berg")
    assert period.status(state, WORKFLOW_ID, at(date(2027, 2, 1))).advisers == ["c.berg", "a.hansen"]


def test_a_period_of_a_cohort_tells_its_cohort_of_new_advisers_and_one_outside_a_cohort_tells_no_one() -> None:
    alone = new_state()
    request = ChangeAdvisers(advisers=["c.berg"], by="coordinator")
    assert period_changes.advisers_changed(alone, request, occasion(date(2027, 2, 1))).signals == []

    in_cohort = new_state()
    in_cohort.report_to = "cohort-2027"
    [signal] = period_changes.advisers_changed(in_cohort, request, occasion(date(2027, 2, 1))).signals
    assert (signal.workflow_id, signal.signal) == ("cohort-2027", PERIOD_ADVISERS_SIGNAL)
    assert signal.payload == {"owner_id": "3301", "advisers": ["c.berg"], "at": "2027-02-01T11:00:00Z"}  # noon in Oslo
