"""1,000 live periods held by one worker: its memory per cached period and a burst of updates (issue 8, item 1).

Run with `make bench` (or `.venv/bin/python bench/live_periods.py`; ``--help`` lists the options). The script
starts its own Temporal dev server and embedded PostgreSQL (or uses ``DATABASE_URL``, in a database of its own)
and measures two worker processes, one after the other, each started afresh:

1. the real worker, ``python worker.py`` as an operator runs it (its settings from the environment, the SDK's
   metrics on a port). After a warm-up (a few periods started, a meeting each, withdrawn: every code path
   imported once, and the warm-up's runs gone from the cache), its resident memory (RSS, psutil) is read;
   then ``--periods`` periods are started as `guidance start` starts them, and once all are in the worker's
   sticky cache (the SDK's ``temporal_sticky_cache_size`` gauge, read from the worker's metrics) and their
   start records are written, its RSS again: the difference over the number of periods is the memory per
   cached period. Then a burst: one `schedule_meeting` per period, ``--concurrency`` in flight, timed until
   every answer is back (and, second, until every meeting's row and invitation are written); RSS again.
2. the baseline, ``bench/bare_worker.py``: the engine's `build_worker` with only `BareUpdateWorkflow`, the same
   steps with as many bare workflows and one no-op update each.

The sticky cache of both is the SDK's default ``max_cached_workflows``, which must be at least ``--periods``
(checked before the run, and the cache gauge shows every period held, no forced eviction). Target (issue 21):
100 KB or less of worker memory per cached period, held idle and after an update each. Results go to
bench/results/live_periods.json.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import os
import re
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402
from temporalio.client import Client, WorkflowHandle  # noqa: E402
from temporalio.worker import Worker  # noqa: E402

from bench.bare import BareUpdateWorkflow  # noqa: E402
from bench.common import (  # noqa: E402
    BenchmarkError,
    CpuWatch,
    Figure,
    Target,
    bounded,
    parser,
    percentile,
    print_table,
    report_header,
    run_benchmark,
    stack,
    within,
    write_results,
)
from bench.periods import (  # noqa: E402
    PeriodHandle,
    meeting_request,
    period_inputs,
    start_periods,
    wait_for_rows,
)
from devstack.temporal_server import free_port  # noqa: E402
from domain.models import PeriodInput, Withdraw  # noqa: E402
from workflows.guidance_period import GuidancePeriodWorkflow  # noqa: E402

NAME = "live_periods"
#: Issue 21 (was under 200 KB, issue 8): 100 KB or less per cached period, idle and after an update each.
TARGET_KB = 100.0
WORKER_SCRIPT = ROOT / "worker.py"
BARE_WORKER_SCRIPT = ROOT / "bench" / "bare_worker.py"
READY_SECONDS = 90.0
#: Periods (or bare workflows) a worker runs through once before its memory is first read.
WARM = 5
BareHandle = WorkflowHandle[BareUpdateWorkflow, None]
_STICKY_CACHE = "temporal_sticky_cache_size"
_FORCED_EVICTIONS = "temporal_sticky_cache_total_forced_eviction"
_SAMPLE = re.compile(r"^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{[^}]*\})? (?P<value>\S+)$")


def sdk_cache_default() -> int:
    """The SDK's default ``max_cached_workflows``, which `worker.build_worker` leaves as it is."""
    default = inspect.signature(Worker.__init__).parameters["max_cached_workflows"].default
    return int(default)


def metric(text: str, name: str) -> float | None:
    """The sum of the samples of `name` (or of ``name_total``, a counter) on a Prometheus page; None if none."""
    total, found = 0.0, False
    for line in text.splitlines():
        match = _SAMPLE.match(line)
        if match and match["name"] in (name, f"{name}_total"):
            total += float(match["value"])
            found = True
    return total if found else None


def http_get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


