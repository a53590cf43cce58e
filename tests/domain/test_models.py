"""The message shapes of the Temporal contract (domain/models.py), as any Temporal client sends them.

The JSON examples are copied from DESIGN.md ("Message shapes"); they must keep parsing, unknown fields
must be refused, and every refusal must name the field it is about.
"""

from __future__ import annotations

import json
from datetime import date, time
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from domain.models import (
    ChangeAdvisers,
    GatheringInvitation,
    PeriodInput,
    PeriodStatus,
    RecordMilestone,
    ScheduleMeeting,
    SchoolOwner,
    Withdraw,
)
from domain.phases import Milestone

# --- the examples of DESIGN.md, verbatim -----------------------------------------------------------

PERIOD_INPUT = """{"cohort": "2027", "owner": {"id": "3301", "name": "Drammen",
    "kind": "municipality", "county": "33"}, "advisers": ["a.hansen", "b.olsen"],
    "start_date": "2027-01-04"}"""
RECORD_MILESTONE = """{"milestone": "mapping_done", "adviser": "a.hansen", "note": "..."}"""
SCHEDULE_MEETING = """{"kind": "follow_up", "date": "2027-03-02", "start": "09:00",
    "duration_minutes": 120, "adviser": "a.hansen", "schools": ["..."], "title": "..."}"""
WITHDRAW = """{"reason": "...", "by": "..."}"""
GATHERING_INVITATION = """{"gathering_id": "...", "title": "...", "date": "2027-05-11",
    "place": "..."}"""

EXAMPLES: list[tuple[type[BaseModel], str]] = [
    (PeriodInput, PERIOD_INPUT),
    (RecordMilestone, RECORD_MILESTONE),
    (ScheduleMeeting, SCHEDULE_MEETING),
    (Withdraw, WITHDRAW),
    (GatheringInvitation, GATHERING_INVITATION),
]


def names_field(error: ValidationError, field: str) -> bool:
    """True if some error of `error` is located at `field` or says ``field: ...`` in its message."""
    for e in error.errors():
        if field in [str(part) for part in e["loc"]]:
            return True
        if e["msg"].startswith(f"Value error, {field}:"):
            return True
    return False


