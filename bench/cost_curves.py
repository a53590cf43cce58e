"""Cost as work grows (issue 21, item 4): the curves of cohort starts and live periods, a table, a plot and its bends.

Run with `make bench` (or `.venv/bin/python bench/cost_curves.py`; ``--help`` lists the options). The script
starts its own Temporal dev server and embedded PostgreSQL (or uses ``DATABASE_URL``, in a database of its own)
and measures four worker processes, one after the other, each started afresh and warmed up first:

1. cohorts: ``python worker.py`` (the real worker, as `bench/live_periods.py` runs it) starts cohorts of 50,
   100, 200 and 371 owners (``--cohorts``; the first N owners of the 371, so the smaller are subsets), one after
   the other, each as `bench/cohort_start.py` starts one (`run_cohort`: every owner accepted, timed until the
   cohort's ``status`` says every period started). After each, once the worker's sticky cache holds the new
   periods and the processes are quiet, its resident memory (RSS): the growth over the cohort's owners is the
   memory per owner. The baseline, `bench/bare_worker.py`, takes as many bare workflows (held, waiting for an
   update) from client starts at the cohort's concurrency (the cohort requests up to ``START_BATCH`` starts
   together), and its RSS is read the same way.
2. live periods: a fresh ``python worker.py`` is brought to 1,000, 3,000 and 10,000 live periods (``--live``),
   started as `guidance start` starts them; at each size, once every period's start record is written, its RSS,
   its sticky cache gauge and forced evictions, then a burst of ``--burst`` `schedule_meeting` updates spread
   evenly over all the live periods (timed, until every meeting is recorded). The baseline is a fresh bare worker
   brought to as many bare workflows, with a no-op update to the same spread.

Both workers keep the SDK's default sticky cache (``max_cached_workflows``, 1,000): beyond it a worker evicts the
least recently used runs, and an update to an evicted run replays its history first. The bench prints each curve
as a table, draws them into ``bench/results/cost_curves.png`` (matplotlib, Agg backend), says where each curve
bends and why, computed from the points, and writes every point to ``bench/results/cost_curves.json``. The issue
sets no target on the curves: its figures stand without one.
"""

from __future__ import annotations

import itertools
import math
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from temporalio.client import Client  # noqa: E402

