"""PostgreSQL record-store activities per second beside a bare asyncpg insert loop (issue 8, item 1).

Run with `make bench` (or `.venv/bin/python bench/store_throughput.py`; ``--help`` lists the options). The
script starts embedded PostgreSQL (or uses ``DATABASE_URL``, in a database of its own), applies the engine's
schema and opens one pool with the engine's `create_pool`, ``--concurrency`` connections. Then, with as many
calls in flight as the pool has connections, in rounds that alternate the kinds:

- `RecordStore.record_milestone` through temporalio's `ActivityEnvironment` (a period's milestone: the period's
  row upserted, the milestone, its phase transition and an audit entry inserted, one transaction), each call
  a different period whose start was recorded beforehand, as in the engine;
- `RecordStore.record_meeting` likewise (the meeting's row, its invitation in the outbox table and as an
  ``.ics`` file, an audit entry);
- the baseline: one bare asyncpg INSERT per call into `bench_milestones`, a table like `milestones` (the same
  columns, key and checks), on the same pool;
- a reference for the diagnosis: a bare transaction of four such INSERTs, as many statements as a milestone.

The records are built beforehand by the domain's own rules (`new_state`, `apply_milestone`, `apply_meeting`),
so the figures are the activities' own work. Results go to bench/results/store_throughput.json.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
from temporalio.testing import ActivityEnvironment  # noqa: E402

from activities.db import apply_schema, create_pool  # noqa: E402
from activities.record_store import RecordStore  # noqa: E402
from bench.common import (  # noqa: E402
    BenchmarkError,
    Figure,
    parser,
    percentile,
    print_table,
    report_header,
    run_benchmark,
    stack,
    write_results,
)
from config.owners import all_owners  # noqa: E402
from config.settings import AppSettings, resolve_plan  # noqa: E402
from domain import calendar  # noqa: E402
from domain.contract import period_workflow_id  # noqa: E402
from domain.models import PeriodInput, RecordMilestone, ScheduleMeeting  # noqa: E402
from domain.period import apply_meeting, apply_milestone, new_state  # noqa: E402
from domain.phases import Milestone  # noqa: E402
from domain.records import (  # noqa: E402
    AuditEntry,
    MeetingRecord,
    MilestoneRecord,
    PeriodSnapshot,
    PeriodStartedRecord,
    PhaseTransition,
)
from starter.logs import configure_logging  # noqa: E402

NAME = "store_throughput"

# The baseline's table is the real `milestones` table's copy (columns, defaults, checks, primary key), so the
# bare loop pays for the same row the record store writes, and follows the schema when it changes.
BARE_TABLE = "CREATE TABLE IF NOT EXISTS bench_milestones (LIKE milestones INCLUDING ALL)"
BARE_INSERT = """
INSERT INTO bench_milestones (workflow_id, cycle, milestone, adviser, note, recorded_at, development_area, goals)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (workflow_id, cycle, milestone) DO NOTHING
"""
#: The reference transaction's four rows take these milestones, so that each is a new row.
REFERENCE_MILESTONES = ("mapping_done", "anchoring_done", "development_area_chosen", "goals_prioritised")


@dataclass
class Records:
    """One round's records, built beforehand: a period's start, a milestone and a meeting per period."""

    started: list[PeriodStartedRecord] = field(default_factory=list)
    milestones: list[MilestoneRecord] = field(default_factory=list)
    meetings: list[MeetingRecord] = field(default_factory=list)


def build_records(count: int, prefix: str) -> Records:
    owners = all_owners()
    plan = resolve_plan("veilederkorpset")
    start = calendar.next_working_day(date.today() + timedelta(days=7))
    began = datetime.now(UTC)
    records = Records()
    for i in range(count):
        owner = owners[i % len(owners)]
        cohort = f"{prefix}{i // len(owners)}"
        workflow_id = period_workflow_id(cohort, owner.id)
        period = PeriodInput(
            cohort=cohort,
            owner=owner,
            advisers=["a.hansen", "b.olsen"],
            start_date=start,
            schools=["Fjell skole", "Brandengen skole"],
            programme=plan,
        )
        state = new_state(period, plan)
        records.started.append(
            PeriodStartedRecord(
                period=PeriodSnapshot.of(state, workflow_id, began),
                audit=AuditEntry(
                    workflow_id=workflow_id,
                    event_key="started",
                    at=began,
                    actor="system",
                    action="period started",
                    details={"plan": plan.version},
                ),
                plan=plan,
            )
        )
        at = began + timedelta(seconds=1)
        update = RecordMilestone(milestone=Milestone.MAPPING_DONE, adviser="a.hansen", note="Pupil survey analysed")
        entry, change = apply_milestone(state, update, at)
        records.milestones.append(
            MilestoneRecord(
                period=PeriodSnapshot.of(state, workflow_id, at),
                milestone=entry,
                transition=PhaseTransition.of(change, workflow_id, at, update.adviser),
                audit=AuditEntry(
                    workflow_id=workflow_id,
                    event_key=f"update:{uuid.uuid4()}",
                    at=at,
                    actor=update.adviser,
                    action=f"milestone {update.milestone}",
                ),
            )
        )
        at += timedelta(seconds=1)
        request = ScheduleMeeting(
            kind="follow_up",
            date=calendar.next_working_day(start + timedelta(days=14 + i % 7)),
            adviser="a.hansen",
            schools=["Fjell skole"],
            title="Follow-up: the reading plan",
        )
        meeting = apply_meeting(state, request, at)
        records.meetings.append(
            MeetingRecord(
                workflow_id=workflow_id,
                owner_name=owner.name,
                advisers=list(period.advisers),
                timezone=state.plan.timezone,
                meeting=meeting,
                audit=AuditEntry(
                    workflow_id=workflow_id,
                    event_key=f"update:{uuid.uuid4()}",
                    at=at,
                    actor=request.adviser,
                    action="meeting scheduled",
                    details={"meeting_id": meeting.meeting_id},
                ),
            )
        )
    return records


@dataclass
class Kind:
    """The calls of one kind over all rounds."""

    calls: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.calls / self.seconds if self.seconds else float("nan")

    def summary(self) -> dict[str, Any]:
        return {
            "calls": self.calls,
            "seconds": self.seconds,
            "per_second": self.rate,
            "p50_ms": percentile(self.latencies_ms, 50),
            "p99_ms": percentile(self.latencies_ms, 99),
        }


async def run_calls(kind: Kind, count: int, concurrency: int, call: Callable[[int], Awaitable[Any]]) -> None:
    """`call(0) .. call(count - 1)` on `concurrency` lanes, each taking the next index when it is free."""
    indexes = iter(range(count))

    async def lane() -> None:
        for i in indexes:
            began = time.perf_counter()
            await call(i)
            kind.latencies_ms.append((time.perf_counter() - began) * 1000)

    began = time.perf_counter()
    await asyncio.gather(*(lane() for _ in range(concurrency)))
    kind.seconds += time.perf_counter() - began
    kind.calls += count


def activity(
    env: ActivityEnvironment, function: Callable[[Any], Awaitable[Any]], records: Sequence[Any]
) -> Callable[[int], Awaitable[Any]]:
    """A call of the activity `function` on record i, run as a worker runs it (its activity context set)."""

    async def call(i: int) -> Any:
        return await env.run(function, records[i])

    return call


def bare_insert(pool: asyncpg.Pool, prefix: str, record: MilestoneRecord) -> Callable[[int], Awaitable[None]]:
    m = record.milestone

    async def call(i: int) -> None:
        async with pool.acquire() as connection:
            await connection.execute(
                BARE_INSERT, f"{prefix}-{i}", m.cycle, m.milestone, m.adviser, m.note, m.recorded_at, None, m.goals
            )

    return call


def bare_transaction(pool: asyncpg.Pool, prefix: str, record: MilestoneRecord) -> Callable[[int], Awaitable[None]]:
    m = record.milestone

    async def call(i: int) -> None:
        async with pool.acquire() as connection, connection.transaction():
            for name in REFERENCE_MILESTONES:
                await connection.execute(
                    BARE_INSERT, f"{prefix}-{i}", m.cycle, name, m.adviser, m.note, m.recorded_at, None, m.goals
                )

    return call


async def measure(pool: asyncpg.Pool, store: RecordStore, options: Any) -> dict[str, Kind]:
    env = ActivityEnvironment()
    per_round = max(1, options.calls // options.rounds)
    kinds = {name: Kind() for name in ("record_milestone", "record_meeting", "bare_insert", "bare_transaction")}
    print("warming up ...", flush=True)
    warm = build_records(20, f"w{uuid.uuid4().hex[:6]}")
    for i in range(20):
        await env.run(store.record_period_started, warm.started[i])
        await env.run(store.record_milestone, warm.milestones[i])
        await env.run(store.record_meeting, warm.meetings[i])
        await bare_insert(pool, "warm", warm.milestones[i])(i)
        await bare_transaction(pool, "warm-tx", warm.milestones[i])(i)
    for n in range(options.rounds):
        run_id = uuid.uuid4().hex[:6]
        records = build_records(per_round, f"s{run_id}")
        # The periods' starts, as the engine records them before any milestone (not timed).
        await run_calls(
            Kind(), per_round, options.concurrency, activity(env, store.record_period_started, records.started)
        )
        print(
            f"round {n + 1}/{options.rounds}: {per_round} calls of each kind, {options.concurrency} in flight ...",
            flush=True,
        )
        sample = records.milestones[0]
        await run_calls(kinds["bare_insert"], per_round, options.concurrency, bare_insert(pool, f"b{run_id}", sample))
        await run_calls(
            kinds["record_milestone"],
            per_round,
            options.concurrency,
            activity(env, store.record_milestone, records.milestones),
        )
        await run_calls(
            kinds["record_meeting"],
            per_round,
            options.concurrency,
            activity(env, store.record_meeting, records.meetings),
        )
        await run_calls(
            kinds["bare_transaction"], per_round, options.concurrency, bare_transaction(pool, f"t{run_id}", sample)
        )
    return kinds


async def check_rows(pool: asyncpg.Pool, kinds: dict[str, Kind]) -> dict[str, int]:
    """The rows the timed calls wrote (besides the warm-up's 20 of each), to show each call did its work."""
    async with pool.acquire() as connection:
        counts = {
            table: int(await connection.fetchval(f"SELECT count(*) FROM {table}"))  # our own table names
            for table in ("milestones", "meetings", "outbox", "bench_milestones")
        }
    expected = {
        "milestones": kinds["record_milestone"].calls + 20,
        "meetings": kinds["record_meeting"].calls + 20,
        "bench_milestones": kinds["bare_insert"].calls + 4 * kinds["bare_transaction"].calls + 20 + 4 * 20,
    }
    for table, count in expected.items():
        if counts[table] != count:
            raise BenchmarkError(f"{table} holds {counts[table]} rows, expected {count}")
    return counts


async def main(options: Any) -> list[Figure]:
    began = time.perf_counter()
    configure_logging(level=logging.WARNING)  # as the other benchmarks: no line per record written
    report_header(NAME, options.quick)
    async with stack("store", temporal=False) as s:
        settings = AppSettings(_env_file=None, data_dir=s.folder, outbox_dir=s.folder / "outbox")
        pool = await create_pool(s.database_url, min_size=options.concurrency, max_size=options.concurrency)
        try:
            await apply_schema(pool)
            async with pool.acquire() as connection:
                await connection.execute(BARE_TABLE)
            kinds = await measure(pool, RecordStore(pool, settings), options)
            rows = await check_rows(pool, kinds)
        finally:
            await pool.close()
    m, mt, b, tx = kinds["record_milestone"], kinds["record_meeting"], kinds["bare_insert"], kinds["bare_transaction"]
    result = [
        Figure("record_milestone activities/s (vs bare insert)", m.rate, b.rate, "1/s"),
        Figure("record_meeting activities/s (vs bare insert)", mt.rate, b.rate, "1/s", note="with the .ics file"),
        Figure(
            "record_milestone/s vs bare 4-insert transaction",
            m.rate,
            tx.rate,
            "1/s",
            note="reference: as many statements as a milestone writes, nothing else",
        ),
        Figure(
            "record_milestone p50 (vs bare insert)",
            percentile(m.latencies_ms, 50),
            percentile(b.latencies_ms, 50),
            "ms",
        ),
        Figure(
            "record_milestone p99 (vs bare insert)",
            percentile(m.latencies_ms, 99),
            percentile(b.latencies_ms, 99),
            "ms",
        ),
    ]
    print_table(
        f"record-store activities vs bare asyncpg inserts ({m.calls} calls of each kind, {options.concurrency} in "
        f"flight on a pool of {options.concurrency})",
        result,
    )
    for note in s.notes:
        print(f"note: {note}")
    write_results(
        NAME,
        options.output,
        result,
        began=began,
        options=vars(options),
        details={**{name: kind.summary() for name, kind in kinds.items()}, "rows": rows},
    )
    return result


def parse_options(argv: list[str] | None = None) -> Any:
    p = parser("Record-store activities per second beside a bare asyncpg insert loop.", NAME)
    p.add_argument("--calls", type=int, default=3000, help="calls of each kind (3000; --quick 300)")
    p.add_argument(
        "--concurrency",
        type=int,
        default=AppSettings(_env_file=None).db_pool_max_size,
        help="calls in flight and pool size (the worker's pool: 10)",
    )
    p.add_argument("--rounds", type=int, default=3, help="rounds alternating the kinds (3; --quick 1)")
    options = p.parse_args(argv)
    if options.quick:
        if options.calls == 3000:
            options.calls = 300
        if options.rounds == 3:
            options.rounds = 1
    return options


if __name__ == "__main__":
    run_benchmark(main, parse_options())
