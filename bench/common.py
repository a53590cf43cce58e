"""What the benchmarks of issue 8 share: their servers, the figures table, the JSON results and quiet waiting.

Every benchmark prints its figures as one table, each figure beside a baseline measured in the same run, and
writes them with the run's circumstances (commit, machine, load) to ``bench/results/<name>.json``, which
`bench/all.py` collects into one summary.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import operator
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import psutil
import temporalio

from devstack.postgres import start_embedded_postgres
from devstack.temporal_server import DevServer, free_port

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
T = TypeVar("T")

_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


class BenchmarkError(Exception):
    """A step did not finish or a figure could not be measured (the message says which); the run stops."""


def run_benchmark(main: Callable[[Any], Coroutine[Any, Any, object]], options: Any) -> None:
    """A bench script's entry point: run `main`, and on a `BenchmarkError` say why on stderr and exit 1."""
    try:
        asyncio.run(main(options))
    except BenchmarkError as error:
        print(f"benchmark failed: {error}", file=sys.stderr)
        sys.exit(1)


@dataclass(frozen=True)
class Target:
    """A target on a figure's value or on its ratio to the baseline, e.g. ``Target("ratio", "<=", 1.5)``."""

    on: str  # "value" or "ratio"
    op: str  # one of _COMPARE
    limit: float

    def met(self, value: float, ratio: float) -> bool:
        measured = ratio if self.on == "ratio" else value
        return not math.isnan(measured) and _COMPARE[self.op](measured, self.limit)

    def __str__(self) -> str:
        return f"{self.on} {self.op} {self.limit:g}"


@dataclass
class Figure:
    """One measured figure beside its baseline; ``ratio`` = value / baseline."""

    name: str
    value: float
    baseline: float | None
    unit: str
    target: Target | None = None
    note: str = ""

    @property
    def ratio(self) -> float:
        if self.baseline is None or self.baseline == 0:
            return float("nan")
        return self.value / self.baseline

    @property
    def ok(self) -> bool | None:
        return None if self.target is None else self.target.met(self.value, self.ratio)

    def as_json(self) -> dict[str, Any]:
        ratio = self.ratio
        return {
            "name": self.name,
            "value": self.value,
            "baseline": self.baseline,
            "unit": self.unit,
            "ratio": None if math.isnan(ratio) else ratio,
            "target": None if self.target is None else str(self.target),
            "ok": self.ok,
            "note": self.note,
        }


def result_word(ok: bool | None) -> str:
    return "" if ok is None else ("PASS" if ok else "FAIL")


def number(value: float | None, width: int) -> str:
    """A figure in `width` characters: three significant-ish digits whatever its size."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return f"{'-':>{width}}"
    if abs(value) >= 100:
        return f"{value:>{width}.0f}"
    if abs(value) >= 10:
        return f"{value:>{width}.1f}"
    return f"{value:>{width}.2f}"


def print_table(title: str, figures: Sequence[Figure]) -> None:
    print()
    print(title)
    width = max(44, *(len(f.name) for f in figures))
    print(f"{'figure':<{width}} {'value':>9} {'baseline':>9} {'ratio':>6}  {'unit':<6} {'target':<13} result")
    for f in figures:
        print(
            f"{f.name:<{width}} {number(f.value, 9)} {number(f.baseline, 9)} {number(f.ratio, 6)}  "
            f"{f.unit:<6} {f.target or ''!s:<13} {result_word(f.ok)}"
        )
    for f in figures:
        if f.note:
            print(f"  {f.name}: {f.note}")


def git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.stdout.strip()


def git_dirty() -> bool | None:
    """True when the working tree differs from the commit (the figures are then of uncommitted code)."""
    try:
        out = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return bool(out.stdout.strip())


def write_results(
    benchmark: str,
    output: Path,
    figures: Sequence[Figure],
    *,
    began: float,
    options: dict[str, Any],
    details: dict[str, Any],
    files: Sequence[Path] = (),
) -> None:
    """Write the figures and the run's circumstances as JSON, for comparing commits.

    ``files`` are what the benchmark wrote beside its JSON (plots); the summary of `bench/all.py` lists them.
    """
    results = {
        "benchmark": benchmark,
        "commit": git_commit(),
        "uncommitted_changes": git_dirty(),
        "at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "temporalio": temporalio.__version__,
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "seconds": round(time.perf_counter() - began, 1),
        "options": {k: str(v) if isinstance(v, Path) else v for k, v in options.items()},
        "figures": [f.as_json() for f in figures],
        "files": [str(f.relative_to(ROOT)) if f.is_relative_to(ROOT) else str(f) for f in files],
        "details": details,
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"\nresults written to {output} ({results['seconds']} s)")


def parser(description: str, name: str) -> argparse.ArgumentParser:
    """An argument parser with the options every benchmark takes: --quick and --output."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--quick", action="store_true", help="a smoke run: small counts, one round (figures are noisy)")
    p.add_argument(
        "--output", type=Path, default=RESULTS / f"{name}.json", help=f"the JSON results (bench/results/{name}.json)"
    )
    return p


