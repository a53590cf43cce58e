"""Real guidance periods for the benchmarks: inputs, starts through the `guidance` command's path, and updates."""

from __future__ import annotations

import asyncio
import time
from datetime import date, timedelta

import asyncpg
from temporalio.client import Client, WorkflowHandle

from bench.common import BenchmarkError, bounded
from config.owners import all_owners
from domain import calendar
from domain.models import PeriodInput, PeriodStatus, RecordMilestone, ScheduleMeeting
from domain.phases import Milestone
from starter.client import resolve_plan, start_period
from workflows.guidance_period import GuidancePeriodWorkflow

PeriodHandle = WorkflowHandle[GuidancePeriodWorkflow, PeriodStatus]
ADVISERS = ("a.hansen", "b.olsen")

#: The milestones of a development cycle, as an adviser records them; the last starts a new cycle (a period has
#: 30 months, a new cycle needs 9 left), so a new period takes them round and round for a year and more.
MILESTONES: tuple[RecordMilestone, ...] = (
    RecordMilestone(
        milestone=Milestone.MAPPING_DONE, adviser="a.hansen", note="Pupil survey and national tests analysed"
    ),
    RecordMilestone(milestone=Milestone.ANCHORING_DONE, adviser="b.olsen", note="Anchored with the school leaders"),
    RecordMilestone(milestone=Milestone.DEVELOPMENT_AREA_CHOSEN, adviser="a.hansen", development_area="basic_skills"),
    RecordMilestone(
        milestone=Milestone.GOALS_PRIORITISED, adviser="a.hansen", goals=["More pupils read at mastery level 3"]
    ),
    RecordMilestone(milestone=Milestone.MEASURES_IMPLEMENTED, adviser="b.olsen", note="Reading time every morning"),
    RecordMilestone(milestone=Milestone.EVALUATION_DONE, adviser="a.hansen", note="Reading scores up", next_cycle=True),
)


def first_day() -> date:
    """The periods' start date: the last working day before today, so their milestones may be recorded at once (a
    milestone is recorded from the period's start on, on the plan's clock, which may be a day ahead of this
    machine's); their meetings, two weeks and more in, lie ahead."""
    return calendar.previous_working_day(date.today() - timedelta(days=1))


def period_inputs(count: int, prefix: str) -> list[PeriodInput]:
    """`count` periods of distinct school owners, 371 to a cohort (``{prefix}{n}``), each with its plan."""
    owners = all_owners()
    plan = resolve_plan("veilederkorpset")
    start = first_day()
    return [
        PeriodInput(
            cohort=f"{prefix}{i // len(owners)}",
            owner=owners[i % len(owners)],
            advisers=list(ADVISERS),
            start_date=start,
            schools=["Fjell skole", "Brandengen skole"],
            plan=plan.name,
            programme=plan,
        )
        for i in range(count)
    ]


def meeting_request(index: int) -> ScheduleMeeting:
    """A follow-up meeting on a working day two to three weeks into the period (varied by `index`)."""
    day = calendar.next_working_day(first_day() + timedelta(days=14 + index % 7))
    return ScheduleMeeting(
        kind="follow_up",
        date=day,
        duration_minutes=90,
        adviser="a.hansen",
        schools=["Fjell skole"],
        title="Follow-up: the reading plan",
    )


async def start_periods(client: Client, inputs: list[PeriodInput], concurrency: int) -> list[PeriodHandle]:
    """Start the periods as the `guidance start` command does (REJECT_DUPLICATE, summaries, search attributes)."""
    return await bounded(len(inputs), concurrency, lambda i: start_period(client, inputs[i]))


async def row_count(database_url: str, table: str) -> int:
    connection = await asyncpg.connect(database_url)
    try:
        count: int = await connection.fetchval(f"SELECT count(*) FROM {table}")  # the table name is ours
        return count
    finally:
        await connection.close()


async def wait_for_rows(database_url: str, table: str, count: int, patience: float) -> float:
    """Wait until `table` holds at least `count` rows (the periods' records are written); the seconds waited."""
    began = time.monotonic()
    while True:
        found = await row_count(database_url, table)
        if found >= count:
            return time.monotonic() - began
        if time.monotonic() - began > patience:
            raise BenchmarkError(f"stuck: {found} of {count} rows in {table} after {patience:.0f} s")
        await asyncio.sleep(0.25)
