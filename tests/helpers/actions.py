"""Temporal Cloud's billable actions in a workflow's history: the one rule table, and what each action is for.

The rules are Temporal Cloud's, as https://docs.temporal.io/cloud/actions lists them (read December 2026), for the
parts a history shows; `ACTION_RULES` holds them all, one row per history event type, and `billable_actions` applies
them. What a history does not show is billed all the same and is not counted here: every query (the Web UI's stack
trace too), every rejected update (a validator's rejection never reaches history), activity heartbeats, and the
starts of other workflows' signals to this one that fail. `bench/actions.py` prints the counts per plan,
`tests/workflows/test_action_count.py` keeps a full period of each shipped plan from paying more than it counted,
and docs/operating.md ("What a period costs in Temporal actions") says what each action of a period is for.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType, WorkflowTaskFailedCause
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client

#: A word with a number in it, or a parenthesis with one: what differs between timers of one purpose.
_NUMBERED = re.compile(r"\([^)]*\d[^)]*\)|\S*\d\S*")
#: The search attribute Temporal's versioning keeps; an upsert of it alone is not billed.
CHANGE_VERSION = "TemporalChangeVersion"


@dataclass(frozen=True)
class Rule:
    """How one history event type is billed: its kind of action, and how many actions one such event costs."""

    kind: str
    cost: Callable[[HistoryEvent], int] = lambda _: 1


def _activity_retries(event: HistoryEvent) -> int:
    # One started event per activity, carrying the attempt it succeeded (or last failed) on; the first is no retry.
    return max(0, event.activity_task_started_event_attributes.attempt - 1)


def _local_activity_retries(event: HistoryEvent) -> int:
    return event.workflow_task_completed_event_attributes.metering_metadata.nonfirst_local_activity_execution_attempts


def _upsert(event: HistoryEvent) -> int:
    fields = event.upsert_workflow_search_attributes_event_attributes.search_attributes.indexed_fields
    return 0 if set(fields) <= {CHANGE_VERSION} else 1


def _reset(event: HistoryEvent) -> int:
    cause = event.workflow_task_failed_event_attributes.cause
    return 1 if cause == WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW else 0


#: Every billable history event type and its rule (https://docs.temporal.io/cloud/actions). Any other event (workflow
#: tasks, an activity's completion, a timer firing or cancelled, an update's completion, a continue-as-new's own
#: event: the next run's start is its action) costs nothing. Markers are billed one per workflow task however many
#: it records (local activities, side effects, `workflow.patched`'s version markers): `billable_actions` counts the
#: first of each task.
ACTION_RULES: dict[EventType.ValueType, Rule] = {
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED: Rule("workflow started"),
    EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: Rule("search attributes upserted", _upsert),
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_OPTIONS_UPDATED: Rule("workflow options updated"),
    # Two: the parent's intent to start the child, and the attempt (the child's own start is that attempt).
    EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED: Rule("child workflow started", lambda _: 2),
    EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED: Rule("workflow reset", _reset),
    EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: Rule("activity started"),
    EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED: Rule("activity retried", _activity_retries),
    EventType.EVENT_TYPE_MARKER_RECORDED: Rule("markers recorded"),
    EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED: Rule("local activity retried", _local_activity_retries),
    EventType.EVENT_TYPE_TIMER_STARTED: Rule("timer started"),
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED: Rule("signal received"),
    # Billed in the receiver's history, not here; counted here all the same, as this workflow's doing.
    EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED: Rule("signal sent"),
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED: Rule("update accepted"),
    EventType.EVENT_TYPE_NEXUS_OPERATION_SCHEDULED: Rule("nexus operation scheduled"),
    EventType.EVENT_TYPE_NEXUS_OPERATION_CANCEL_REQUESTED: Rule("nexus operation cancel requested"),
}
#: The kinds in the order the tables print them.
KINDS = tuple(dict.fromkeys(rule.kind for rule in ACTION_RULES.values()))


@dataclass(frozen=True)
class Action:
    """Billable actions of one kind for one purpose (an activity's summary, a timer's, the attributes upserted)."""

    kind: str
    purpose: str
    count: int


def billable_actions(events: Iterable[HistoryEvent]) -> list[Action]:
    """The billable actions of a history (all runs of a workflow, or one), one per event that costs any."""
    actions: list[Action] = []
    marked_tasks: set[int] = set()
    for event in events:
        rule = ACTION_RULES.get(event.event_type)
        if rule is None:
            continue
        if event.event_type == EventType.EVENT_TYPE_MARKER_RECORDED:
            task = event.marker_recorded_event_attributes.workflow_task_completed_event_id
            if task in marked_tasks:
                continue
            marked_tasks.add(task)
        cost = rule.cost(event)
        if cost:
            actions.append(Action(rule.kind, purpose(event), cost))
    return actions


async def workflow_actions(client: Client, workflow_id: str, first_run_id: str | None) -> list[Action]:
    """The billable actions of a workflow's whole history: its first run and each run it continued as new into."""
    events: list[HistoryEvent] = []
    run_id = first_run_id
    while run_id is not None:
        handle = client.get_workflow_handle(workflow_id, run_id=run_id)
        run = [e async for e in handle.fetch_history_events()]
        events += run
        last = run[-1]
        continued = last.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
        run_id = last.workflow_execution_continued_as_new_event_attributes.new_execution_run_id if continued else None
    return billable_actions(events)


