"""Programme plans (domain/programme.py): what a plan holds and refuses, and the problems a bad plan table names
(domain/plan_data.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from domain import programme
from domain.models import PeriodInput, SchoolOwner
from domain.period import new_state
from domain.phases import Milestone, Phase
from domain.plan_data import PlanDataError, field_path, plan_from_data
from domain.programme import LABEL_LANGUAGES, ProgrammePlan

# From DESIGN.md ("Message shapes"): the phases in order and the milestone that closes each.
CONTRACT_PHASES = [
    ("mapping", "mapping_done"),
    ("anchoring", "anchoring_done"),
    ("development_area", "development_area_chosen"),
    ("goal_prioritisation", "goals_prioritised"),
    ("implementation", "measures_implemented"),
    ("evaluation", "evaluation_done"),
]
ALLOWED_ORDER = "mapping, anchoring, development_area, goal_prioritisation, implementation, evaluation"


def plan_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "veilederkorpset",
        "version": "test",
        "phases": [
            {"phase": phase, "expected_weeks": 6, "closing_milestone": milestone}
            for phase, milestone in CONTRACT_PHASES
        ],
        "max_months": 30,
        "meeting_gap_weeks": 8,
        "reminder_delay_days": 0,
        "escalation_delay_weeks": 4,
        "new_cycle_min_months": 9,
        "development_areas": ["classroom_management", "basic_skills", "assessment", "learning_environment", "other"],
    }
    data.update(overrides)
    return data


# --- a plan -------------------------------------------------------------------------------------------


def test_phase_plan_looks_up_each_working_phase() -> None:
    plan = ProgrammePlan.model_validate(plan_data())
    for phase, milestone in CONTRACT_PHASES:
        assert plan.phase_plan(Phase(phase)).closing_milestone == Milestone(milestone)
    with pytest.raises(KeyError, match="completed is not a working phase"):
        plan.phase_plan(Phase.COMPLETED)


def test_a_plan_travels_through_json_unchanged() -> None:
    plan = ProgrammePlan.model_validate(plan_data())
    assert ProgrammePlan.model_validate_json(plan.model_dump_json()) == plan


def test_a_plan_cannot_be_changed_in_place() -> None:
    plan = ProgrammePlan.model_validate(plan_data())
    with pytest.raises(ValidationError):
        plan.max_months = 60  # type: ignore[misc]


# --- what a plan refuses --------------------------------------------------------------------------


def test_a_valid_plan_parses() -> None:
    plan = ProgrammePlan.model_validate(plan_data(name="leda-for-skolutveckling", calendar_country="SE"))
    assert plan.calendar_country == "SE"


@pytest.mark.parametrize(
    ("order", "words"),
    [
        pytest.param([1, 0, 2, 3, 4, 5], f"phases must be, in order: {ALLOWED_ORDER}", id="anchoring-before-mapping"),
        pytest.param(
            [0, 1, 2, 3, 5, 4], f"phases must be, in order: {ALLOWED_ORDER}", id="evaluation-before-implementation"
        ),
        pytest.param([0, 1, 2, 3, 4], f"phases must be, in order: {ALLOWED_ORDER}", id="evaluation-missing"),
        pytest.param([0, 1, 2, 3, 4, 5, 5], f"phases must be, in order: {ALLOWED_ORDER}", id="evaluation-twice"),
        pytest.param([], "at least 1 item", id="no-phases"),
    ],
)
def test_the_flagships_phases_out_of_order_are_refused_naming_the_order(order: list[int], words: str) -> None:
    phases = [
        {"phase": CONTRACT_PHASES[i][0], "expected_weeks": 6, "closing_milestone": CONTRACT_PHASES[i][1]} for i in order
    ]
    with pytest.raises(ValidationError) as raised:
        ProgrammePlan.model_validate(plan_data(phases=phases))
    assert words in str(raised.value)


def test_a_terminal_phase_in_a_plan_is_refused() -> None:
    phases = [
        {"phase": phase, "expected_weeks": 6, "closing_milestone": milestone} for phase, milestone in CONTRACT_PHASES
    ]
    phases.append({"phase": "completed", "expected_weeks": 1, "closing_milestone": "completion_done"})
    with pytest.raises(ValidationError, match="phases must be, in order"):
        ProgrammePlan.model_validate(plan_data(phases=phases))


def test_a_wrong_closing_milestone_is_refused_naming_the_right_one() -> None:
    data = plan_data()
    data["phases"][0]["closing_milestone"] = "anchoring_done"
    with pytest.raises(ValidationError) as raised:
        ProgrammePlan.model_validate(data)
    assert "phase mapping is closed by mapping_done, not anchoring_done" in str(raised.value)


def test_an_unknown_milestone_is_refused_listing_the_milestones() -> None:
    data = plan_data()
    data["phases"][2]["closing_milestone"] = "area_chosen"
    with pytest.raises(ValidationError) as raised:
        ProgrammePlan.model_validate(data)
    assert "phases[2].closing_milestone: phase development_area is closed by development_area_chosen" in str(
        raised.value
    )


@pytest.mark.parametrize("timezone", ["Europe/Berlin", "Mars/Olympus", "CET"])
def test_an_unknown_time_zone_is_refused_naming_the_allowed(timezone: str) -> None:
    with pytest.raises(ValidationError) as raised:
        ProgrammePlan.model_validate(plan_data(timezone=timezone))
    message = str(raised.value)
    assert f"time zone {timezone!r} is not supported" in message
    assert "Europe/Oslo" in message
    assert "Europe/Stockholm" in message


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "Veileder Korpset"),
        ("name", ""),
        ("max_months", 0),
        ("meeting_gap_weeks", 0),
        ("development_areas", []),
        ("calendar_country", "norway"),
    ],
)
def test_bad_plan_fields_are_refused_naming_the_field(field: str, value: object) -> None:
    with pytest.raises(ValidationError) as raised:
        ProgrammePlan.model_validate(plan_data(**{field: value}))
    assert [e["loc"] for e in raised.value.errors()] == [(field,)]


def test_a_phase_expected_longer_than_five_years_is_refused() -> None:
    data = plan_data()
    data["phases"][4]["expected_weeks"] = 261
    with pytest.raises(ValidationError) as raised:
        ProgrammePlan.model_validate(data)
    assert raised.value.errors()[0]["loc"] == ("phases", 4, "expected_weeks")


def test_unknown_plan_fields_are_refused() -> None:
    with pytest.raises(ValidationError) as raised:
        ProgrammePlan.model_validate(plan_data(max_month=30))
    assert raised.value.errors()[0]["loc"] == ("max_month",)
    assert raised.value.errors()[0]["type"] == "extra_forbidden"


# --- a plan's table, as a plan file holds it ----------------------------------------------------------


def labelled(data: dict[str, Any]) -> dict[str, Any]:
    """`data` with a label (the code in capitals) for every code the plan uses, in every language."""
    codes = ProgrammePlan.model_validate(data).label_codes()
    tables = {table: {code: code.upper() for code in names} for table, names in codes.items()}
    return {**data, "labels": {language: tables for language in LABEL_LANGUAGES}}


def test_a_valid_table_is_the_plan_it_names() -> None:
    data = labelled(plan_data())
    assert plan_from_data(data, "veilederkorpset") == ProgrammePlan.model_validate(data)


def test_a_plan_without_labels_is_still_a_plan_as_history_records_it() -> None:
    # Periods that started before plans had labels carry a plan without them in their history.
    assert ProgrammePlan.model_validate(plan_data()).labels == {}


@pytest.mark.parametrize(
    ("table", "code", "kind"),
    [
        ("phases", "anchoring", "phase"),
        ("milestones", "goals_prioritised", "milestone"),
        ("meeting_kinds", "school_visit", "meeting kind"),
        ("development_areas", "basic_skills", "development area"),
    ],
)
def test_a_table_missing_a_label_is_refused_naming_plan_language_kind_and_code(
    table: str, code: str, kind: str
) -> None:
    data = labelled(plan_data())
    data["labels"] = {**data["labels"], "nn": {**data["labels"]["nn"], table: dict(data["labels"]["nn"][table])}}
    del data["labels"]["nn"][table][code]
    with pytest.raises(PlanDataError) as raised:
        plan_from_data(data, "veilederkorpset")
    assert raised.value.problems == [
        f"labels.nn: plan veilederkorpset has no {kind} label in nn for {code} ([labels.nn.{table}] {code} = ...)"
    ]


def test_a_table_missing_a_language_is_refused() -> None:
    data = labelled(plan_data())
    data["labels"] = {k: v for k, v in data["labels"].items() if k != "sv"}
    with pytest.raises(PlanDataError) as raised:
        plan_from_data(data, "veilederkorpset")
    assert raised.value.problems == ["labels.sv: plan veilederkorpset gives no labels in sv"]


def test_a_bad_table_names_each_field_path_and_what_is_allowed() -> None:
    data = plan_data(max_months=0, colour="red")
    data["phases"][2]["expected_weeks"] = "six"
    with pytest.raises(PlanDataError) as raised:
        plan_from_data(data, "veilederkorpset")
    assert raised.value.problems == [
        "phases[2].expected_weeks: Input should be a valid integer, unable to parse string as an integer (got 'six')",
        "max_months: Input should be greater than or equal to 1 (got 0)",
        "colour: is not a field of a plan here; allowed: " + ", ".join(ProgrammePlan.model_fields),
    ]


def test_a_table_named_otherwise_than_asked_is_refused() -> None:
    with pytest.raises(PlanDataError) as raised:
        plan_from_data(plan_data(), "vk")
    assert raised.value.problems == ["name: 'veilederkorpset' must be the file's name without .toml ('vk')"]


def test_a_field_path_quotes_a_key_that_is_not_a_name() -> None:
    assert field_path(("phases", 2, "expected_weeks")) == "phases[2].expected_weeks"
    assert field_path(("meetings", 0, "every week")) == "meetings[0].'every week'"


# --- one instance of each plan in a process (`shared_plan`) -------------------------------------------


def _period_json(plan: ProgrammePlan, owner_id: str) -> str:
    owner = SchoolOwner(id=owner_id, name=f"Kommune {owner_id}", kind="municipality", county="33")
    return PeriodInput(
        cohort="2027", owner=owner, advisers=["a.hansen"], start_date=date(2027, 1, 4), programme=plan
    ).model_dump_json()


@pytest.fixture
def no_shared_plans(monkeypatch: pytest.MonkeyPatch) -> None:
    """This test's own table of shared plans, empty (the process's is left as it was)."""
    monkeypatch.setattr(programme, "_shared", {})


@pytest.mark.usefixtures("no_shared_plans")
def test_periods_decoded_on_an_equal_plan_hold_one_instance_of_it() -> None:
    plan = ProgrammePlan.model_validate(plan_data())
    first, second = (PeriodInput.model_validate_json(_period_json(plan, owner)) for owner in ("3301", "3303"))

    assert first.programme is second.programme and first.programme == plan
    state = new_state(second, ProgrammePlan.model_validate_json(plan.model_dump_json()))
    assert state.plan is first.programme and state.input.programme is first.programme


@pytest.mark.usefixtures("no_shared_plans")
def test_a_plan_that_differs_in_anything_keeps_its_own_instance_and_values() -> None:
    plan = ProgrammePlan.model_validate(plan_data())
    other = ProgrammePlan.model_validate(plan_data(meeting_gap_weeks=9))

    first = PeriodInput.model_validate_json(_period_json(plan, "3301"))
    second = PeriodInput.model_validate_json(_period_json(other, "3303"))

    assert first.programme is not second.programme
    assert second.programme is not None and second.programme.meeting_gap_weeks == 9


@pytest.mark.usefixtures("no_shared_plans")
def test_the_plans_kept_are_bounded_and_a_plan_beyond_them_is_used_as_decoded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(programme, "MAX_SHARED_PLANS", 2)
    plans = [ProgrammePlan.model_validate(plan_data(version=f"v{n}")) for n in range(3)]
    kept = [programme.shared_plan(p) for p in plans]

    assert kept[0] is plans[0] and kept[1] is plans[1] and kept[2] is plans[2]
    assert len(programme._shared) == 2
    again = ProgrammePlan.model_validate_json(plans[2].model_dump_json())
    assert programme.shared_plan(again) is again  # not kept: each decode of it is its own
    assert programme.shared_plan(ProgrammePlan.model_validate_json(plans[0].model_dump_json())) is plans[0]
