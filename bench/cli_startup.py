"""How long a person waits for the `guidance` command, as a whole process (issue 21, item 1).

Run with `make bench` (or `.venv/bin/python bench/cli_startup.py`; ``--help`` lists the options). The script
starts its own Temporal dev server and embedded PostgreSQL (or uses ``DATABASE_URL``, in a database of its own),
the real worker (``python worker.py``, as `bench/live_periods.py` runs it) and one period, started as
`guidance start` starts it, so that `guidance status` has a period to show. Then it runs, ``--rounds`` times and
in turn (so a drifting machine load falls on all of them alike), each of these as a fresh process, as a person's
shell would:

- ``python -c pass``: the interpreter alone, the floor of any Python command;
- ``temporal --help``: the Temporal CLI the repository already uses for the dev server (a Go binary);
- ``temporal workflow query --name status``: the same question as `guidance status`, asked by that CLI;
- ``guidance --help``;
- ``guidance status --workflow-id ID``: the period's status, asked of the worker through the dev server.

A round of each runs first and is not counted (it writes the bytecode caches and warms the page cache). Each
figure is a median of the wall time, from starting the process until it has exited, beside ``python -c pass``
of the same run; the spread (p10, p90, min, max) is in its note. The CPU seconds (user and system) each process
used are shown too, and the number of modules each Python command imports (``python -X importtime``, one run
each): they depend far less on the machine's load than the wall time does.

Targets (issue 21): ``guidance --help`` within 0.3 s and ``guidance status`` within 0.6 s, on the wall clock.
Results go to bench/results/cli_startup.json.
"""

from __future__ import annotations

import asyncio
import resource
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    BenchmarkError,
    Figure,
    Target,
    median,
    parser,
    percentile,
    print_table,
    report_header,
    run_benchmark,
    stack,
    within,
    write_results,
)
from bench.live_periods import engine_worker_process, worker_environment  # noqa: E402
from bench.periods import period_inputs, start_periods  # noqa: E402
from devstack.binaries import executable, temporal_cli  # noqa: E402
from starter.client import period_status  # noqa: E402

NAME = "cli_startup"
HELP_TARGET = Target("value", "<=", 0.3)
STATUS_TARGET = Target("value", "<=", 0.6)
#: A command that takes longer than this is stuck (a status whose query no worker answers), not slow.
PATIENCE_SECONDS = 60.0
#: The commands that are Python processes, whose imported modules are counted.
PYTHON_COMMANDS = ("python -c pass", "guidance --help", "guidance status")


@dataclass
class Command:
    """One command line, run as a fresh process; its wall and CPU seconds per run."""

    name: str
    argv: list[str]
    expect: str = ""  # a text its output must hold, so a failing command is not timed as a fast one
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    @staticmethod
    def _spawn(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=PATIENCE_SECONDS, cwd=ROOT)

    def run(self, env: dict[str, str], *, keep: bool) -> None:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        began = time.perf_counter()
        done = self._spawn(self.argv, env)
        wall = time.perf_counter() - began
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != 0 or self.expect not in done.stdout:
            raise BenchmarkError(
                f"`{self.name}` exited with {done.returncode} or printed no {self.expect!r}: "
                f"{(done.stderr or done.stdout)[-800:]}"
            )
        if keep:
            self.wall.append(wall)
            self.cpu.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))

    def modules(self, env: dict[str, str]) -> int:
        """How many modules a run imports (``python -X importtime`` logs each once): a count no load changes."""
        script = self.argv[1:] if self.argv[0] == sys.executable else self.argv  # a console script is a Python file
        done = self._spawn([sys.executable, "-X", "importtime", *script], env)
        logged = [line for line in done.stderr.splitlines() if line.startswith("import time:")]
        return len(logged) - 1  # the first line is the header

    def spread(self) -> str:
        w = self.wall
        return (
            f"wall over {len(w)} runs: p10 {percentile(w, 10):.3f}, p90 {percentile(w, 90):.3f}, "
            f"min {min(w):.3f}, max {max(w):.3f} s"
        )


