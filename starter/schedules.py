"""The engine's own Temporal Schedules (retention every night, mail delivery every minute), ensured by the worker.

Ensuring a schedule creates it, or brings an existing one's spec, action and policy up to date while keeping
its state: one an operator paused (``temporal schedule toggle --pause --schedule-id ...``) stays paused.
"""

from __future__ import annotations

import dataclasses
from typing import Literal

from temporalio.client import (
    Client,
    Schedule,
    ScheduleAlreadyRunningError,
    ScheduleUpdate,
    ScheduleUpdateInput,
)


async def ensure_schedule(client: Client, schedule_id: str, wanted: Schedule) -> Literal["created", "updated"]:
    """Create the schedule, or bring an existing one up to date; safe to call at every worker start."""
    try:
        await client.create_schedule(schedule_id, wanted)
        return "created"
    except ScheduleAlreadyRunningError:
        pass

    def update(current: ScheduleUpdateInput) -> ScheduleUpdate:
        schedule = current.description.schedule
        return ScheduleUpdate(
            schedule=dataclasses.replace(schedule, action=wanted.action, spec=wanted.spec, policy=wanted.policy)
        )

    await client.get_schedule_handle(schedule_id).update(update)
    return "updated"
