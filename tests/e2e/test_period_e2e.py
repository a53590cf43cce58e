"""A guidance period from the command line to Temporal's visibility and the record store.

Everything is real: `python -m devstack` (Temporal dev server, embedded PostgreSQL, worker), the
`guidance` command as a person types it, the `temporal` CLI as an operator uses it, and asyncpg
reading the `periods` table as a report would.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import asyncpg

from devstack.binaries import temporal_cli
from domain.contract import period_workflow_id
from tests.devstack.stack_process import RunningStack, clean_environment, eventually
from tests.helpers.clock import real_today

GUIDANCE = str(Path(sys.executable).parent / "guidance")
# Visibility and the record store follow an update with a lag (longer on a loaded CI machine).
WAIT_SECONDS = 30.0


async def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(
        subprocess.run, args, capture_output=True, text=True, env=env, cwd=cwd, timeout=120, check=False
    )


async def _guidance(stack: RunningStack, *args: str) -> subprocess.CompletedProcess[str]:
    env = clean_environment(TEMPORAL_ADDRESS=stack.address, DATABASE_URL=stack.database_url)
    done = await _run([GUIDANCE, *args], env, stack.data_dir.parent)
    assert done.returncode == 0, f"guidance {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done


async def _listed(stack: RunningStack, query: str) -> list[str]:
    done = await _run(
        [temporal_cli(), "workflow", "list", "--address", stack.address, "--query", query, "--output", "json"],
        clean_environment(),
        stack.data_dir.parent,
    )
    assert done.returncode == 0, done.stderr
    return [row["execution"]["workflowId"] for row in json.loads(done.stdout or "[]")]


async def test_a_period_started_and_moved_on_from_the_command_line_is_visible_and_recorded(
    stack: RunningStack,
) -> None:
    start = real_today()  # started, so that the milestone may be recorded at once
    workflow_id = period_workflow_id("e2e", "3301")

    await _guidance(
        stack, "start", "--cohort", "e2e", "--owner", "3301", "--adviser", "a.hansen", "--start-date", start.isoformat()
    )
    await _guidance(stack, "milestone", "--cohort", "e2e", "--owner", "3301", "mapping_done", "--adviser", "a.hansen")

    found = await eventually(
        lambda: _listed(stack, "GuidancePhase='anchoring'"), lambda ids: ids == [workflow_id], seconds=WAIT_SECONDS
    )
    assert found == [workflow_id], "the temporal CLI finds the period in its new phase"

    connection = await asyncpg.connect(stack.database_url)
    try:
        phase = await eventually(
            lambda: connection.fetchval("SELECT phase FROM periods WHERE workflow_id = $1", workflow_id),
            lambda phase: phase == "anchoring",
            seconds=WAIT_SECONDS,
        )
    finally:
        await connection.close()
    assert phase == "anchoring", "the record store has the period in its new phase"