def period_input(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(PERIOD_INPUT)
    data.update(changes)
    return data


def owner(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"id": "3301", "name": "Drammen", "kind": "municipality", "county": "33"}
    data.update(changes)
    return data


# --- the examples parse ----------------------------------------------------------------------------


def test_period_input_example_parses() -> None:
    period = PeriodInput.model_validate_json(PERIOD_INPUT)
    assert period.cohort == "2027"
    assert period.owner == SchoolOwner(id="3301", name="Drammen", kind="municipality", county="33")
    assert period.advisers == ["a.hansen", "b.olsen"]
    assert period.start_date == date(2027, 1, 4)
    assert period.plan == "veilederkorpset"
    assert period.schools == []
    assert period.programme is None


def test_period_input_with_the_optional_fields() -> None:
    data = period_input(plan="veilederkorpset", schools=["Fjell skole", "Åskollen skole"])
    period = PeriodInput.model_validate_json(json.dumps(data))
    assert period.schools == ["Fjell skole", "Åskollen skole"]


def test_record_milestone_examples_parse() -> None:
    plain = RecordMilestone.model_validate_json(RECORD_MILESTONE)
    assert plain.milestone == Milestone.MAPPING_DONE
    assert plain.adviser == "a.hansen"
    assert plain.note == "..."
    assert plain.next_cycle is False
    area = RecordMilestone.model_validate_json(
        '{"milestone": "development_area_chosen", "adviser": "a.hansen", "development_area": "basic_skills"}'
    )
    assert area.development_area == "basic_skills"
    other = RecordMilestone.model_validate_json(
        '{"milestone": "development_area_chosen", "adviser": "a.hansen", "development_area": "other",'
        ' "development_area_other": "transition from kindergarten"}'
    )
    assert other.development_area_other == "transition from kindergarten"
    goals = RecordMilestone.model_validate_json(
        '{"milestone": "goals_prioritised", "adviser": "a.hansen", "goals": ["...", "..."]}'
    )
    assert goals.goals == ["...", "..."]
    cycle = RecordMilestone.model_validate_json(
        '{"milestone": "evaluation_done", "adviser": "a.hansen", "next_cycle": true}'
    )
    assert cycle.next_cycle is True


def test_schedule_meeting_example_parses() -> None:
    meeting = ScheduleMeeting.model_validate_json(SCHEDULE_MEETING)
    assert meeting.kind == "follow_up"
    assert meeting.date == date(2027, 3, 2)
    assert meeting.start == time(9, 0)
    assert meeting.duration_minutes == 120
    assert meeting.schools == ["..."]
    assert meeting.meeting_id is None


@pytest.mark.parametrize("kind", ["kickoff", "follow_up", "phase_review", "school_visit", "network"])
def test_every_meeting_kind_of_the_contract_parses(kind: str) -> None:
    data = json.loads(SCHEDULE_MEETING) | {"kind": kind}
    assert ScheduleMeeting.model_validate_json(json.dumps(data)).kind == kind


@pytest.mark.parametrize(
    "milestone",
    [
        "mapping_done",
        "anchoring_done",
        "development_area_chosen",
        "goals_prioritised",
        "measures_implemented",
        "evaluation_done",
    ],
)
def test_every_milestone_of_the_contract_parses(milestone: str) -> None:
    update = RecordMilestone.model_validate({"milestone": milestone, "adviser": "a.hansen"})
    assert update.milestone == milestone


def test_withdraw_and_gathering_examples_parse() -> None:
    withdraw = Withdraw.model_validate_json(WITHDRAW)
    assert (withdraw.reason, withdraw.by) == ("...", "...")
    gathering = GatheringInvitation.model_validate_json(GATHERING_INVITATION)
    assert gathering.date == date(2027, 5, 11)
    assert gathering.place == "..."


@pytest.mark.parametrize(("model", "example"), EXAMPLES, ids=[m.__name__ for m, _ in EXAMPLES])
def test_examples_survive_a_json_round_trip(model: type[BaseModel], example: str) -> None:
    parsed = model.model_validate_json(example)
    assert model.model_validate_json(parsed.model_dump_json()) == parsed


def test_status_has_the_fields_the_contract_promises() -> None:
    promised = {
        "phase",
        "phase_due_at",
        "overdue",
        "ends_at",
        "cycle",
        "development_area",
        "goals",
        "milestones",
        "meetings",
        "gatherings",
    }
    assert promised <= set(PeriodStatus.model_fields)


# --- unknown fields are refused ----------------------------------------------------------------------


@pytest.mark.parametrize(("model", "example"), EXAMPLES, ids=[m.__name__ for m, _ in EXAMPLES])
def test_an_unknown_field_is_refused_by_name(model: type[BaseModel], example: str) -> None:
    data = json.loads(example) | {"adviserr": "a.hansen"}
    with pytest.raises(ValidationError) as raised:
        model.model_validate_json(json.dumps(data))
    assert [(e["loc"], e["type"]) for e in raised.value.errors()] == [(("adviserr",), "extra_forbidden")]


def test_an_unknown_owner_field_is_refused_by_path() -> None:
    data = period_input(owner=owner(population=101_000))
    with pytest.raises(ValidationError) as raised:
        PeriodInput.model_validate(data)
    assert raised.value.errors()[0]["loc"] == ("owner", "population")


# --- school owners --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"id": "3301", "kind": "municipality", "county": "33"}, "3301"),
        ({"id": "0301", "kind": "municipality", "county": "03", "name": "Oslo - Oslove"}, "0301"),
        ({"id": "33", "kind": "county_authority", "county": "33", "name": "Buskerud fylkeskommune"}, "33"),
    ],
)
def test_valid_owners(fields: dict[str, str], expected: str) -> None:
    assert SchoolOwner.model_validate(owner(**fields)).id == expected


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        pytest.param({"id": "33"}, "id", "a municipality has a 4-digit number", id="municipality-with-2-digits"),
        pytest.param(
            {"id": "3301", "kind": "county_authority"},
            "id",
            "a county_authority has a 2-digit number",
            id="county-authority-with-4-digits",
        ),
        pytest.param({"id": "301"}, "id", "pattern", id="3-digits"),
        pytest.param({"id": "33011"}, "id", "pattern", id="5-digits"),
        pytest.param({"id": "33a1"}, "id", "pattern", id="letters"),
        pytest.param({"county": "34"}, "county", "owner 3301 lies in county 33, not 34", id="county-not-prefix"),
        pytest.param({"county": "3"}, "county", "pattern", id="county-1-digit"),
        pytest.param({"kind": "school"}, "kind", "'municipality' or 'county_authority'", id="unknown-kind"),
        pytest.param({"name": "  "}, "name", "at least 1 character", id="blank-name"),
    ],
)
def test_invalid_owners_are_refused_naming_the_field(fields: dict[str, str], field: str, words: str) -> None:
    with pytest.raises(ValidationError) as raised:
        SchoolOwner.model_validate(owner(**fields))
    assert names_field(raised.value, field), raised.value
    assert words in str(raised.value)


def test_an_invalid_owner_in_the_period_input_is_located_under_owner() -> None:
    with pytest.raises(ValidationError) as raised:
        PeriodInput.model_validate(period_input(owner=owner(county="34")))
    error = raised.value.errors()[0]
    assert error["loc"] == ("owner",)
    assert error["msg"].startswith("Value error, county:")


# --- advisers and other fields ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "advisers",
    [
        pytest.param(["a.hansen", "a.hansen"], id="twice"),
        pytest.param(["a.hansen", " a.hansen "], id="twice-with-spaces"),
        pytest.param(["a.hansen", "b.olsen", "a.hansen"], id="twice-among-others"),
    ],
)
def test_duplicate_advisers_are_refused(advisers: list[str]) -> None:
    with pytest.raises(ValidationError) as raised:
        PeriodInput.model_validate(period_input(advisers=advisers))
    assert names_field(raised.value, "advisers")
    assert "each adviser may be named once" in str(raised.value)


