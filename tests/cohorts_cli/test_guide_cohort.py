"""The cohort guide's `guidance cohort` lines (docs/cohorts.md) run as printed (dates moved into the future), with
its assignment file and a shortlist of four of the owners it names, in-process; tests/e2e/test_readme_examples.py
runs the whole example unchanged, `guidance select` included, on the dev stack."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from tests.e2e.test_guide_commands import shifted_dates
from tests.helpers.clock import real_today
from tests.helpers.harness import Harness

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "cohorts.md"
SECTION = "## Running a cohort"
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def section() -> str:
    text = GUIDE.read_text()
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    return text[start:] if end < 0 else text[start:end]


def readme_commands() -> list[list[str]]:
    """The `guidance cohort` lines of the section's first shell block, continuation lines joined."""
    block = section().split("```sh\n", 1)[1].split("```", 1)[0].replace("\\\n", " ")
    lines = [shlex.split(line, comments=True) for line in block.splitlines() if line.strip()]
    return [line for line in lines if line[:2] == ["guidance", "cohort"]]


def readme_assignment() -> str:
    """The example assignment file (the indented block that starts with its header)."""
    blocks = re.findall(r"```[a-z]*\n(.*?)```", section(), re.DOTALL)
    block = next(b for b in blocks if b.lstrip().startswith("owner_id,advisers"))
    return "\n".join(line.strip() for line in block.splitlines()) + "\n"


async def test_the_guides_cohort_commands_run_as_printed(cohort_cli: Harness) -> None:
    commands = readme_commands()
    assert [c[2] for c in commands] == ["start", "answer", "gathering", "gathering", "network-meeting", "show"]
    files = {
        "var/shortlist.csv": cohort_cli.file("shortlist.csv", "owner_id\n3105\n4642\n4638\n46\n"),
        "var/assign.csv": cohort_cli.file("assign.csv", readme_assignment()),
    }
    moves = shifted_dates(commands, real_today())
    outputs = []
    for command in commands:
        args = [DATE.sub(lambda m: moves[m.group(0)], str(files.get(arg, arg))) for arg in command[1:]]
        if command[2] == "start":
            args += ["--task-queue", cohort_cli.task_queue]
        result = await cohort_cli.guidance(*args)
        assert result.exit_code == 0, f"{shlex.join(command)}\n{result.output}"
        outputs.append(result.stdout)

    assert "Started cohort-2028: 4 school owners" in outputs[0]
    assert "Lærdal (4642) accepted in cohort 2028" in outputs[1]
    assert "sent to 1 running period: Lærdal (4642)" in outputs[4]
    for owner in ("Sarpsborg", "Lærdal", "Høyanger", "Vestland fylkeskommune", "Sogn", "The school owner role"):
        assert owner in outputs[5]
