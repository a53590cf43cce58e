"""The worker process: connects to Temporal and PostgreSQL, runs the workflows and activities until stopped.

Run it with `python worker.py` (or `make dev`, which starts it beside the embedded servers). Connection
to Temporal comes from Temporal's environment configuration (see starter/connect.py); `DATABASE_URL`
names the PostgreSQL server.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

import structlog
from temporalio.client import Client
from temporalio.worker import Worker

from activities.db import apply_schema, create_pool
from activities.record_store import RecordStore
from activities.registry import all_activities
from domain.contract import TASK_QUEUE
from domain.settings import PLANS, AppSettings, InvalidPlanSettings, resolve_plan
from starter.connect import connect, metrics_runtime
from starter.logs import LOGGING_MODULES, configure_logging
from workflows.cohort import CohortWorkflow
from workflows.guidance_period import GuidancePeriodWorkflow
from workflows.sandbox import workflow_runner

log = structlog.get_logger("worker")

WORKFLOWS: list[type] = [GuidancePeriodWorkflow, CohortWorkflow]


def build_worker(
    client: Client,
    activities: Sequence[Callable[..., Any]],
    *,
    task_queue: str = TASK_QUEUE,
    workflows: Sequence[type] = WORKFLOWS,
) -> Worker:
    """A worker for the engine's workflows (tests and benchmarks may add their own) and the given activities."""
    return Worker(
        client,
        task_queue=task_queue,
        workflows=list(workflows),
        activities=list(activities),
        workflow_runner=workflow_runner(also_pass_through=LOGGING_MODULES),
        # On SIGTERM, let records being written finish (within the 30 s an orchestrator usually allows).
        graceful_shutdown_timeout=timedelta(seconds=20),
    )


async def run_worker(
    client: Client,
    *,
    database_url: str,
    settings: AppSettings,
    stop: asyncio.Event,
    task_queue: str = TASK_QUEUE,
) -> None:
    """Check the plans, open the record store, apply its schema and run a worker until `stop` is set."""
    check_plans()
    pool = await create_pool(database_url, min_size=settings.db_pool_min_size, max_size=settings.db_pool_max_size)
    try:
        await apply_schema(pool)
        store = RecordStore(pool, settings)
        worker = build_worker(client, all_activities(store), task_queue=task_queue)
        async with worker:
            log.info("worker running", task_queue=task_queue, namespace=client.namespace)
            await stop.wait()
        log.info("worker stopped")
    finally:
        await pool.close()


def check_plans() -> None:
    """Refuse to start on plan settings no period could use (a period would wait on them for ever).

    Raises:
        InvalidPlanSettings: A plan's setting is out of bounds.
    """
    for name in PLANS:
        resolve_plan(name)


def stop_on_signals(stop: asyncio.Event) -> None:
    """Set `stop` on SIGINT or SIGTERM so the worker finishes its tasks and exits cleanly."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)


async def _main() -> None:
    settings = AppSettings()
    if not settings.database_url:
        raise SystemExit("DATABASE_URL is not set: name the PostgreSQL server (or use `make dev`)")
    stop = asyncio.Event()
    stop_on_signals(stop)
    runtime = metrics_runtime(settings.metrics_host, settings.metrics_port) if settings.metrics_port else None
    client = await connect(runtime=runtime)
    try:
        await run_worker(client, database_url=settings.database_url, settings=settings, stop=stop)
    except InvalidPlanSettings as error:
        raise SystemExit(f"invalid settings: {error}") from None


def main() -> None:
    configure_logging()
    asyncio.run(_main())


if __name__ == "__main__":
    main()
