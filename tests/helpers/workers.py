"""The one worker factory of the tests: the real workflows, recording fakes of every activity, a task queue of its
own (so tests sharing a server never take each other's tasks)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

from temporalio.client import Client

from tests.helpers.fakes import RecordingActivities
from worker import build_worker


@dataclass(frozen=True)
class RecordingWorker:
    task_queue: str
    fakes: RecordingActivities


@contextlib.asynccontextmanager
async def recording_worker(
    client: Client, fakes: RecordingActivities | None = None, *, prefix: str = "test"
) -> AsyncIterator[RecordingWorker]:
    """A running worker of the workflows with `fakes` (by default recording fakes on the flagship's plan)."""
    fakes = fakes or RecordingActivities()
    task_queue = f"{prefix}-{uuid.uuid4()}"
    async with build_worker(client, fakes.all(), task_queue=task_queue):
        yield RecordingWorker(task_queue, fakes)
