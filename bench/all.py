"""Every benchmark of bench/, one after the other, then one summary table of all figures and targets.

`make bench` runs this (``make bench BENCH_ARGS=--quick`` for a smoke run). Each benchmark runs as a process
of its own (its servers started and stopped by itself), prints its own table and writes its JSON results to
bench/results/; this script then reads those files and prints every figure beside its baseline and target,
and writes them together to bench/results/summary.json.

    .venv/bin/python bench/all.py                       # everything (about 45 minutes on 2 CPUs)
    .venv/bin/python bench/all.py --quick               # small counts, one round each (about 5 minutes)
    .venv/bin/python bench/all.py --only replay_speed,store_throughput
    .venv/bin/python bench/all.py --summary-only        # the summary of the results already written

Beside each figure the summary prints the same figure of the run before (when it was of the same kind,
full or --quick), so two runs in a row show the spread; it also lists the files (plots) the benchmarks wrote.

The exit code is 1 when a benchmark failed to run (its summary row says so), and with ``--strict`` also when
a figure missed its target; 0 otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SUMMARY = RESULTS / "summary.json"


@dataclass(frozen=True)
class Bench:
    name: str
    script: str
    quick_args: tuple[str, ...]
    about: str
    #: Seconds a full run may take before it is stopped (--quick runs are short); --timeout overrides it.
    timeout: float = 1200.0


BENCHES = (
    Bench(
        "period_sim", "period_sim.py", (), "a full 30-month period on the time-skipping server vs a bare 30-month timer"
    ),
    Bench(
        "cohort_start",
        "cohort_start.py",
        ("--owners", "50", "--rounds", "1"),
        "a cohort of all 371 owners started on the dev server vs bare workflow starts",
    ),
    Bench(
        "milestone_roundtrip",
        "milestone_roundtrip.py",
        ("--quick",),
        "record_milestone round trip vs a no-op update on a bare workflow",
    ),
    Bench(
        "live_periods",
        "live_periods.py",
        ("--quick",),
        "1,000 live periods in one worker: memory per cached period, a burst of updates",
    ),
    Bench(
        "cost_curves",
        "cost_curves.py",
        ("--quick",),
        "cost as work grows: cohorts of 50 to 371 owners, 1,000 to 10,000 live periods; a table, a plot, its bends",
        # 10,000 periods started for the engine and as many bare workflows: over 20 minutes on 2 CPUs.
        timeout=3600.0,
    ),
    Bench(
        "actions",
        "actions.py",
        ("--quick",),
        "Temporal Cloud billable actions of a full period per plan vs a bare 30-month wait",
    ),
    Bench("replay_speed", "replay_speed.py", ("--quick",), "replay of tests/histories vs bare histories"),
    Bench(
        "store_throughput",
        "store_throughput.py",
        ("--quick",),
        "record-store activities vs a bare asyncpg insert loop",
    ),
    Bench(
        "web_load",
        "web_load.py",
        ("--quick",),
        "50 advisers and a coordinator browsing the web app vs a bare page of the same rows",
    ),
    Bench(
        "cli_startup",
        "cli_startup.py",
        ("--quick",),
        "guidance --help and guidance status as whole processes vs python -c pass and the temporal CLI",
    ),
)
_TARGET = re.compile(r"^\s*(?:(value|ratio)\s+)?(<=|>=|<|>)\s*([0-9.]+)\s*$")


@dataclass
class Row:
    """One figure of one benchmark, whatever the shape of its JSON file."""

    bench: str
    name: str
    value: float | None
    baseline: float | None
    unit: str
    target: str | None
    ok: bool | None

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.baseline:
            return None
        return self.value / self.baseline


@dataclass
class Outcome:
    bench: Bench
    seconds: float | None = None
    exit_code: int | None = None
    error: str | None = None
    rows: list[Row] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Previous:
    """The figures of the run before this one (bench/results/summary.json), printed beside this run's for the spread."""

    at: str
    commit: str | None
    values: dict[tuple[str, str], float | None]

    @classmethod
    def read(cls, quick: bool) -> Previous | None:
        """The last summary, when it was of the same kind of run (both --quick or both full)."""
        try:
            data = json.loads(SUMMARY.read_text())
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("quick") != quick:
            return None
        values = {
            (b["name"], f["name"]): f.get("value") for b in data.get("benchmarks", []) for f in b.get("figures", [])
        }
        return cls(str(data.get("at")), data.get("commit"), values)


