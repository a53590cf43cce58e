"""The county governors' assessment as pure rules: its dates fall on working days, its input is bounded, and a
county governor's answer is checked in one place (`domain.assessment.check_assessment`)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from domain import assessment as rules
from domain import calendar
from domain.effects import Occasion
from domain.period import Rejection

BERGEN = {"id": "4601", "name": "Bergen", "kind": "municipality", "county": "46"}
KVINNHERAD = {"id": "4617", "name": "Kvinnherad", "kind": "municipality", "county": "46"}
DRAMMEN = {"id": "3301", "name": "Drammen", "kind": "municipality", "county": "33"}
#: A Friday before Christmas: the deadline counts working days past the holidays.
REQUESTED = datetime(2026, 12, 18, 9, tzinfo=UTC)


def state(**changes: Any) -> rules.AssessmentState:
    given = rules.AssessmentInput.model_validate(
        {
            "cohort": "2027",
            "requested_by": "coordinator",
            "owners": [{"owner": o, "rank": 31 + i} for i, o in enumerate((BERGEN, KVINNHERAD, DRAMMEN))],
            **changes,
        }
    )
    return rules.new_state(given, REQUESTED)


def answer(owner_id: str = "4601", priority: int = 1, **changes: Any) -> rules.RecordAssessment:
    fields = {"assessment": "Needs help", "by": "sf.vestland", "recorded_as": "county_governor", "county": "46"}
    return rules.RecordAssessment.model_validate({"owner_id": owner_id, "priority": priority, **fields, **changes})


def test_the_deadline_and_the_reminder_are_working_days_counted_past_the_holidays() -> None:
    current = state(reply_days=15, reminder_days=5)
    assert current.requested_on == date(2026, 12, 18)
    # 24 Dec is a working day in the calendar; 25, 26 Dec and 1 Jan are not, nor the weekends.
    assert rules.reply_by(current) == calendar.add_working_days(date(2026, 12, 18), 15)
    assert calendar.is_working_day(rules.reply_by(current))
    assert rules.remind_on(current) == calendar.add_working_days(date(2026, 12, 18), 10)
    assert rules.remind_on(state(reminder_days=0)) is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reply_days": 0}, "reply_days"),
        ({"reminder_days": 15}, "reminder_days"),
        ({"owners": []}, "owners"),
        ({"owners": [{"owner": BERGEN, "rank": 1}, {"owner": BERGEN, "rank": 2}]}, "owners"),
        ({"cohort": "a b"}, "cohort"),
    ],
)
def test_an_input_out_of_bounds_names_its_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        state(**changes)
    assert field in str(error.value)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"assessment": ""}, "assessment"),
        ({"assessment": "x" * (rules.MAX_ASSESSMENT_LENGTH + 1)}, "assessment"),
        ({"assessment": "bell\x07"}, "assessment"),
        ({"priority": 0}, "priority"),
        ({"county": None}, "county"),
        ({"recorded_as": "adviser"}, "recorded_as"),
    ],
)
def test_an_answer_out_of_bounds_names_its_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        answer(**changes)
    assert field in str(error.value)


def refusal(current: rules.AssessmentState, request: rules.RecordAssessment, now: datetime = REQUESTED) -> str:
    with pytest.raises(Rejection) as error:
        rules.check_assessment(current, request, now)
    return error.value.code


def test_priorities_are_places_within_the_county_never_shared() -> None:
    current = state()
    rules.answered(current, answer("4601", 2), Occasion("assessment-2027", REQUESTED, "update:1"))
    assert refusal(current, answer("4617", 2)) == "priority.taken"
    assert refusal(current, answer("4617", 3)) == "priority.out_of_range"  # Vestland has two owners here
    rules.check_assessment(current, answer("4617", 1), REQUESTED)
    # Drammen is alone in its county: only place 1.
    coordinator = {"recorded_as": "coordinator", "by": "coordinator", "county": None}
    assert refusal(current, answer("3301", 2, **coordinator)) == "priority.out_of_range"


def test_a_county_governor_answers_for_their_own_county_and_once() -> None:
    current = state()
    assert refusal(current, answer("3301", 1)) == "owner_id.other_county"
    assert refusal(current, answer("1103", 1)) == "owner_id.not_assessed"
    rules.answered(current, answer("4601", 1), Occasion("assessment-2027", REQUESTED, "update:1"))
    assert refusal(current, answer("4601", 2)) == "owner_id.already_assessed"


def test_past_the_deadline_an_answer_is_too_late_and_the_open_requests_are_no_reply() -> None:
    current = state(reply_days=3, reminder_days=1)
    late = rules.no_reply_at(current)
    assert refusal(current, answer("4617", 1), late) == "owner_id.assessment_too_late"
    effects = rules.deadlines_passed(current, Occasion("assessment-2027", late, ""))
    events = [(r.payload["owner_id"], r.payload["event"]) for r in effects.records]
    assert events == [(o, "reminded") for o in ("4601", "4617", "3301")] + [
        (o, "no_reply") for o in ("4601", "4617", "3301")
    ]
    assert rules.next_deadline(current) is None
    assert rules.status(current, "assessment-2027").counts["no_reply"] == 3
    ended = rules.status(current.model_copy(update={"pending": []}), "assessment-2027")
    assert ended.ended
    with pytest.raises(Rejection) as error:
        rules.check_ended(ended, answer("4617", 1))
    assert error.value.code == "owner_id.assessment_too_late"