from bench import cohort_start  # noqa: E402
from bench.common import (  # noqa: E402
    RESULTS,
    Figure,
    Stack,
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
from bench.live_periods import (  # noqa: E402
    WARM,
    BareHandle,
    WorkerProcess,
    bare_starter,
    bare_worker_process,
    engine_worker_process,
    meeting_burst,
    noop_burst,
    sdk_cache_default,
    warm_up_bare,
    warm_up_periods,
)
from bench.periods import PeriodHandle, period_inputs, start_periods, wait_for_rows  # noqa: E402
from workflows.cohort import START_BATCH  # noqa: E402

NAME = "cost_curves"
PLOT = RESULTS / f"{NAME}.png"
#: Seconds a step may take before the run stops as stuck (10,000 starts on a busy machine take long).
PATIENCE = 1800.0
#: Per-item cost that moves by more than this share between two neighbouring points is a bend worth naming.
BEND = 0.25


@dataclass
class Point:
    """One size of one curve: the work (owners or live periods), its time, and the worker's memory after it."""

    size: int
    seconds: float  # until every start was seen (cohort: its status; live: every start record written)
    rss_mb: float
    rss_growth_mb: float  # over the reading before this size's work
    cached: float
    evictions: float
    added: int  # items this size added (a cohort's owners; the live periods started since the last size)
    burst_p50_ms: float | None = None
    burst_p99_ms: float | None = None
    burst_seconds: float | None = None
    rss_after_burst_mb: float | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.added / self.seconds if self.seconds else float("nan")

    @property
    def kb_per_added(self) -> float:
        return self.rss_growth_mb * 1024 / self.added if self.added else float("nan")


@dataclass
class Curve:
    """A curve of the engine's worker beside its bare baseline at the same sizes; `rss_start_mb` after warm-up."""

    engine: list[Point] = field(default_factory=list)
    bare: list[Point] = field(default_factory=list)
    engine_start_mb: float = 0.0
    bare_start_mb: float = 0.0


# --- cohorts ---------------------------------------------------------------------------------------


def cohort_options(options: Any) -> cohort_start.Options:
    return cohort_start.Options(None, 1, WARM, None, False, 0.05, PATIENCE, options.output)


async def cohorts_engine(s: Stack, client: Client, sizes: Sequence[int], options: Any) -> tuple[list[Point], float]:
    server = s.dev_server
    run = uuid.uuid4().hex[:6]
    meter = cohort_start.Meter(server.pid, None)  # its CPU figures are not used here
    points = []
    async with engine_worker_process(s.folder / "cohort-worker", server.address, s.database_url) as worker:
        s.cpu.add("worker", worker.pid)
        print(f"cohorts, engine worker (pid {worker.pid}): warming up with a cohort of {WARM} ...", flush=True)
        await cohort_start.run_cohort(client, meter, f"warm{run}", WARM, cohort_options(options))
        await s.cpu.quiet()
        start = last = await worker.read_memory("warm")
        for size in sizes:
            print(f"  a cohort of {size} owners ...", flush=True)
            phase = await cohort_start.run_cohort(client, meter, f"curve{run}n{size}", size, cohort_options(options))
            held = last["sticky_cache_size"] + last["forced_evictions"] + size
            await worker.wait_cached(round(held), PATIENCE, evicting=True)
            await s.cpu.quiet()
            now = await worker.read_memory(f"cohort {size}")
            points.append(point(size, size, phase.started_seconds, last, now, cohort_facts(phase)))
            last = now
        s.cpu.remove("worker")
    return points, start["rss_mb"]


def cohort_facts(phase: cohort_start.Phase) -> dict[str, Any]:
    """What the cohort's own histories say of its work (for the why of a bend)."""
    d = phase.details
    return {
        "settled_seconds": phase.settled_seconds,
        "cohort_runs": d.get("runs"),
        "cohort_events": sum(d.get("events_per_run", [])),
        "cohort_history_bytes": sum(d.get("history_bytes_per_run", [])),
        "cohort_workflow_tasks": d.get("workflow_tasks"),
        "cohort_workflow_task_seconds_total": d.get("workflow_task_seconds_total"),
        "cohort_workflow_task_seconds_max": d.get("workflow_task_seconds_max"),
        "status_queries": d.get("status_queries"),
        "child_start_batches": d.get("child_start_batches"),
    }


async def cohorts_bare(s: Stack, client: Client, sizes: Sequence[int]) -> tuple[list[Point], float]:
    server = s.dev_server
    queue = f"bench-bare-{uuid.uuid4().hex[:6]}"
    points = []
    async with bare_worker_process(s.folder / "cohort-bare-worker", server.address, queue) as worker:
        s.cpu.add("worker", worker.pid)
        print(f"cohorts, bare worker (pid {worker.pid}): warming up ...", flush=True)
        start_one = bare_starter(client, queue)
        await warm_up_bare(s.cpu, start_one)
        start = last = await worker.read_memory("warm")
        first = WARM
        for size in sizes:
            print(f"  {size} bare starts ...", flush=True)
            began = time.perf_counter()
            await start_bare(start_one, first, size, min(size, START_BATCH))
            seconds = time.perf_counter() - began
            first += size
            now = await held_reading(s, worker, last, size, f"bare {size}")
            points.append(point(size, size, seconds, last, now))
            last = now
        s.cpu.remove("worker")
    return points, start["rss_mb"]


async def start_bare(
    start_one: Callable[[int], Awaitable[BareHandle]], first: int, count: int, concurrency: int
) -> list[BareHandle]:
    """Bare workflows ``first .. first + count - 1``, `concurrency` starts in flight; their handles."""
    return await within(bounded(count, concurrency, lambda i: start_one(first + i)), PATIENCE, "bare starts")


async def held_reading(
    s: Stack, worker: WorkerProcess, last: dict[str, float], added: int, label: str
) -> dict[str, float]:
    """The worker's memory once `added` more runs have been cached (or cached and evicted) and all is quiet."""
    held = last["sticky_cache_size"] + last["forced_evictions"] + added
    await worker.wait_cached(round(held), PATIENCE, evicting=True)
    await s.cpu.quiet()
    return await worker.read_memory(label)


def point(
    size: int,
    added: int,
    seconds: float,
    before: dict[str, float],
    after: dict[str, float],
    details: dict[str, Any] | None = None,
) -> Point:
    return Point(
        size=size,
        seconds=seconds,
        rss_mb=after["rss_mb"],
        rss_growth_mb=after["rss_mb"] - before["rss_mb"],
        cached=after["sticky_cache_size"],
        evictions=after["forced_evictions"],
        added=added,
        details=details or {},
    )


# --- live periods ----------------------------------------------------------------------------------


def spread(size: int, count: int) -> list[int]:
    """`count` indices (at most `size`) spread evenly over ``range(size)``: the old periods as well as the new."""
    count = min(size, count)
    return [i * size // count for i in range(count)]


def burst_into(p: Point, latencies: list[float], seconds: float, after: dict[str, float]) -> None:
    p.burst_p50_ms = percentile(latencies, 50)
    p.burst_p99_ms = percentile(latencies, 99)
    p.burst_seconds = seconds
    p.rss_after_burst_mb = after["rss_mb"]
    p.details["burst_evictions"] = after["forced_evictions"] - p.evictions


async def live_engine(s: Stack, client: Client, sizes: Sequence[int], options: Any) -> tuple[list[Point], float]:
    server = s.dev_server
    inputs = period_inputs(WARM + max(sizes), f"curve{uuid.uuid4().hex[:6]}n")
    handles: list[PeriodHandle] = []
    points = []
    meetings = WARM
    async with engine_worker_process(s.folder / "live-worker", server.address, s.database_url) as worker:
        s.cpu.add("worker", worker.pid)
        print(f"live periods, engine worker (pid {worker.pid}): warming up with {WARM} periods ...", flush=True)
        await warm_up_periods(client, s.cpu, s.database_url, inputs[:WARM])
        start = last = await worker.read_memory("warm")
        for size in sizes:
            added = size - len(handles)
            print(f"  starting {added} periods to {size} live, {options.start_concurrency} at a time ...", flush=True)
            began = time.perf_counter()
            handles += await within(
                start_periods(client, inputs[WARM + len(handles) : WARM + size], options.start_concurrency),
                PATIENCE,
                "period starts",
            )
            await wait_for_rows(s.database_url, "periods", WARM + size, PATIENCE)
            seconds = time.perf_counter() - began
            now = await held_reading(s, worker, last, added, f"{size} live")
            p = point(size, added, seconds, last, now, {"history_events": await history_length(handles[0])})
            indices = spread(size, options.burst)
            print(f"  RSS {now['rss_mb']:.0f} MB; a burst of {len(indices)} schedule_meeting ...", flush=True)
            began = time.perf_counter()
            latencies = await meeting_burst(handles, indices, options.concurrency)
            meetings += len(indices)
            await wait_for_rows(s.database_url, "meetings", meetings, PATIENCE)
            seconds = time.perf_counter() - began
            await s.cpu.quiet()
            last = await worker.read_memory(f"{size} live, after burst")
            burst_into(p, latencies, seconds, last)
            points.append(p)
        s.cpu.remove("worker")
    return points, start["rss_mb"]


async def history_length(handle: PeriodHandle) -> int:
    """The events of the oldest live period's history: what an update to it replays once it is evicted."""
    description = await handle.describe()
    return int(description.raw_description.workflow_execution_info.history_length)


async def live_bare(s: Stack, client: Client, sizes: Sequence[int], options: Any) -> tuple[list[Point], float]:
    server = s.dev_server
    queue = f"bench-bare-{uuid.uuid4().hex[:6]}"
    handles: list[BareHandle] = []
    points = []
    async with bare_worker_process(s.folder / "live-bare-worker", server.address, queue) as worker:
        s.cpu.add("worker", worker.pid)
        print(f"live periods, bare worker (pid {worker.pid}): warming up ...", flush=True)
        start_one = bare_starter(client, queue)
        await warm_up_bare(s.cpu, start_one)
        start = last = await worker.read_memory("warm")
        for size in sizes:
            added = size - len(handles)
            print(f"  starting {added} bare workflows to {size} live ...", flush=True)
            began = time.perf_counter()
            handles += await start_bare(start_one, WARM + len(handles), added, options.start_concurrency)
            now = await held_reading(s, worker, last, added, f"bare {size}")
            p = point(size, added, time.perf_counter() - began, last, now)
            began = time.perf_counter()
            latencies = await noop_burst(handles, spread(size, options.burst), options.concurrency)
            seconds = time.perf_counter() - began
            await s.cpu.quiet()
            last = await worker.read_memory(f"bare {size}, after burst")
            burst_into(p, latencies, seconds, last)
            points.append(p)
        s.cpu.remove("worker")
    return points, start["rss_mb"]


# --- what the points say ---------------------------------------------------------------------------


def cohort_bends(curve: Curve) -> list[str]:
    """Where the cohort curves bend: the time per owner and the memory per owner, point to point."""
    found = []
    pairs = list(zip(curve.engine, curve.bare, strict=True))
    first, first_bare = pairs[0]
    for (e0, b0), (e1, b1) in itertools.pairwise(pairs):
        per0, per1 = e0.seconds / e0.size * 1000, e1.seconds / e1.size * 1000
        bare0, bare1 = b0.seconds / b0.size * 1000, b1.seconds / b1.size * 1000
        change = per1 / per0 - 1
        if abs(change) > BEND:
            facts = e1.details
            why = (
                f"the bare starts' time per start went {bare0:.1f} -> {bare1:.1f} ms; the cohort's own workflow "
                f"tasks took {facts.get('cohort_workflow_task_seconds_total')} s ({facts.get('cohort_workflow_tasks')} "
                f"tasks, longest {facts.get('cohort_workflow_task_seconds_max')} s) over {facts.get('cohort_events')} "
                f"history events"
            )
            direction = "rises" if change > 0 else "falls"
            reason = (
                "fixed costs (the cohort's first tasks, its plan, the first query) spread over more owners"
                if change < 0
                else "the work grows faster than the owners"
            )
            found.append(
                f"cohort start: the time per owner {direction} {abs(change):.0%} from {e0.size} to {e1.size} owners "
                f"({per0:.1f} -> {per1:.1f} ms): {reason}; {why}"
            )
        kb0, kb1 = e0.kb_per_added, e1.kb_per_added
        if kb0 > 0 and abs(kb1 / kb0 - 1) > BEND:
            found.append(
                f"worker memory per cohort owner moves {kb0:.0f} -> {kb1:.0f} KB from {e0.size} to {e1.size} owners "
                "(RSS grows in the allocator's arenas, not smoothly with each period: small cohorts fit in memory "
                "the worker already holds)"
            )
    if not found:
        last, last_bare = pairs[-1]
        found.append(
            f"cohort start: no bend from {first.size} to {last.size} owners: the time per owner stays within "
            f"{BEND:.0%} of its neighbour's ({first.seconds / first.size * 1000:.1f} -> "
            f"{last.seconds / last.size * 1000:.1f} ms; bare {first_bare.seconds / first_bare.size * 1000:.1f} -> "
            f"{last_bare.seconds / last_bare.size * 1000:.1f} ms), and memory per owner too"
        )
    return found


def live_bends(curve: Curve, cache: int) -> list[str]:
    """Where the live-period curves bend: memory per added period, and the burst's latency, point to point."""
    found = []
    for e0, e1 in itertools.pairwise(curve.engine):
        kb0, kb1 = e0.kb_per_added, e1.kb_per_added
        if kb0 > 0 and abs(kb1 / kb0 - 1) > BEND:
            if e1.evictions > e0.evictions:
                why = (
                    f"the sticky cache (max_cached_workflows {cache}) holds {e1.cached:.0f} runs and has evicted "
                    f"{e1.evictions:.0f}: beyond {cache} live periods the worker keeps only the recently used ones, "
                    "so its memory follows the cache, not the periods (the plateau); what still grows is the "
                    "SDK's bookkeeping and the allocator's unreturned arenas"
                )
            else:
                why = "no evictions yet: the allocator's arenas grow in steps, not per period"
            found.append(
                f"live periods: memory per added period {kb0:.0f} -> {kb1:.0f} KB from {e0.size} to {e1.size}: {why}"
            )
        if e0.burst_p50_ms and e1.burst_p50_ms and abs(e1.burst_p50_ms / e0.burst_p50_ms - 1) > BEND:
            evicted_share = max(0.0, 1 - e1.cached / e1.size)
            # A fall cannot come from the cache (more misses only add replays): then the machine's load moved it.
            why = (
                f"about {evicted_share:.0%} of the updates reached an evicted period, which the worker first "
                f"replays from its history ({e1.details.get('history_events')} events for the oldest) before it "
                f"runs the update; {e1.details.get('burst_evictions', 0):.0f} more evictions during the burst"
                if e1.burst_p50_ms > e0.burst_p50_ms
                else "a fall no eviction explains: the load of the machine changed between the bursts"
            )
            found.append(
                f"live periods: the burst's p50 round trip {e0.burst_p50_ms:.0f} -> {e1.burst_p50_ms:.0f} ms from "
                f"{e0.size} to {e1.size}: {why}"
            )
    if not found:
        found.append(
            f"live periods: no bend from {curve.engine[0].size} to {curve.engine[-1].size}: memory per added period "
            f"and the burst's p50 stay within {BEND:.0%} of their neighbours'"
            + (f" (all within the sticky cache of {cache})" if curve.engine[-1].size <= cache else "")
        )
    return found


def print_curves(cohorts: Curve, live: Curve, cache: int) -> None:
    print()
    print(
        "cohort start (python worker.py, cohorts one after the other) vs bare starts at the same concurrency "
        "(bench/bare_worker.py); RSS growth over the previous reading"
    )
    print(
        f"{'owners':>7} {'s':>7} {'rate/s':>7} {'bare/s':>7} {'ratio':>6} {'ms/owner':>9} {'RSS MB':>7} "
        f"{'KB/owner':>9} {'bare KB':>8} {'cache':>6}"
    )
    for e, b in zip(cohorts.engine, cohorts.bare, strict=True):
        print(
            f"{e.size:>7} {e.seconds:>7.2f} {e.rate:>7.1f} {b.rate:>7.1f} {e.rate / b.rate:>6.2f} "
            f"{e.seconds / e.size * 1000:>9.1f} {e.rss_mb:>7.0f} {e.kb_per_added:>9.0f} {b.kb_per_added:>8.0f} "
            f"{e.cached:>6.0f}"
        )
    print()
    print(
        f"live periods (python worker.py) vs bare workflows (bench/bare_worker.py); sticky cache max {cache}; "
        "KB/live = RSS over the warm worker's / live periods, KB/cached = the same / runs in the cache"
    )
    print(
        f"{'live':>6} {'RSS MB':>7} {'bare MB':>8} {'KB/live':>8} {'KB/cached':>9} {'bare KB':>8} {'cache':>6} "
        f"{'evicted':>8} {'starts/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'bare p50':>8}"
    )
    for e, b in zip(live.engine, live.bare, strict=True):
        print(
            f"{e.size:>6} {e.rss_mb:>7.0f} {b.rss_mb:>8.0f} {kb_per(e, live.engine_start_mb, e.size):>8.0f} "
            f"{kb_per(e, live.engine_start_mb, e.cached):>9.0f} {kb_per(b, live.bare_start_mb, b.size):>8.0f} "
            f"{e.cached:>6.0f} {e.evictions:>8.0f} {e.rate:>8.1f} {e.burst_p50_ms or math.nan:>7.0f} "
            f"{e.burst_p99_ms or math.nan:>7.0f} {b.burst_p50_ms or math.nan:>8.0f}"
        )


def kb_per(p: Point, start_mb: float, count: float) -> float:
    """The worker's RSS over its reading after warm-up, per `count` (live periods, or runs in the cache)."""
    return (p.rss_mb - start_mb) * 1024 / count if count else float("nan")


def plot(cohorts: Curve, live: Curve, cache: int, path: Path) -> Path:
    """The four curves, engine beside bare, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")  # no display: a file only
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(12, 8.5))
    (rate, cohort_memory), (live_memory, latency) = axes

    def line(ax: Any, points: list[Point], values: list[float], label: str, style: str) -> None:
        ax.plot([p.size for p in points], values, style, label=label)

    line(rate, cohorts.engine, [p.rate for p in cohorts.engine], "cohort (periods started)", "o-")
    line(rate, cohorts.bare, [p.rate for p in cohorts.bare], "bare client starts", "s--")
    rate.set(title="Cohort start rate", xlabel="owners in the cohort", ylabel="starts per second")
    line(cohort_memory, cohorts.engine, [p.kb_per_added for p in cohorts.engine], "engine worker", "o-")
    line(cohort_memory, cohorts.bare, [p.kb_per_added for p in cohorts.bare], "bare worker", "s--")
    cohort_memory.set(title="Worker memory per cohort owner (RSS growth)", xlabel="owners in the cohort", ylabel="KB")
    line(live_memory, live.engine, [p.rss_mb for p in live.engine], "engine worker", "o-")
    line(live_memory, live.bare, [p.rss_mb for p in live.bare], "bare worker", "s--")
    live_memory.set(title="Worker memory (RSS) with live periods", xlabel="live periods", ylabel="MB")
    line(latency, live.engine, [p.burst_p50_ms or math.nan for p in live.engine], "schedule_meeting p50", "o-")
    line(latency, live.engine, [p.burst_p99_ms or math.nan for p in live.engine], "schedule_meeting p99", "^-")
    line(latency, live.bare, [p.burst_p50_ms or math.nan for p in live.bare], "bare no-op p50", "s--")
    latency.set(title="Burst of updates spread over the live periods", xlabel="live periods", ylabel="round trip ms")
    for ax in (live_memory, latency):
        ax.set_xscale("log")
        if live.engine[-1].size >= cache:  # the line only where the sizes reach it (not in a --quick run)
            ax.axvline(cache, color="grey", linestyle=":", label=f"sticky cache max ({cache})")
    for ax in axes.flat:
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize="small")
        ax.set_ylim(bottom=0)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def figures(cohorts: Curve, live: Curve, cache: int) -> list[Figure]:
    """The summary's figures: each curve's ends beside the bare baseline's, no target (the issue sets none)."""
    c0, c1, b0, b1 = cohorts.engine[0], cohorts.engine[-1], cohorts.bare[0], cohorts.bare[-1]
    l0, l1, m0, m1 = live.engine[0], live.engine[-1], live.bare[0], live.bare[-1]
    per0, per1 = kb_per(l0, live.engine_start_mb, l0.size), kb_per(l1, live.engine_start_mb, l1.size)
    bare0, bare1 = kb_per(m0, live.bare_start_mb, m0.size), kb_per(m1, live.bare_start_mb, m1.size)
    return [
        Figure(f"cohort start rate, {c0.size} owners", c0.rate, b0.rate, "1/s"),
        Figure(f"cohort start rate, {c1.size} owners", c1.rate, b1.rate, "1/s"),
        Figure(
            f"cohort start rate, {c1.size} vs {c0.size} owners",
            c1.rate / c0.rate,
            b1.rate / b0.rate,
            "x",
            note="value: the cohort's rate at the largest over the smallest; baseline: the bare starts' the same",
        ),
        Figure(f"worker RSS per cohort owner, {c1.size} owners", c1.kb_per_added, b1.kb_per_added, "KB"),
        Figure(f"worker RSS per live period, {l0.size} live", per0, bare0, "KB"),
        Figure(
            f"worker RSS per live period, {l1.size} live",
            per1,
            bare1,
            "KB",
            note=f"sticky cache max {cache}: {l1.cached:.0f} cached, {l1.evictions:.0f} evicted",
        ),
        Figure(
            f"memory per live period, {l1.size} vs {l0.size} live",
            per1 / per0,
            bare1 / bare0,
            "x",
            note="value: the engine worker's KB per live period at the largest over the smallest; baseline: bare's",
        ),
        Figure(f"worker RSS, {l1.size} live", l1.rss_mb, m1.rss_mb, "MB"),
        Figure(f"burst p50 round trip, {l0.size} live", l0.burst_p50_ms or math.nan, m0.burst_p50_ms or math.nan, "ms"),
        Figure(
            f"burst p50 round trip, {l1.size} live",
            l1.burst_p50_ms or math.nan,
            m1.burst_p50_ms or math.nan,
            "ms",
            note="schedule_meeting spread over all live periods vs a no-op to as many bare workflows",
        ),
    ]


async def main(options: Any) -> list[Figure]:
    began = time.perf_counter()
    report_header(NAME, options.quick)
    cache = sdk_cache_default()
    cohorts, live = Curve(), Curve()
    async with stack("curves") as s:
        client = await s.dev_server.connect()
        cohorts.engine, cohorts.engine_start_mb = await cohorts_engine(s, client, options.cohorts, options)
        cohorts.bare, cohorts.bare_start_mb = await cohorts_bare(s, client, options.cohorts)
        live.engine, live.engine_start_mb = await live_engine(s, client, options.live, options)
        live.bare, live.bare_start_mb = await live_bare(s, client, options.live, options)
    print_curves(cohorts, live, cache)
    bends = cohort_bends(cohorts) + live_bends(live, cache)
    print()
    print("where the curves bend, and why:")
    for line in bends:
        print(f"- {line}")
    path = plot(cohorts, live, cache, options.plot)
    print(f"\nplot written to {path}")
    result = figures(cohorts, live, cache)
    print_table(f"cost as work grows: the ends of each curve beside bare workflows (sticky cache max {cache})", result)
    for note in s.notes:
        print(f"note: {note}")
    write_results(
        NAME,
        options.output,
        result,
        began=began,
        options={**vars(options), "max_cached_workflows": cache},
        details={
            "bends": bends,
            "cohorts": {"engine": [as_json(p) for p in cohorts.engine], "bare": [as_json(p) for p in cohorts.bare]},
            "cohort_rss_after_warm_up_mb": {"engine": cohorts.engine_start_mb, "bare": cohorts.bare_start_mb},
            "live": {"engine": [as_json(p) for p in live.engine], "bare": [as_json(p) for p in live.bare]},
            "live_rss_after_warm_up_mb": {"engine": live.engine_start_mb, "bare": live.bare_start_mb},
        },
        files=[path],
    )
    return result


def as_json(p: Point) -> dict[str, Any]:
    return {**asdict(p), "rate": p.rate, "kb_per_added": p.kb_per_added}


def sizes(text: str) -> tuple[int, ...]:
    values = tuple(sorted(int(v) for v in text.split(",")))
    if not values or values[0] < 1:
        raise ValueError(text)
    return values


def parse_options(argv: list[str] | None = None) -> Any:
    p = parser("Cost as work grows: cohort starts and live periods at several sizes, a table, a plot, its bends.", NAME)
    p.add_argument("--cohorts", type=sizes, help="cohort sizes, owners (50,100,200,371; --quick 10,20,40)")
    p.add_argument("--live", type=sizes, help="live periods held (1000,3000,10000; --quick 50,100,200)")
    p.add_argument("--burst", type=int, help="updates in each size's burst (1000; --quick 20)")
    p.add_argument("--concurrency", type=int, default=100, help="updates in flight in a burst (100)")
    p.add_argument("--start-concurrency", type=int, default=50, help="live periods' starts in flight (50)")
    p.add_argument("--plot", type=Path, default=PLOT, help=f"the PNG (bench/results/{PLOT.name})")
    options = p.parse_args(argv)
    quick = options.quick
    options.cohorts = options.cohorts or ((10, 20, 40) if quick else (50, 100, 200, 371))
    options.live = options.live or ((50, 100, 200) if quick else (1000, 3000, 10000))
    options.burst = options.burst or (20 if quick else 1000)
    if max(options.cohorts) > 371:
        raise SystemExit("--cohorts: a cohort has at most the 371 school owners")
    return options


if __name__ == "__main__":
    run_benchmark(main, parse_options())
