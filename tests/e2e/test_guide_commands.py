"""The contract guide's `temporal` lines (docs/temporal-contract.md) drive a period as printed (its dates moved by
whole weeks to where they fall today), so any Temporal client can rely on them."""

from __future__ import annotations

import asyncio
import json
import re
import shlex
import subprocess
from datetime import date, timedelta
from pathlib import Path

from devstack.binaries import temporal_cli
from domain import calendar
from tests.devstack.stack_process import RunningStack, clean_environment
from tests.helpers.clock import real_today

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "temporal-contract.md"
SECTION = "## Driving a period from any Temporal client"
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def readme_commands() -> list[list[str]]:
    """The shell lines of the guide's section on Temporal clients, continuation lines joined."""
    text = GUIDE.read_text()
    block = text[text.index(SECTION) :].split("```sh\n", 1)[1].split("```", 1)[0]
    joined = block.replace("\\\n", " ")
    return [shlex.split(line) for line in joined.splitlines() if line.strip()]


def shifted_dates(commands: list[list[str]], today: date) -> dict[str, str]:
    """Move the guide's dates by whole weeks into the future, keeping every one on a working day."""
    dates = sorted({date.fromisoformat(d) for cmd in commands for arg in cmd for d in DATE.findall(arg)})
    weeks = max(0, (today - dates[0]).days // 7 + 1)
    while not all(calendar.is_working_day(d + timedelta(weeks=weeks)) for d in dates):
        weeks += 1
    return {d.isoformat(): (d + timedelta(weeks=weeks)).isoformat() for d in dates}


def started_dates(commands: list[list[str]], today: date) -> dict[str, str]:
    """Move the guide's dates by whole weeks so that its first (the period's start) is not after `today` and every
    other is after it, each still on a working day: a period takes milestones only once it has started."""
    dates = sorted({date.fromisoformat(d) for cmd in commands for arg in cmd for d in DATE.findall(arg)})
    weeks = (today - dates[1]).days // 7 + 1
    while not all(calendar.is_working_day(d + timedelta(weeks=weeks)) for d in dates[1:]):
        weeks += 1
    moved = {d: d + timedelta(weeks=weeks) for d in dates}
    assert moved[dates[0]] <= today < moved[dates[1]], "the guide's start and first meeting lie less than a week apart"
    return {d.isoformat(): m.isoformat() for d, m in moved.items()}


async def test_the_readme_temporal_lines_drive_a_period(stack: RunningStack) -> None:
    commands = readme_commands()
    assert [c[:3] for c in commands][:2] == [
        ["temporal", "workflow", "start"],
        ["temporal", "workflow", "update"],
    ]
    moves = started_dates(commands, real_today())
    outputs = []
    for command in commands:
        args = [DATE.sub(lambda m: moves[m.group(0)], arg) for arg in command]
        args = [temporal_cli(), *args[1:], "--address", stack.address]
        done = await asyncio.to_thread(
            subprocess.run, args, capture_output=True, text=True, env=clean_environment(), timeout=60, check=False
        )
        assert done.returncode == 0, f"{shlex.join(command)}\n{done.stdout}\n{done.stderr}"
        outputs.append(done.stdout)
        if command[2] == "start":
            await asyncio.sleep(2)  # a period started without its plan loads it on the worker first

    query = next(out for cmd, out in zip(commands, outputs, strict=True) if cmd[2] == "query")
    status = json.loads(query[query.index("{") :])
    assert status["phase"] == "implementation"
    assert status["development_area"] == "basic_skills"
    assert [g["gathering_id"] for g in status["gatherings"]] == ["2027-spring"]
    assert "withdrawn" in outputs[-1]
