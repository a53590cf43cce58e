"""The Temporal dev server stopped and started again on its SQLite file in the middle of periods.

Real components only: `DevServer` (``temporal server start-dev``) stopped with SIGTERM and started again on the
same SQLite file and port, ``python worker.py`` as its own process (left running: it has to find the server again
by itself), and an embedded PostgreSQL of the test's own.

Which timers can a test watch fire? The engine's own workflow timers wait for deadlines at midnight (end of a
working day in the plan's time zone: Europe/Oslo, Europe/Stockholm or UTC) that are weeks away, and a plan's
durations are whole weeks, so none fires within a test on a real-time server. What does fire within seconds is
the record writer's retry timer: `workflows.record_writer.RECORD_RETRY` retries a failed record after 1 s, 2 s,
4 s, ... and the server keeps each of those retries as a timer in its SQLite file, just as it keeps the
workflows' deadline timers (both are timer tasks of the history service). So the test:

1. brings periods to different phases and lets their records be written; half of them ("quiet") are then left
   alone, each with its deadline timer pending;
2. stops PostgreSQL and records one milestone on each of the other half ("busy"): the updates are answered at
   once, and each record fails and waits on a retry timer (attempt 3 or more is seen);
3. stops the dev server while those retry timers wait, keeps it down, starts it again on the same file and port;
4. watches the retries go on after the restart while PostgreSQL is still down: the retry that fell due while
   the server was down fires (a timer kept in the SQLite file), and so does the next one, set by the restarted
   server; then starts PostgreSQL: every queued record arrives, once;
5. checks the quiet periods' status and deadline timer (id and fire time) are exactly as before, every period
   takes a new milestone, and the record store agrees with the periods.

`DevServer.start` checks that its port is free before it launches the server. That check once counted the
stopped server's connections still in TIME_WAIT and refused the port for a minute after a stop that cut a
worker's long polls; this test found it, and asserts the port is free again at once.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from temporalio.client import Client

from config.owners import all_owners
from devstack import temporal_server
from devstack.temporal_server import DevServer, free_port
from domain.calendar import next_working_day
from domain.models import PeriodStatus, ScheduleMeeting
from starter.client import record_milestone, schedule_meeting
from tests.faults.harness import (
    FaultReport,
    RestartablePostgres,
    count_tables,
    fault_period,
    fetch_rows,
    history,
    history_figures,
    milestone_update,
    pending_activity_attempts,
    pending_timers,
    records_pending,
    start_periods,
    statuses,
    wait_for,
    worker_process,
)
from tests.helpers.clock import real_today

PERIODS = 6
ADVISERS = ("a.hansen", "b.olsen")
SERVER_DOWN_SECONDS = 3.0
# The server is stopped as soon as every busy record has failed this often: the next retry is then 4 s or more away,
# so no attempt runs while the server stops. (An attempt whose failure the worker cannot report to a stopped server
# is retried only when its start-to-close timeout, 30 s for records, expires: true, but slow for a test.)
RETRYING_AT_ATTEMPT = 3
WAIT_SECONDS = 90.0


async def _timers(client: Client, workflow_ids: list[str]) -> dict[str, dict[str, datetime]]:
    return {wid: pending_timers(await history(client, wid)) for wid in workflow_ids}


async def _attempts(client: Client, workflow_ids: list[str]) -> dict[str, int]:
    """The highest attempt of each workflow's pending activities (0: none pending)."""
    return {wid: max(await pending_activity_attempts(client, wid), default=0) for wid in workflow_ids}


def _fired_twice(attempt: int, before_stop: int, at_restart: int) -> bool:
    """Two retries since the stop, one of them scheduled by the restarted server itself (a timer set and fired
    after the restart), and at least one since the restart (the retry that fell due while the server was down)."""
    return attempt >= before_stop + 2 and attempt >= at_restart + 1


def _milestones(status: PeriodStatus) -> list[tuple[int, str, str]]:
    return [(m.cycle, str(m.milestone), m.note) for m in status.milestones]


