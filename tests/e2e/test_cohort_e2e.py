"""A cohort of all 371 school owners started from the command line, each period visible to an operator.

Everything is real: `python -m devstack` (Temporal dev server, embedded PostgreSQL, worker), `guidance cohort
start` as a coordinator types it, the `temporal` CLI as an operator lists the periods, and asyncpg counting the
`periods` rows the worker wrote.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import asyncpg
import pytest

from config.owners import all_owners
from devstack.binaries import temporal_cli
from domain.calendar import next_working_day
from domain.contract import period_workflow_id
from tests.devstack.stack_process import RunningStack, clean_environment, eventually
from tests.helpers.clock import real_today

GUIDANCE = str(Path(sys.executable).parent / "guidance")
COHORT = "e2e-all"
# Starting 371 child workflows of one parent takes the dev server on a small machine well over a minute.
START_SECONDS = 420
# Visibility and the record store follow the starts with a lag.
WAIT_SECONDS = 60.0


def _run(args: list[str], env: dict[str, str], cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout, check=False)


async def _listed(stack: RunningStack, query: str) -> list[str]:
    done = await asyncio.to_thread(
        _run,
        [temporal_cli(), "workflow", "list", "--address", stack.address, "--query", query, "--output", "json"],
        clean_environment(),
        stack.data_dir.parent,
    )
    assert done.returncode == 0, done.stderr
    return [row["execution"]["workflowId"] for row in json.loads(done.stdout or "[]")]


@pytest.mark.timeout(START_SECONDS + 240)
async def test_a_cohort_of_all_371_owners_started_from_the_cli_lists_every_period_once(stack: RunningStack) -> None:
    owners = all_owners()
    assert len(owners) == 371
    start = next_working_day(real_today() + timedelta(days=7))
    env = clean_environment(TEMPORAL_ADDRESS=stack.address)

    began = time.monotonic()
    started = await asyncio.to_thread(
        _run,
        [
            GUIDANCE,
            *("cohort", "start", COHORT, "--all-owners", "--start-date", start.isoformat()),
            *("--accepted-by", "Statsforvalteren (dialogue meetings)", "--advisers", "a.hansen,b.olsen,c.berg,d.lie"),
            *("--wait-timeout", str(START_SECONDS)),
        ],
        env,
        stack.data_dir.parent,
        START_SECONDS + 60,
    )
    seconds = time.monotonic() - began
    assert started.returncode == 0, f"{started.stdout}\n{started.stderr}"
    assert f"Started cohort-{COHORT}: 371 school owners, periods start {start}" in started.stdout
    assert "371 periods started in " in started.stdout
    print(f"guidance cohort start --all-owners: {seconds:.1f} s; {started.stdout.splitlines()[2]}")

    query = f"Cohort='{COHORT}' AND WorkflowType='GuidancePeriodWorkflow'"
    listed = await eventually(lambda: _listed(stack, query), lambda ids: len(ids) >= 371, seconds=WAIT_SECONDS)
    assert len(listed) == 371, f"{len(listed)} periods listed"
    assert sorted(listed) == sorted(period_workflow_id(COHORT, o.id) for o in owners), "each period exactly once"

    connection = await asyncpg.connect(stack.database_url)
    try:
        rows = await eventually(
            lambda: connection.fetchval("SELECT count(*) FROM periods WHERE cohort = $1", COHORT),
            lambda n: n == 371,
            seconds=WAIT_SECONDS,
        )
    finally:
        await connection.close()
    assert rows == 371, "the record store has a row for every period"
