"""A rollout of a new worker version under running periods, on the real Temporal dev server (Worker Versioning).

Two workers run in this process as versions A and B of the Worker Deployment ``guidance-engine``, each a real
`run_worker` with its own PostgreSQL pool, against ``temporal server start-dev`` with its drainage checks made
fast (the server's defaults refresh them every three minutes). The operator's steps of docs/operating.md run
through `starter.deployment`, the same calls as `temporal worker deployment ...`:

1. worker A starts; the deployment has no current version, so A makes itself current; periods start on A;
2. worker B starts beside A and waits (A stays current);
3. while updates keep arriving at the periods: B ramps at 50 %, then becomes current; every period moves to B
   on its next workflow task (they auto-upgrade);
4. A drains (no pinned workflow left on it) and stops;
5. every period answers a query and an update on B alone; no history has a failed workflow task. A quiet cohort
   (no task since the switch) still shows version A, and answers its query all the same with A stopped.

The figures (periods per version before and after, updates answered, failed workflow tasks) are printed and
kept in ``rollout-figures.json`` in pytest's temporary folder.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from temporalio.client import Client
from temporalio.common import VersioningBehavior, WorkerDeploymentVersion

from config.owners import all_owners
from config.settings import AppSettings
from devstack.temporal_server import DevServer, free_port
from domain.cohort import CohortInput, CohortOwner
from domain.contract import TASK_QUEUE
from domain.models import PeriodStatus
from domain.retention import RETENTION_WORKFLOW_TYPE, RetentionReport, RetentionRequest
from starter.client import period_status, record_milestone
from starter.cohorts import cohort_status, start_cohort
from starter.deployment import describe_deployment, set_current, set_ramping, version_drainage
from tests.faults.harness import fault_period, history_figures, milestone_update, start_periods
from tests.helpers.waits import query_when_started, wait_for
from worker import run_worker
from workflows.cohort import CohortWorkflow

DEPLOYMENT = "guidance-engine"
VERSION_A = WorkerDeploymentVersion(DEPLOYMENT, "1.0.0-ga")
VERSION_B = WorkerDeploymentVersion(DEPLOYMENT, "1.1.0-gb")
PERIODS = 6
ADVISER = "a.hansen"
# The server decides a version is drained when visibility lists no pinned workflow on it; by default it looks
# every 3 minutes, after a grace period of 3 minutes. A few seconds each here, so the test waits seconds.
FAST_DRAINAGE = {
    "matching.wv.VersionDrainageStatusVisibilityGracePeriod": "2s",
    "matching.wv.VersionDrainageStatusRefreshInterval": "1s",
}
PATIENCE = 120.0


@dataclass
class RunningWorker:
    """One worker version running `run_worker` in this process until `stop` is set."""

    version: WorkerDeploymentVersion
    task: asyncio.Task[None]
    stop: asyncio.Event

    async def stopped(self) -> None:
        self.stop.set()
        await self.task


@dataclass
class Updates:
    """Milestones sent to the periods one after another, round after round, until `done` is set."""

    workflow_ids: list[str]
    sent: int = 0
    steps: Counter[str] = field(default_factory=Counter)
    done: asyncio.Event = field(default_factory=asyncio.Event)

    async def one_round(self, client: Client) -> None:
        for wid in self.workflow_ids:
            await self.one(client, wid)

    async def one(self, client: Client, wid: str) -> PeriodStatus:
        step = self.steps[wid]
        status = await record_milestone(client, wid, milestone_update(step, ADVISER, f"rollout step {step}"))
        self.steps[wid] += 1
        self.sent += 1
        return status

    async def keep_sending(self, client: Client) -> None:
        while not self.done.is_set():
            await self.one_round(client)


@contextlib.asynccontextmanager
async def worker_version(
    client: Client, version: WorkerDeploymentVersion, database_url: str, folder: Path
) -> AsyncIterator[RunningWorker]:
    settings = AppSettings(
        _env_file=None,
        data_dir=folder,
        worker_versioning=True,
        deployment_name=version.deployment_name,
        build_id=version.build_id,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(
        run_worker(client, database_url=database_url, settings=settings, stop=stop, schedules=False),
        name=f"worker {version.build_id}",
    )
    running = RunningWorker(version, task, stop)
    try:
        yield running
    finally:
        if not task.done():
            await running.stopped()


async def wait_until(condition: Callable[[], Awaitable[bool]], what: str, *workers: RunningWorker) -> None:
    """Wait until `condition()` holds, asking every half second (the server limits the calls per deployment);
    fail at once if a worker stopped, naming its error."""
    try:
        async with asyncio.timeout(PATIENCE):
            while not await condition():
                for worker in workers:
                    if worker.task.done():
                        raise AssertionError(f"worker {worker.version.build_id} stopped: {worker.task.exception()!r}")
                await asyncio.sleep(0.5)
    except TimeoutError:
        raise AssertionError(f"not reached in {PATIENCE:.0f} s: {what}") from None


async def versions_of(client: Client, workflow_ids: list[str]) -> dict[str, str]:
    """Each workflow's version: the build id that completed its last workflow task (Temporal's describe)."""

    async def one(wid: str) -> str:
        described = await client.get_workflow_handle(wid).describe()
        info = described.raw_description.workflow_execution_info.versioning_info
        return info.deployment_version.build_id or "unversioned"

    return dict(zip(workflow_ids, await asyncio.gather(*(one(w) for w in workflow_ids)), strict=True))


async def behaviours_of(client: Client, workflow_ids: list[str]) -> Counter[str]:
    described = await asyncio.gather(*(client.get_workflow_handle(w).describe() for w in workflow_ids))
    return Counter(
        VersioningBehavior(d.raw_description.workflow_execution_info.versioning_info.behavior).name for d in described
    )


async def retention_run(client: Client, workflow_id: str) -> RetentionReport:
    report: RetentionReport = await client.execute_workflow(
        RETENTION_WORKFLOW_TYPE,
        RetentionRequest(retention_days=36500),
        id=workflow_id,
        task_queue=TASK_QUEUE,
        result_type=RetentionReport,
    )
    return report


async def version_and_behaviour(client: Client, workflow_id: str) -> tuple[str, str, str]:
    """A workflow's version (the build id of its last task) and its versioning behaviour, as Temporal describes."""
    info = (await client.get_workflow_handle(workflow_id).describe()).raw_description.workflow_execution_info
    behaviour = VersioningBehavior(info.versioning_info.behavior).name
    return workflow_id, info.versioning_info.deployment_version.build_id or "unversioned", behaviour