def worker_environment(**values: str) -> dict[str, str]:
    """This process's environment without the engine's and Temporal's settings (the codec keys stay), plus `values`."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not (k.startswith(("TEMPORAL_", "GUIDANCE_")) or k == "DATABASE_URL") or k == "GUIDANCE_CODEC_KEYS"
    }
    env.update(values)
    return env


@dataclass
class WorkerProcess:
    """A worker in a process of its own, its log in a file, its SDK metrics on `metrics_port`."""

    name: str
    folder: Path
    metrics_port: int
    process: asyncio.subprocess.Process | None = None
    memory: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def pid(self) -> int:
        if self.process is None:
            raise BenchmarkError(f"the {self.name} worker is not running")
        return self.process.pid

    async def metrics(self) -> str:
        status, text = await asyncio.to_thread(http_get, f"http://127.0.0.1:{self.metrics_port}/metrics")
        if status != 200:
            raise BenchmarkError(f"the {self.name} worker's metrics answered {status}")
        return text

    async def cached(self) -> float:
        return metric(await self.metrics(), _STICKY_CACHE) or 0.0

    async def wait_cached(self, count: int, patience: float, *, evicting: bool = False) -> float:
        """Wait until the sticky cache holds at least `count` runs; the seconds waited.

        With `evicting`, runs the cache evicted to make room count as cached (each was cached once): for more
        runs than the cache may hold. Without, an eviction is an error (the memory per run would be wrong).
        """
        began = time.monotonic()
        while True:
            text = await self.metrics()
            held = metric(text, _STICKY_CACHE) or 0.0
            evicted = metric(text, _FORCED_EVICTIONS) or 0.0
            if held + (evicted if evicting else 0.0) >= count:
                break
            if evicted and not evicting:
                raise BenchmarkError(
                    f"the {self.name} worker evicted {evicted:.0f} runs from its sticky cache at {held:.0f} held: "
                    f"its max_cached_workflows is under {count}"
                )
            if time.monotonic() - began > patience:
                raise BenchmarkError(f"stuck: the {self.name} worker's cache holds {held:.0f} of {count} runs")
            self.check_alive()
            await asyncio.sleep(0.5)
        return time.monotonic() - began

    def check_alive(self) -> None:
        if self.process is not None and self.process.returncode is not None:
            raise BenchmarkError(f"the {self.name} worker exited with {self.process.returncode}: {self.log_tail()}")

    async def read_memory(self, label: str) -> dict[str, float]:
        """RSS and USS (MB) of the process now, and the cache gauge; kept under `label`."""
        info = psutil.Process(self.pid).memory_full_info()
        text = await self.metrics()
        reading = {
            "rss_mb": info.rss / 2**20,
            "uss_mb": info.uss / 2**20,
            "sticky_cache_size": metric(text, _STICKY_CACHE) or 0.0,
            "forced_evictions": metric(text, _FORCED_EVICTIONS) or 0.0,
        }
        self.memory[label] = reading
        return reading

    def log_tail(self, lines: int = 20) -> str:
        path = self.folder / "worker.log"
        if not path.exists():
            return "(no log)"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    async def stop(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.terminate()
        try:
            await asyncio.wait_for(self.process.wait(), 60)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()


@contextlib.asynccontextmanager
async def engine_worker_process(folder: Path, address: str, database_url: str) -> AsyncIterator[WorkerProcess]:
    """``python worker.py`` with its settings from the environment; ready once /readyz answers 200."""
    health_port, metrics_port = free_port(), free_port()
    env = worker_environment(
        TEMPORAL_ADDRESS=address,
        TEMPORAL_NAMESPACE="default",
        DATABASE_URL=database_url,
        GUIDANCE_DATA_DIR=str(folder),
        GUIDANCE_HEALTH_HOST="127.0.0.1",
        GUIDANCE_HEALTH_PORT=str(health_port),
        GUIDANCE_METRICS_HOST="127.0.0.1",
        GUIDANCE_METRICS_PORT=str(metrics_port),
    )
    worker = WorkerProcess("engine", folder, metrics_port)
    with open_log(folder) as log:
        worker.process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(WORKER_SCRIPT),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            cwd=folder,
            env=env,
        )
    try:
        began = time.monotonic()
        while (await asyncio.to_thread(_status, f"http://127.0.0.1:{health_port}/readyz")) != 200:
            worker.check_alive()
            if time.monotonic() - began > READY_SECONDS:
                raise BenchmarkError(f"the engine worker was not ready in {READY_SECONDS:.0f} s: {worker.log_tail()}")
            await asyncio.sleep(0.2)
        yield worker
    finally:
        await worker.stop()


def open_log(folder: Path) -> IO[bytes]:
    """The worker's log file in `folder` (created), opened for appending."""
    folder.mkdir(parents=True, exist_ok=True)
    return (folder / "worker.log").open("ab")


def _status(url: str) -> int:
    try:
        return http_get(url)[0]
    except OSError:
        return 0


