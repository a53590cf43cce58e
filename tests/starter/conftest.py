"""Client API and `guidance` command tests: the real workflow on the time-skipping server, fake activities.

Each test gets the suite's harness (tests/helpers/harness.py) on a fresh task queue, its periods starting today
and resolving their plan as a person's would. The command runs in a thread with its own event loop and its own
client (as it would in its own process), so the worker keeps running on the test's loop meanwhile.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from starter import commands
from starter.connect import data_converter
from tests.helpers.harness import Harness, harness_on


@pytest.fixture
async def harness(time_skipping_env: WorkflowEnvironment, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Harness]:
    env = time_skipping_env
    target, namespace = env.client.service_client.config.target_host, env.client.namespace

    async def connect_to_test_server() -> Client:
        return await Client.connect(target, namespace=namespace, data_converter=data_converter())

    monkeypatch.setattr(commands, "client_factory", connect_to_test_server)
    async with harness_on(env, prefix="test-starter", with_plan=False) as harness:
        yield harness
