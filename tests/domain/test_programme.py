"""Programme plans (domain/programme.py) and the Veilederkorpset settings that build one (domain/settings.py)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from domain.phases import Milestone, Phase
from domain.programme import ProgrammePlan
from domain.settings import VeilederkorpsetSettings

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


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No GUIDANCE_PLAN_* variables and no .env file: the documented defaults."""
    for name in list(os.environ):
        if name.upper().startswith("GUIDANCE_PLAN_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


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


# --- the Veilederkorpset plan ---------------------------------------------------------------------


def test_default_plan_has_the_six_phases_in_order_with_their_closing_milestones(clean_env: pytest.MonkeyPatch) -> None:
    plan = VeilederkorpsetSettings().plan()
    assert [(p.phase, p.closing_milestone) for p in plan.phases] == CONTRACT_PHASES
    assert plan.name == "veilederkorpset"


def test_default_plan_lasts_30_months_on_the_norwegian_calendar(clean_env: pytest.MonkeyPatch) -> None:
    plan = VeilederkorpsetSettings().plan()
    assert plan.max_months == 30  # "inntil to og et halvt år" (seed 002)
    assert plan.calendar_country == "NO"
    assert plan.timezone == "Europe/Oslo"
    assert set(plan.development_areas) == {
        "classroom_management",
        "basic_skills",
        "assessment",
        "learning_environment",
        "other",
    }
    assert plan.new_cycle_min_months is not None and plan.new_cycle_min_months < plan.max_months
    # the six phases fit in the period: a period that keeps to the plan is not cut off by its end
    assert sum(p.expected_weeks for p in plan.phases) * 7 < plan.max_months * 30


def test_phase_plan_looks_up_each_working_phase(clean_env: pytest.MonkeyPatch) -> None:
    plan = VeilederkorpsetSettings().plan()
    for phase, milestone in CONTRACT_PHASES:
        assert plan.phase_plan(Phase(phase)).closing_milestone == Milestone(milestone)
    with pytest.raises(KeyError, match="completed is not a working phase"):
        plan.phase_plan(Phase.COMPLETED)


def test_settings_read_environment_variables(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("GUIDANCE_PLAN_MAPPING_WEEKS", "4")
    clean_env.setenv("GUIDANCE_PLAN_IMPLEMENTATION_WEEKS", "40")
    clean_env.setenv("GUIDANCE_PLAN_MAX_MONTHS", "18")
    clean_env.setenv("GUIDANCE_PLAN_MEETING_GAP_WEEKS", "6")
    clean_env.setenv("GUIDANCE_PLAN_VERSION", "2027.2")
    clean_env.setenv("GUIDANCE_PLAN_DEVELOPMENT_AREAS", '["basic_skills", "other"]')
    plan = VeilederkorpsetSettings().plan()
    assert plan.phase_plan(Phase.MAPPING).expected_weeks == 4
    assert plan.phase_plan(Phase.IMPLEMENTATION).expected_weeks == 40
    assert plan.max_months == 18
    assert plan.meeting_gap_weeks == 6
    assert plan.version == "2027.2"
    assert plan.development_areas == ("basic_skills", "other")


def test_settings_names_are_case_insensitive(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("guidance_plan_anchoring_weeks", "3")
    assert VeilederkorpsetSettings().plan().phase_plan(Phase.ANCHORING).expected_weeks == 3


def test_settings_read_a_dotenv_file_and_the_environment_wins(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("GUIDANCE_PLAN_EVALUATION_WEEKS=20\nGUIDANCE_PLAN_MAPPING_WEEKS=7\n")
    clean_env.setenv("GUIDANCE_PLAN_MAPPING_WEEKS", "5")
    plan = VeilederkorpsetSettings().plan()
    assert plan.phase_plan(Phase.EVALUATION).expected_weeks == 20
    assert plan.phase_plan(Phase.MAPPING).expected_weeks == 5


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("GUIDANCE_PLAN_MAPPING_WEEKS", "0"),
        ("GUIDANCE_PLAN_MAPPING_WEEKS", "ten"),
        ("GUIDANCE_PLAN_MAX_MONTHS", "-1"),
        ("GUIDANCE_PLAN_REMINDER_DELAY_DAYS", "-2"),
    ],
)
def test_a_bad_setting_is_refused_naming_it(clean_env: pytest.MonkeyPatch, variable: str, value: str) -> None:
    clean_env.setenv(variable, value)
    with pytest.raises(ValidationError) as raised:
        VeilederkorpsetSettings()
    field = variable.removeprefix("GUIDANCE_PLAN_").lower()
    assert [e["loc"] for e in raised.value.errors()] == [(field,)]


def test_a_plan_travels_through_json_unchanged(clean_env: pytest.MonkeyPatch) -> None:
    plan = VeilederkorpsetSettings().plan()
    assert ProgrammePlan.model_validate_json(plan.model_dump_json()) == plan


def test_a_plan_cannot_be_changed_in_place(clean_env: pytest.MonkeyPatch) -> None:
    plan = VeilederkorpsetSettings().plan()
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
