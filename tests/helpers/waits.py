"""Waiting on workflows as the tests do: on conditions, with patience for a busy machine, and ending a test's
workflows on the time-skipping server without stalling its clock."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle, WorkflowHistory, WorkflowQueryFailedError
from temporalio.service import RPCError

#: How long a test waits for a condition, in seconds: a quiet machine meets it at once, a busy one may take many.
PATIENCE = 60.0


async def wait_for(condition: Callable[[], Awaitable[bool]], what: str, seconds: float = PATIENCE) -> None:
    """Wait until `condition()` holds; fail naming `what` if it does not within `seconds`."""
    try:
        async with asyncio.timeout(seconds):
            while True:
                if await condition():
                    return
                await asyncio.sleep(0.05)
    except TimeoutError:
        raise AssertionError(f"not reached in {seconds:.0f} s: {what}") from None


async def query_when_started(handle: WorkflowHandle[Any, Any], query: Any, result_type: type | None = None) -> Any:
    """`handle.query(query)` (a query method, or a name with its `result_type`), asked again while the workflow
    is still loading its plan (its documented answer until that activity has run, a while on a busy machine)."""
    async with asyncio.timeout(PATIENCE):
        while True:
            try:
                return await handle.query(query, result_type=result_type)
            except WorkflowQueryFailedError as error:
                if "still starting" not in str(error):
                    raise
            await asyncio.sleep(0.05)


CLOSED = {
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
}
ACTIVITY_CLOSED = {
    EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
    EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED,
    EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT,
    EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED,
}
WORKFLOW_TASK_CLOSED = {
    EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
}


def is_settled(history: WorkflowHistory) -> bool:
    """True when the workflow has closed, or has neither a workflow task nor an activity in flight."""
    if history.events[-1].event_type in CLOSED:
        return True
    running_activities: set[int] = set()
    workflow_task_open = False
    for event in history.events:
        kind = event.event_type
        if kind == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            running_activities.add(event.event_id)
        elif kind in ACTIVITY_CLOSED:
            attributes = getattr(event, event.WhichOneof("attributes") or "")
            running_activities.discard(attributes.scheduled_event_id)
        elif kind == EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
            workflow_task_open = True
        elif kind in WORKFLOW_TASK_CLOSED:
            workflow_task_open = False
    return not running_activities and not workflow_task_open


async def wait_until_settled(client: Client, workflow_id: str) -> None:
    """Wait until nothing of the workflow is in flight (or it has closed, or never started)."""
    handle = client.get_workflow_handle(workflow_id)
    async with asyncio.timeout(PATIENCE):
        while True:
            try:
                history = await handle.fetch_history()
            except RPCError:
                return
            if is_settled(history):
                return
            await asyncio.sleep(0.05)


async def terminate_when_settled(client: Client, workflow_ids: Iterable[str], *, unserved: Iterable[str] = ()) -> None:
    """Terminate a test's workflows, each once it has settled.

    Terminating a workflow while one of its workflow or activity tasks is in flight leaves the
    time-skipping server's clock locked for every later test of the module; `unserved` workflows (no
    worker runs them) have nothing in flight and are terminated at once.
    """
    served = list(workflow_ids)
    for workflow_id in served:
        await wait_until_settled(client, workflow_id)
    for workflow_id in [*served, *unserved]:
        with contextlib.suppress(RPCError):  # already closed
            await client.get_workflow_handle(workflow_id).terminate("test finished")