def target_met(target: str | None, value: float | None, ratio: float | None) -> bool | None:
    """Judge a target written as ``< 3.0`` (on the value), ``ratio <= 1.5`` or ``value < 200``."""
    if target is None or value is None:
        return None
    match = _TARGET.match(target)
    if match is None:
        return None
    on, op, limit = match[1] or "value", match[2], float(match[3])
    measured = ratio if on == "ratio" else value
    if measured is None or math.isnan(measured):
        return False
    return {"<": measured < limit, "<=": measured <= limit, ">": measured > limit, ">=": measured >= limit}[op]


def rows_of(bench: str, data: Any) -> list[Row]:
    """The figures of a results file: a list (period_sim), or a dict with ``figures`` (the others)."""
    figures = data if isinstance(data, list) else data.get("figures", [])
    rows = []
    for f in figures:
        value = f.get("value", f.get("cohort"))  # cohort_start calls its value "cohort"
        row = Row(bench, f["name"], value, f.get("baseline"), f.get("unit", ""), f.get("target"), None)
        row.ok = f["ok"] if f.get("ok") is not None else target_met(row.target, row.value, row.ratio)
        if row.target and bench == "cohort_start" and not row.target.startswith(("value", "ratio")):
            row.target = f"ratio {row.target}"  # cohort_start's target is on the ratio of the rates
        rows.append(row)
    return rows


def read_results(outcome: Outcome, since: float | None) -> None:
    path = RESULTS / f"{outcome.bench.name}.json"
    if not path.exists():
        outcome.error = outcome.error or f"no results file {path.relative_to(ROOT)}"
        return
    if since is not None and path.stat().st_mtime < since:
        outcome.error = outcome.error or "no new results (the file is from an earlier run)"
        return
    data = json.loads(path.read_text())
    outcome.rows = rows_of(outcome.bench.name, data)
    if isinstance(data, dict):
        outcome.files = [str(f) for f in data.get("files", [])]


def run(bench: Bench, quick: bool, timeout: float | None) -> Outcome:
    outcome = Outcome(bench)
    timeout = timeout if timeout is not None else bench.timeout
    script = Path("bench") / bench.script
    command = [sys.executable, str(script), *(bench.quick_args if quick else ())]
    print(f"\n=== {bench.name}: {bench.about}\n$ python {' '.join(command[1:])}", flush=True)
    began_wall, began = time.time(), time.perf_counter()
    try:
        done = subprocess.run(command, cwd=ROOT, timeout=timeout, check=False)
        outcome.exit_code = done.returncode
        if done.returncode != 0:
            outcome.error = f"exited with {done.returncode}"
    except subprocess.TimeoutExpired:
        outcome.error = f"stopped after {timeout:.0f} s"
    outcome.seconds = time.perf_counter() - began
    read_results(outcome, began_wall - 1)
    return outcome


def cell(value: float | None, width: int) -> str:
    if value is None or math.isnan(value):
        return f"{'-':>{width}}"
    if abs(value) >= 100:
        return f"{value:>{width}.0f}"
    if abs(value) >= 10:
        return f"{value:>{width}.1f}"
    return f"{value:>{width}.2f}"


