"""Fixtures of the fault tests: each test gets its own dev server, database (the suite's `database_url`) and
worker process, and reports figures.

The figures of every test go to ``faults-results.jsonl`` in the session's temporary folder (pytest's
``--basetemp``) and to a section of the terminal summary, whatever the output capture.

Tests marked ``faults`` take over a minute each: pyproject's ``addopts`` leaves them out (``-m 'not faults'``),
so `make test` skips them and `make faults` runs them (``pytest tests/faults -m faults``). To run one of them by
name, give ``-m faults`` too, or it is deselected.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from temporalio.client import Client

from devstack.temporal_server import DevServer, free_port
from tests.faults.harness import FaultReport

_REPORT = pytest.StashKey[FaultReport]()


@pytest.fixture(scope="session")
def fault_report(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> FaultReport:
    report = FaultReport(tmp_path_factory.getbasetemp() / "faults-results.jsonl")
    request.config.stash[_REPORT] = report
    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    report = config.stash.get(_REPORT, None)
    if report is None or not report.lines:
        return
    terminalreporter.section("fault tests: figures")
    for line in report.lines:
        terminalreporter.write_line(line)
    terminalreporter.write_line(f"(as JSON lines in {report.path})")


@pytest.fixture
async def temporal(tmp_path: Path) -> AsyncIterator[DevServer]:
    """A dev server of the test's own (a worker left over from another test must never see its periods)."""
    async with await DevServer.start(tmp_path / "temporal.sqlite", free_port()) as server:
        yield server


@pytest.fixture
async def client(temporal: DevServer) -> Client:
    return await temporal.connect()
