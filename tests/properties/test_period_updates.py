"""Generated bad input to `GuidancePeriodWorkflow`'s updates and its `gathering_invitation` signal.

Each example goes through the client as JSON to a real worker on the time-skipping server. An update is
accepted (and its answer shows it) or rejected with a message naming the field; a rejected update leaves no
trace in the history and no change in the status; no example fails a workflow task. A signal cannot be
rejected: one that decodes is recorded, one that does not is dropped with the converter's message in the
worker's log, and the status stays as it was. Hand-made payloads (`temporalio.api` payloads with corrupted
JSON or an encoding the worker does not know) are judged like the JSON ones.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from hypothesis import assume, event, given, note
from temporalio.client import WorkflowUpdateFailedError

from domain import calendar
from domain.models import (
    MAX_PERIOD_GATHERINGS,
    ChangeAdvisers,
    GatheringInvitation,
    PeriodStatus,
    RecordCompetenceEnvironment,
    RecordMilestone,
    ScheduleMeeting,
    Withdraw,
)
from domain.phases import Phase, is_terminal
from tests.helpers.harness import PeriodHandle
from tests.properties import messages
from tests.properties.benches import PeriodBench, SignalDrops
from tests.properties.hostile import Json, resolve
from tests.properties.probe import (
    Answer,
    Decoded,
    check_answer,
    check_history,
    decode_like_worker,
    history,
    send_update,
    signal_count,
    signal_handled,
    workflow_task_failures,
)
from workflows.guidance_period import GuidancePeriodWorkflow

#: Fields of the period's state a validator may name: an ended period takes nothing more.
STATE_FIELDS = ("phase",)


async def status(handle: PeriodHandle) -> PeriodStatus:
    return await handle.query(GuidancePeriodWorkflow.status)


PeriodUpdate = RecordMilestone | ScheduleMeeting | Withdraw | ChangeAdvisers | RecordCompetenceEnvironment
MODELS: dict[str, type[PeriodUpdate]] = {
    "record_milestone": RecordMilestone,
    "schedule_meeting": ScheduleMeeting,
    "withdraw": Withdraw,
    "change_advisers": ChangeAdvisers,
    "record_competence_environment": RecordCompetenceEnvironment,
}


def as_json(payload: Json) -> tuple[Any, Json]:
    return payload, payload


async def send(
    periods: PeriodBench,
    handle: PeriodHandle,
    name: str,
    drawn: Json,
    encode: Callable[[Json], tuple[Any, Json]] = as_json,
) -> tuple[PeriodStatus, Decoded, Answer]:
    """Send the drawn payload as update `name` (sent as JSON, or made into a raw payload by `encode`) and check
    what every update must do; the status before it, the payload as the worker decoded it and the answer are
    the caller's to check further."""
    model = MODELS[name]
    before = await periods.settled(handle)
    argument, payload = encode(resolve(drawn, messages.period_context(before, await periods.today())))
    note(f"argument: {argument!r:.2000}")
    decoded = decode_like_worker(argument, model)
    # Known bug: a meeting whose start has a time zone breaks the status beside one without (test_known_bugs.py).
    assume(getattr(getattr(decoded.value, "start", None), "tzinfo", None) is None)

    answer = await send_update(handle, name, argument, PeriodStatus)
    note(f"answer: {answer.failures or 'accepted'}")

    check_answer(answer, decoded, model, payload, state_fields=STATE_FIELDS)
    await check_history(handle, answer)
    if not answer.accepted:
        assert await status(handle) == before
    return before, decoded, answer


@given(drawn=messages.RECORD_MILESTONE)
async def test_record_milestone(periods: PeriodBench, drawn: Json) -> None:
    async with periods.example() as handle:
        before, decoded, answer = await send(periods, handle, "record_milestone", drawn)
        if answer.accepted:
            after: PeriodStatus = answer.result
            request: RecordMilestone = decoded.value
            assert [m.milestone for m in after.milestones] == [
                *(m.milestone for m in before.milestones),
                request.milestone,
            ]
            assert (after.phase, after.cycle) != (before.phase, before.cycle)


@given(drawn=messages.SCHEDULE_MEETING)
async def test_schedule_meeting(periods: PeriodBench, drawn: Json) -> None:
    async with periods.example() as handle:
        before, decoded, answer = await send(periods, handle, "schedule_meeting", drawn)
        if answer.accepted:
            after: PeriodStatus = answer.result
            request: ScheduleMeeting = decoded.value
            known = {m.meeting_id: m.sequence for m in before.meetings}
            if request.meeting_id is None:
                [meeting] = [m for m in after.meetings if m.meeting_id not in known]
                assert meeting.sequence == 0
            else:
                [meeting] = [m for m in after.meetings if m.meeting_id == request.meeting_id]
                assert meeting.sequence == known[request.meeting_id] + 1
            assert len(after.meetings) == len(before.meetings) + (request.meeting_id is None)
            assert (meeting.kind, meeting.date, meeting.start, meeting.adviser, meeting.title) == (
                request.kind,
                request.date,
                request.start,
                request.adviser,
                request.title,
            )


@given(drawn=messages.WITHDRAW)
async def test_withdraw(periods: PeriodBench, drawn: Json) -> None:
    async with periods.example() as handle:
        _, decoded, answer = await send(periods, handle, "withdraw", drawn)
        if answer.accepted:
            after: PeriodStatus = answer.result
            request: Withdraw = decoded.value
            assert after.phase == Phase.WITHDRAWN
            assert after.end_reason == f"withdrawn by {request.by}: {request.reason}"