async def test_periods_resume_and_timers_fire_after_the_dev_server_restarts_on_its_sqlite_file(
    tmp_path: Path, fault_report: FaultReport
) -> None:
    cohort = f"restart-{uuid.uuid4().hex[:6]}"
    db_file, port = tmp_path / "temporal.sqlite", free_port()
    owners = all_owners()[:PERIODS]
    with RestartablePostgres(tmp_path / "pg") as pg:
        server = await DevServer.start(db_file, port)
        try:
            client = await server.connect()
            async with worker_process(tmp_path / "worker", temporal_address=server.address, database_url=pg.url) as w:
                ids = await start_periods(client, [fault_period(cohort, owner, ADVISERS) for owner in owners])
                quiet, busy = ids[0::2], ids[1::2]
                meeting_day = next_working_day(real_today() + timedelta(days=14))
                for index, wid in enumerate(ids):
                    for step in range(index):  # period i has closed i phases
                        await record_milestone(client, wid, milestone_update(step, ADVISERS[0], f"before {step}"))
                    meeting = ScheduleMeeting(
                        kind="follow_up", date=meeting_day, adviser=ADVISERS[1], title="Follow-up"
                    )
                    await schedule_meeting(client, wid, meeting)
                pending, _ = await wait_for(
                    lambda: records_pending(client, ids), lambda n: n == 0, seconds=WAIT_SECONDS
                )
                assert pending == 0, f"{pending} records pending before the faults"
                before = await statuses(client, ids)
                timers_before = await _timers(client, ids)

                # PostgreSQL away: the busy periods take a milestone each; its record waits on retry timers.
                pg_stop_seconds = pg.stop()
                answer_seconds: list[float] = []
                for wid in busy:
                    asked = time.monotonic()
                    step = len(before[wid].milestones)
                    await record_milestone(
                        client, wid, milestone_update(step, ADVISERS[0], "while the server restarts")
                    )
                    answer_seconds.append(time.monotonic() - asked)
                retrying, _ = await wait_for(
                    lambda: _attempts(client, busy),
                    lambda a: min(a.values()) >= RETRYING_AT_ATTEMPT,
                    seconds=WAIT_SECONDS,
                    interval=0.2,
                )
                assert min(retrying.values()) >= RETRYING_AT_ATTEMPT, (
                    f"the busy periods' records are not retrying: {retrying}"
                )

                # The dev server stopped and started again on the same SQLite file and port.
                stopped_at = time.monotonic()
                await asyncio.to_thread(server.stop)
                stop_seconds = time.monotonic() - stopped_at
                port_check_refused = not temporal_server.port_is_free(port)
                assert not port_check_refused, f"port {port} refused right after the dev server stopped"
                await asyncio.sleep(SERVER_DOWN_SECONDS)
                restarted_at = time.monotonic()
                server = await DevServer.start(db_file, port)
                start_seconds = time.monotonic() - restarted_at
                down_seconds = time.monotonic() - stopped_at

                # With PostgreSQL still away, the retry timers kept in the SQLite file fire on the new server.
                at_restart = await _attempts(client, busy)
                fired, timers_fired_after_s = await wait_for(
                    lambda: _attempts(client, busy),
                    lambda a: all(_fired_twice(a[wid], retrying[wid], at_restart[wid]) for wid in busy),
                    seconds=WAIT_SECONDS,
                )
                pending_during = await records_pending(client, ids)
                pg_start_seconds = pg.start()
                back_at = time.monotonic()
                pending, _ = await wait_for(
                    lambda: records_pending(client, ids), lambda n: n == 0, seconds=WAIT_SECONDS
                )
                records_after_pg_seconds = time.monotonic() - back_at
                after = await statuses(client, ids)
                timers_after = await _timers(client, ids)
                worker_alive = w.running and w.starts == 1

                # Every period goes on: one more milestone each, written as before.
                for wid in ids:
                    step = len(after[wid].milestones)
                    await record_milestone(client, wid, milestone_update(step, ADVISERS[1], "after the restart"))
                written, _ = await wait_for(
                    lambda: records_pending(client, ids), lambda n: n == 0, seconds=WAIT_SECONDS
                )
                final = await statuses(client, ids)
                events = await history_figures(client, ids)
                tables = await count_tables(pg.url)
                rows = await fetch_rows(
                    pg.url,
                    "SELECT workflow_id, cycle, milestone, note FROM milestones ORDER BY workflow_id, recorded_at",
                )
                meetings = await fetch_rows(pg.url, "SELECT workflow_id, count(*) AS n FROM meetings GROUP BY 1")
        finally:
            await asyncio.to_thread(server.stop)

    now = datetime.now().astimezone()
    quiet_unchanged = sum(after[wid].model_dump() == before[wid].model_dump() for wid in quiet)
    timers_kept = sum(timers_after[wid] == timers_before[wid] and len(timers_before[wid]) == 1 for wid in quiet)
    timers_ahead = sum(len(timers_after[wid]) == 1 and min(timers_after[wid].values()) > now for wid in ids)
    busy_moved_on = sum(
        _milestones(after[wid])[:-1] == _milestones(before[wid]) and after[wid].phase != before[wid].phase
        for wid in busy
    )
    in_table: dict[str, list[tuple[int, str, str]]] = {wid: [] for wid in ids}
    for row in rows:
        in_table[row["workflow_id"]].append((row["cycle"], row["milestone"], row["note"]))
    in_status = {wid: _milestones(status) for wid, status in final.items()}
    summary = fault_report.record(
        "dev server restarted on its SQLite file mid-period",
        periods_checked=len(final),
        quiet_periods_unchanged=f"{quiet_unchanged}/{len(quiet)}",
        deadline_timers_kept=f"{timers_kept}/{len(quiet)}",
        deadline_timers_pending_ahead=f"{timers_ahead}/{len(ids)}",
        busy_periods_moved_on=f"{busy_moved_on}/{len(busy)}",
        update_answer_max_s_pg_down=round(max(answer_seconds), 2),
        retry_attempt_before_stop=max(retrying.values()),
        retry_attempt_after_restart=min(fired.values()),
        retry_timers_fired_after_restart_s=round(timers_fired_after_s, 1),
        server_stop_s=round(stop_seconds, 1),
        server_start_s=round(start_seconds, 1),
        server_down_s=round(down_seconds, 1),
        port_check_refused_after_stop=port_check_refused,
        records_pending_after_restart=pending_during,
        records_written_after_pg_back_s=round(records_after_pg_seconds, 1),
        postgres_stop_s=round(pg_stop_seconds, 1),
        postgres_start_s=round(pg_start_seconds, 1),
        worker_kept_running=worker_alive,
        milestone_rows=len(rows),
        rows_counted=tables.total_rows,
        duplicates_found=tables.total_duplicates,
        **{f"history_{k}": v for k, v in events.as_dict().items()},
    )

    assert all(_fired_twice(fired[wid], retrying[wid], at_restart[wid]) for wid in busy), (
        f"retry timers did not fire after the restart: before {retrying}, at restart {at_restart}, "
        f"now {fired}; {summary}"
    )
    assert pending_during >= len(busy), f"records were written while PostgreSQL was away; {summary}"
    assert pending == 0 and written == 0, f"records still pending after PostgreSQL came back; {summary}"
    assert max(answer_seconds) < 5, f"an update waited for PostgreSQL; {summary}"
    assert quiet_unchanged == len(quiet), f"a quiet period changed across the restart; {summary}"
    assert timers_kept == len(quiet), f"deadline timers before {timers_before} after {timers_after}; {summary}"
    assert timers_ahead == len(ids), f"each period waits on one deadline timer ahead: {timers_after}; {summary}"
    assert busy_moved_on == len(busy), f"the milestones recorded while the server restarted; {summary}"
    assert all(len(final[wid].milestones) == len(after[wid].milestones) + 1 for wid in ids), summary
    assert in_table == in_status, f"the milestones table differs from the periods; {summary}"
    assert {row["workflow_id"]: row["n"] for row in meetings} == dict.fromkeys(ids, 1), summary
    assert worker_alive, f"the worker had to be restarted; {summary}"
    assert tables.total_duplicates == 0, f"duplicates per table: {tables.duplicates}; {summary}"
    assert events.workflows_failed == 0 and events.workflow_tasks_failed == 0, summary