def print_summary(outcomes: list[Outcome], quick: bool, previous: Previous | None = None) -> None:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print()
    print(
        f"=== summary: every figure beside its baseline from the same run ({os.cpu_count()} CPUs, load {load}"
        f"{'; --quick: small counts, noisy figures' if quick else ''})"
    )
    width = max(44, *(len(r.name) for o in outcomes for r in o.rows)) if any(o.rows for o in outcomes) else 44
    if previous is not None:
        commit = (previous.commit or "?")[:10]
        print(f"(the column 'previous' is the same figure of the run of {previous.at}, commit {commit})")
    print(
        f"{'benchmark':<20} {'figure':<{width}} {'value':>9} {'baseline':>9} {'ratio':>6}  "
        f"{'unit':<6} {'target':<13} result" + ("  previous" if previous is not None else "")
    )
    for o in outcomes:
        if o.error and not o.rows:
            print(f"{o.bench.name:<20} {'(not measured: ' + o.error + ')':<{width}}")
            continue
        for r in o.rows:
            result = "" if r.ok is None else ("PASS" if r.ok else "FAIL")
            earlier = "" if previous is None else f"  {cell(previous.values.get((o.bench.name, r.name)), 8)}"
            print(
                f"{o.bench.name:<20} {r.name:<{width}} {cell(r.value, 9)} {cell(r.baseline, 9)} {cell(r.ratio, 6)}  "
                f"{r.unit:<6} {r.target or '':<13} {result:<6}{earlier}"
            )
    print()
    files = [f for o in outcomes for f in o.files]
    if files:
        print(f"files written: {', '.join(files)}")
    timing = ", ".join(f"{o.bench.name} {o.seconds:.0f} s" for o in outcomes if o.seconds is not None)
    if timing:
        print(f"run times: {timing}")
    judged = [r for o in outcomes for r in o.rows if r.ok is not None]
    failed = [f"{r.bench}: {r.name}" for r in judged if not r.ok]
    print(
        f"targets: {len(judged) - len(failed)} of {len(judged)} met"
        + (f"; missed: {'; '.join(failed)}" if failed else "")
    )
    errors = [f"{o.bench.name} ({o.error})" for o in outcomes if o.error]
    if errors:
        print(f"benchmarks with errors: {', '.join(errors)}")


def write_summary(outcomes: list[Outcome], quick: bool) -> None:
    commit = None
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True)
        commit = done.stdout.strip()
    summary = {
        "at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "commit": commit,
        "quick": quick,
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "benchmarks": [
            {
                "name": o.bench.name,
                "seconds": o.seconds,
                "exit_code": o.exit_code,
                "error": o.error,
                "files": o.files,
                "figures": [
                    {
                        "name": r.name,
                        "value": r.value,
                        "baseline": r.baseline,
                        "ratio": r.ratio,
                        "unit": r.unit,
                        "target": r.target,
                        "ok": r.ok,
                    }
                    for r in o.rows
                ],
            }
            for o in outcomes
        ],
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    SUMMARY.write_text(json.dumps(summary, indent=2) + "\n")
    print(f"summary written to {SUMMARY.relative_to(ROOT)}")


def choose(only: str | None, skip: str | None) -> list[Bench]:
    names = {b.name for b in BENCHES}
    wanted = set(only.split(",")) if only else names
    unwanted = set(skip.split(",")) if skip else set()
    unknown = (wanted | unwanted) - names
    if unknown:
        raise SystemExit(
            f"unknown benchmark(s): {', '.join(sorted(unknown))}; known: {', '.join(b.name for b in BENCHES)}"
        )
    return [b for b in BENCHES if b.name in wanted and b.name not in unwanted]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Run every benchmark of bench/ and print one summary table.")
    p.add_argument("--quick", action="store_true", help="a smoke run of each: small counts, one round")
    p.add_argument("--only", help="comma-separated benchmark names (default: all)")
    p.add_argument("--skip", help="comma-separated benchmark names to leave out")
    p.add_argument(
        "--timeout",
        type=float,
        default=None,
        help="stop a benchmark after this many seconds (default: its own limit, 1200; cost_curves 3600)",
    )
    p.add_argument("--summary-only", action="store_true", help="run nothing: summarise the results already written")
    p.add_argument("--strict", action="store_true", help="exit 1 when a figure misses its target, too")
    args = p.parse_args(argv)
    benches = choose(args.only, args.skip)
    previous = None if args.summary_only else Previous.read(args.quick)
    outcomes: list[Outcome] = []
    for bench in benches:
        if args.summary_only:
            outcome = Outcome(bench)
            read_results(outcome, None)
        else:
            outcome = run(bench, args.quick, args.timeout)
        outcomes.append(outcome)
    print_summary(outcomes, args.quick, previous)
    if not args.summary_only:
        write_summary(outcomes, args.quick)
    if any(o.error for o in outcomes):
        return 1
    if args.strict and any(r.ok is False for o in outcomes for r in o.rows):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
