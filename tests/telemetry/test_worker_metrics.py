"""A worker with GUIDANCE_METRICS_PORT serves the Temporal SDK's metrics for Prometheus."""

from __future__ import annotations

import asyncio
import urllib.request
import uuid

from temporalio.client import Client

from devstack.temporal_server import DevServer, free_port
from starter.connect import data_converter, metrics_runtime
from tests.helpers.fakes import RecordingActivities
from tests.helpers.harness import dev_period
from worker import build_worker
from workflows.guidance_period import GuidancePeriodWorkflow


def _scrape(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return str(response.read().decode("utf-8"))


async def test_the_worker_serves_prometheus_metrics_of_its_tasks(dev_server: DevServer) -> None:
    port = free_port()
    client = await Client.connect(
        dev_server.address, data_converter=data_converter(), runtime=metrics_runtime("127.0.0.1", port)
    )
    fakes = RecordingActivities()
    task_queue = f"metrics-{uuid.uuid4()}"
    async with build_worker(client, fakes.all(), task_queue=task_queue):
        period = dev_period(
            fakes, {"id": "5001", "name": "Trondheim - Tråante", "kind": "municipality", "county": "50"}
        )
        handle = await client.start_workflow(
            GuidancePeriodWorkflow.run, period, id=f"guidance-period-{period.cohort}-5001", task_queue=task_queue
        )
        await fakes.received("record_period_started")
        text = ""
        for _ in range(50):
            text = await asyncio.to_thread(_scrape, f"http://127.0.0.1:{port}/metrics")
            if "temporal_workflow_task_execution_latency" in text and "temporal_activity_execution_latency" in text:
                break
            await asyncio.sleep(0.2)
        await handle.terminate("test finished")
    assert "temporal_workflow_task_execution_latency" in text
    assert "temporal_activity_execution_latency" in text
    assert f'task_queue="{task_queue}"' in text
