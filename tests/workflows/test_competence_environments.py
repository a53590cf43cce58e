"""An adviser proposes a competence environment of the register and records the owner's contact and agreement (update
`record_competence_environment`), on the time-skipping server with the real workflow and recording fakes."""

from __future__ import annotations

import pytest

from config.competence import environment_by_id
from domain.contract import Activities
from domain.models import RecordCompetenceEnvironment, RecordMilestone
from domain.records import CompetenceEnvironmentRecord
from starter import client as api
from tests.helpers.harness import Harness, PeriodHandle
from workflows.guidance_period import GuidancePeriodWorkflow


async def _area_chosen(harness: Harness) -> PeriodHandle:
    """A period that has chosen basic skills as its development area (now in goal prioritisation)."""
    handle = await harness.start_period_with_client(await harness.period_input())
    await harness.settled(handle)
    for milestone, extra in (
        ("mapping_done", {}),
        ("anchoring_done", {}),
        ("development_area_chosen", {"development_area": "basic_skills"}),
    ):
        update = RecordMilestone.model_validate({"milestone": milestone, "adviser": "a.hansen", **extra})
        await api.record_milestone(harness.client, handle.id, update)
    return handle


def _step(environment_id: str, state: str, **extra: object) -> RecordCompetenceEnvironment:
    environment = environment_by_id(environment_id).ref()
    return RecordCompetenceEnvironment.model_validate(
        {"environment": environment, "state": state, "adviser": "a.hansen", **extra}
    )


async def test_proposed_contacted_agreed_reach_the_status_and_the_record_store(harness: Harness) -> None:
    handle = await _area_chosen(harness)
    today = await harness.today()

    proposed = await api.record_competence_environment(
        harness.client, handle.id, _step("lesesenteret", "proposed", note="Early reading")
    )
    assert proposed.created == "lesesenteret"
    await api.record_competence_environment(harness.client, handle.id, _step("lesesenteret", "contacted"))
    agreed = await api.record_competence_environment(harness.client, handle.id, _step("lesesenteret", "agreed"))

    [entry] = agreed.competence_environments
    assert (entry.environment_id, entry.state, entry.development_area, entry.cycle) == (
        "lesesenteret",
        "agreed",
        "basic_skills",
        1,
    )
    assert [(s.state, s.date) for s in entry.steps] == [("proposed", today), ("contacted", today), ("agreed", today)]
    status = await harness.settled(handle)
    assert status.competence_environments == agreed.competence_environments  # the query says the same
    records = await harness.fakes.received(Activities.RECORD_COMPETENCE_ENVIRONMENT)
    assert [r.entry.state for r in records if isinstance(r, CompetenceEnvironmentRecord)] == [
        "proposed",
        "contacted",
        "agreed",
    ]
    first = records[0]
    assert isinstance(first, CompetenceEnvironmentRecord)
    assert (first.workflow_id, first.audit.action, first.audit.details["note"]) == (
        handle.id,
        "competence environment proposed",
        "Early reading",
    )


async def test_an_environment_not_serving_the_area_or_a_step_out_of_order_is_rejected_and_leaves_no_trace(
    harness: Harness,
) -> None:
    handle = await _area_chosen(harness)

    with pytest.raises(api.UpdateRejected, match="does not serve the period's development area") as not_served:
        await api.record_competence_environment(harness.client, handle.id, _step("laringsmiljosenteret", "proposed"))
    assert (not_served.value.field, not_served.value.code) == ("environment", "environment.area_not_served")
    assert not_served.value.params["serves"] == ["learning_environment", "classroom_management"]

    with pytest.raises(api.UpdateRejected, match="has not been proposed in this cycle") as early:
        await api.record_competence_environment(harness.client, handle.id, _step("skrivesenteret", "agreed"))
    assert (early.value.field, early.value.code) == ("state", "state.not_proposed")

    status = await handle.query(GuidancePeriodWorkflow.status)
    assert status.competence_environments == []
    assert harness.fakes.calls[Activities.RECORD_COMPETENCE_ENVIRONMENT] == []


async def test_before_the_area_is_chosen_the_period_names_the_milestone_that_chooses_it(harness: Harness) -> None:
    handle = await harness.start_period_with_client(await harness.period_input())
    await harness.settled(handle)
    with pytest.raises(api.UpdateRejected, match="once development_area_chosen is recorded") as refused:
        await api.record_competence_environment(harness.client, handle.id, _step("lesesenteret", "proposed"))
    assert refused.value.code == "environment.no_development_area"