def counts_by_kind(actions: Iterable[Action]) -> dict[str, int]:
    """Actions per kind, in the order of `KINDS` (kinds with none left out)."""
    counted: Counter[str] = Counter()
    for action in actions:
        counted[action.kind] += action.count
    return {kind: counted[kind] for kind in KINDS if counted[kind]}


def counts_by_purpose(actions: Iterable[Action]) -> list[tuple[str, str, int]]:
    """(kind, purpose, actions), most actions first: what the actions of a history are for."""
    counted: Counter[tuple[str, str]] = Counter()
    for action in actions:
        counted[(action.kind, action.purpose)] += action.count
    return [(kind, what, n) for (kind, what), n in sorted(counted.items(), key=lambda item: (-item[1], item[0]))]


def purpose(event: HistoryEvent) -> str:
    """What an event's action is for, as the history says it: its summary, activity type, signal, update or fields."""
    summary = _text(event.user_metadata.summary) if event.HasField("user_metadata") else ""
    kind = event.event_type
    if kind == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
        return event.activity_task_scheduled_event_attributes.activity_type.name
    if kind == EventType.EVENT_TYPE_TIMER_STARTED:
        return _timer_purpose(summary)
    if kind == EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
        fields = event.upsert_workflow_search_attributes_event_attributes.search_attributes.indexed_fields
        return ", ".join(sorted(fields))
    if kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
        return event.workflow_execution_signaled_event_attributes.signal_name
    if kind == EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED:
        return event.signal_external_workflow_execution_initiated_event_attributes.signal_name
    if kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
        return event.workflow_execution_update_accepted_event_attributes.accepted_request.input.name
    if kind == EventType.EVENT_TYPE_MARKER_RECORDED:
        return event.marker_recorded_event_attributes.marker_name
    if kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
        started = event.workflow_execution_started_event_attributes
        how = "continued as new" if started.continued_execution_run_id else "started"
        return f"{started.workflow_type.name} {how}"
    if kind == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
        return "retries of an activity"
    if kind == EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
        return event.start_child_workflow_execution_initiated_event_attributes.workflow_type.name
    return summary or EventType.Name(kind)


def _timer_purpose(summary: str) -> str:
    """A timer's summary without its dates and numbers: the deadline timers of one kind group together."""
    return " ".join(_NUMBERED.sub("", summary).split()) or "timer without a summary"


def _text(payload: Payload) -> str:
    """A summary payload (JSON text, as the default converter writes it) as plain text."""
    try:
        value = json.loads(payload.data)
    except ValueError:
        return payload.data.decode(errors="replace")
    return value if isinstance(value, str) else str(value)