def measure(commands: Sequence[Command], env: dict[str, str], rounds: int) -> dict[str, int]:
    """A round of each not counted (caches), then `rounds` rounds, each command once per round, in turn; then the
    modules each Python command imports, by name."""
    for command in commands:
        command.run(env, keep=False)
    for _ in range(rounds):
        for command in commands:
            command.run(env, keep=True)
    return {c.name: c.modules(env) for c in commands if c.name in PYTHON_COMMANDS}


def figures_of(commands: dict[str, Command], modules: dict[str, int]) -> list[Figure]:
    def wall(name: str, target: Target | None, baseline: str = "python -c pass") -> Figure:
        measured, base = commands[name], commands[baseline]
        note = f"{measured.spread()}; baseline {baseline}: {base.spread()}"
        figure_name = f"{name}, median wall" if baseline == "python -c pass" else f"{name} vs {baseline}"
        return Figure(figure_name, median(measured.wall), median(base.wall), "s", target, note)

    def cpu(name: str) -> Figure:
        note = "baseline: python -c pass; CPU seconds depend far less on the machine's load than the wall time"
        floor = commands["python -c pass"].cpu
        return Figure(f"{name}, median CPU (user+system)", median(commands[name].cpu), median(floor), "s", None, note)

    def imported(name: str) -> Figure:
        note = "baseline: python -c pass; what `python -X importtime` logs"
        return Figure(f"{name}, modules imported", modules[name], modules["python -c pass"], "count", None, note)

    return [
        wall("temporal --help", None),
        wall("guidance --help", HELP_TARGET),
        wall("guidance status", STATUS_TARGET),
        wall("guidance status", None, baseline="temporal workflow query"),
        cpu("guidance --help"),
        cpu("guidance status"),
        imported("guidance --help"),
        imported("guidance status"),
    ]


async def main(options: Any) -> list[Figure]:
    report_header(NAME, options.quick)
    began = time.perf_counter()
    async with stack("cli") as servers:
        address = servers.dev_server.address
        async with engine_worker_process(servers.folder / "worker", address, servers.database_url):
            client = await servers.dev_server.connect()
            (period,) = period_inputs(1, "bench-cli-")
            (handle,) = await start_periods(client, [period], 1)
            status = await within(period_status(client, handle.id), PATIENCE_SECONDS, "the period's first status")
            guidance, temporal = executable("guidance"), temporal_cli()
            where = ["--address", address]
            commands = {
                c.name: c
                for c in (
                    Command("python -c pass", [sys.executable, "-c", "pass"]),
                    Command("temporal --help", [temporal, "--help"], "workflow"),
                    Command(
                        "temporal workflow query",
                        [temporal, "workflow", "query", "--name", "status", "--workflow-id", handle.id, *where],
                        "result",
                    ),
                    Command("guidance --help", [guidance, "--help"], "status"),
                    Command("guidance status", [guidance, "status", "--workflow-id", handle.id], status.owner.name),
                )
            }
            # The command as a person runs it: the environment's language and Temporal's address, nothing else of
            # this process's settings (the codec keys stay, as for the worker).
            env = worker_environment(TEMPORAL_ADDRESS=address, TEMPORAL_NAMESPACE="default")
            modules = await asyncio.to_thread(measure, list(commands.values()), env, options.rounds)
    figures = figures_of(commands, modules)
    print_table(
        f"whole processes, median of {options.rounds} runs each, in turn, beside `python -c pass` of the same run",
        figures,
    )
    write_results(
        NAME,
        options.output,
        figures,
        began=began,
        options=vars(options),
        details={
            c.name: {"argv": c.argv[1:], "wall": c.wall, "cpu": c.cpu, "modules": modules.get(c.name)}
            for c in commands.values()
        },
    )
    return figures


def parse_options(argv: list[str] | None = None) -> Any:
    p = parser("Start-up of the guidance command as whole processes beside python -c pass and temporal.", NAME)
    p.add_argument("--rounds", type=int, default=30, help="runs of each command, in turn (30; --quick 5)")
    options = p.parse_args(argv)
    if options.quick and options.rounds == 30:
        options.rounds = 5
    return options


if __name__ == "__main__":
    run_benchmark(main, parse_options())
