"""PostgreSQL stopped during activity traffic, then started again: activities retry, no workflow fails, rows arrive.

Real components only: an embedded PostgreSQL of the test's own, stopped with ``pg_ctl stop`` (fast mode: every
connection of the worker's pool is ended at once) and started again on the same data folder and socket; a dev
server; ``python worker.py`` as its own process, never restarted. Advisers keep sending milestones and meetings
to every period before, during and after the outage.

The outage lasts 20 s in the default run (`make test`: the whole test stays under a minute) and a minute in
`make faults` (``GUIDANCE_FAULTS_PG_OUTAGE_SECONDS`` changes that one). After an outage of T seconds a record
waits at most until the next retry of `workflows.record_writer.RECORD_RETRY` (1 s doubling, at most 2 min
apart): about 2T for the first record that failed.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.client import Client, WorkflowExecutionStatus

from config.owners import all_owners
from devstack.temporal_server import DevServer
from domain.calendar import next_working_day
from domain.models import ScheduleMeeting
from starter.client import record_milestone, schedule_meeting
from tests.faults.harness import (
    FaultReport,
    RestartablePostgres,
    count_tables,
    fault_period,
    fetch_rows,
    history_figures,
    milestone_update,
    pending_activity_attempts,
    records_pending,
    start_periods,
    statuses,
    wait_for,
    worker_process,
)
from tests.helpers.clock import real_today

PERIODS = 8
ADVISERS = ("a.hansen", "b.olsen")
SHORT_OUTAGE_SECONDS = 20.0
LONG_OUTAGE_SECONDS = float(os.environ.get("GUIDANCE_FAULTS_PG_OUTAGE_SECONDS", "60"))
# Each period gets an update (a milestone or a meeting, in turn) this often, before, during and after the outage.
UPDATE_EVERY_SECONDS = 2.0
TRAFFIC_BEFORE_SECONDS = 4.0
TRAFFIC_AFTER_SECONDS = 4.0


class Traffic:
    """Advisers' updates to every period, one at a time per period, until stopped; what was answered, and how fast."""

    def __init__(self, client: Client, workflow_ids: list[str]) -> None:
        self.client = client
        self.milestones: dict[str, list[tuple[int, str, str]]] = {wid: [] for wid in workflow_ids}
        self.meetings: dict[str, list[str]] = {wid: [] for wid in workflow_ids}
        self.latencies: list[tuple[float, float]] = []  # (sent at, seconds to the answer)
        self.errors: list[str] = []
        self.stopped = asyncio.Event()
        count = len(workflow_ids)
        self._tasks = [
            asyncio.ensure_future(self._drive(wid, index * UPDATE_EVERY_SECONDS / count))
            for index, wid in enumerate(workflow_ids)
        ]

    async def _drive(self, workflow_id: str, offset: float) -> None:
        step = 0
        await asyncio.sleep(offset)  # the periods' updates spread over the interval
        while not self.stopped.is_set():
            sent = time.monotonic()
            try:
                if step % 2 == 0:
                    update = milestone_update(step // 2, ADVISERS[0], f"traffic {step}")
                    status = await record_milestone(self.client, workflow_id, update)
                    entry = status.milestones[-1]
                    self.milestones[workflow_id].append((entry.cycle, str(entry.milestone), entry.note))
                else:
                    day = next_working_day(real_today() + timedelta(days=7 + step))
                    meeting = ScheduleMeeting(kind="follow_up", date=day, adviser=ADVISERS[1], title=f"traffic {step}")
                    status = await schedule_meeting(self.client, workflow_id, meeting)
                    self.meetings[workflow_id].append(status.meetings[-1].meeting_id)
            except Exception as error:  # a failed update is a finding: count it, go on
                self.errors.append(f"{workflow_id} step {step}: {type(error).__name__}: {error}")
            self.latencies.append((sent, time.monotonic() - sent))
            step += 1
            with_pause = UPDATE_EVERY_SECONDS - (time.monotonic() - sent)
            if with_pause > 0:
                await asyncio.sleep(with_pause)

    async def stop(self) -> None:
        self.stopped.set()
        await asyncio.gather(*self._tasks)

    def answered_between(self, start: float, end: float) -> list[float]:
        return [seconds for sent, seconds in self.latencies if start <= sent < end]


@pytest.mark.parametrize(
    "outage_seconds",
    [
        pytest.param(SHORT_OUTAGE_SECONDS, id="20s"),
        pytest.param(LONG_OUTAGE_SECONDS, id="long", marks=[pytest.mark.faults, pytest.mark.timeout(900)]),
    ],
)
async def test_postgres_stopped_during_activity_traffic_delays_the_rows_and_fails_nothing(
    outage_seconds: float, temporal: DevServer, client: Client, tmp_path: Path, fault_report: FaultReport
) -> None:
    cohort = f"pg-{uuid.uuid4().hex[:6]}"
    owners = all_owners()[:PERIODS]
    # The longest a record can wait once PostgreSQL is back: its next retry (1 s doubling, 2 min at most).
    settle_seconds = min(2 * outage_seconds, outage_seconds + 120) + 60
    with RestartablePostgres(tmp_path / "pg") as pg:
        async with worker_process(
            tmp_path / "worker", temporal_address=temporal.address, database_url=pg.url
        ) as worker:
            ids = await start_periods(client, [fault_period(cohort, owner, ADVISERS) for owner in owners])
            pending, _ = await wait_for(lambda: records_pending(client, ids), lambda n: n == 0, seconds=60)
            assert pending == 0, f"{pending} start records pending before the traffic"

            traffic = Traffic(client, ids)
            await asyncio.sleep(TRAFFIC_BEFORE_SECONDS)
            down_at = time.monotonic()
            pg_stop_seconds = await asyncio.to_thread(pg.stop)
            await asyncio.sleep(max(0.0, outage_seconds - (time.monotonic() - down_at)))
            # The end of the outage: what waits, how often it was tried, whether the worker says it is not ready.
            pending_at_end = await records_pending(client, ids)
            attempts = [a for wid in ids for a in await pending_activity_attempts(client, wid)]
            ready_during = await worker.ready()
            pg_start_seconds = await asyncio.to_thread(pg.start)
            back_at = time.monotonic()
            await asyncio.sleep(TRAFFIC_AFTER_SECONDS)
            await traffic.stop()

            pending, settled_seconds = await wait_for(
                lambda: records_pending(client, ids), lambda n: n == 0, seconds=settle_seconds, interval=1.0
            )
            rows_after_seconds = time.monotonic() - back_at
            ready_after = await worker.ready()
            final = await statuses(client, ids)
            described = await asyncio.gather(*(client.get_workflow_handle(wid).describe() for wid in ids))
            events = await history_figures(client, ids)
            tables = await count_tables(pg.url)
            milestone_rows = await fetch_rows(pg.url, "SELECT workflow_id, cycle, milestone, note FROM milestones")
            meeting_rows = await fetch_rows(pg.url, "SELECT workflow_id, meeting_id FROM meetings")
            audits = await fetch_rows(
                pg.url,
                "SELECT workflow_id, count(*) FILTER (WHERE action LIKE 'milestone %') AS milestones, "
                "count(*) FILTER (WHERE action = 'meeting scheduled') AS meetings FROM audit_log GROUP BY workflow_id",
            )
            invitations = await fetch_rows(
                pg.url, "SELECT workflow_id, count(*) AS n FROM outbox WHERE kind = 'meeting_invitation' GROUP BY 1"
            )
            worker_starts = worker.starts
            worker_running = worker.running

    during = traffic.answered_between(down_at, back_at)
    sent_milestones = {wid: sorted(entries) for wid, entries in traffic.milestones.items()}
    table_milestones: dict[str, list[tuple[int, str, str]]] = {wid: [] for wid in ids}
    for row in milestone_rows:
        table_milestones[row["workflow_id"]].append((row["cycle"], row["milestone"], row["note"]))
    table_meetings: dict[str, list[str]] = {wid: [] for wid in ids}
    for row in meeting_rows:
        table_meetings[row["workflow_id"]].append(row["meeting_id"])
    running = sum(d.status == WorkflowExecutionStatus.RUNNING for d in described)
    summary = fault_report.record(
        f"PostgreSQL stopped {outage_seconds:.0f} s during activity traffic",
        periods_checked=len(final),
        periods_running=running,
        updates_answered=len(traffic.latencies) - len(traffic.errors),
        updates_during_outage=len(during),
        update_answer_p50_s_during=round(statistics.median(during), 3) if during else None,
        update_answer_max_s_during=round(max(during), 3) if during else None,
        client_errors=len(traffic.errors),
        records_pending_at_outage_end=pending_at_end,
        pending_activity_max_attempt=max(attempts, default=0),
        worker_ready_during_outage=ready_during,
        worker_ready_after=ready_after,
        worker_restarts=worker_starts - 1,
        rows_arrived_after_pg_back_s=round(rows_after_seconds, 1),
        settle_wait_s=round(settled_seconds, 1),
        postgres_stop_s=round(pg_stop_seconds, 1),
        postgres_start_s=round(pg_start_seconds, 1),
        milestones_sent=sum(map(len, sent_milestones.values())),
        milestone_rows=len(milestone_rows),
        meetings_sent=sum(map(len, traffic.meetings.values())),
        meeting_rows=len(meeting_rows),
        rows_counted=tables.total_rows,
        duplicates_found=tables.total_duplicates,
        **{f"history_{k}": v for k, v in events.as_dict().items()},
    )

    assert not traffic.errors, f"updates failed: {traffic.errors[:5]}; {summary}"
    assert during and max(during) < 5, f"updates waited for PostgreSQL; {summary}"
    assert pending_at_end > 0 and max(attempts, default=0) > 1, f"nothing was retried during the outage; {summary}"
    assert not ready_during and ready_after, f"/readyz did not follow PostgreSQL; {summary}"
    assert pending == 0, f"{pending} records still pending {settle_seconds:.0f} s after PostgreSQL came back; {summary}"
    assert running == len(ids) and worker_running and worker_starts == 1, summary
    assert events.workflows_failed == 0 and events.workflow_tasks_failed == 0, f"a workflow failed; {summary}"
    assert events.activities_retried > 0, f"no activity was retried; {summary}"
    assert {w: sorted(m) for w, m in table_milestones.items()} == sent_milestones, f"milestones; {summary}"
    assert {w: sorted(m) for w, m in table_meetings.items()} == {w: sorted(m) for w, m in traffic.meetings.items()}, (
        f"meetings; {summary}"
    )
    assert {row["workflow_id"]: (row["milestones"], row["meetings"]) for row in audits} == {
        wid: (len(traffic.milestones[wid]), len(traffic.meetings[wid])) for wid in ids
    }, f"audit entries per update; {summary}"
    assert {row["workflow_id"]: row["n"] for row in invitations} == {
        wid: len(traffic.meetings[wid]) for wid in ids if traffic.meetings[wid]
    }, f"meeting invitations in the outbox; {summary}"
    assert all(len(final[wid].milestones) == len(traffic.milestones[wid]) for wid in ids), summary
    assert tables.total_duplicates == 0, f"duplicates per table: {tables.duplicates}; {summary}"