def test_adviser_ids_are_trimmed() -> None:
    period = PeriodInput.model_validate(period_input(advisers=[" a.hansen", "b.olsen "]))
    assert period.advisers == ["a.hansen", "b.olsen"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        pytest.param(period_input(advisers=[]), "advisers", id="no-advisers"),
        pytest.param(period_input(advisers=["A.Hansen"]), "advisers", id="adviser-upper-case"),
        pytest.param(period_input(advisers=["a hansen"]), "advisers", id="adviser-with-space"),
        pytest.param(period_input(cohort="2027 spring"), "cohort", id="cohort-with-space"),
        pytest.param(period_input(cohort=""), "cohort", id="cohort-empty"),
        pytest.param(period_input(start_date="2027-02-30"), "start_date", id="no-such-date"),
        pytest.param(period_input(start_date="04.01.2027"), "start_date", id="norwegian-date-format"),
        pytest.param({k: v for k, v in period_input().items() if k != "owner"}, "owner", id="owner-missing"),
    ],
)
def test_invalid_period_inputs_name_the_field(data: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as raised:
        PeriodInput.model_validate_json(json.dumps(data))
    assert names_field(raised.value, field), raised.value


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        pytest.param({"kind": "lunch"}, "kind", "'kickoff', 'follow_up', 'phase_review'", id="unknown-kind"),
        pytest.param({"duration_minutes": 10}, "duration_minutes", "15", id="too-short"),
        pytest.param({"duration_minutes": 601}, "duration_minutes", "600", id="too-long"),
        pytest.param({"start": "25:00"}, "start", "time", id="no-such-time"),
        pytest.param({"date": "2027-13-01"}, "date", "date", id="no-such-date"),
        pytest.param({"adviser": ""}, "adviser", "at least 2 characters", id="no-adviser"),
    ],
)
def test_invalid_meetings_name_the_field(changes: dict[str, Any], field: str, words: str) -> None:
    data = json.loads(SCHEDULE_MEETING) | changes
    with pytest.raises(ValidationError) as raised:
        ScheduleMeeting.model_validate_json(json.dumps(data))
    assert names_field(raised.value, field), raised.value
    assert words in str(raised.value)


@pytest.mark.parametrize("milestone", ["Mapping done", "mapping-done", "", "x" * 49])
def test_a_milestone_not_shaped_like_a_name_is_refused_at_the_edge(milestone: str) -> None:
    # Which milestones exist is the plan's to say (the period's validator answers, tests/domain/test_period.py).
    with pytest.raises(ValidationError) as raised:
        RecordMilestone.model_validate({"milestone": milestone, "adviser": "a.hansen"})
    assert names_field(raised.value, "milestone")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        pytest.param({"reason": "   ", "by": "coordinator"}, "reason", id="blank-reason"),
        pytest.param({"reason": "moving on"}, "by", id="no-by"),
    ],
)
def test_invalid_withdrawals_name_the_field(data: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as raised:
        Withdraw.model_validate(data)
    assert names_field(raised.value, field), raised.value


@pytest.mark.parametrize(
    ("data", "words"),
    [
        pytest.param({"advisers": [], "by": "coordinator"}, "at least 1 item", id="empty"),
        pytest.param({"advisers": [f"a.{n:02}" for n in range(11)], "by": "k"}, "at most 10 items", id="too-many"),
        pytest.param({"advisers": ["a.hansen", "a.hansen"], "by": "k"}, "each adviser may be named once", id="twice"),
        pytest.param({"advisers": ["A Hansen"], "by": "k"}, "should match pattern", id="not-a-user-name"),
    ],
)
def test_a_change_of_advisers_outside_its_bounds_names_the_advisers(data: dict[str, Any], words: str) -> None:
    with pytest.raises(ValidationError) as raised:
        ChangeAdvisers.model_validate(data)
    assert names_field(raised.value, "advisers"), raised.value
    assert words in str(raised.value)


def test_a_change_of_advisers_says_who_changes_them() -> None:
    with pytest.raises(ValidationError) as raised:
        ChangeAdvisers.model_validate({"advisers": ["a.hansen"]})
    assert names_field(raised.value, "by")


def test_a_gathering_without_title_names_the_field() -> None:
    with pytest.raises(ValidationError) as raised:
        GatheringInvitation.model_validate({"gathering_id": "g1", "date": "2027-05-11"})
    assert names_field(raised.value, "title")


@pytest.mark.parametrize("text", ["a\x00b", "bell\x07", "esc\x1b[31m"])
def test_control_characters_are_refused_naming_the_field(text: str) -> None:
    with pytest.raises(ValidationError) as refused:
        RecordMilestone.model_validate({"milestone": "mapping_done", "adviser": "a.hansen", "note": text})
    assert refused.value.errors()[0]["loc"] == ("note",)
    assert "control characters" in str(refused.value)


def test_a_note_may_have_lines_and_tabs() -> None:
    update = RecordMilestone.model_validate({"milestone": "mapping_done", "adviser": "a.hansen", "note": "a\n\tb"})
    assert update.note == "a\n\tb"