@contextlib.asynccontextmanager
async def bare_worker_process(folder: Path, address: str, task_queue: str) -> AsyncIterator[WorkerProcess]:
    """``bench/bare_worker.py``; ready once it prints ``ready``."""
    worker = WorkerProcess("bare", folder, free_port())
    args = ["--address", address, "--task-queue", task_queue, "--metrics-port", str(worker.metrics_port)]
    with open_log(folder) as log:
        worker.process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(BARE_WORKER_SCRIPT),
            *args,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=log,
            cwd=folder,
            env=worker_environment(),
        )
    try:
        assert worker.process.stdout is not None
        line = await within(worker.process.stdout.readline(), READY_SECONDS, "the bare worker's start")
        if line.strip() != b"ready":
            raise BenchmarkError(f"the bare worker did not start: {worker.log_tail()}")
        yield worker
    finally:
        await worker.stop()


@dataclass
class Phase:
    """What one worker did: memory before and after, start and burst times, burst latencies."""

    count: int
    before: dict[str, float] = field(default_factory=dict)
    held: dict[str, float] = field(default_factory=dict)
    after_burst: dict[str, float] = field(default_factory=dict)
    start_seconds: float = 0.0
    cached_seconds: float = 0.0
    burst_seconds: float = 0.0
    settled_seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    cpu: dict[str, dict[str, float]] = field(default_factory=dict)

    def per_run_kb(self, after: dict[str, float], key: str = "rss_mb") -> float:
        return (after[key] - self.before[key]) * 1024 / self.count

    def summary(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "memory_before": self.before,
            "memory_held": self.held,
            "memory_after_burst": self.after_burst,
            "rss_kb_per_run_held": self.per_run_kb(self.held),
            "rss_kb_per_run_after_burst": self.per_run_kb(self.after_burst),
            "uss_kb_per_run_held": self.per_run_kb(self.held, "uss_mb"),
            "start_seconds": self.start_seconds,
            "start_rate": self.count / self.start_seconds if self.start_seconds else None,
            "cached_seconds": self.cached_seconds,
            "burst_seconds": self.burst_seconds,
            "burst_rate": self.count / self.burst_seconds if self.burst_seconds else None,
            "burst_p50_ms": percentile(self.latencies_ms, 50),
            "burst_p99_ms": percentile(self.latencies_ms, 99),
            "settled_seconds": self.settled_seconds,
            "cpu_seconds": self.cpu,
        }


async def timed_ms(work: Any) -> float:
    began = time.perf_counter()
    await work
    return (time.perf_counter() - began) * 1000


def cpu_since(cpu: CpuWatch, before: dict[str, float]) -> dict[str, float]:
    return {name: round(seconds - before.get(name, 0.0), 2) for name, seconds in cpu.seconds().items()}


async def warm_up_periods(client: Client, cpu: CpuWatch, database_url: str, inputs: list[PeriodInput]) -> None:
    """Every code path of a period imported once: `inputs` started, a meeting each, withdrawn and ended."""
    warm_handles = await start_periods(client, inputs, len(inputs))
    for i, handle in enumerate(warm_handles):
        await handle.execute_update(GuidancePeriodWorkflow.schedule_meeting, meeting_request(i))
        await handle.execute_update(GuidancePeriodWorkflow.withdraw, Withdraw(reason="warm-up", by="bench"))
    await within(asyncio.gather(*(h.result() for h in warm_handles)), 120, "the warm-up periods' end")
    await wait_for_rows(database_url, "final_evaluations", len(inputs), 120)
    await cpu.quiet()


async def meeting_burst(handles: list[PeriodHandle], indices: list[int], concurrency: int) -> list[float]:
    """One `schedule_meeting` to each period of `indices`, `concurrency` in flight; each round trip (ms)."""
    return await within(
        bounded(
            len(indices),
            concurrency,
            lambda i: timed_ms(
                handles[indices[i]].execute_update(
                    GuidancePeriodWorkflow.schedule_meeting, meeting_request(WARM + indices[i])
                )
            ),
        ),
        900,
        "the burst of meetings",
    )


def bare_starter(client: Client, task_queue: str) -> Callable[[int], Awaitable[BareHandle]]:
    """Starts the `i`-th `BareUpdateWorkflow` of a run (ids of the run's own) on `task_queue`."""
    prefix = f"bare-{uuid.uuid4().hex[:6]}"

    async def start(i: int) -> BareHandle:
        return await client.start_workflow(BareUpdateWorkflow.run, id=f"{prefix}-{i}", task_queue=task_queue)

    return start


