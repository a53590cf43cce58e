"""Starting a cohort's guidance periods from an activity: client starts, many at once, each exactly once.

Why an activity rather than child workflows: a parent that starts hundreds
of children serialises them on its own history (a few events and a workflow task each), which would make a
371-owner cohort start several times slower than plain client starts. An activity starts a batch
concurrently through the same client API any starter uses, and the cohort's history grows by one
activity per batch. Exactly once still holds: every period has the id ``guidance-period-{cohort}-{owner}``
and is started with ``REJECT_DUPLICATE``, so a retried activity finds the periods it started before
and reports them as started, never making a second one. A period started this way has no parent, so it
never dies with its cohort.
"""

from __future__ import annotations

import asyncio

from temporalio import activity
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import WorkflowExecutionStatus
from temporalio.api.workflowservice.v1 import DescribeWorkflowExecutionRequest
from temporalio.client import Client
from temporalio.common import Priority, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from activities.logging import activity_logger
from domain.contract import PERIOD_WORKFLOW_TYPE, REPORT_PROGRESS_TO_SIGNAL, Activities
from domain.records import PeriodsStarted, PeriodStart, PeriodStarts
from domain.visibility import initial_search_attributes

WORKFLOW_EXECUTION_STATUS_RUNNING = WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING

#: Starts in flight at once per activity (the client's concurrency, as a starter script would use).
CONCURRENT_STARTS = 50
#: Periods started by a cohort queue behind the cohort's own tasks (priority 3, the default) when the task queue
#: has a backlog, so the cohort keeps up with its starts, answers and queries while hundreds of periods begin.
PERIOD_PRIORITY = Priority(priority_key=4)


class PeriodStarter:
    """The activity that starts periods with the worker's own client, on the worker's task queue."""

    def __init__(self, client: Client) -> None:
        self._client = client

    @activity.defn(name=Activities.START_PERIODS)
    async def start_periods(self, batch: PeriodStarts) -> PeriodsStarted:
        """Start every period of the batch that does not exist yet."""
        task_queue = activity.info().task_queue
        gate = asyncio.Semaphore(CONCURRENT_STARTS)
        started: list[str] = []
        already: list[str] = []

        async def start(item: PeriodStart) -> None:
            period = batch.period_of(item)
            async with gate:
                try:
                    await self._client.start_workflow(
                        PERIOD_WORKFLOW_TYPE,
                        period,
                        id=item.workflow_id,
                        task_queue=task_queue,
                        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                        static_summary=(
                            f"Guidance period: {period.owner.name} ({period.owner.id}), cohort {period.cohort}"
                        ),
                        search_attributes=initial_search_attributes(period),
                        priority=PERIOD_PRIORITY,
                    )
                    started.append(item.workflow_id)
                except WorkflowAlreadyStartedError:
                    already.append(item.workflow_id)
            # A worker that dies mid-batch is noticed within the heartbeat timeout, not the start timeout.
            activity.heartbeat(len(started) + len(already))

        await asyncio.gather(*(start(item) for item in batch.starts))
        cohorts = {item.workflow_id: item.period.report_to for item in batch.starts}
        running = await asyncio.gather(*(self._still_running(w, cohorts[w]) for w in already))
        closed = [workflow_id for workflow_id, runs in zip(already, running, strict=True) if not runs]
        activity_logger().info("periods started", started=len(started), already_started=len(already))
        return PeriodsStarted(started=sorted(started), already_started=sorted(already), already_closed=sorted(closed))

    async def _still_running(self, workflow_id: str, cohort_id: str | None) -> bool:
        """Whether a period that existed already still runs; if so, it is asked to report to the cohort.

        The cohort waits for the end of every period of its owners. A period it started itself (found
        again by a retried activity) ignores the signal; one started by hand before the cohort would
        otherwise never tell it of its end. A period that has ended refuses the signal (not found).
        """
        if cohort_id is None:
            return await self._running(workflow_id)
        try:
            await self._client.get_workflow_handle(workflow_id).signal(REPORT_PROGRESS_TO_SIGNAL, cohort_id)
        except RPCError as error:
            if error.status != RPCStatusCode.NOT_FOUND:
                raise
            return False
        return True

    async def _running(self, workflow_id: str) -> bool:
        # The raw call: it reads the status without decoding search attributes (which not every server,
        # the time-skipping test server among them, returns in a form the SDK can decode).
        response = await self._client.workflow_service.describe_workflow_execution(
            DescribeWorkflowExecutionRequest(
                namespace=self._client.namespace, execution=WorkflowExecution(workflow_id=workflow_id)
            )
        )
        return response.workflow_execution_info.status == WORKFLOW_EXECUTION_STATUS_RUNNING
