"""Sending a message through a real worker and judging what comes back.

A payload is decoded here exactly as the worker decodes it (the engine's payload converter, the handler's
model), so each example knows whether the converter must refuse it, and with which message. The answer is
judged on its message (the converter's, word for word, or a validator's ``<field>: ...``) and on the
history it leaves: no failed workflow task, and a rejected update nowhere in it.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from hypothesis import event as hypothesis_event
from pydantic import BaseModel, TypeAdapter, ValidationError
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.common import RawValue
from temporalio.exceptions import ApplicationError, FailureError

from domain.contract import InvalidPayload
from starter.converter import DATA_CONVERTER

#: An update that has no answer by then is stuck (its workflow task fails and is retried); an answer takes
#: some tens of milliseconds. Also how long a workflow task after a signal or a start may take.
UPDATE_TIMEOUT = 5.0

Location = tuple[str | int, ...]


@dataclass(frozen=True)
class Answer:
    """What an update came back with: its result, or the chain of failures of its rejection (outermost first)."""

    update_id: str
    result: Any
    failures: tuple[tuple[str | None, str], ...]

    @property
    def accepted(self) -> bool:
        return not self.failures

    @property
    def reason(self) -> tuple[str | None, str]:
        """The innermost failure: the error that rejected the update, as (type, message)."""
        return self.failures[-1]


def failure_chain(error: BaseException | None) -> tuple[tuple[str | None, str], ...]:
    chain: list[tuple[str | None, str]] = []
    while isinstance(error, FailureError):
        chain.append((error.type if isinstance(error, ApplicationError) else type(error).__name__, error.message))
        error = error.cause
    return tuple(chain)


async def send_update(
    handle: WorkflowHandle[Any, Any], name: str, argument: Any, result_type: type, *, patience: float = UPDATE_TIMEOUT
) -> Answer:
    """Send one update by name with a raw argument (a JSON value, or a `RawValue`) and wait for its answer.

    Raises:
        AssertionError: No answer within `patience` seconds (the workflow task fails and is retried).
    """
    update_id = f"property-{uuid.uuid4()}"
    result: Any = None
    chain: tuple[tuple[str | None, str], ...] = ()
    try:
        async with asyncio.timeout(patience):
            result = await handle.execute_update(name, argument, id=update_id, result_type=result_type)
    except WorkflowUpdateFailedError as error:
        chain = failure_chain(error.cause) or (("WorkflowUpdateFailedError", str(error)),)
    except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):
        failures = workflow_task_failures(await history(handle))
        raise AssertionError(
            f"update {name} got no answer in {patience:.0f} s; failed workflow tasks: {failures}"
        ) from None
    return Answer(update_id, result, chain)


@dataclass(frozen=True)
class Decoded:
    """What the worker's converter makes of a payload for a handler's argument type."""

    value: Any = None
    #: The converter's message when the payload does not validate (`starter.converter.InvalidPayload`).
    problem: str | None = None
    #: Where pydantic found each problem, in the converter's order.
    locations: tuple[Location, ...] = ()
    #: Why no converter takes the payload at all (an unknown encoding).
    undecodable: str | None = None


def decode_like_worker(argument: Any, argument_type: Any) -> Decoded:
    converter = DATA_CONVERTER.payload_converter
    payload = argument.payload if isinstance(argument, RawValue) else converter.to_payloads([argument])[0]
    try:
        [value] = converter.from_payloads([payload], [argument_type])
    except InvalidPayload as error:
        locations: tuple[Location, ...] = ()
        try:
            TypeAdapter(argument_type).validate_json(payload.data)
        except ValidationError as validation:
            locations = tuple(tuple(problem["loc"]) for problem in validation.errors())
        return Decoded(problem=str(error), locations=locations)
    except Exception as error:
        return Decoded(undecodable=f"{type(error).__name__}: {error}")
    return Decoded(value=value)


def check_answer(
    answer: Answer, decoded: Decoded, model: type[BaseModel], payload: Any, *, state_fields: Collection[str]
) -> None:
    """An update is accepted, or rejected with a message naming the field.

    A payload the converter refuses is rejected with the converter's own message, whose every problem is
    placed at a field of the model, at a field the payload has (an unknown one), or at the payload as a whole
    (named by the model). A payload that decodes is accepted or rejected by a validator with ``<field>: ``,
    a field of the model or of the state the update may not change (`state_fields`).
    """
    hypothesis_event(outcome(answer))
    if decoded.problem is not None:
        assert not answer.accepted, f"accepted, yet the converter refuses it: {decoded.problem}"
        assert answer.reason == ("InvalidPayload", decoded.problem), answer.failures
        check_locations(decoded, model, payload)
    elif decoded.undecodable is not None:
        assert not answer.accepted, f"accepted, yet no converter takes it: {decoded.undecodable}"
        assert "encoding" in answer.reason[1], answer.failures
    elif not answer.accepted:
        kind, message = answer.reason
        assert kind == "UpdateRejected", answer.failures
        field, separator, _ = message.partition(": ")
        allowed = {*model.model_fields, *state_fields}
        assert separator and field in allowed, f"the message names no field of {sorted(allowed)}: {message!r}"


def outcome(answer: Answer) -> str:
    """The kind of answer, for hypothesis' statistics (``--hypothesis-show-statistics``)."""
    if answer.accepted:
        return "accepted"
    kind, message = answer.reason
    return f"rejected by {kind}: {message.partition(':')[0][:30]}"


