"""A worker process of bare workflows only, the baseline of `bench/live_periods.py` to `python worker.py`.

Built by the engine's own `worker.build_worker` (the same sandbox runner, data converter, slots and SDK
default sticky cache as the real worker) with `bench.bare.BareUpdateWorkflow` as its only workflow, and the
SDK's Prometheus metrics on ``--metrics-port``. Prints ``ready`` on stdout once it polls; SIGTERM stops it.

    .venv/bin/python bench/bare_worker.py --address 127.0.0.1:7233 --task-queue bench-bare --metrics-port 9464
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from temporalio.client import Client  # noqa: E402

from bench.bare import BareUpdateWorkflow  # noqa: E402
from starter.connect import data_converter, metrics_runtime  # noqa: E402
from starter.logs import configure_logging  # noqa: E402
from worker import build_worker, stop_on_signals  # noqa: E402


async def serve(address: str, namespace: str, task_queue: str, metrics_port: int) -> None:
    client = await Client.connect(
        address,
        namespace=namespace,
        data_converter=data_converter(),
        runtime=metrics_runtime("127.0.0.1", metrics_port),
    )
    stop = asyncio.Event()
    stop_on_signals(stop)
    async with build_worker(
        client, [], task_queue=task_queue, workflows=[BareUpdateWorkflow], pass_through_workflows=True
    ):
        print("ready", flush=True)
        await stop.wait()


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="A worker of bare workflows (the baseline of bench/live_periods.py).")
    p.add_argument("--address", required=True, help="the Temporal frontend, host:port")
    p.add_argument("--namespace", default="default")
    p.add_argument("--task-queue", required=True)
    p.add_argument("--metrics-port", type=int, required=True, help="serve the SDK's metrics on 127.0.0.1:PORT")
    args = p.parse_args(argv)
    configure_logging()
    asyncio.run(serve(args.address, args.namespace, args.task_queue, args.metrics_port))


if __name__ == "__main__":
    main()
