"""The bounds of a period's meetings and of a cohort's network meetings (the updates' own lists and texts are
bounded by their models: tests/properties/test_update_bounds.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain import cohort as cohort_rules
from domain import cohort_changes as changes
from domain import period
from domain.models import MAX_MEETINGS
from tests.cohorts.test_cohort_changes import occasion, started
from tests.cohorts.test_cohort_rules import INVITED, answer, state
from tests.domain.test_period import at, meeting, new_state, schedule


def test_a_period_holds_a_bounded_number_of_meetings_and_may_still_move_one() -> None:
    state = new_state()
    day = date(2027, 3, 2)
    while len(state.meetings) < MAX_MEETINGS:
        schedule(state, meeting(day), at(date(2027, 3, 1)))
    with pytest.raises(period.Rejection, match=f"meeting_id: the period holds {MAX_MEETINGS} meetings"):
        period.check_meeting(state, meeting(day), at(date(2027, 3, 1)))
    moved = meeting(day + timedelta(days=1), meeting_id=state.meetings[0].meeting_id)
    period.check_meeting(state, moved, at(date(2027, 3, 1)))


def test_a_cohort_holds_a_bounded_number_of_network_meetings() -> None:
    cohort = state()
    for owner in ("3301", "4617"):
        changes.response(cohort, answer(owner), occasion())
    started(cohort, "3301", "4617")
    request = cohort_rules.ScheduleNetworkMeeting(network="Sunnhordland", date=date(2027, 9, 14), adviser="d.lie")
    while len(cohort.network_meetings) < cohort_rules.MAX_NETWORK_MEETINGS:
        cohort_rules.check_network_meeting(cohort, request, INVITED)
        changes.network_meeting(cohort, request)
    with pytest.raises(period.Rejection, match="meeting_id: the cohort holds 200 network meetings"):
        cohort_rules.check_network_meeting(cohort, request, INVITED)