async def warm_up_bare(cpu: CpuWatch, start: Callable[[int], Awaitable[BareHandle]]) -> None:
    """The bare worker's paths taken once: `WARM` bare workflows started, a no-op update each, finished."""
    warm_handles = [await start(i) for i in range(WARM)]
    for handle in warm_handles:
        await handle.execute_update(BareUpdateWorkflow.noop)
        await handle.execute_update(BareUpdateWorkflow.finish)
    await within(asyncio.gather(*(h.result() for h in warm_handles)), 120, "the warm-up workflows' end")
    await cpu.quiet()


async def noop_burst(handles: list[BareHandle], indices: list[int], concurrency: int) -> list[float]:
    """One no-op update to each bare workflow of `indices`, `concurrency` in flight; each round trip (ms)."""
    return await within(
        bounded(
            len(indices), concurrency, lambda i: timed_ms(handles[indices[i]].execute_update(BareUpdateWorkflow.noop))
        ),
        900,
        "the burst of no-op updates",
    )


async def measure_periods(
    client: Client, cpu: CpuWatch, database_url: str, worker: WorkerProcess, options: Any
) -> Phase:
    n, warm = options.periods, WARM
    run_id = uuid.uuid4().hex[:6]
    inputs = period_inputs(warm + n, f"live{run_id}")
    print(f"engine worker (pid {worker.pid}): warming up with {warm} periods ...", flush=True)
    await warm_up_periods(client, cpu, database_url, inputs[:warm])
    phase = Phase(n)
    phase.before = await worker.read_memory("before")
    print(
        f"  RSS {phase.before['rss_mb']:.1f} MB, cache {phase.before['sticky_cache_size']:.0f}; "
        f"starting {n} periods, {options.start_concurrency} at a time ...",
        flush=True,
    )
    before, began = cpu.seconds(), time.perf_counter()
    handles = await within(start_periods(client, inputs[warm:], options.start_concurrency), 900, "period starts")
    phase.start_seconds = time.perf_counter() - began
    phase.cached_seconds = await worker.wait_cached(n, 900) + phase.start_seconds
    await wait_for_rows(database_url, "periods", warm + n, 900)
    phase.cpu["start"] = cpu_since(cpu, before)
    await cpu.quiet()
    phase.held = await worker.read_memory("held")
    print(
        f"  RSS {phase.held['rss_mb']:.1f} MB, cache {phase.held['sticky_cache_size']:.0f}; burst of {n} "
        f"schedule_meeting updates, {options.concurrency} in flight ...",
        flush=True,
    )
    before, began = cpu.seconds(), time.perf_counter()
    phase.latencies_ms = await meeting_burst(handles, list(range(n)), options.concurrency)
    phase.burst_seconds = time.perf_counter() - began
    await wait_for_rows(database_url, "meetings", warm + n, 900)  # every meeting's row and invitation written
    phase.settled_seconds = time.perf_counter() - began
    phase.cpu["burst"] = cpu_since(cpu, before)
    await cpu.quiet()
    phase.after_burst = await worker.read_memory("after_burst")
    print(f"  RSS {phase.after_burst['rss_mb']:.1f} MB, cache {phase.after_burst['sticky_cache_size']:.0f}", flush=True)
    return phase


async def measure_bare(client: Client, cpu: CpuWatch, worker: WorkerProcess, task_queue: str, options: Any) -> Phase:
    n, warm = options.periods, WARM
    start = bare_starter(client, task_queue)
    print(f"bare worker (pid {worker.pid}): warming up with {warm} bare workflows ...", flush=True)
    await warm_up_bare(cpu, start)
    phase = Phase(n)
    phase.before = await worker.read_memory("before")
    print(f"  RSS {phase.before['rss_mb']:.1f} MB; starting {n} bare workflows ...", flush=True)
    before, began = cpu.seconds(), time.perf_counter()
    handles = await within(bounded(n, options.start_concurrency, lambda i: start(warm + i)), 900, "bare starts")
    phase.start_seconds = time.perf_counter() - began
    phase.cached_seconds = await worker.wait_cached(n, 900) + phase.start_seconds
    phase.cpu["start"] = cpu_since(cpu, before)
    await cpu.quiet()
    phase.held = await worker.read_memory("held")
    print(f"  RSS {phase.held['rss_mb']:.1f} MB; burst of {n} no-op updates ...", flush=True)
    before, began = cpu.seconds(), time.perf_counter()
    phase.latencies_ms = await noop_burst(handles, list(range(n)), options.concurrency)
    phase.burst_seconds = phase.settled_seconds = time.perf_counter() - began
    phase.cpu["burst"] = cpu_since(cpu, before)
    await cpu.quiet()
    phase.after_burst = await worker.read_memory("after_burst")
    print(f"  RSS {phase.after_burst['rss_mb']:.1f} MB", flush=True)
    return phase