@given(drawn=messages.CHANGE_ADVISERS)
async def test_change_advisers(periods: PeriodBench, drawn: Json) -> None:
    async with periods.example() as handle:
        before, decoded, answer = await send(periods, handle, "change_advisers", drawn)
        if answer.accepted:
            after: PeriodStatus = answer.result
            request: ChangeAdvisers = decoded.value
            assert after.advisers == request.advisers
            assert set(after.advisers) != set(before.advisers)


async def _with_development_area(handle: PeriodHandle) -> None:
    """Walk an early period to the choice of basic skills, so that environments serving it may be accepted (a period
    that cannot, e.g. one that has not started, stays as it is: every step is then rejected, as it must be)."""
    for milestone, extra in (
        ("mapping_done", {}),
        ("anchoring_done", {}),
        ("development_area_chosen", {"development_area": "basic_skills"}),
    ):
        current = await status(handle)
        if (
            current.development_area is not None
            or messages.PLAN.phase_plan(current.phase).closing_milestone != milestone
        ):
            continue
        update = RecordMilestone.model_validate({"milestone": milestone, "adviser": "a.hansen", **extra})
        with contextlib.suppress(WorkflowUpdateFailedError):
            await handle.execute_update(GuidancePeriodWorkflow.record_milestone, update)


@given(drawn=messages.RECORD_COMPETENCE_ENVIRONMENT)
async def test_record_competence_environment(periods: PeriodBench, drawn: Json) -> None:
    async with periods.example() as handle:
        await _with_development_area(handle)
        before, decoded, answer = await send(periods, handle, "record_competence_environment", drawn)
        event(f"competence environment {'accepted' if answer.accepted else 'rejected'}")
        if answer.accepted:
            after: PeriodStatus = answer.result
            request: RecordCompetenceEnvironment = decoded.value
            [entry] = [
                e
                for e in after.competence_environments
                if e.environment_id == request.environment.id and e.cycle == after.cycle
            ]
            assert entry.state == request.state and entry.development_area == after.development_area
            assert entry.development_area in request.environment.areas
            steps = sum(len(e.steps) for e in before.competence_environments)
            assert sum(len(e.steps) for e in after.competence_environments) == steps + 1


def gathering_left_out(
    periods: PeriodBench, invitation: GatheringInvitation, before: PeriodStatus, today: date
) -> bool:
    """Whether the period ignores the invitation, told from its status as `domain.period_signals` tells it."""
    plan = periods.plan
    assert before.start_date is not None
    ends_on = calendar.add_months(before.start_date, plan.max_months) - timedelta(days=1)
    known = [g for g in before.gatherings if g.gathering_id == invitation.gathering_id]
    return (
        is_terminal(before.phase)
        or invitation.date <= today
        or calendar.why_not_working_day(invitation.date, plan.calendar_country) is not None
        or invitation.date > ends_on
        or bool(known and known[0].sequence >= invitation.sequence)
        or (not known and len(before.gatherings) >= MAX_PERIOD_GATHERINGS)
    )


@given(drawn=messages.GATHERING_INVITATION)
async def test_gathering_invitation_signal(periods: PeriodBench, signal_drops: SignalDrops, drawn: Json) -> None:
    async with periods.example() as handle:
        before = await periods.settled(handle)
        today = await periods.today()
        payload = resolve(drawn, messages.period_context(before, today))
        note(f"payload: {payload!r:.2000}")
        decoded = decode_like_worker(payload, GatheringInvitation)
        signals = signal_count(await history(handle))
        signal_drops.records.clear()

        await handle.signal("gathering_invitation", payload)
        events = await signal_handled(handle, signals)

        assert not workflow_task_failures(events), workflow_task_failures(events)
        after = await periods.settled(handle)
        left_out = decoded.problem is None and gathering_left_out(periods, decoded.value, before, today)
        event("dropped" if decoded.problem else "ignored" if left_out else "recorded")
        if left_out:
            assert after == before  # held to add_gathering's rules (domain.period_signals): ignored
        elif decoded.problem is None:
            invitation: GatheringInvitation = decoded.value
            [entry] = [g for g in after.gatherings if g.gathering_id == invitation.gathering_id]
            known = [g for g in before.gatherings if g.gathering_id == invitation.gathering_id]
            if known and known[0].sequence > invitation.sequence:
                assert entry == known[0]  # a late, older invitation: the newer one stands
            else:
                assert (entry.title, entry.date, entry.place, entry.sequence) == (
                    invitation.title,
                    invitation.date,
                    invitation.place,
                    invitation.sequence,
                )
            others = [g for g in before.gatherings if g.gathering_id != invitation.gathering_id]
            assert [g for g in after.gatherings if g.gathering_id != invitation.gathering_id] == others
        else:
            assert after == before
            # The SDK logs each signal it drops (again if the workflow is replayed), with the converter's message.
            assert any(f"InvalidPayload: {decoded.problem}" in signal_drops.causes(r) for r in signal_drops.records)


@given(recipe=messages.RAW_UPDATES)
async def test_raw_payloads(periods: PeriodBench, recipe: messages.RawRecipe) -> None:
    """Hand-made payloads through `temporalio.api`: corrupted JSON text and encodings the worker does not know."""
    async with periods.example() as handle:
        before, decoded, answer = await send(periods, handle, recipe.update, recipe.drawn, recipe.encode)
        if answer.accepted:
            # Every accepted update changes the period: a phase, a meeting, the end.
            assert isinstance(decoded.value, MODELS[recipe.update])
            assert answer.result != before
