"""Start inputs a raw Temporal client can send that the `guidance` command never would: a whole state (as a
continue-as-new carries it), an owner not in the shipped register, a cohort to report to that is not the
period's. Each must fail the workflow at once with a message naming the field, fail no workflow task (one would
be retried for ever) and leave no command of workflow code in the history (no record written, no timer).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from domain import calendar
from domain import cohort as cohort_rules
from domain import period as rules
from domain.contract import COHORT_WORKFLOW_TYPE, PERIOD_WORKFLOW_TYPE
from domain.models import PeriodInput
from tests.properties.benches import CohortBench, PeriodBench
from tests.properties.probe import WORKFLOW_CODE_EVENTS, first_task_closed, workflow_failures, workflow_task_failures
from tests.properties.test_known_bugs import owner_input


async def refused(bench: PeriodBench | CohortBench, workflow_type: str, payload: Any) -> str:
    """Start a workflow with `payload`; the failure it was refused with (after checking how it was refused)."""
    handle = await bench.client.start_workflow(
        workflow_type, payload, id=f"hostile-{uuid.uuid4()}", task_queue=bench.task_queue
    )
    bench.track(handle.id, at_once=True)
    events = await first_task_closed(handle)
    assert not workflow_task_failures(events), workflow_task_failures(events)
    assert not [e for e in events if e.event_type in WORKFLOW_CODE_EVENTS], "workflow code ran on a refused input"
    [failure] = workflow_failures(events)
    return failure


async def a_period_state(periods: PeriodBench, **changes: Any) -> dict[str, Any]:
    start = calendar.next_working_day(await periods.today() + timedelta(days=1))
    period = PeriodInput.model_validate(owner_input(periods, start.isoformat()))
    return rules.new_state(period, periods.plan).model_dump(mode="json") | changes


async def test_an_ended_state_given_at_a_start_is_refused_without_a_final_evaluation(periods: PeriodBench) -> None:
    # Before: the period ended at once and queued a final evaluation for a period the store had no row of.
    state = await a_period_state(periods, phase="completed", end_reason="made up")
    failure = await refused(periods, PERIOD_WORKFLOW_TYPE, state)
    assert failure.startswith("PeriodState: a PeriodState is carried only by the workflow itself"), failure


async def test_a_state_with_a_phase_the_plan_lacks_is_refused(periods: PeriodBench) -> None:
    # Before: every attempt of the first workflow task failed (the plan has no such phase), for ever.
    state = await a_period_state(periods, phase="development")
    failure = await refused(periods, PERIOD_WORKFLOW_TYPE, state)
    assert failure.startswith("PeriodState: a PeriodState is carried only by the workflow itself"), failure


async def test_a_state_that_does_not_decode_given_at_a_start_fails_the_period(periods: PeriodBench) -> None:
    # Before: it was taken for a state the engine wrote, and its first workflow task failed for ever.
    state = await a_period_state(periods)
    state["plan"]["calendar_country"] = "DK"
    failure = await refused(periods, PERIOD_WORKFLOW_TYPE, state)
    assert "PeriodState.plan.calendar_country: Input should be 'NO' or 'SE'" in failure, failure


@pytest.mark.parametrize(
    ("owner", "expected"),
    [
        (
            {"id": "3301", "name": "Fakeby", "kind": "municipality", "county": "33"},
            "PeriodInput.owner.name: 'Fakeby' is not the register's name of school owner 3301 ('Drammen')",
        ),
        (
            {"id": "3399", "name": "Nowhere", "kind": "municipality", "county": "33"},
            "PeriodInput.owner.id: 3399 is not a school owner of the register",
        ),
    ],
)
async def test_an_owner_not_in_the_register_is_refused(
    periods: PeriodBench, owner: dict[str, str], expected: str
) -> None:
    start = calendar.next_working_day(await periods.today() + timedelta(days=1)).isoformat()
    failure = await refused(periods, PERIOD_WORKFLOW_TYPE, owner_input(periods, start, owner=owner))
    assert failure.startswith(expected), failure


async def test_a_period_may_report_to_its_own_cohort_only(periods: PeriodBench) -> None:
    start = calendar.next_working_day(await periods.today() + timedelta(days=1)).isoformat()
    failure = await refused(periods, PERIOD_WORKFLOW_TYPE, owner_input(periods, start, report_to="cohort-other"))
    assert "report_to: a period reports to its own cohort's workflow" in failure, failure


async def test_a_cohort_state_given_at_a_start_is_refused(cohorts: CohortBench) -> None:
    cohort = await cohorts.cohort_input()
    state = cohort_rules.new_state(cohort, cohorts.plan, await cohorts.now()).model_dump(mode="json")
    failure = await refused(cohorts, COHORT_WORKFLOW_TYPE, state)
    assert failure.startswith("CohortState: a CohortState is carried only by the workflow itself"), failure


async def test_a_cohort_owner_not_in_the_register_is_refused(cohorts: CohortBench) -> None:
    cohort = (await cohorts.cohort_input()).model_dump(mode="json")
    cohort["owners"][1]["owner"]["name"] = "Stavangerr"
    failure = await refused(cohorts, COHORT_WORKFLOW_TYPE, cohort)
    assert failure.startswith(
        "CohortInput.owners.1.owner.name: 'Stavangerr' is not the register's name of school owner 1103"
    ), failure


async def test_a_cohort_state_that_does_not_decode_given_at_a_start_fails_the_cohort(cohorts: CohortBench) -> None:
    cohort = await cohorts.cohort_input()
    state = cohort_rules.new_state(cohort, cohorts.plan, await cohorts.now()).model_dump(mode="json")
    state["plan"]["calendar_country"] = "DK"
    failure = await refused(cohorts, COHORT_WORKFLOW_TYPE, state)
    assert "CohortState.plan.calendar_country: Input should be 'NO' or 'SE'" in failure, failure
