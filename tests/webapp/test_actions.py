"""The forms' fields become the same validated updates the CLI sends (webapp/actions.py)."""

from __future__ import annotations

from config.settings import resolve_plan
from readmodel.plans import plan_facts
from webapp import actions


def test_skipping_an_optional_phase_is_sent_as_skipped() -> None:
    update = actions.milestone_update({"milestone": "feedback_360_done", "skipped": "on"}, "a.hansen")
    assert update.skipped and update.milestone == "feedback_360_done"
    assert not actions.milestone_update({"milestone": "mapping_done"}, "a.hansen").skipped


def test_the_plan_facts_name_the_optional_phases_the_form_offers_to_skip() -> None:
    assert plan_facts(resolve_plan("veilederkorpset")).optional_phases == ()
    assert plan_facts(resolve_plan("rektorutdanning")).optional_phases == ("feedback_360",)