async def listed_on(client: Client, version: WorkerDeploymentVersion) -> int:
    """Running periods that visibility lists on `version` (the search attribute TemporalWorkerDeploymentVersion)."""
    query = (
        f"TemporalWorkerDeploymentVersion = '{version.deployment_name}:{version.build_id}' "
        "AND WorkflowType = 'GuidancePeriodWorkflow' AND ExecutionStatus = 'Running'"
    )
    return (await client.count_workflows(query)).count


async def test_a_new_worker_version_takes_over_running_periods_without_a_failed_task(
    tmp_path: Path, database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    async with await DevServer.start(tmp_path / "temporal.sqlite", free_port(), dynamic_config=FAST_DRAINAGE) as server:
        client = await server.connect()
        owners = all_owners()[:PERIODS]
        async with worker_version(await server.connect(), VERSION_A, database_url, tmp_path / "a") as worker_a:
            # 1. A is the deployment's first version: it makes itself current.
            async def a_is_current() -> bool:
                summary = await describe_deployment(client, DEPLOYMENT)
                return summary is not None and summary.current == VERSION_A.build_id

            await wait_until(a_is_current, "version A current", worker_a)
            ids = await start_periods(client, [fault_period("rollout", owner, [ADVISER]) for owner in owners])
            # A cohort of one owner that has not answered yet: it waits for the answer, quietly, across the rollout.
            cohort_owner = CohortOwner(owner=all_owners()[PERIODS], advisers=[ADVISER])
            cohort = await start_cohort(
                client,
                CohortInput(
                    cohort="rollout-cohort",
                    start_date=fault_period("x", owners[0], [ADVISER]).start_date,
                    owners=[cohort_owner],
                ),
            )
            await query_when_started(cohort, CohortWorkflow.status)
            cohort_before = await versions_of(client, [cohort.id])
            updates = Updates(ids)
            await updates.one_round(client)
            before = Counter((await versions_of(client, ids)).values())
            behaviours = await behaviours_of(client, ids)
            listed_before = {v.build_id: await _listed_when_settled(client, v, before) for v in (VERSION_A, VERSION_B)}
            # A short workflow runs pinned to the version it started on (workflows/pinned.py).
            await retention_run(client, "rollout-retention-a")

            async with worker_version(await server.connect(), VERSION_B, database_url, tmp_path / "b") as worker_b:
                # 2. B polls beside A and takes nothing yet: A stays current until the operator says otherwise.
                async def b_is_known() -> bool:
                    summary = await describe_deployment(client, DEPLOYMENT)
                    return summary is not None and VERSION_B.build_id in {v.build_id for v in summary.versions}

                await wait_until(b_is_known, "version B registered", worker_a, worker_b)
                assert (await describe_deployment(client, DEPLOYMENT)).current == VERSION_A.build_id  # type: ignore[union-attr]

                # 3. Ramp, then current, while updates keep arriving.
                sending = asyncio.create_task(updates.keep_sending(client))
                await set_ramping(client, VERSION_B, 50.0)
                ramping = await describe_deployment(client, DEPLOYMENT)
                sent_at_ramp = updates.sent
                await wait_until(
                    lambda: _more_sent(updates, sent_at_ramp + PERIODS), "a round at 50 %", worker_a, worker_b
                )
                during_ramp = Counter((await versions_of(client, ids)).values())
                await set_current(client, VERSION_B)

                async def all_on_b() -> bool:
                    return set((await versions_of(client, ids)).values()) == {VERSION_B.build_id}

                await wait_until(all_on_b, "every period on version B", worker_a, worker_b)
                await retention_run(client, "rollout-retention-b")
                retention = {
                    wid: (version, behaviour)
                    for wid, version, behaviour in [
                        await version_and_behaviour(client, "rollout-retention-a"),
                        await version_and_behaviour(client, "rollout-retention-b"),
                    ]
                }
                updates.done.set()
                await sending
                assert worker_b.task.done() is False

                # 4. A drains (no pinned workflow is left on it), then stops.
                async def a_drained() -> bool:
                    return await version_drainage(client, VERSION_A) == "drained"

                await wait_until(a_drained, "version A drained", worker_a, worker_b)
                await worker_a.stopped()

                # 5. With A gone, every period still answers a query and an update.
                answered = [await updates.one(client, wid) for wid in ids]
                cohort_answer = await cohort_status(client, "rollout-cohort")
                cohort_after = await versions_of(client, [cohort.id])
                statuses = [await period_status(client, wid) for wid in ids]
                after = Counter((await versions_of(client, ids)).values())
                listed_after = {
                    v.build_id: await _listed_when_settled(client, v, after) for v in (VERSION_A, VERSION_B)
                }
                figures = await history_figures(client, [*ids, cohort.id])
                deployment = await describe_deployment(client, DEPLOYMENT)

    report = {
        "periods": PERIODS,
        "versions_before": dict(before),
        "behaviours": dict(behaviours),
        "listed_before": listed_before,
        "ramping": {
            "build_id": ramping.ramping if ramping else None,
            "percentage": ramping.ramping_percentage if ramping else None,
        },
        "versions_during_ramp": dict(during_ramp),
        "versions_after": dict(after),
        "listed_after": listed_after,
        "cohort_before": cohort_before,
        "cohort_after": cohort_after,
        "updates_answered": updates.sent,
        "retention_runs": retention,
        "workflow_tasks_failed": figures.workflow_tasks_failed,
        "workflow_tasks_timed_out": figures.workflow_tasks_timed_out,
        "workflows_failed": figures.workflows_failed,
        "deployment_after": {v.build_id: f"{v.status}/{v.drainage}" for v in deployment.versions} if deployment else {},
    }
    print("rollout figures:", json.dumps(report, indent=2))
    (tmp_path_factory.getbasetemp() / "rollout-figures.json").write_text(json.dumps(report, indent=2))

    assert before == {VERSION_A.build_id: PERIODS}
    assert behaviours == {"AUTO_UPGRADE": PERIODS}
    assert retention == {
        "rollout-retention-a": (VERSION_A.build_id, "PINNED"),
        "rollout-retention-b": (VERSION_B.build_id, "PINNED"),
    }
    assert ramping is not None and ramping.ramping == VERSION_B.build_id and ramping.ramping_percentage == 50.0
    assert after == {VERSION_B.build_id: PERIODS}
    assert listed_before == {VERSION_A.build_id: PERIODS, VERSION_B.build_id: 0}
    assert listed_after == {VERSION_A.build_id: 0, VERSION_B.build_id: PERIODS}
    assert figures.workflow_tasks_failed == 0
    assert figures.workflow_tasks_timed_out == 0
    assert figures.workflows_failed == 0
    assert all(status.workflow_id in ids for status in answered)
    assert [s.workflow_id for s in statuses] == ids
    assert all(steps >= 3 for steps in updates.steps.values()), updates.steps
    assert deployment is not None and deployment.current == VERSION_B.build_id
    assert set(cohort_before.values()) == {VERSION_A.build_id}
    # A quiet cohort has had no workflow task since B became current: Temporal still shows A as its version, yet
    # with A stopped its query is answered (by B), and its next task will run on B: it needs no worker of A.
    assert set(cohort_after.values()) == {VERSION_A.build_id}
    assert cohort_answer.cohort == "rollout-cohort"


async def _more_sent(updates: Updates, at_least: int) -> bool:
    return updates.sent >= at_least


async def _listed_when_settled(client: Client, version: WorkerDeploymentVersion, expected: Counter[str]) -> int:
    """What visibility lists on `version`, once it agrees with describe (visibility trails it by moments)."""

    async def settled() -> bool:
        return await listed_on(client, version) == expected.get(version.build_id, 0)

    with contextlib.suppress(AssertionError):
        await wait_for(settled, f"visibility listing periods on {version.build_id}", 30.0)
    return await listed_on(client, version)