def check_locations(decoded: Decoded, model: type[BaseModel], payload: Any) -> None:
    given = set(payload) if isinstance(payload, dict) else set()
    assert decoded.locations, decoded.problem
    for location in decoded.locations:
        assert not location or location[0] in {*model.model_fields, *given}, (location, decoded.problem)
    first = ".".join(str(part) for part in decoded.locations[0]) or model.__name__
    assert decoded.problem is not None and decoded.problem.startswith(f"{first}: "), decoded.problem


# --- history ------------------------------------------------------------------------------------------


async def history(handle: WorkflowHandle[Any, Any]) -> list[HistoryEvent]:
    return [event async for event in handle.fetch_history_events()]


def _failures(events: Iterable[HistoryEvent], kind: EventType.ValueType, attributes: str) -> list[str]:
    found = []
    for event in events:
        if event.event_type == kind:
            failure = getattr(event, attributes).failure
            messages = [failure.message]
            while failure.HasField("cause"):
                failure = failure.cause
                messages.append(failure.message)
            found.append(" <- ".join(messages))
    return found


def workflow_task_failures(events: Iterable[HistoryEvent]) -> list[str]:
    """The failure (with its causes) of each failed workflow task."""
    return _failures(events, EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED, "workflow_task_failed_event_attributes")


def workflow_failures(events: Iterable[HistoryEvent]) -> list[str]:
    """The failure (with its causes) of a failed workflow."""
    return _failures(
        events, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED, "workflow_execution_failed_event_attributes"
    )


def update_ids_in(events: Iterable[HistoryEvent]) -> set[str]:
    """The ids of every update the history mentions (admitted, accepted, rejected or completed)."""
    ids = set()
    for event in events:
        kind = event.event_type
        if kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
            ids.add(event.workflow_execution_update_accepted_event_attributes.accepted_request.meta.update_id)
        elif kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ADMITTED:
            ids.add(event.workflow_execution_update_admitted_event_attributes.request.meta.update_id)
        elif kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_REJECTED:
            ids.add(event.workflow_execution_update_rejected_event_attributes.rejected_request.meta.update_id)
        elif kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
            ids.add(event.workflow_execution_update_completed_event_attributes.meta.update_id)
    return ids


async def check_history(handle: WorkflowHandle[Any, Any], answer: Answer) -> None:
    """No workflow task has failed; an accepted update is in the history, a rejected one is not."""
    events = await history(handle)
    assert not workflow_task_failures(events), workflow_task_failures(events)
    if answer.accepted:
        assert answer.update_id in update_ids_in(events)
    else:
        assert answer.update_id not in update_ids_in(events), f"rejected, yet in the history: {answer.failures}"


async def signal_handled(handle: WorkflowHandle[Any, Any], signals_before: int) -> list[HistoryEvent]:
    """The history once the workflow task after the newest signal has closed."""
    async with asyncio.timeout(UPDATE_TIMEOUT):
        while True:
            events = await history(handle)
            signalled = [
                i for i, e in enumerate(events) if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED
            ]
            if len(signalled) > signals_before and any(
                e.event_type
                in (EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED)
                for e in events[signalled[-1] :]
            ):
                return events
            await asyncio.sleep(0.02)


def signal_count(events: Iterable[HistoryEvent]) -> int:
    return sum(1 for e in events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED)


async def first_task_closed(handle: WorkflowHandle[Any, Any]) -> list[HistoryEvent]:
    """The history once the workflow's first workflow task has completed or failed (or the workflow closed)."""
    closing = {
        EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
        EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
    }
    async with asyncio.timeout(UPDATE_TIMEOUT):
        while True:
            events = await history(handle)
            if any(e.event_type in closing for e in events):
                return events
            await asyncio.sleep(0.02)


#: Events only workflow code makes: none may be in the history of a workflow whose input was refused.
WORKFLOW_CODE_EVENTS = {
    EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
    EventType.EVENT_TYPE_TIMER_STARTED,
    EventType.EVENT_TYPE_MARKER_RECORDED,
    EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
    EventType.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED,
    EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED,
    EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
}
