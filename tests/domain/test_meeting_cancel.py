"""Cancelling a meeting (`cancel_meeting`) and the meetings a withdrawal cancels: the pure rules of domain.period."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from domain import period
from domain.effects import Occasion
from domain.models import CancelMeeting, NetworkMeeting, PeriodState, Withdraw
from domain.period import Rejection
from domain.period_changes import withdrawal
from domain.records import FinalEvaluationRecord
from tests.domain.test_period import at, meeting, new_state, schedule


def cancel(state: PeriodState, meeting_id: str, now: datetime, adviser: str = "a.hansen") -> None:
    request = CancelMeeting(meeting_id=meeting_id, adviser=adviser)
    period.check_meeting_cancel(state, request, now)
    period.apply_meeting_cancel(state, meeting_id, now)


def rejection(state: PeriodState, request: CancelMeeting, now: datetime) -> Rejection:
    with pytest.raises(Rejection) as raised:
        period.check_meeting_cancel(state, request, now)
    return raised.value


def test_a_cancelled_meeting_stays_marked_with_the_next_sequence_and_can_be_neither_cancelled_nor_moved() -> None:
    state = new_state()
    now = at(date(2027, 2, 1))
    meeting_id = schedule(state, meeting(date(2027, 2, 15)), now)
    schedule(state, meeting(date(2027, 2, 16), meeting_id=meeting_id), now)

    cancel(state, meeting_id, now, adviser="b.olsen")

    [entry] = state.meetings
    assert (entry.meeting_id, entry.sequence, entry.cancelled_at) == (meeting_id, 2, now)
    again = rejection(state, CancelMeeting(meeting_id=meeting_id, adviser="a.hansen"), now)
    assert (again.field, again.code) == ("meeting_id", "meeting_id.cancelled")
    assert str(again) == f"meeting_id: {meeting_id} was cancelled on 2027-02-01; agree a new meeting instead"
    with pytest.raises(Rejection) as moved:
        period.check_meeting(state, meeting(date(2027, 2, 17), meeting_id=meeting_id), now)
    assert moved.value.code == "meeting_id.cancelled"


def test_a_cancellation_names_what_is_wrong_with_a_code() -> None:
    state = new_state()
    schedule(state, meeting(date(2027, 2, 15), start=time(9, 0)), at(date(2027, 2, 1)))
    shared = NetworkMeeting(meeting_id="network-1", network="Sunnhordland", date=date(2027, 2, 2), adviser="a.hansen")
    period.apply_network_meeting(state, shared, at(date(2027, 2, 1)))
    now = at(date(2027, 2, 1))

    unknown = rejection(state, CancelMeeting(meeting_id="m9", adviser="a.hansen"), now)
    network = rejection(state, CancelMeeting(meeting_id="network-1", adviser="a.hansen"), now)
    begun = rejection(state, CancelMeeting(meeting_id="m1", adviser="a.hansen"), at(date(2027, 2, 15), hour=9))
    outsider = rejection(state, CancelMeeting(meeting_id="m1", adviser="c.berg"), now)

    assert (unknown.code, str(unknown)) == (
        "meeting_id.unknown",
        "meeting_id: 'm9' is not a meeting of this period; known: m1, network-1",
    )
    assert network.code == "meeting_id.network" and "the cohort keeps it" in str(network)
    assert begun.code == "meeting_id.past" and "only a meeting that lies ahead can be cancelled" in str(begun)
    assert outsider.field == "adviser"


def test_a_withdrawal_cancels_the_meetings_ahead_but_not_those_held_cancelled_or_of_the_network() -> None:
    state = new_state()
    agreed = at(date(2027, 2, 1))
    held = schedule(state, meeting(date(2027, 2, 3)), agreed)
    ahead = schedule(state, meeting(date(2027, 3, 1)), agreed)
    gone = schedule(state, meeting(date(2027, 3, 2)), agreed)
    cancel(state, gone, agreed)
    shared = NetworkMeeting(meeting_id="network-1", network="Sunnhordland", date=date(2027, 3, 3), adviser="a.hansen")
    period.apply_network_meeting(state, shared, agreed)
    now = at(date(2027, 2, 10))

    effects = withdrawal(state, Withdraw(reason="merged", by="k.nilsen"), Occasion("guidance-period-x-3301", now, "u"))

    cancelled = {m.meeting_id: m for m in state.meetings if m.cancelled_at == now}
    assert list(cancelled) == [ahead] and cancelled[ahead].sequence == 1
    assert [r.activity for r in effects.records] == ["record_phase_change", "record_meeting"]
    assert effects.records[1].payload["audit"]["event_key"] == f"u:cancel:{ahead}"
    assert {m.meeting_id for m in state.meetings if m.cancelled_at is None} == {held, "network-1"}
    assert FinalEvaluationRecord.of(state, "guidance-period-x-3301", now).meetings == 2  # the held and the network's


def test_a_withdrawal_recorded_before_the_patch_cancels_nothing() -> None:
    state = new_state()
    schedule(state, meeting(date(2027, 3, 1)), at(date(2027, 2, 1)))
    now = at(date(2027, 2, 10))
    request = Withdraw(reason="merged", by="k.nilsen")

    effects = withdrawal(state, request, Occasion("guidance-period-x-3301", now, "u"), cancel_meetings=False)

    assert [r.activity for r in effects.records] == ["record_phase_change"]
    assert all(m.cancelled_at is None for m in state.meetings)
