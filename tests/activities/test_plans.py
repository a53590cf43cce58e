"""`load_programme_plan`: the worker's own plan for a known name, a clear final error otherwise."""

from __future__ import annotations

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.plans import load_programme_plan
from config.settings import VeilederkorpsetSettings
from domain.phases import WORKING_PHASES


async def test_the_veilederkorpset_plan_is_loaded_from_the_settings() -> None:
    plan = await ActivityEnvironment().run(load_programme_plan, "veilederkorpset")

    assert plan == VeilederkorpsetSettings().plan()
    assert plan.name == "veilederkorpset"
    assert tuple(p.phase for p in plan.phases) == WORKING_PHASES


async def test_a_tuned_setting_reaches_the_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUIDANCE_PLAN_MAPPING_WEEKS", "14")

    plan = await ActivityEnvironment().run(load_programme_plan, "veilederkorpset")

    assert plan.phases[0].expected_weeks == 14


async def test_an_unknown_plan_is_refused_naming_the_plans_there_are() -> None:
    with pytest.raises(ApplicationError) as raised:
        await ActivityEnvironment().run(load_programme_plan, "kunstskole")

    assert raised.value.non_retryable
    assert raised.value.type == "UnknownPlan"
    assert "'kunstskole'" in str(raised.value)
    assert "veilederkorpset" in str(raised.value)


async def test_a_setting_out_of_bounds_is_refused_for_good_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUIDANCE_PLAN_MAPPING_WEEKS", "400")

    with pytest.raises(ApplicationError) as raised:
        await ActivityEnvironment().run(load_programme_plan, "veilederkorpset")

    assert raised.value.non_retryable
    assert raised.value.type == "InvalidPlanSettings"
    assert "GUIDANCE_PLAN_MAPPING_WEEKS" in str(raised.value)
