"""The worker's health endpoint over real HTTP, and the probe command docker-compose.yml runs."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
from temporalio.testing import WorkflowEnvironment

from activities.db import create_pool
from activities.health import HealthServer, postgres_check, worker_check
from devstack.temporal_server import free_port
from tests.telemetry.worker_process import fetch, running_worker
from worker import build_worker


def _probe(port: int, path: str) -> subprocess.CompletedProcess[str]:
    """`python -m activities.health PATH` as the Compose healthcheck runs it."""
    env = {**os.environ, "GUIDANCE_HEALTH_PORT": str(port)}
    return subprocess.run(
        [sys.executable, "-m", "activities.health", path], env=env, capture_output=True, text=True, timeout=30
    )


async def _drop_database(database_url: str) -> None:
    """Take the worker's database away under it, as a lost PostgreSQL server would."""
    name = urlsplit(database_url).path.lstrip("/")
    admin = await asyncpg.connect(urlsplit(database_url)._replace(path="/postgres").geturl())
    try:
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def test_a_running_worker_is_alive_and_ready_until_postgres_goes_away(
    time_skipping_env: WorkflowEnvironment, database_url: str, tmp_path: Path
) -> None:
    async with running_worker(time_skipping_env, database_url, tmp_path) as running:
        port = running.settings.health_port
        assert port is not None

        assert await fetch(f"{running.health_url}/healthz") == (200, '{"status": "alive"}\n')
        status, body = await fetch(f"{running.health_url}/readyz")
        assert status == 200
        assert json.loads(body) == {"status": "ready", "checks": {"worker": "ok", "postgresql": "ok"}}
        ready_probe = await asyncio.to_thread(_probe, port, "readyz")
        assert ready_probe.returncode == 0, ready_probe.stderr
        assert json.loads(ready_probe.stdout)["status"] == "ready"

        await _drop_database(database_url)

        status, body = await fetch(f"{running.health_url}/readyz")
        assert status == 503
        report = json.loads(body)
        assert report["status"] == "not ready"
        assert report["checks"]["worker"] == "ok"
        assert "does not exist" in report["checks"]["postgresql"]
        assert (await asyncio.to_thread(_probe, port, "readyz")).returncode == 1
        # Alive all the same: restarting the worker would not bring the database back.
        assert (await fetch(f"{running.health_url}/healthz"))[0] == 200
        assert (await asyncio.to_thread(_probe, port, "healthz")).returncode == 0

    stopped = await asyncio.to_thread(_probe, port, "healthz")
    assert stopped.returncode == 1
    assert "Connection refused" in stopped.stderr


async def test_a_worker_not_yet_polling_is_alive_but_not_ready(
    time_skipping_env: WorkflowEnvironment, database_url: str
) -> None:
    pool = await create_pool(database_url, min_size=1, max_size=1)
    worker = build_worker(time_skipping_env.client, [], task_queue="health-not-started")
    server = HealthServer({"worker": worker_check(worker), "postgresql": postgres_check(pool)})
    port = free_port()
    try:
        async with server.serving("127.0.0.1", port):
            base = f"http://127.0.0.1:{port}"
            status, body = await fetch(f"{base}/readyz")
            assert status == 503
            assert json.loads(body)["checks"] == {"worker": "not polling (starting or stopping)", "postgresql": "ok"}
            assert (await fetch(f"{base}/healthz"))[0] == 200
            assert (await fetch(f"{base}/metrics"))[0] == 404
            post = urllib.request.Request(f"{base}/readyz", data=b"{}", method="POST")
            assert (await fetch_request(post))[0] == 405
            head = urllib.request.Request(f"{base}/healthz", method="HEAD")
            assert await fetch_request(head) == (200, "")
    finally:
        await pool.close()


async def fetch_request(request: urllib.request.Request) -> tuple[int, str]:
    def send() -> tuple[int, str]:
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return int(response.status), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    return await asyncio.to_thread(send)
