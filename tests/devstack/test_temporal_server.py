"""The Temporal dev server behind `make dev`: search attributes, state across restarts, clean stops."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.client import Client, WorkflowExecutionStatus

from devstack.binaries import temporal_cli
from devstack.temporal_server import HOST, DevServer, DevServerError, free_port
from domain.contract import SEARCH_ATTRIBUTE_TYPES, SEARCH_ATTRIBUTES, TASK_QUEUE, period_workflow_id
from domain.models import PeriodInput
from starter.search_attributes import SearchAttributeClash, register_search_attributes
from tests.devstack.stack_process import eventually
from workflows.guidance_period import GuidancePeriodWorkflow


async def _custom_attributes(client: Client) -> dict[str, str]:
    listed = await client.operator_service.list_search_attributes(ListSearchAttributesRequest(namespace="default"))
    return {name: IndexedValueType.Name(kind) for name, kind in listed.custom_attributes.items()}


def _expected_attributes() -> dict[str, str]:
    return {
        name: IndexedValueType.Name(IndexedValueType.ValueType(SEARCH_ATTRIBUTE_TYPES[kind]))
        for name, kind in SEARCH_ATTRIBUTES.items()
    }


def _gone(pid: int) -> bool:
    """True when `pid` has exited (a zombie nobody reaped counts: it holds no resources)."""
    try:
        return bool(psutil.Process(pid).status() == psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return True


async def test_starts_with_every_search_attribute_of_the_contract(dev_server: DevServer) -> None:
    client = await dev_server.connect()

    attributes = await _custom_attributes(client)

    assert {name: attributes.get(name) for name in SEARCH_ATTRIBUTES} == _expected_attributes()


async def test_temporal_cli_lists_the_search_attributes(dev_server: DevServer) -> None:
    listed = await asyncio.to_thread(
        subprocess.run,
        [temporal_cli(), "operator", "search-attribute", "list", "--address", dev_server.address],
        capture_output=True,
        text=True,
        check=True,
    )

    rows = dict(line.split() for line in listed.stdout.splitlines()[1:] if line.strip())
    assert {name: rows.get(name) for name in SEARCH_ATTRIBUTES} == SEARCH_ATTRIBUTES


async def test_runs_in_its_own_process_group_so_ctrl_c_reaches_only_us(dev_server: DevServer) -> None:
    assert os.getpgid(dev_server.pid) == dev_server.pid
    assert os.getpgid(dev_server.pid) != os.getpgid(0)


async def test_restart_on_the_same_file_keeps_a_started_period(tmp_path: Path, drammen_period: PeriodInput) -> None:
    db_file = tmp_path / "temporal.sqlite"
    # Both servers' output is kept here: should one exit before it answers, the error ends with the log's tail.
    log = tmp_path / "temporal.log"
    workflow_id = period_workflow_id(drammen_period.cohort, drammen_period.owner.id)
    async with await DevServer.start(db_file, free_port(), log_file=log) as first:
        client = await first.connect()
        # No worker runs: the period just waits for one, as in a real outage.
        await client.start_workflow(GuidancePeriodWorkflow.run, drammen_period, id=workflow_id, task_queue=TASK_QUEUE)
    assert _gone(first.pid)

    async with await DevServer.start(db_file, free_port(), log_file=log) as second:
        client = await second.connect()
        description = await client.get_workflow_handle(workflow_id).describe()
        attributes = await _custom_attributes(client)

    assert description.status == WorkflowExecutionStatus.RUNNING
    assert description.workflow_type == "GuidancePeriodWorkflow"
    assert {name: attributes.get(name) for name in SEARCH_ATTRIBUTES} == _expected_attributes()
    assert _gone(second.pid)


async def test_a_file_from_before_the_attributes_gets_them_on_start(tmp_path: Path) -> None:
    """`start-dev --search-attribute` registers only on a new file; start() registers what is missing."""
    db_file = tmp_path / "temporal.sqlite"
    port = free_port()
    plain = await asyncio.create_subprocess_exec(
        *[temporal_cli(), "server", "start-dev", "--db-filename", str(db_file), "--ip", HOST],
        *["--port", str(port), "--headless", "--log-level", "error"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        client = await _connect_when_up(f"{HOST}:{port}")
        assert not set(SEARCH_ATTRIBUTES) & set(await _custom_attributes(client))
    finally:
        plain.terminate()
        await asyncio.wait_for(plain.wait(), 30)

    async with await DevServer.start(db_file, free_port()) as server:
        attributes = await _custom_attributes(await server.connect())

    assert {name: attributes.get(name) for name in SEARCH_ATTRIBUTES} == _expected_attributes()


async def test_registering_again_changes_nothing(dev_server: DevServer) -> None:
    client = await dev_server.connect()

    assert await register_search_attributes(client) == []
    assert await register_search_attributes(client, {"LaterAttribute": "Keyword"}) == ["LaterAttribute"]
    assert await register_search_attributes(client, {"LaterAttribute": "Keyword"}) == []


async def test_an_attribute_registered_with_another_type_is_reported(dev_server: DevServer) -> None:
    client = await dev_server.connect()

    with pytest.raises(SearchAttributeClash, match="Overdue is INDEXED_VALUE_TYPE_BOOL, the contract says Keyword"):
        await register_search_attributes(client, {"Overdue": "Keyword"})


async def test_a_taken_port_is_reported_and_nothing_is_started(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind((HOST, 0))
        taken.listen()
        port = taken.getsockname()[1]
        children_before = psutil.Process().children()

        with pytest.raises(DevServerError, match=f"port {port} is already in use"):
            await DevServer.start(tmp_path / "temporal.sqlite", port)

    assert psutil.Process().children() == children_before


async def test_stop_leaves_no_process_and_can_be_repeated(tmp_path: Path) -> None:
    server = await DevServer.start(tmp_path / "temporal.sqlite", free_port(), ui_port=free_port())
    pid = server.pid

    server.stop()
    server.stop()

    assert _gone(pid)
    assert pid not in [child.pid for child in psutil.Process().children(recursive=True)]


async def test_the_server_does_not_outlive_a_killed_parent(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import asyncio, pathlib, signal
        from devstack.temporal_server import DevServer, free_port

        async def main():
            server = await DevServer.start(pathlib.Path({str(tmp_path / "temporal.sqlite")!r}), free_port())
            print(server.pid, flush=True)
            await asyncio.Event().wait()

        asyncio.run(main())
        """
    )
    parent = await asyncio.create_subprocess_exec(sys.executable, "-c", script, stdout=asyncio.subprocess.PIPE)
    try:
        assert parent.stdout is not None
        server_pid = int(await asyncio.wait_for(parent.stdout.readline(), 60))
        assert not _gone(server_pid)
    finally:
        parent.kill()
        await parent.wait()

    async def gone() -> bool:
        return _gone(server_pid)

    assert await eventually(gone, bool, seconds=15)


async def _connect_when_up(address: str) -> Client:
    deadline = time.monotonic() + 60
    while True:
        try:
            return await Client.connect(address)
        except RuntimeError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)