# --- statistics ------------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """The `q`-th percentile (0-100) by linear interpolation; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


# --- waiting ---------------------------------------------------------------------------------------


async def within(work: Awaitable[T], patience: float, what: str) -> T:
    try:
        return await asyncio.wait_for(work, patience)
    except TimeoutError:
        raise BenchmarkError(f"stuck: {what} not done within {patience:.0f} s") from None


async def bounded(count: int, concurrency: int, call: Callable[[int], Awaitable[T]]) -> list[T]:
    """``call(0) .. call(count - 1)``, at most `concurrency` at a time; the results in order."""
    gate = asyncio.Semaphore(concurrency)

    async def one(i: int) -> T:
        async with gate:
            return await call(i)

    return list(await asyncio.gather(*(one(i) for i in range(count))))


class CpuWatch:
    """The CPU seconds the processes of a run use: this one, and servers and workers by pid."""

    def __init__(self) -> None:
        self._processes: dict[str, tuple[psutil.Process, bool]] = {"bench": (psutil.Process(), False)}

    def add(self, name: str, pid: int, *, with_children: bool = False) -> None:
        self._processes[name] = (psutil.Process(pid), with_children)

    def remove(self, name: str) -> None:
        self._processes.pop(name, None)

    def seconds(self) -> dict[str, float]:
        used = {}
        for name, (process, with_children) in self._processes.items():
            used[name] = _cpu_seconds(process, with_children)
        return used

    async def quiet(self, *, idle: float = 0.15, interval: float = 0.5, patience: float = 60.0) -> float:
        """Wait until all of them together use under `idle` CPU over `interval` seconds; the seconds waited.

        What a phase set going (records written, workflow tasks of the last updates) then no longer
        runs into the next phase's figures.
        """
        began = time.monotonic()
        before = sum(self.seconds().values())
        while time.monotonic() - began < patience:
            await asyncio.sleep(interval)
            after = sum(self.seconds().values())
            if after - before < idle * interval:
                break
            before = after
        return time.monotonic() - began


def _cpu_seconds(process: psutil.Process, with_children: bool) -> float:
    try:
        times = process.cpu_times()
    except psutil.NoSuchProcess:
        return 0.0
    total = times.user + times.system
    if with_children:
        for child in process.children(recursive=True):
            with contextlib.suppress(psutil.NoSuchProcess):
                child_times = child.cpu_times()
                total += child_times.user + child_times.system
    return float(total)


# --- servers ---------------------------------------------------------------------------------------


@dataclass
class Stack:
    """A benchmark's servers in a temporary folder: PostgreSQL (a fresh database) and optionally a dev server."""

    folder: Path
    database_url: str
    server: DevServer | None
    cpu: CpuWatch
    notes: list[str] = field(default_factory=list)

    @property
    def dev_server(self) -> DevServer:
        if self.server is None:
            raise BenchmarkError("this benchmark started no Temporal dev server")
        return self.server


@contextlib.asynccontextmanager
async def stack(prefix: str, *, temporal: bool = True) -> AsyncIterator[Stack]:
    """Start embedded PostgreSQL (or use ``DATABASE_URL``) with a database of the run's own, and a dev server.

    Everything is stopped and deleted on exit; with ``DATABASE_URL`` only the run's database is dropped.
    """
    cpu = CpuWatch()
    with tempfile.TemporaryDirectory(prefix=f"bench-{prefix}-") as name:
        folder = Path(name)
        postgres = None
        url = os.environ.get("DATABASE_URL")
        try:
            if not url:
                postgres = await asyncio.to_thread(start_embedded_postgres, folder / "pgdata", temporary=True)
                url = postgres.url
                pid = int((postgres.data_dir / "postmaster.pid").read_text().split()[0])
                cpu.add("postgres", pid, with_children=True)
            async with fresh_database(url, prefix) as (database_url, note):
                if not temporal:
                    yield Stack(folder, database_url, None, cpu, [note] if note else [])
                    return
                async with await DevServer.start(folder / "temporal.sqlite", free_port()) as server:
                    cpu.add("temporal", server.pid)
                    yield Stack(folder, database_url, server, cpu, [note] if note else [])
        finally:
            if postgres is not None:
                await asyncio.to_thread(postgres.stop)


@contextlib.asynccontextmanager
async def fresh_database(url: str, prefix: str) -> AsyncIterator[tuple[str, str]]:
    """A new, empty database on the server of `url`, dropped afterwards; the URL itself if none may be created."""
    name = f"bench_{prefix}_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(url)
    try:
        try:
            await admin.execute(f'CREATE DATABASE "{name}"')
        except asyncpg.PostgresError as error:
            yield url, f"no database of its own ({error}); the benchmark wrote into {urlsplit(url).path or '/'}"
            return
        try:
            yield urlunsplit(urlsplit(url)._replace(path=f"/{name}")), ""
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def report_header(benchmark: str, quick: bool) -> None:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    mode = " (--quick: a smoke run, figures are noisy)" if quick else ""
    print(f"{benchmark}: {os.cpu_count()} CPUs, load average {load}{mode}", flush=True)
