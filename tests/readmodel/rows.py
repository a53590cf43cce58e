"""A small cohort written into a real record store (the schema of activities/schema.sql), row by row.

Rows are inserted with SQL rather than through the workflow's records, so these tests pin the table
contract the read model reads, whatever shape the domain's models take.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import asyncpg

from domain.calendar import end_of_day

NOW = datetime(2027, 4, 1, 10, 0, tzinfo=UTC)
#: Deadlines as the engine writes them: midnight at the end of their day in Norway (`calendar.end_of_day`).
ZONE = "Europe/Oslo"
PERIOD_END = end_of_day(date(2029, 7, 3), ZONE)
COHORT = "2027"


@dataclass
class Period:
    owner_id: str
    owner_name: str
    county: str
    advisers: list[str]
    phase: str
    phase_started_on: date
    phase_due_at: datetime | None
    overdue: bool = False
    start_date: date = date(2027, 1, 4)
    development_area: str | None = None
    goals: list[str] = field(default_factory=list)
    ended_at: datetime | None = None
    cohort: str = COHORT

    @property
    def workflow_id(self) -> str:
        return f"guidance-period-{self.cohort}-{self.owner_id}"


DRAMMEN = Period(
    "3301",
    "Drammen",
    "33",
    ["a.hansen", "b.olsen"],
    "anchoring",
    date(2027, 3, 10),
    end_of_day(date(2027, 5, 5), ZONE),
)
KONGSBERG = Period(
    "3303",
    "Kongsberg",
    "33",
    ["b.olsen"],
    "mapping",
    date(2027, 1, 4),
    end_of_day(date(2027, 3, 15), ZONE),
    overdue=True,
)
BERGEN = Period(
    "4601",
    "Bergen",
    "46",
    ["c.berg"],
    "goal_prioritisation",
    date(2027, 3, 22),
    end_of_day(date(2027, 5, 3), ZONE),
    development_area="basic_skills",
)
PERIODS = (DRAMMEN, KONGSBERG, BERGEN)


async def insert_period(pool: asyncpg.Pool, p: Period) -> None:
    await pool.execute(
        """
        INSERT INTO periods (workflow_id, cohort, owner_id, owner_name, owner_kind, county, advisers, schools, plan,
            plan_version, start_date, ends_at, phase, cycle, phase_started_on, phase_due_at, overdue,
            development_area, development_area_other, goals, ended_at, end_reason, updated_at)
        VALUES ($1, $2, $3, $4, 'municipality', $5, $6, '{}', 'veilederkorpset', '2026.1', $7, $8, $9, 1, $10, $11,
            $12, $13, NULL, $14, $15, NULL, $16)
        """,
        p.workflow_id,
        p.cohort,
        p.owner_id,
        p.owner_name,
        p.county,
        p.advisers,
        p.start_date,
        PERIOD_END,
        p.phase,
        p.phase_started_on,
        p.phase_due_at,
        p.overdue,
        p.development_area,
        p.goals,
        p.ended_at,
        NOW - timedelta(days=1),
    )


async def insert_transition(
    pool: asyncpg.Pool, p: Period, sequence: int, from_phase: str, to_phase: str, at: datetime
) -> None:
    await pool.execute(
        "INSERT INTO phase_transitions (workflow_id, sequence, cycle, from_phase, to_phase, at, actor) "
        "VALUES ($1, $2, 1, $3, $4, $5, $6)",
        p.workflow_id,
        sequence,
        from_phase,
        to_phase,
        at,
        p.advisers[0],
    )


async def insert_milestone(pool: asyncpg.Pool, p: Period, milestone: str, at: datetime) -> None:
    await pool.execute(
        "INSERT INTO milestones (workflow_id, cycle, milestone, adviser, note, recorded_at, development_area, goals) "
        "VALUES ($1, 1, $2, $3, 'done', $4, NULL, '{}')",
        p.workflow_id,
        milestone,
        p.advisers[0],
        at,
    )


async def insert_meeting(
    pool: asyncpg.Pool, p: Period, meeting_id: str, kind: str, on: date, title: str, sequence: int = 0
) -> None:
    # 09:00 in Oslo (CET in winter, CEST from the last Sunday of March).
    offset = 2 if on >= date(2027, 3, 28) else 1
    starts_at = datetime.combine(on, time(9 - offset, 0), tzinfo=UTC)
    await pool.execute(
        """
        INSERT INTO meetings (workflow_id, meeting_id, sequence, kind, meeting_date, start_time, timezone, starts_at,
            duration_minutes, adviser, schools, title, scheduled_at)
        VALUES ($1, $2, $3, $4, $5, '09:00', 'Europe/Oslo', $6, 120, $7, '{}', $8, $9)
        """,
        p.workflow_id,
        meeting_id,
        sequence,
        kind,
        on,
        starts_at,
        p.advisers[0],
        title,
        NOW - timedelta(days=60),
    )


async def insert_gathering(pool: asyncpg.Pool, p: Period, gathering_id: str, on: date, title: str) -> None:
    await pool.execute(
        "INSERT INTO gatherings (workflow_id, gathering_id, title, gathering_date, place, received_at) "
        "VALUES ($1, $2, $3, $4, 'Oslo', $5)",
        p.workflow_id,
        gathering_id,
        title,
        on,
        NOW - timedelta(days=30),
    )


async def write_cohort(pool: asyncpg.Pool) -> None:
    """Three periods of cohort 2027 as of `NOW` (1 April 2027):

    - Drammen (a.hansen, b.olsen): mapping closed 10 March, now in anchoring; a kick-off on 12 January,
      a follow-up on 2 March, a follow-up planned on 6 April; invited to the spring gathering (11 May)
      and to a winter gathering that has passed (10 February).
    - Kongsberg (b.olsen): still in mapping, overdue since 15 March, no meeting ever.
    - Bergen (c.berg): in goal prioritisation, development area basic skills, one kick-off in January.
    """
    for p in PERIODS:
        await insert_period(pool, p)
    await insert_transition(pool, DRAMMEN, 1, "mapping", "anchoring", datetime(2027, 3, 10, 11, 0, tzinfo=UTC))
    await insert_milestone(pool, DRAMMEN, "mapping_done", datetime(2027, 3, 10, 11, 0, tzinfo=UTC))
    await insert_meeting(pool, DRAMMEN, "m1", "kickoff", date(2027, 1, 12), "Kick-off")
    await insert_meeting(pool, DRAMMEN, "m2", "follow_up", date(2027, 3, 2), "Data review")
    await insert_meeting(pool, DRAMMEN, "m3", "follow_up", date(2027, 4, 6), "Anchoring plan", sequence=1)
    await insert_gathering(pool, DRAMMEN, "2027-winter", date(2027, 2, 10), "Winter gathering")
    await insert_gathering(pool, DRAMMEN, "2027-spring", date(2027, 5, 11), "The school owner role")
    for sequence, (a, b, on) in enumerate(
        [
            ("mapping", "anchoring", date(2027, 2, 1)),
            ("anchoring", "development_area", date(2027, 3, 1)),
            ("development_area", "goal_prioritisation", date(2027, 3, 22)),
        ],
        start=1,
    ):
        await insert_transition(pool, BERGEN, sequence, a, b, datetime.combine(on, time(10), tzinfo=UTC))
    await insert_meeting(pool, BERGEN, "m1", "kickoff", date(2027, 1, 14), "Kick-off")
    await insert_gathering(pool, BERGEN, "2027-spring", date(2027, 5, 11), "The school owner role")
