"""`guidance cohort` tests: the command in-process against a Temporal dev server, with a worker of the test's own.

The dev server (one per test module, `tests/conftest.py`) runs in real time with real visibility. Each test
gets the suite's harness (tests/helpers/harness.py) on a fresh task queue, with recording fakes for the
activities (no rows are needed here; the end-to-end test in `tests/e2e/test_cohort_e2e.py` writes them to
PostgreSQL); every command it runs must end without a traceback. The command runs in a thread
with its own event loop and client, as it would in its own process, while the worker runs on the test's loop.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from devstack.temporal_server import DevServer
from starter import commands
from tests.helpers.harness import Harness, harness_on


@pytest.fixture
async def cohort_cli(dev_server: DevServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> AsyncIterator[Harness]:
    """The harness on the module's dev server, the `guidance` command pointed at it, files in the test's folder."""
    monkeypatch.setattr(commands, "client_factory", dev_server.connect)
    client = await dev_server.connect()
    options = {"folder": tmp_path, "command_env": {"COLUMNS": "250"}, "check_commands": True}
    async with harness_on(client, prefix="cohort-cli", **options) as harness:
        yield harness
