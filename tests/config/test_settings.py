"""The Veilederkorpset settings (config/settings.py): the flagship's plan file with the environment's overrides."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from config.settings import VeilederkorpsetSettings
from domain.phases import CLOSING_MILESTONE, WORKING_PHASES, Phase


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No GUIDANCE_PLAN_* variables and no .env file: the documented defaults."""
    for name in list(os.environ):
        if name.upper().startswith("GUIDANCE_PLAN_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


def test_default_plan_has_the_six_phases_in_order_with_their_closing_milestones(clean_env: pytest.MonkeyPatch) -> None:
    plan = VeilederkorpsetSettings().plan()
    contract = [(phase, CLOSING_MILESTONE[phase]) for phase in WORKING_PHASES]
    assert [(p.phase, p.closing_milestone) for p in plan.phases] == contract
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
