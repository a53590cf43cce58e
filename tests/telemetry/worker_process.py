"""The real worker (`worker.run_worker`) in a test: real PostgreSQL, its metrics and health endpoints on free
ports, and helpers to read them over HTTP."""

from __future__ import annotations

import asyncio
import re
import urllib.error
import urllib.request
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from config.settings import AppSettings, VeilederkorpsetSettings
from devstack.temporal_server import free_port
from domain import calendar
from domain.models import PeriodInput
from starter.connect import data_converter, metrics_runtime
from worker import run_worker


@dataclass
class RunningWorker:
    client: Client
    task_queue: str
    settings: AppSettings
    metrics_url: str
    health_url: str


def get(url: str) -> tuple[int, str]:
    """Status and body of a GET over real HTTP (an error status is an answer too)."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


async def fetch(url: str) -> tuple[int, str]:
    return await asyncio.to_thread(get, url)


_SAMPLE = re.compile(r"^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?P<labels>[^}]*)\})? (?P<value>\S+)$")
_LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def sample(text: str, name: str, **labels: str) -> float:
    """The sum of the samples of metric `name` whose labels include `labels` in a Prometheus text page; 0 if none."""
    total = 0.0
    for line in text.splitlines():
        match = _SAMPLE.match(line)
        if not match or match["name"] != name:
            continue
        found = dict(_LABEL.findall(match["labels"] or ""))
        if all(found.get(key) == value for key, value in labels.items()):
            total += float(match["value"])
    return total


@asynccontextmanager
async def running_worker(
    env: WorkflowEnvironment, database_url: str, folder: Path, *, refresh_seconds: float = 0.2
) -> AsyncIterator[RunningWorker]:
    """`run_worker` as the worker process runs it, with GUIDANCE_METRICS_PORT and GUIDANCE_HEALTH_PORT set,
    on a task queue of its own; yields once /readyz answers 200, stops it cleanly afterwards."""
    metrics_port, health_port = free_port(), free_port()
    client = await Client.connect(
        env.client.service_client.config.target_host,
        namespace=env.client.namespace,
        data_converter=data_converter(),
        runtime=metrics_runtime("127.0.0.1", metrics_port),
    )
    settings = AppSettings(
        _env_file=None,
        data_dir=folder,
        adviser_mail_domain="veileder.test",
        metrics_port=metrics_port,
        metrics_host="127.0.0.1",
        metrics_refresh_seconds=refresh_seconds,
        health_port=health_port,
        health_host="127.0.0.1",
    )
    task_queue = f"telemetry-{uuid.uuid4()}"
    stop = asyncio.Event()
    task = asyncio.create_task(
        run_worker(
            client,
            database_url=database_url,
            settings=settings,
            stop=stop,
            task_queue=task_queue,
            schedules=False,  # the time-skipping server has no schedules
        )
    )
    running = RunningWorker(
        client,
        task_queue,
        settings,
        f"http://127.0.0.1:{metrics_port}/metrics",
        f"http://127.0.0.1:{health_port}",
    )
    try:
        async with asyncio.timeout(30):
            while True:
                if task.done():
                    task.result()  # the worker failed to start: raise its error
                try:
                    if (await fetch(f"{running.health_url}/readyz"))[0] == 200:
                        break
                except OSError:
                    pass
                await asyncio.sleep(0.1)
        yield running
    finally:
        stop.set()
        await task


async def period_input(env: WorkflowEnvironment, owner_id: str = "3301", name: str = "Drammen") -> PeriodInput:
    """A period started today on the test server's clock (so milestones may be recorded), on the Veilederkorpset
    plan."""
    today = calendar.local_date(await env.get_current_time(), "Europe/Oslo")
    return PeriodInput.model_validate(
        {
            "cohort": f"t{uuid.uuid4().hex[:8]}",
            "owner": {"id": owner_id, "name": name, "kind": "municipality", "county": owner_id[:2]},
            "advisers": ["a.hansen", "b.olsen"],
            "start_date": today.isoformat(),
            "programme": VeilederkorpsetSettings(_env_file=None).plan(),
        }
    )
