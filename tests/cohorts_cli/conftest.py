"""`guidance cohort` tests: the command in-process against a Temporal dev server, with a worker of the test's own.

The dev server (one per test module, `tests/conftest.py`) runs in real time with real visibility. Each test
gets a worker on a fresh task queue with recording fakes for the activities (no rows are needed here; the
end-to-end test in `tests/e2e/test_cohort_e2e.py` writes them to PostgreSQL). The command runs in a thread
with its own event loop and client, as it would in its own process, while the worker runs on the test's loop.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest
from temporalio.client import Client
from typer.testing import CliRunner, Result

from devstack.temporal_server import DevServer
from domain import calendar
from starter import cli, commands
from tests.helpers.clock import plain_saturday, real_today
from tests.helpers.fakes import RecordingActivities
from tests.helpers.workers import recording_worker


@dataclass
class CohortCli:
    """A worker on a fresh task queue and the `guidance` command pointed at the module's dev server."""

    client: Client
    task_queue: str
    fakes: RecordingActivities
    folder: Path
    started: list[str] = field(default_factory=list)

    def new_name(self) -> str:
        return f"t{uuid.uuid4().hex[:10]}"

    @staticmethod
    def today() -> date:
        return real_today()

    def start_date(self) -> date:
        """A working day a week ahead: every period starts in the future, and its gatherings lie ahead."""
        return calendar.next_working_day(self.today() + timedelta(days=7))

    def saturday(self) -> date:
        """A Saturday at least two weeks ahead that is not a public holiday (its own reason would differ)."""
        return plain_saturday(self.today() + timedelta(days=13))

    def file(self, name: str, text: str) -> Path:
        path = self.folder / name
        path.write_text(text, encoding="utf-8")
        return path

    async def guidance(self, *args: str, env: dict[str, str] | None = None) -> Result:
        """Run `guidance ARGS` in-process, in a thread (the command runs its own event loop)."""
        env = {"COLUMNS": "250", **(env or {})}
        result = await asyncio.to_thread(CliRunner().invoke, cli.app, list(args), env=env)
        assert "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        return result

    async def start(self, *args: str, env: dict[str, str] | None = None) -> Result:
        """`guidance cohort start ARGS` on this worker's task queue."""
        return await self.guidance("cohort", "start", *args, "--task-queue", self.task_queue, env=env)


@pytest.fixture
async def cohort_cli(
    dev_server: DevServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> AsyncIterator[CohortCli]:
    monkeypatch.setattr(commands, "client_factory", dev_server.connect)
    client = await dev_server.connect()
    async with recording_worker(client, prefix="cohort-cli") as worker:
        yield CohortCli(client, worker.task_queue, worker.fakes, tmp_path)
