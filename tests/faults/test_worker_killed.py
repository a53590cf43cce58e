"""The worker process killed with SIGKILL in the middle of a burst of milestones and of a cohort start, then restarted.

Real components only: a dev server of the test's own, ``python worker.py`` as its own process (killed with
SIGKILL: no graceful shutdown, activities and workflow tasks die half done), PostgreSQL, and the client API or
the `guidance` command as a person would use them. After the restart every period exists exactly once (listed
by the search attribute ``Cohort``), no milestone is lost or doubled (what was sent, the periods' status and the
``milestones`` table agree), and no natural key has two rows in any table.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
from temporalio.service import RPCError

from config.owners import all_owners
from devstack.temporal_server import DevServer
from domain.calendar import next_working_day
from domain.cohort import CohortStatus
from domain.contract import Activities, cohort_workflow_id, period_workflow_id
from domain.models import RecordMilestone
from domain.phases import Phase
from domain.records import PeriodsStarted
from starter.client import record_milestone
from starter.cohorts import cohort_status
from tests.devstack.stack_process import clean_environment
from tests.faults.harness import (
    FaultReport,
    count_tables,
    fault_period,
    fetch_rows,
    history,
    history_figures,
    listed_by_cohort,
    milestone_update,
    records_pending,
    start_periods,
    statuses,
    wait_for,
    worker_process,
)
from tests.helpers.clock import real_today

GUIDANCE = str(Path(sys.executable).parent / "guidance")
ADVISERS = ("a.hansen", "b.olsen")

# The burst: periods driven at once, each through the first milestones of its cycle (one update at a time per
# period, as advisers would); the worker is killed once a third of the updates have been answered.
BURST_PERIODS = 24
MILESTONES_PER_PERIOD = 4
KILL_AFTER_ANSWERED = BURST_PERIODS * MILESTONES_PER_PERIOD // 3
# A killed worker's running activities are retried once their start-to-close timeout (30 s for records) expires.
BURST_SECONDS = 180.0

# The cohort: all 371 owners, accepted already, started with `guidance cohort start`; the worker is killed once
# visibility lists this many of the periods.
COHORT_KILL_AT_LISTED = 100
# `start_periods` activities killed mid-way are retried only when their 2-minute start-to-close timeout expires.
COHORT_SECONDS = 600.0
DOWN_SECONDS = 1.0


async def test_a_burst_of_milestones_survives_the_worker_killed_mid_way(
    temporal: DevServer, client: Client, database_url: str, tmp_path: Path, fault_report: FaultReport
) -> None:
    cohort = f"burst-{uuid.uuid4().hex[:6]}"
    owners = all_owners()[:BURST_PERIODS]
    total = BURST_PERIODS * MILESTONES_PER_PERIOD
    async with worker_process(
        tmp_path / "worker", temporal_address=temporal.address, database_url=database_url
    ) as worker:
        ids = await start_periods(client, [fault_period(cohort, owner, ADVISERS) for owner in owners])
        pending, _ = await wait_for(lambda: records_pending(client, ids), lambda n: n == 0, seconds=60)
        assert pending == 0, f"{pending} start records still pending before the burst"

        issued: dict[str, list[RecordMilestone]] = {wid: [] for wid in ids}
        answered: dict[str, list[RecordMilestone]] = {wid: [] for wid in ids}
        errors: list[str] = []
        kill_now = asyncio.Event()

        async def drive(workflow_id: str) -> None:
            for step in range(MILESTONES_PER_PERIOD):
                update = milestone_update(step, ADVISERS[step % 2], f"{workflow_id} step {step}")
                issued[workflow_id].append(update)
                try:
                    await record_milestone(client, workflow_id, update)
                except Exception as error:  # any failure is a finding: report it, do not hide it in a retry
                    errors.append(f"{workflow_id} {update.milestone}: {type(error).__name__}: {error}")
                    return
                answered[workflow_id].append(update)
                if sum(map(len, answered.values())) >= KILL_AFTER_ANSWERED:
                    kill_now.set()

        began = time.monotonic()
        burst = asyncio.ensure_future(asyncio.gather(*(drive(wid) for wid in ids)))
        await asyncio.wait_for(kill_now.wait(), 60)
        answered_at_kill = sum(map(len, answered.values()))
        in_flight_at_kill = sum(map(len, issued.values())) - answered_at_kill
        await worker.kill()
        killed_at = time.monotonic()
        await asyncio.sleep(DOWN_SECONDS)
        restart_seconds = await worker.start()
        await asyncio.wait_for(burst, BURST_SECONDS)
        burst_seconds = time.monotonic() - began
        answered_after_kill_seconds = time.monotonic() - killed_at

        pending, records_seconds = await wait_for(
            lambda: records_pending(client, ids), lambda n: n == 0, seconds=BURST_SECONDS
        )
        final = await statuses(client, ids)
        listed, _ = await wait_for(
            lambda: listed_by_cohort(client, cohort), lambda c: sum(c.values()) >= BURST_PERIODS, seconds=30
        )
        events = await history_figures(client, ids)
        tables = await count_tables(database_url)
        milestone_rows = await fetch_rows(
            database_url, "SELECT workflow_id, milestone, note FROM milestones ORDER BY workflow_id, recorded_at"
        )
        audit_rows = await fetch_rows(
            database_url,
            "SELECT workflow_id, action, count(*) AS n FROM audit_log WHERE action LIKE 'milestone %' "
            "GROUP BY workflow_id, action",
        )
        transitions = await fetch_rows(
            database_url,
            "SELECT workflow_id, array_agg(sequence ORDER BY sequence) AS s FROM phase_transitions "
            "GROUP BY workflow_id",
        )
        period_rows = await fetch_rows(database_url, "SELECT workflow_id, phase FROM periods")

    sent = {wid: [(str(u.milestone), u.note) for u in updates] for wid, updates in answered.items()}
    in_status = {wid: [(str(m.milestone), m.note) for m in status.milestones] for wid, status in final.items()}
    in_table: dict[str, list[tuple[str, str]]] = {wid: [] for wid in ids}
    for row in milestone_rows:
        in_table[row["workflow_id"]].append((row["milestone"], row["note"]))
    lost = sum(len(set(sent[w]) - set(in_table[w])) + len(set(sent[w]) - set(in_status[w])) for w in ids)
    doubled = sum(
        max(0, len(in_table[w]) - len(set(in_table[w]))) + max(0, len(in_status[w]) - len(set(in_status[w])))
        for w in ids
    )
    summary = fault_report.record(
        "worker SIGKILL mid-burst of milestones",
        periods_checked=len(final),
        milestones_sent=sum(map(len, sent.values())),
        answered_at_kill=answered_at_kill,
        in_flight_at_kill=in_flight_at_kill,
        client_errors=len(errors),
        worker_restart_s=round(restart_seconds, 1),
        last_answer_after_kill_s=round(answered_after_kill_seconds, 1),
        burst_s=round(burst_seconds, 1),
        records_written_after_s=round(records_seconds, 1),
        milestone_rows=len(milestone_rows),
        rows_counted=tables.total_rows,
        duplicates_found=tables.total_duplicates,
        milestones_lost=lost,
        milestones_doubled=doubled,
        **{f"history_{k}": v for k, v in events.as_dict().items()},
    )

    assert not errors, f"client calls failed across the kill: {errors[:5]}; {summary}"
    assert 0 < answered_at_kill < total and in_flight_at_kill > 0, f"the kill was not mid-burst; {summary}"
    assert all(len(updates) == MILESTONES_PER_PERIOD for updates in answered.values()), summary
    assert pending == 0, f"{pending} records still pending; {summary}"
    assert in_status == sent, f"the periods' milestones differ from those sent; {summary}"
    assert in_table == sent, f"the milestones table differs from the milestones sent; {summary}"
    assert lost == 0 and doubled == 0, summary
    assert all(status.phase == Phase.IMPLEMENTATION for status in final.values()), summary
    assert sorted(listed) == sorted(ids) and set(listed.values()) == {1}, f"periods listed: {listed}; {summary}"
    assert {row["workflow_id"]: row["phase"] for row in period_rows} == dict.fromkeys(ids, "implementation"), summary
    assert len(audit_rows) == total and all(row["n"] == 1 for row in audit_rows), f"audit entries; {summary}"
    sequences = list(range(1, MILESTONES_PER_PERIOD + 1))
    in_transitions = {row["workflow_id"]: list(row["s"]) for row in transitions}
    assert in_transitions == {wid: sequences for wid in ids}, f"phase transitions; {summary}"
    assert tables.total_duplicates == 0, f"duplicates per table: {tables.duplicates}; {summary}"
    assert events.workflows_failed == 0 and events.workflow_tasks_failed == 0, summary


def _cohort_command(name: str, start: date) -> list[str]:
    return [
        GUIDANCE,
        *("cohort", "start", name, "--all-owners", "--start-date", start.isoformat()),
        *("--accepted-by", "Statsforvalteren (dialogue meetings)"),
        *("--advisers", "a.hansen,b.olsen,c.berg,d.lie", "--no-wait"),
    ]


async def _start_period_results(client: Client, cohort: str) -> tuple[int, int, int, int]:
    """From the cohort's history: `start_periods` activities completed, those completed by a retry, periods each
    reported started by its own attempt, and periods it found started already (by an attempt that was killed)."""
    kinds: dict[int, str] = {}
    completed = retried = started = already = 0
    for event in await history(client, cohort_workflow_id(cohort)):
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            kinds[event.event_id] = event.activity_task_scheduled_event_attributes.activity_type.name
        elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            attributes = event.activity_task_started_event_attributes
            retried += kinds[attributes.scheduled_event_id] == Activities.START_PERIODS and attributes.attempt > 1
        elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
            attributes_done = event.activity_task_completed_event_attributes
            if kinds[attributes_done.scheduled_event_id] != Activities.START_PERIODS:
                continue
            (outcome,) = await client.data_converter.decode(list(attributes_done.result.payloads), [PeriodsStarted])
            assert isinstance(outcome, PeriodsStarted)
            completed += 1
            started += len(outcome.started)
            already += len(outcome.already_started)
    return completed, retried, started, already


@pytest.mark.faults
@pytest.mark.timeout(COHORT_SECONDS + 300)
async def test_a_cohort_start_of_all_371_owners_survives_the_worker_killed_mid_way(
    temporal: DevServer, client: Client, database_url: str, tmp_path: Path, fault_report: FaultReport
) -> None:
    cohort = f"faults-{uuid.uuid4().hex[:6]}"
    owners = all_owners()
    assert len(owners) == 371
    expected = sorted(period_workflow_id(cohort, owner.id) for owner in owners)
    query = f"Cohort = '{cohort}' AND WorkflowType = 'GuidancePeriodWorkflow'"
    start = next_working_day(real_today() + timedelta(days=7))
    async with worker_process(
        tmp_path / "worker", temporal_address=temporal.address, database_url=database_url
    ) as worker:
        began = time.monotonic()
        done = await asyncio.to_thread(
            subprocess.run,
            _cohort_command(cohort, start),
            capture_output=True,
            text=True,
            env=clean_environment(TEMPORAL_ADDRESS=temporal.address),
            cwd=tmp_path,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
        assert "371 accepted already" in done.stdout, done.stdout

        counted, _ = await wait_for(
            lambda: client.count_workflows(query), lambda c: c.count >= COHORT_KILL_AT_LISTED, seconds=120, interval=0.1
        )
        await worker.kill()
        killed_at = time.monotonic()
        listed_at_kill = counted.count
        rows_at_kill = (await count_tables(database_url)).rows
        await asyncio.sleep(DOWN_SECONDS)
        restart_seconds = await worker.start()

        unanswered: list[str] = []

        async def progress() -> tuple[CohortStatus, int]:
            try:
                status = await cohort_status(client, cohort)
            except RPCError as error:  # no worker answered in time (the new one replays 372 workflows)
                unanswered.append(f"{time.monotonic() - killed_at:.0f} s: {error}")
                raise
            rows = (await count_tables(database_url)).rows["periods"]
            return status, rows

        (status, period_rows), _ = await wait_for(
            progress,
            lambda p: p[0].periods_started == 371 and p[0].records_pending == 0 and p[1] == 371,
            seconds=COHORT_SECONDS,
            interval=2.0,
        )
        recovered_seconds = time.monotonic() - killed_at
        total_seconds = time.monotonic() - began
        listed, _ = await wait_for(
            lambda: listed_by_cohort(client, cohort), lambda c: sum(c.values()) >= 371, seconds=60
        )
        pending, _ = await wait_for(lambda: records_pending(client, expected), lambda n: n == 0, seconds=120)
        tables = await count_tables(database_url)
        starts = await fetch_rows(
            database_url,
            "SELECT workflow_id, count(*) AS n FROM audit_log WHERE action = 'period started' GROUP BY workflow_id",
        )
        invitations = await fetch_rows(
            database_url, "SELECT owner_id, state, period_workflow_id FROM invitations WHERE cohort = $1", cohort
        )
        completed, retried, started, already = await _start_period_results(client, cohort)
        events = await history_figures(client, [*expected, cohort_workflow_id(cohort)])

    summary = fault_report.record(
        "worker SIGKILL mid-cohort start (371 owners)",
        periods_checked=len(listed),
        listed_at_kill=listed_at_kill,
        period_rows_at_kill=rows_at_kill["periods"],
        invitation_rows_at_kill=rows_at_kill["invitations"],
        worker_restart_s=round(restart_seconds, 1),
        status_queries_unanswered=len(unanswered),
        all_started_and_recorded_after_kill_s=round(recovered_seconds, 1),
        cohort_start_total_s=round(total_seconds, 1),
        start_periods_completed=completed,
        start_periods_retried=retried,
        started_by_own_attempt=started,
        found_started_by_killed_attempt=already,
        rows_counted=tables.total_rows,
        period_rows=tables.rows["periods"],
        invitation_rows=tables.rows["invitations"],
        duplicates_found=tables.total_duplicates,
        **{f"history_{k}": v for k, v in events.as_dict().items()},
    )

    assert listed_at_kill < 371 or rows_at_kill["periods"] < 371, f"the kill was not mid-start; {summary}"
    assert status.periods_started == 371 and period_rows == 371, f"not every period started; {summary}"
    assert sorted(listed) == expected, f"periods listed by Cohort differ from the owners; {summary}"
    assert set(listed.values()) == {1}, f"a period has more than one run: {listed.most_common(3)}; {summary}"
    assert started + already == 371, f"start_periods reported {started} + {already} periods; {summary}"
    assert pending == 0, f"{pending} records still pending in the periods; {summary}"
    assert len(starts) == 371 and all(row["n"] == 1 for row in starts), f"period-start audit entries; {summary}"
    assert len(invitations) == 371, summary
    assert {row["state"] for row in invitations} == {"accepted"}, summary
    assert sorted(row["period_workflow_id"] for row in invitations) == expected, summary
    assert tables.total_duplicates == 0, f"duplicates per table: {tables.duplicates}; {summary}"
    assert events.workflows_failed == 0 and events.workflow_tasks_failed == 0, summary
