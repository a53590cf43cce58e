"""Generated bad input at the start of a period (`PeriodInput`) and of a cohort (`CohortInput`).

Each example starts a workflow by type name with a raw JSON input, as any Temporal client can (the `guidance`
command validates first; the `temporal` CLI and other SDKs do not). An input that decodes starts a workflow
that runs, answers its status query with what it was given, and fails no workflow task. An input that does
not decode is refused before any workflow code runs, with the converter's message naming the field: the
workflow fails with it (`starter.converter.InvalidStartInput`), and no workflow task fails (one would be
retried for ever, since a start input never changes).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from hypothesis import event, given, note
from pydantic import BaseModel
from temporalio.client import WorkflowHandle

from domain.cohort import CohortInput, CohortState, CohortStatus
from domain.contract import COHORT_WORKFLOW_TYPE, PERIOD_WORKFLOW_TYPE, UnreadState, period_workflow_id
from domain.models import PeriodInput, PeriodState, PeriodStatus
from domain.phases import Phase
from tests.helpers.waits import query_when_started, terminate_when_settled
from tests.properties import messages
from tests.properties.benches import PeriodBench
from tests.properties.hostile import Context, Json, resolve
from tests.properties.probe import (
    WORKFLOW_CODE_EVENTS,
    Decoded,
    decode_like_worker,
    first_task_closed,
    workflow_failures,
    workflow_task_failures,
)


def check_refusal_locations(decoded: Decoded, members: dict[str, type[BaseModel]], payload: Any) -> None:
    """Each problem of an input that decodes as neither the input nor the continued state is placed at a field
    of one of them (pydantic names the union's member first), at a field the payload has, or at the whole."""
    given_keys = set(payload) if isinstance(payload, dict) else set()
    assert decoded.locations, decoded.problem
    for location in decoded.locations:
        if len(location) < 2:
            continue
        [model] = [m for name, m in members.items() if name in str(location[0])]
        assert location[1] in {*model.model_fields, *given_keys}, (location, decoded.problem)


@dataclass
class Started:
    """The workflows an example started: to terminate once settled, or at once (refused, stuck)."""

    settled: list[str] = field(default_factory=list)
    at_once: list[str] = field(default_factory=list)


@contextlib.asynccontextmanager
async def terminating(periods: PeriodBench) -> AsyncIterator[Started]:
    started = Started()
    try:
        yield started
    finally:
        await terminate_when_settled(periods.client, started.settled, unserved=started.at_once)


async def start(
    periods: PeriodBench,
    started: Started,
    workflow_type: str,
    drawn: Json,
    argument_type: Any,
    members: dict[str, type[BaseModel]],
) -> tuple[WorkflowHandle[Any, Any], Decoded]:
    """Start a workflow with the drawn input; if it does not decode, check how it was refused."""
    payload = resolve(drawn, Context(await periods.today(), {"cohort": [f"s{uuid.uuid4().hex[:10]}"]}))
    note(f"payload: {payload!r:.2000}")
    decoded = decode_like_worker(payload, argument_type)
    handle = await periods.client.start_workflow(
        workflow_type, payload, id=f"property-{uuid.uuid4()}", task_queue=periods.task_queue
    )
    started.at_once.append(handle.id)  # until its first workflow task has passed
    events = await first_task_closed(handle)
    if decoded.problem is None and isinstance(decoded.value, CohortState | PeriodState | UnreadState):
        # A state is taken from a continuation only (workflows.start_input): a new run given one fails at once.
        event("refused: a state at a start")
        assert not workflow_task_failures(events), workflow_task_failures(events)
        assert workflow_failures(events), "the workflow started on a state a client gave it"
        assert not [e for e in events if e.event_type in WORKFLOW_CODE_EVENTS]
        decoded = Decoded(problem="a state at a start")
    elif decoded.problem is None:
        started.at_once.remove(handle.id)
        started.settled.append(handle.id)
        event("started")
        assert not workflow_task_failures(events), workflow_task_failures(events)
        assert not workflow_failures(events), workflow_failures(events)
    else:
        event("refused: workflow failed")
        assert not workflow_task_failures(events), workflow_task_failures(events)
        refusals = workflow_failures(events)
        assert refusals, "the workflow started on an input that does not decode"
        assert any(decoded.problem in refusal for refusal in refusals), (decoded.problem, refusals)
        assert not [e for e in events if e.event_type in WORKFLOW_CODE_EVENTS]
        if decoded.locations or "the register" not in decoded.problem:
            check_refusal_locations(decoded, members, payload)  # else an owner the register lacks: named by field
    return handle, decoded


@given(drawn=messages.PERIOD_INPUT)
async def test_period_input(periods: PeriodBench, drawn: Json) -> None:
    members: dict[str, type[BaseModel]] = {"PeriodInput": PeriodInput, "PeriodState": PeriodState}
    async with terminating(periods) as started:
        handle, decoded = await start(periods, started, PERIOD_WORKFLOW_TYPE, drawn, PeriodInput | PeriodState, members)
        if decoded.problem is not None:
            return
        period: PeriodInput = decoded.value
        status: PeriodStatus = await query_when_started(handle, "status", PeriodStatus)
        assert (status.cohort, status.owner, status.advisers) == (period.cohort, period.owner, period.advisers)
        if status.phase == Phase.EXPIRED:
            # A period that started more than its plan's months ago has expired at once.
            event("expired at once")
            assert status.ends_at <= await periods.now()
        else:
            assert (status.phase, status.phase_started_on) == (Phase.MAPPING, period.start_date)
        assert (status.network, status.kindergarten_transition) == (period.network, period.kindergarten_transition)
        if period.programme is not None:
            assert (status.plan, status.plan_version) == (period.programme.name, period.programme.version)


@given(drawn=messages.COHORT_INPUT)
async def test_cohort_input(periods: PeriodBench, drawn: Json) -> None:
    members: dict[str, type[BaseModel]] = {"CohortInput": CohortInput, "CohortState": CohortState}
    async with terminating(periods) as started:
        handle, decoded = await start(periods, started, COHORT_WORKFLOW_TYPE, drawn, CohortInput | CohortState, members)
        if decoded.problem is not None:
            return
        cohort: CohortInput = decoded.value
        accepted = [o.owner.id for o in cohort.owners if o.accepted_by is not None]
        # The cohort starts the periods of the owners that accepted already: stop them after it.
        started.settled.extend(period_workflow_id(cohort.cohort, owner_id) for owner_id in accepted)
        status: CohortStatus = await query_when_started(handle, "status", CohortStatus)
        assert (status.cohort, status.start_date) == (cohort.cohort, cohort.start_date)
        assert [i.owner_id for i in status.invitations] == [o.owner.id for o in cohort.owners]
        assert [i.owner_id for i in status.invitations if i.state == "accepted"] == accepted
