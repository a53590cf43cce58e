"""`guidance setup` registers the search attributes on a namespace of a real server, and a rerun changes nothing."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from google.protobuf.duration_pb2 import Duration
from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.api.workflowservice.v1 import RegisterNamespaceRequest
from typer.testing import CliRunner

from devstack.temporal_server import DevServer
from domain.contract import SEARCH_ATTRIBUTES
from starter import cli


async def test_setup_registers_every_search_attribute_once(
    dev_server: DevServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = await dev_server.connect()
    namespace = f"guidance-{uuid.uuid4().hex[:8]}"
    retention = Duration()
    retention.FromTimedelta(timedelta(days=1))
    await client.workflow_service.register_namespace(
        RegisterNamespaceRequest(namespace=namespace, workflow_execution_retention_period=retention)
    )
    monkeypatch.setenv("TEMPORAL_ADDRESS", dev_server.address)
    monkeypatch.setenv("TEMPORAL_NAMESPACE", namespace)

    first = await asyncio.to_thread(CliRunner().invoke, cli.app, ["setup"])
    second = await asyncio.to_thread(CliRunner().invoke, cli.app, ["setup"])

    assert first.exit_code == 0, first.output
    assert f"Registered on {namespace}:" in first.stdout
    for name in SEARCH_ATTRIBUTES:
        assert name in first.stdout
    assert second.exit_code == 0, second.output
    assert "Nothing to do" in second.stdout
    listed = await client.operator_service.list_search_attributes(ListSearchAttributesRequest(namespace=namespace))
    assert set(SEARCH_ATTRIBUTES) <= set(listed.custom_attributes)


async def test_setup_shows_the_deployment_and_the_rollout_steps(
    dev_server: DevServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEMPORAL_ADDRESS", dev_server.address)
    monkeypatch.setenv("GUIDANCE_DEPLOYMENT_NAME", f"guidance-{uuid.uuid4().hex[:8]}")

    result = await asyncio.to_thread(CliRunner().invoke, cli.app, ["setup"])

    assert result.exit_code == 0, result.output
    assert "no versioned worker has polled yet" in result.stdout
    assert "temporal worker deployment set-ramping-version" in result.stdout
    assert "temporal worker deployment set-current-version" in result.stdout