def figures(periods: Phase, bare: Phase) -> list[Figure]:
    target = Target("value", "<=", TARGET_KB)
    held = periods.held
    return [
        Figure(
            "worker RSS per cached period (vs bare workflow)",
            periods.per_run_kb(periods.held),
            bare.per_run_kb(bare.held),
            "KB",
            target,
            f"{periods.count} held; cache gauge {held['sticky_cache_size']:.0f}, "
            f"forced evictions {held['forced_evictions']:.0f}",
        ),
        Figure(
            "worker RSS per cached period, after an update each",
            periods.per_run_kb(periods.after_burst),
            bare.per_run_kb(bare.after_burst),
            "KB",
            target,
        ),
        Figure(
            "burst of updates (schedule_meeting vs noop)",
            periods.count / periods.burst_seconds,
            bare.count / bare.burst_seconds,
            "1/s",
        ),
        Figure("burst round trip p50", percentile(periods.latencies_ms, 50), percentile(bare.latencies_ms, 50), "ms"),
        Figure("burst round trip p99", percentile(periods.latencies_ms, 99), percentile(bare.latencies_ms, 99), "ms"),
        Figure(
            "burst settled: every meeting recorded (s)",
            periods.settled_seconds,
            bare.burst_seconds,
            "s",
            note="periods: until the last meeting's row and invitation are written; bare: until the last answer",
        ),
        Figure(
            "starts until all cached (1/s)",
            periods.count / periods.cached_seconds,
            bare.count / bare.cached_seconds,
            "1/s",
        ),
    ]


async def main(options: Any) -> list[Figure]:
    began = time.perf_counter()
    report_header(NAME, options.quick)
    cache = sdk_cache_default()
    if cache < options.periods:
        raise BenchmarkError(
            f"the SDK's default max_cached_workflows ({cache}) is under {options.periods} periods: the worker "
            "would evict periods and the memory per cached period would be wrong"
        )
    async with stack("live") as s:
        server = s.dev_server
        client = await server.connect()
        async with engine_worker_process(s.folder / "engine-worker", server.address, s.database_url) as worker:
            s.cpu.add("worker", worker.pid)
            periods = await measure_periods(client, s.cpu, s.database_url, worker, options)
        s.cpu.remove("worker")
        queue = f"bench-bare-{uuid.uuid4().hex[:6]}"
        async with bare_worker_process(s.folder / "bare-worker", server.address, queue) as worker:
            s.cpu.add("worker", worker.pid)
            bare = await measure_bare(client, s.cpu, worker, queue, options)
        s.cpu.remove("worker")
    result = figures(periods, bare)
    print_table(
        f"{options.periods} live periods in one worker process (python worker.py) vs {options.periods} bare "
        f"workflows in one (bench/bare_worker.py); sticky cache max {cache} (SDK default)",
        result,
    )
    for note in s.notes:
        print(f"note: {note}")
    write_results(
        NAME,
        options.output,
        result,
        began=began,
        options={**vars(options), "max_cached_workflows": cache},
        details={"periods": periods.summary(), "bare": bare.summary()},
    )
    return result


def parse_options(argv: list[str] | None = None) -> Any:
    p = parser("1,000 live periods in one worker: memory per cached period and a burst of updates.", NAME)
    p.add_argument("--periods", type=int, default=1000, help="periods (and bare workflows) held (1000; --quick 100)")
    p.add_argument("--concurrency", type=int, default=100, help="updates in flight in the burst (100; --quick 20)")
    p.add_argument("--start-concurrency", type=int, default=50, help="starts in flight (50)")
    options = p.parse_args(argv)
    if options.quick:
        if options.periods == 1000:
            options.periods = 100
        if options.concurrency == 100:
            options.concurrency = 20
    return options


if __name__ == "__main__":
    run_benchmark(main, parse_options())
