"""Record replay histories of GuidancePeriodWorkflow (`make histories`).

Each released version of the workflow keeps its histories here for ever: every test run replays them
all, so a change that would break a period already running fails the suite. Record new files when the
workflow changes on purpose (through `workflow.patched`); never overwrite old ones.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from pathlib import Path

from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from devstack.binaries import temporal_test_server  # noqa: E402
from domain.models import Withdraw  # noqa: E402
from starter.connect import data_converter  # noqa: E402
from starter.search_attributes import register_search_attributes  # noqa: E402
from tests.fakes import RecordingActivities  # noqa: E402
from tests.workflows.scenarios import full_period  # noqa: E402
from workflows.guidance_period import GuidancePeriodWorkflow  # noqa: E402
from workflows.sandbox import workflow_runner  # noqa: E402

VERSION = "v1"
FOLDER = Path(__file__).resolve().parent


async def record() -> list[Path]:
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=data_converter(), test_server_existing_path=temporal_test_server()
    )
    written = []
    try:
        await register_search_attributes(env.client)
        task_queue = f"record-{uuid.uuid4()}"
        async with Worker(
            env.client,
            task_queue=task_queue,
            workflows=[GuidancePeriodWorkflow],
            activities=RecordingActivities().all(),
            workflow_runner=workflow_runner(),
        ):
            expired = await full_period(env.client, env, task_queue)
            await expired.result()
            withdrawn = await full_period(env.client, env, task_queue)
            await withdrawn.execute_update(
                GuidancePeriodWorkflow.withdraw, Withdraw(reason="Owner merged", by="coordinator")
            )
            await withdrawn.result()
            for name, handle in (("expired-two-cycles", expired), ("withdrawn", withdrawn)):
                history = await handle.fetch_history()
                path = FOLDER / f"guidance_period-{VERSION}-{name}.json"
                path.write_text(history.to_json())
                written.append(path)
    finally:
        await env.shutdown()
    return written


if __name__ == "__main__":
    for path in asyncio.run(record()):
        print(f"recorded {path.relative_to(ROOT)}")
